"""`ladder recruiters ...`: the leaderboard and one person's recruitment tree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import pass_workspace
from cli.options import Count
from cli.output import echo_rows, output_options, printable
from cli.when import LocalTime
from ladder.workspace import Workspace


@click.group()
def recruiters() -> None:
    """Who recruits, and whose recruits climb.

    Example: ladder recruiters top --by climbers --since 90d
    """


@recruiters.command("top")
@click.option(
    "--by",
    type=click.Choice(["direct", "reach", "climbers", "influence"]),
    default="reach",
    show_default=True,
    help="Rank by direct recruits, reach at any depth, recruits who climbed, or PageRank.",
)
@click.option(
    "--since",
    type=LocalTime(days_ago=True),
    metavar="DATE|Nd",
    help="Count only recruits who joined in the window (90d, or a date like 2026-01-01).",
)
@click.option("--group", metavar="GROUP", help="Only recruiters of this local group.")
@click.option(
    "--limit",
    type=Count(min=0),
    default=20,
    show_default=True,
    help="How many rows (0 for everybody).",
)
@output_options
@pass_workspace
def top(
    workspace: Workspace,
    by: str,
    since: datetime | None,
    group: str | None,
    limit: int,
    output_format: str,
) -> None:
    """The recruiters' leaderboard.

    \b
    direct        recruits they brought in themselves
    reach         everyone recruited through them, at any depth
    climbers      recruits at any depth now on the second rung (attend) or above
    attend_share  share of their direct recruits who reached attend (0..1)
    depth         their longest recruitment chain
    influence     PageRank (credit flows to recruiters); 1.0 = recruited nobody

    With --since, only recruits who joined in the window count, but chains still run
    through people who joined earlier. Influence is always over the whole graph.

    Example: ladder recruiters top --by climbers --since 2026-01-01 --group Nouméa
    """
    from ladder.recruitment.leaderboard import COLUMNS, top_recruiters

    with workspace.reading() as connection:
        rows = top_recruiters(
            connection, workspace.ladder, by, since, group, limit if limit > 0 else None
        )
    echo_rows(rows, COLUMNS, output_format, empty="(no recruiters to show)")


@recruiters.command("tree")
@click.argument("person")
@click.option(
    "--depth",
    type=Count(min=1),
    default=3,
    show_default=True,
    help="How many levels of recruits to draw.",
)
@click.option("--up", is_flag=True, help="Draw the chain of recruiters above the person.")
@output_options
@pass_workspace
def tree(workspace: Workspace, person: str, depth: int, up: bool, output_format: str) -> None:
    """Draw the recruitment tree below a person (or, with --up, the chain above them).

    PERSON is an id (42 or #42), an email, a phone number or a name. Each line shows the
    person's rung; "+N more below" counts everyone under a person deeper than --depth. csv and
    json give one row per person, in the drawing's order: level (0 the person, 1 their
    recruits, -1 their recruiter...), id, name, rung, recruiter_id and more_below.

    Example: ladder recruiters tree "Awa Diallo" --depth 2
    """
    from ladder.people.lookup import find_person
    from ladder.recruitment.tree import recruiter_chain, recruitment_tree

    table = output_format == "table"
    with workspace.reading() as connection:
        found = find_person(connection, person)
        if up:
            chain, loops = recruiter_chain(connection, found.id)
            links = [(c.id, c.label, c.rung) for c in chain]
            if table:
                click.echo(printable("\n".join(draw_chain(links, loops)), lines=True))
                return
            if loops:
                click.echo(draw_chain([], loops)[0], err=True)
            echo_rows(chain_rows(links), TREE_COLUMNS, output_format)
            return
        graph = recruitment_tree(connection, found.id, depth)
    if table:
        click.echo(printable("\n".join(draw_tree(graph, found.id)), lines=True))
    else:
        echo_rows(tree_rows(graph, found.id), TREE_COLUMNS, output_format)


TREE_COLUMNS = ["level", "id", "name", "rung", "recruiter_id", "more_below"]


def tree_rows(graph: Any, root: int) -> list[dict[str, Any]]:
    """The tree's people in the drawing's order (depth first, children by id)."""
    rows = []
    stack: list[tuple[int, int | None]] = [(root, None)]
    while stack:
        node, recruiter = stack.pop()
        data = graph.nodes[node]
        rows.append(
            {
                "level": data["hops"],
                "id": node,
                "name": data["label"],
                "rung": data["rung"],
                "recruiter_id": recruiter,
                "more_below": data.get("more", 0),
            }
        )
        stack += [(child, node) for child in sorted(graph.successors(node), reverse=True)]
    return rows


def chain_rows(chain: list[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """From the person (level 0) up to the first recruiter (level -N)."""
    return [
        {
            "level": -step,
            "id": person,
            "name": label,
            "rung": rung,
            "recruiter_id": chain[step + 1][0] if step + 1 < len(chain) else None,
            "more_below": None,
        }
        for step, (person, label, rung) in enumerate(chain)
    ]


def draw_tree(graph: Any, root: int) -> list[str]:
    """An indented tree, children by id, with box-drawing branches."""
    lines = [_head(graph, root)]
    stack: list[tuple[int, str, bool]] = [
        (child, "", index == 0) for index, child in enumerate(sorted(graph.successors(root))[::-1])
    ]
    while stack:
        node, prefix, last = stack.pop()
        lines.append(prefix + ("└── " if last else "├── ") + _head(graph, node))
        below = prefix + ("    " if last else "│   ")
        children = sorted(graph.successors(node))[::-1]
        stack += [(child, below, index == 0) for index, child in enumerate(children)]
    people = graph.number_of_nodes() - 1
    levels = graph.graph["depth"]
    lines.append(f"\n{people} recruit{'s' if people != 1 else ''} within {levels} level(s).")
    return lines


def draw_chain(chain: list[tuple[int, str, str]], loops: bool) -> list[str]:
    """From the first recruiter down to the person, one indent per step."""
    lines = []
    for step, (person, label, rung) in enumerate(reversed(chain)):
        branch = "    " * (step - 1) + "└── " if step else ""
        lines.append(f"{branch}#{person} {label} [{rung}]")
    if loops:
        lines.insert(0, "(the chain loops: a recruitment cycle, see `ladder graph check`)")
    return lines


def _head(graph: Any, node: int) -> str:
    data = graph.nodes[node]
    more = data.get("more", 0)
    tail = f"  (+{more} more below)" if more else ""
    return f"#{node} {data['label']} [{data['rung']}]{tail}"
