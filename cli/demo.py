"""`ladder demo` and `ladder seed`: a realistic fake movement to try ladder on.

The report `ladder demo` prints is a list of sections (DEMO_SECTIONS) and the work done before
it a list of hooks (BEFORE_REPORT): a feature adds its section or hook with one entry.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Connection, func, select

from cli.context import pass_workspace
from cli.output import render
from cli.when import LocalTime, local_text, today_start
from ladder.domain.ladderfile import LadderFile
from ladder.errors import MisuseError
from ladder.reports import overview as report
from ladder.settings import normalise_database_url
from ladder.storage.models import Supporter
from ladder.storage.schema import describe, initialise
from ladder.workspace import Workspace

DEMO_DATABASE = "ladder-demo.db"
DEMO_PEOPLE = 3000
Rows = list[dict[str, Any]]
SectionQuery = Callable[[Connection, LadderFile, datetime], tuple[Rows, list[str]]]


def _rungs(connection: Connection, ladder: LadderFile, as_of: datetime) -> tuple[Rows, list[str]]:
    return report.rung_counts(connection, ladder), ["rung", "active", "lapsed", "total"]


def _busiest(connection: Connection, ladder: LadderFile, as_of: datetime) -> tuple[Rows, list[str]]:
    rows = report.busiest_events(connection, as_of, days=90, limit=5)
    return rows, ["event", "date", "title", "group", "attended", "no_show", "walk_ins"]


def _goals(connection: Connection, ladder: LadderFile, as_of: datetime) -> tuple[Rows, list[str]]:
    rows = report.campaign_progress(connection, ladder)
    return rows, ["campaign", "goal", "progress", "target", "percent"]


def _recruiters(
    connection: Connection, ladder: LadderFile, as_of: datetime
) -> tuple[Rows, list[str]]:
    from ladder.recruitment.leaderboard import COLUMNS, top_recruiters

    return top_recruiters(connection, ladder, by="climbers", limit=5), list(COLUMNS)


def _next(connection: Connection, ladder: LadderFile, as_of: datetime) -> tuple[Rows, list[str]]:
    from ladder.invitations.suggest import COLUMNS, NextRequest, rank

    found = rank(connection, ladder, NextRequest(limit=5, as_of=as_of))
    return [s.row() for s in found.suggestions], list(COLUMNS)


# (title, query): the sections `ladder demo` prints, in order. Features add theirs here
# (top recruiters, who to invite next, ...).
DEMO_SECTIONS: list[tuple[str, SectionQuery]] = [
    ("People on each rung", _rungs),
    ("Busiest events of the last 90 days", _busiest),
    ("Campaign goals", _goals),
    ("Top recruiters, by recruits who climbed", _recruiters),
    ("Who to invite next (ladder next)", _next),
]


def _promote_by_rules(workspace: Workspace, as_of: datetime) -> str | None:
    """Run the ladder file's rules, when this ladder has a rules engine."""
    try:
        from ladder.rules import promote
    except ImportError:
        return None
    result = promote(workspace.engine, workspace.ladder, as_of=as_of)
    day = local_text(as_of)[:10]
    return f"The ladder's rules made {result.total:,} level change(s) as of {day}."


# Work done after seeding and before the report; each returns a line to print, or None.
BEFORE_REPORT: list[Callable[[Workspace, datetime], str | None]] = [_promote_by_rules]


def _today() -> datetime:
    return today_start()


