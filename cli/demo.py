"""`ladder demo` and `ladder seed`: a realistic fake movement to try ladder on.

The report `ladder demo` prints is the library's first look at a movement
(:mod:`ladder.reports.first_look`, where a feature adds its section with one entry).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from cli.context import pass_workspace
from cli.options import Count
from cli.output import render
from cli.progress import progress_bar
from cli.when import LocalTime, local_text, today_start
from ladder.errors import MisuseError
from ladder.progress import Progress
from ladder.reports import first_look
from ladder.settings import normalise_database_url
from ladder.workspace import Workspace

DEMO_DATABASE = "ladder-demo.db"
DEMO_PEOPLE = 3000
MAX_PEOPLE = 10_000_000  # ten times the scale ladder is built for


def _promote_by_rules(workspace: Workspace, as_of: datetime, progress: Progress) -> str:
    from ladder.rules import promote

    result = promote(workspace.engine, workspace.ladder, as_of=as_of, progress=progress)
    day = local_text(as_of)[:10]
    return f"The ladder's rules made {result.total:,} level change(s) as of {day}."


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
    type=Count(min=1, max=MAX_PEOPLE),
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
    with progress_bar() as progress:
        summary = _seed(workspace, people, random_seed, locale, as_of or _today(), progress)
    click.echo(_describe_summary(workspace.describe_database(), summary))


@click.command()
@click.option(
    "--people",
    type=Count(min=1, max=MAX_PEOPLE),
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
    where = workspace.create_database().where
    existing = first_look.supporter_count(workspace.engine)
    with progress_bar() as progress:
        summary = None
        if not existing:
            summary = _seed(workspace, people, random_seed, locale, as_of, progress)
        rules_line = _promote_by_rules(workspace, as_of, progress)
    if summary is None:
        click.echo(f"Using the demo movement in {where} ({existing:,} supporters).")
    else:  # one state, after the rules, as in the report below
        click.echo(_describe_summary(where, _after_rules(workspace, summary)))
    click.echo(rules_line)
    _print_sections(workspace, as_of)


def _after_rules(workspace: Workspace, summary: dict[str, Any]) -> dict[str, Any]:
    """The seeding summary with the rung counts as they are now (after the rules ran)."""
    rungs, lapsed = first_look.rung_totals(workspace.engine, workspace.ladder)
    return {**summary, "rungs": rungs, "lapsed": lapsed}


def _demo_workspace(workspace: Workspace) -> Workspace:
    """./ladder-demo.db, always; --db naming another database is refused (use `seed` there)."""
    named = click.get_current_context().find_root().params.get("db")
    if named and not _is_demo_database(named):
        raise MisuseError(
            f"ladder demo uses its own database ./{DEMO_DATABASE}; "
            f"to fill {named} use `ladder --db {named} seed`"
        )
    url = normalise_database_url(DEMO_DATABASE)
    settings = dataclasses.replace(workspace.settings, database_url=url)
    demo_workspace = Workspace(settings, workspace.default_ladder_file)
    click.get_current_context().call_on_close(demo_workspace.close)
    return demo_workspace


def _is_demo_database(named: str) -> bool:
    url = normalise_database_url(named)
    if not url.startswith("sqlite:///"):
        return False
    return Path(url.removeprefix("sqlite:///")).resolve() == Path(DEMO_DATABASE).resolve()


def _seed(
    workspace: Workspace,
    people: int,
    random_seed: int,
    locale: str,
    as_of: datetime,
    progress: Progress,
) -> dict[str, Any]:
    from faker.config import AVAILABLE_LOCALES

    from seeds.movement import generate_movement

    if locale not in AVAILABLE_LOCALES:
        raise MisuseError(f"unknown faker locale {locale!r}: use e.g. fr_FR, en_GB, de_DE, nl_BE")
    ladder, engine = workspace.ladder, workspace.engine
    return generate_movement(engine, ladder, people, random_seed, locale, as_of, progress)


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
    for section in first_look.first_look(workspace.engine, workspace.ladder, as_of):
        click.echo(f"\n{section.title}\n")
        click.echo(render(section.rows, section.columns, "table"))
