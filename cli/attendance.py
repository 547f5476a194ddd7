"""`ladder attendance ...`: after the event: close it, import a filled sign-in sheet."""

from __future__ import annotations

from typing import Any

import click

from cli.context import pass_workspace
from cli.importing import ImportRequest, file_import_options
from cli.output import moves_lines
from ladder.events.attendance import close_event
from ladder.events.sheets import import_sheet
from ladder.workspace import Workspace


@click.group()
def attendance() -> None:
    """Attendance after the event: close it, import the paper sign-in sheet.

    Example: ladder attendance close 12
    """


@attendance.command("close")
@click.argument("event")
@pass_workspace
def close(workspace: Workspace, event: str) -> None:
    """Close an event: accepted-but-not-checked-in become no-shows; others stay unknown.

    Example: ladder attendance close 12
    """
    result = close_event(workspace.engine, event)
    click.echo(
        f"Closed {result.event.describe()}: {result.marked_no_show} marked no-show. "
        f"Now {result.attended} attended, {result.no_show} no-show, {result.unknown} unknown."
    )


@attendance.command("import")
@click.argument("event")
@file_import_options
@click.option("--late", is_flag=True, help="The event is closed: import the sheet anyway.")
@pass_workspace
def import_command(workspace: Workspace, event: str, late: bool, **given: Any) -> None:
    """Import a filled sign-in sheet (or - for standard input) and check everyone in.

    Reads the same files as `ladder people import` (encodings, ; or , or tab, English or
    French headers). Rows whose 'present' column is blank are skipped; everyone else is
    checked in: known people are matched and updated, new people are created with their
    recruiter ("who brought you?"). Importing the same sheet again changes nothing. A sheet
    is typed in after the event: a past event takes it, a closed one only with --late.

    Example: ladder attendance import 12 sheet-forum.csv
    """
    request = ImportRequest.from_options(**given)
    sheet, table = import_sheet(
        workspace.engine,
        workspace.ladder,
        event,
        request.data,
        request.source,
        request.options,
        workspace.settings.user,
        late=late,
    )
    request.finish(sheet.people, table)
    if sheet.skipped:
        click.echo(f"Skipped {sheet.skipped} row(s) not ticked present.")
    if sheet.people.written:
        counts = sheet.checkins
        click.echo(f"Checked in {counts.checked_in}; already checked in {counts.already}.")
        for line in moves_lines(counts.moves):
            click.echo(f"  {line}")
    elif sheet.people.dry_run:
        click.echo("Dry run: nobody was checked in.")