def _seed_options(function: Any) -> Any:
    options = [
        click.option(
            "--seed",
            "random_seed",
            type=int,
            default=1,
            show_default=True,
            help="Random seed: the same seed (and --as-of) gives the same movement.",
        ),
        click.option(
            "--locale",
            default="fr_FR",
            show_default=True,
            help="faker locale for names and places (fr_FR, en_GB, de_DE, ...).",
        ),
        click.option(
            "--as-of",
            type=LocalTime(),
            default=None,
            help="The movement's 'today' (YYYY-MM-DD, local midnight); default: today.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.command()
@click.option(
    "--people",
    type=click.IntRange(min=1),
    required=True,
    help="How many supporters to generate (with their actions, events and recruiters).",
)
@_seed_options
@pass_workspace
def seed(
    workspace: Workspace, people: int, random_seed: int, locale: str, as_of: datetime | None
) -> None:
    """Fill an empty ladder database with a realistic, deterministic fake movement.

    Supporters in local groups, who recruited whom, an event calendar with key dates and
    attendance, actions for every rung, two campaigns with goals. Works on SQLite and
    PostgreSQL; refuses a database that already holds supporters.

    Example: ladder --db movement.db seed --people 100000 --seed 7
    """
    summary = _seed(workspace, people, random_seed, locale, as_of or _today())
    click.echo(_describe_summary(describe(workspace.settings.database_url), summary))


@click.command()
@click.option(
    "--people",
    type=click.IntRange(min=1),
    default=DEMO_PEOPLE,
    show_default=True,
    help="Supporters to generate when the demo database is empty.",
)
@_seed_options
@pass_workspace
def demo(
    workspace: Workspace, people: int, random_seed: int, locale: str, as_of: datetime | None
) -> None:
    """Try ladder on a demo movement: create it, seed it, and show what matters first.

    Always uses its own ./ladder-demo.db (never your ./ladder.db, never --db or
    $LADDER_DATABASE_URL: `ladder --db X seed` fills another database). Creates it if missing
    and seeds it if empty; a seeded one is reused as it is.

    Example: ladder demo
    """
    as_of = as_of or _today()
    workspace = _demo_workspace(workspace)
    url = workspace.settings.database_url
    initialise(url)
    existing = _supporter_count(workspace)
    where = describe(url)
    summary = None if existing else _seed(workspace, people, random_seed, locale, as_of)
    lines = [line for hook in BEFORE_REPORT if (line := hook(workspace, as_of))]
    if summary is None:
        click.echo(f"Using the demo movement in {where} ({existing:,} supporters).")
    else:  # one state, after the rules, as in the report below
        click.echo(_describe_summary(where, _after_rules(workspace, summary)))
    for line in lines:
        click.echo(line)
    _print_sections(workspace, as_of)


def _after_rules(workspace: Workspace, summary: dict[str, Any]) -> dict[str, Any]:
    """The seeding summary with the rung counts as they are now (after BEFORE_REPORT)."""
    with workspace.reading() as connection:
        rows = report.rung_counts(connection, workspace.ladder)
    rungs = {row["rung"]: row["total"] for row in rows}
    return {**summary, "rungs": rungs, "lapsed": sum(row["lapsed"] for row in rows)}


def _demo_workspace(workspace: Workspace) -> Workspace:
    """./ladder-demo.db, always; --db naming another database is refused (use `seed` there)."""
    named = click.get_current_context().find_root().params.get("db")
    if named and not _is_demo_database(named):
        raise MisuseError(
            f"ladder demo uses its own database ./{DEMO_DATABASE}; "
            f"to fill {named} use `ladder --db {named} seed`"
        )
    url = normalise_database_url(DEMO_DATABASE)
    settings = workspace.settings.model_copy(update={"database_url": url})
    demo_workspace = Workspace(settings, workspace.default_ladder_file)
    click.get_current_context().call_on_close(demo_workspace.close)
    return demo_workspace


def _is_demo_database(named: str) -> bool:
    url = normalise_database_url(named)
    if not url.startswith("sqlite:///"):
        return False
    return Path(url.removeprefix("sqlite:///")).resolve() == Path(DEMO_DATABASE).resolve()


def _supporter_count(workspace: Workspace) -> int:
    with workspace.reading() as connection:
        return int(connection.scalar(select(func.count()).select_from(Supporter)) or 0)


def _seed(
    workspace: Workspace, people: int, random_seed: int, locale: str, as_of: datetime
) -> dict[str, Any]:
    from faker.config import AVAILABLE_LOCALES

    from seeds.movement import STEPS, generate_movement

    if locale not in AVAILABLE_LOCALES:
        raise MisuseError(f"unknown faker locale {locale!r}: use e.g. fr_FR, en_GB, de_DE, nl_BE")
    ladder, engine = workspace.ladder, workspace.engine
    with _progress(len(STEPS), f"Seeding {people:,} supporters") as step:
        return generate_movement(engine, ladder, people, random_seed, locale, as_of, step)


@contextmanager
def _progress(steps: int, label: str) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr when it is a terminal; silence when piped."""
    if not sys.stderr.isatty():
        yield lambda _name: None
        return
    with click.progressbar(length=steps, label=label, file=sys.stderr) as bar:
        yield lambda _name: bar.update(1)


def _describe_summary(where: str, summary: dict[str, Any]) -> str:
    rows = summary["rows"]
    rungs = ", ".join(f"{name} {count:,}" for name, count in summary["rungs"].items())
    day = local_text(datetime.fromisoformat(summary["anchor"]))[:10]
    return (
        f"Seeded {where} (seed {summary['seed']}, {summary['locale']}, as of {day}): "
        f"{rows['supporters']:,} supporters ({rungs}; "
        f"{summary['lapsed']:,} lapsed) in {rows['local_groups']:,} local groups, "
        f"{summary['recruited']:,} recruited by another supporter (longest chain "
        f"{summary['deepest_chain']}), {rows['events']:,} events, "
        f"{rows['attendances']:,} attendances, {rows['actions']:,} actions."
    )


def _print_sections(workspace: Workspace, as_of: datetime) -> None:
    with workspace.reading() as connection:
        for title, query in DEMO_SECTIONS:
            rows, columns = query(connection, workspace.ladder, as_of)
            click.echo(f"\n{title}\n")
            click.echo(render(rows, columns, "table"))
