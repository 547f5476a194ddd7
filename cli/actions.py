"""`ladder actions ...`: log what supporters did, and list it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import pass_workspace
from cli.importing import ImportRequest, file_import_options_for
from cli.output import echo_rows, move_sentence, output_options, printable
from cli.progress import progress_bar
from cli.when import LocalTime, local_text
from ladder.actions.importing import (
    ACTION_ALIASES,
    SHOWN_CLIMBERS,
    ActionImportReport,
    import_actions,
)
from ladder.actions.listing import COLUMNS, ActionFilter, list_actions
from ladder.actions.log import log_action
from ladder.people.importing.importer import ImportReport
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
    type=LocalTime(day_first=True),
    metavar="DATETIME",
    help="When it happened, local time: 2026-11-28 18:30 or 28/11/2026 18:30 (default: now; "
    "never in the future).",
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


@actions.command("import")
@file_import_options_for(ACTION_ALIASES)
@click.option("--kind", metavar="KIND", help="The kind of every row whose kind is not given.")
@click.option(
    "--campaign", metavar="NAME", help="The campaign of every row whose campaign is not given."
)
@click.option(
    "--create-people",
    is_flag=True,
    help="Create the people the database does not know (else their rows are refused).",
)
@pass_workspace
def import_command(
    workspace: Workspace,
    kind: str | None,
    campaign: str | None,
    create_people: bool,
    **given: Any,
) -> None:
    """Import actions from a petition or action export (CSV, or - for standard input).

    Reads files as `ladder people import` does (encodings, ; or , or tab, English or French
    headers) and matches people the same way. Each row needs a date (signé le, date, created_at,
    timestamp...: 31/12/2026, 31/12/2026 18:30 or 2026-12-31, in the movement's time zone), a
    kind (a column, or --kind) and may name a campaign (a column, or --campaign) and an id (the
    export's own, kept so a re-import adds nothing; without it, the same person, kind and time
    is the same action). Unknown people are refused unless --create-people. The rules run once
    at the end for everyone with a new action. By default any invalid row means nothing is
    imported.

    Example: ladder actions import signatures.csv --kind petition --campaign "Pétition
    #ZéroTolérance" --create-people --dry-run
    """
    request = ImportRequest.from_options(**given)
    request.options.create_people = create_people
    with progress_bar() as progress:
        report, table = import_actions(
            workspace.engine,
            workspace.ladder,
            request.data,
            request.source,
            request.options,
            workspace.zone,
            workspace.settings.user,
            kind=kind,
            campaign=campaign,
            progress=progress,
        )
    request.finish(report.people, table, _action_lines(report), _people_line)


def _people_line(people: ImportReport) -> str:
    """Who the rows name, said as plainly as the actions line that follows it."""
    if people.dry_run:
        line = (
            f"Dry run, nothing written. People: would create {people.created}, "
            f"update {people.updated}, leave {people.unchanged} unchanged"
        )
    else:
        line = (
            f"People: created {people.created}, updated {people.updated}, "
            f"unchanged {people.unchanged}"
        )
    if people.rejected:
        line += f"; {_rows(people.rejected_lines)} rejected"
    if people.duplicates:
        again = "names someone" if people.duplicates == 1 else "name someone"
        line += f"; {_rows(people.duplicates)} {again} an earlier row named"
    return line + "."


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _action_lines(report: ActionImportReport) -> list[str]:
    would = report.people.dry_run
    counts = (
        f"Actions: would add {report.added}, {report.already} already recorded"
        if would
        else f"Actions: added {report.added}, {report.already} already recorded"
    )
    if report.repeated:
        counts += f", {report.repeated} repeated in the file"
    lines = [counts + "."]
    if would and report.added:
        lines.append("Rungs: the rules run on the actions once they are written, not in a dry run.")
    climbed = report.climbed
    if climbed:
        names = ", ".join(
            f"{m.name} (#{m.supporter_id}) {m.from_rung} -> {m.to_rung}"
            for m in climbed[:SHOWN_CLIMBERS]
        )
        more = f" and {len(climbed) - SHOWN_CLIMBERS} more" if len(climbed) > SHOWN_CLIMBERS else ""
        verb = "would climb" if would else "climbed"
        lines.append(printable(f"{len(climbed)} {verb} a rung: {names}{more}."))
    return lines
