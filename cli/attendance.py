"""`ladder attendance ...`: after the event: close it, import a filled sign-in sheet."""

from __future__ import annotations

from typing import Any

import click

from cli.context import pass_workspace
from cli.importing import ImportRequest, file_import_options
from cli.output import moves_lines, printable
from cli.progress import progress_bar
from ladder.events.attendance import close_event
from ladder.events.tool_files import ToolReport, import_attendance, parse_event_map
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
    result = close_event(workspace.engine, event, by=workspace.settings.user)
    click.echo(
        f"Closed {result.event.describe()}: {result.marked_no_show} marked no-show. "
        f"Now {result.attended} attended, {result.no_show} no-show, {result.unknown} unknown."
    )


@attendance.command("import")
@click.argument("event", nargs=-1, metavar="[EVENT]")
@file_import_options
@click.option("--late", is_flag=True, help="The event is closed: import the sheet anyway.")
@click.option(
    "--event-map",
    "event_maps",
    multiple=True,
    metavar="FILE_ID=EVENT",
    help="An export naming several events: the file's event id FILE_ID is ladder's EVENT "
    "(repeat for each event).",
)
@pass_workspace
def import_command(
    workspace: Workspace,
    event: tuple[str, ...],
    late: bool,
    event_maps: tuple[str, ...],
    **given: Any,
) -> None:
    """Import a filled sign-in sheet, or a Mobilize / Action Network attendance export.

    A sheet reads like `ladder people import` (encodings, ; or , or tab, English or French
    headers). Rows whose 'present' column is blank are skipped; everyone else is checked in:
    known people are matched and updated, new people are created with their recruiter ("who
    brought you?"). A sheet is typed in after the event: a past event takes it, a closed one
    only with --late.

    An export from another tool (Mobilize participations, Action Network attendees) is read
    without --map: its status (registered, confirmed, cancelled...) becomes the RSVP, its
    attended column the attendance (true: checked in; false: no-show if they had said yes;
    blank: unknown, never counted against anyone). A file of one event goes to EVENT; a file
    naming several needs --event-map FILE_ID=EVENT for each. The tool's ids of people and
    events are kept, so its next file finds them again. Importing a file again changes nothing.
    Besides the people fields, --map takes present, tool_id (the tool's person id), event,
    rsvp_status and attended.

    Example: ladder attendance import 12 sheet-forum.csv

    Example: ladder attendance import mobilize.csv --event-map 77=12 --event-map 78=13
    """
    if len(event) > 1:
        raise click.UsageError(f"one EVENT at most, then FILE (got {' '.join(event)})")
    event_map = parse_event_map(event_maps)
    request = ImportRequest.from_options(**given)
    with progress_bar() as progress:
        report, table = import_attendance(
            workspace.engine,
            workspace.ladder,
            event[0] if event else None,
            request.data,
            request.source,
            request.options,
            workspace.settings.user,
            event_map=event_map,
            late=late,
            progress=progress,
        )
    request.finish(report.people, table)
    if isinstance(report, ToolReport):
        _echo_tool_report(report)
        return
    if report.skipped:
        click.echo(f"Skipped {report.skipped} row(s) not ticked present.")
    if report.people.written:
        counts = report.checkins
        click.echo(f"Checked in {counts.checked_in}; already checked in {counts.already}.")
        for line in moves_lines(counts.moves):
            click.echo(f"  {line}")
    elif report.people.dry_run:
        click.echo("Dry run: nobody was checked in.")


def _echo_tool_report(report: ToolReport) -> None:
    tool = {"mobilize": "Mobilize", "action_network": "Action Network"}.get(report.tool or "")
    events = ", ".join(printable(e.describe()) for e in report.counts.events)
    click.echo(f"{tool or 'Attendance'} export for {events}.")
    if not report.people.written:
        if report.people.dry_run:
            click.echo("Dry run: no attendance was recorded.")
        return
    counts = report.counts
    click.echo(
        f"RSVPs recorded {counts.rsvps}; checked in {counts.checkins.checked_in} "
        f"(already {counts.checkins.already}); no-shows {counts.no_shows}; "
        f"attendance left unknown {counts.unknown}."
    )
    if counts.kept_attended:
        click.echo(
            f"{counts.kept_attended} row(s) say not attended for people already checked in "
            "here: their check-in is kept."
        )
    for line in moves_lines(counts.checkins.moves):
        click.echo(f"  {line}")
