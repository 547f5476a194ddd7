"""`ladder actions ...`: log what supporters did, and list it."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.output import echo_rows, move_sentence, output_options
from cli.when import LocalTime, local_text
from ladder.actions.listing import COLUMNS, ActionFilter, list_actions
from ladder.actions.log import log_action
from ladder.workspace import Workspace

TABLE_ROWS = 200


@click.group()
def actions() -> None:
    """Actions: what supporters did (signed, shared, called, hosted), which the rules count.

    Example: ladder actions log awa@example.org petition --campaign "Pétition #ZéroTolérance"
    """


@actions.command("log")
@click.argument("person")
@click.argument("kind")
@click.option(
    "--at",
    "at",
    type=LocalTime(),
    metavar="DATETIME",
    help="When it happened, local time (default: now; never in the future).",
)
@click.option("--campaign", metavar="NAME", help="The campaign it counts for (must exist).")
@click.option("--note", metavar="TEXT", help="A note kept with the action.")
@pass_workspace
def log(
    workspace: Workspace,
    person: str,
    kind: str,
    at: datetime | None,
    campaign: str | None,
    note: str | None,
) -> None:
    """Log one action by PERSON: an action kind of the ladder file (petition, share_toolkit...).

    PERSON is an id (12 or #12), email, phone, or a name. Their rung is re-evaluated at once,
    and a climb is reported, as after a check-in.

    Example: ladder actions log awa@example.org petition --at "2026-11-28 18:30"
    --campaign "Pétition #ZéroTolérance" --note "signed at the market stand"
    """
    done = log_action(
        workspace.engine,
        workspace.ladder,
        person,
        kind,
        workspace.settings.user,
        at=at,
        campaign=campaign,
        note=note,
    )
    where = f" for {done.campaign}" if done.campaign else ""
    text = (
        f"Logged {done.kind} by {done.person.name} (#{done.person.id}) at "
        f"{local_text(done.occurred_at)}{where}."
    )
    click.echo(" ".join([text, *(move_sentence(move) for move in done.moves)]))
    for note in done.notes:
        click.echo(f"  note: {note}")


@actions.command("list")
@click.option("--person", metavar="PERSON", help="Only this person's actions (id, email, ...).")
@click.option("--kind", help="Only this action kind.")
@click.option("--campaign", metavar="NAME", help="Only this campaign's actions.")
@click.option(
    "--since",
    type=LocalTime(days_ago=True),
    help="Only actions at or after this date or time (local), or in the last N days (30d).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help=f"At most this many rows. [default: {TABLE_ROWS} for a table, all for csv/json]",
)
@output_options
@pass_workspace
def list_command(
    workspace: Workspace,
    person: str | None,
    kind: str | None,
    campaign: str | None,
    since: datetime | None,
    limit: int | None,
    output_format: str,
) -> None:
    """List actions, newest first: who did what, when, for which campaign or event.

    Example: ladder actions list --campaign "Pétition #ZéroTolérance" --since 30d --format csv
    """
    capped = limit is None and output_format == "table"  # a screen, not a million lines
    wanted = TABLE_ROWS + 1 if capped else limit
    found = ActionFilter(person, kind, campaign, since, wanted)
    with workspace.reading() as connection:
        rows = list_actions(connection, found)
    echo_rows(rows[:TABLE_ROWS] if capped else rows, COLUMNS, output_format, "(no actions match)")
    if capped and len(rows) > TABLE_ROWS:
        click.echo(
            f"(the newest {TABLE_ROWS} shown: --limit N for more, --format csv for all)", err=True
        )
