"""`ladder graph ...`: export the recruitment graph, check it for structural problems."""

from __future__ import annotations

import click

from cli.context import pass_workspace
from cli.output import check_writable, database_files, echo_rows, output_options, printable
from ladder.files import replacing
from ladder.workspace import Workspace


@click.group()
def graph() -> None:
    """The recruitment graph as a whole: export it, check it.

    Example: ladder graph export --format graphml --output movement.graphml
    """


@graph.command("export")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["graphml", "gexf", "dot", "json"]),
    default="graphml",
    show_default=True,
    help="graphml or gexf for Gephi, dot for Graphviz, json (networkx node-link).",
)
@click.option("--group", metavar="GROUP", help="Only edges that touch this local group.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="File to write (default: standard output), readable by you only.",
)
@click.option("--force", is_flag=True, help="Replace the --output file when it exists.")
@pass_workspace
def export(
    workspace: Workspace, file_format: str, group: str | None, output: str, force: bool
) -> None:
    """Write who-recruited-whom (recruiter -> recruit) with rung, group and join date.

    Example: ladder graph export --format gexf --group Nouméa -o noumea.gexf
    """
    from ladder.recruitment.export import recruitment_graph, write_graph
    from ladder.recruitment.leaderboard import find_group

    check_writable(output, force=force, keep=database_files(workspace))
    with workspace.reading() as connection:
        group_id = find_group(connection, group).id if group else None
        built = recruitment_graph(connection, group_id)
    if output == "-":
        with click.open_file(output, "wb") as stream:
            write_graph(built, file_format, stream)
    else:
        with replacing(output) as temporary, temporary.open("wb") as stream:
            write_graph(built, file_format, stream)
    if output != "-":
        click.echo(
            printable(
                f"Wrote {built.number_of_nodes()} people and {built.number_of_edges()} "
                f"recruitments to {output} ({file_format})."
            ),
            err=True,
        )


@graph.command("check")
@output_options
@pass_workspace
def check(workspace: Workspace, output_format: str) -> None:
    """Report cycles, self-recruitment and recruits of merged or erased people.

    Changes nothing. Exits 1 when it finds an error (a note alone exits 0).

    Example: ladder graph check --format csv > problems.csv
    """
    from ladder.recruitment.check import check_graph

    with workspace.reading() as connection:
        report = check_graph(connection)
    rows = [{**vars(p), "ids": " ".join(str(i) for i in p.ids)} for p in report.problems]
    columns = ["problem", "severity", "ids", "people", "advice"]
    if rows or output_format != "table":
        echo_rows(rows, columns, output_format)
    summary = (
        f"{report.people} people and {report.edges} recruitments checked: "
        f"{len(report.errors)} error(s), {len(report.problems) - len(report.errors)} note(s)."
    )
    click.echo(summary, err=output_format != "table")
    if report.errors:
        raise click.exceptions.Exit(1)
