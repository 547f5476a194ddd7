"""`ladder calendar export`: the events as an iCalendar file for Google Calendar, Outlook and
Thunderbird."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.output import check_writable, database_files, printable
from cli.when import LocalTime
from ladder.files import replacing
from ladder.orgs.calendar import CalendarRequest, calendar_bytes, calendar_rows
from ladder.workspace import Workspace


@click.group()
def calendar() -> None:
    """The shared calendar: key dates and events, for partners' calendars.

    Example: ladder calendar export -o key-dates.ics --key-dates
    """


@calendar.command("export")
@click.option(
    "-o", "--output", required=True, metavar="FILE.ics", help="The file to write (- for stdout)."
)
@click.option("--key-dates", is_flag=True, help="Only the key dates (the flagship days).")
@click.option(
    "--org",
    metavar="ORG",
    help="Only events this organisation co-organised, or where its people came or said yes.",
)
@click.option("--from", "starts_from", type=LocalTime(), help="Starting on or after this date.")
@click.option("--to", "starts_to", type=LocalTime(), help="Starting before this date.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@pass_workspace
def export(
    workspace: Workspace,
    output: str,
    key_dates: bool,
    org: str | None,
    starts_from: datetime | None,
    starts_to: datetime | None,
    force: bool,
) -> None:
    """Write the events as an iCalendar file (RFC 5545), times in the movement's time zone.

    Each event keeps the same UID from one export to the next: importing a newer file into
    Google Calendar, Outlook or Thunderbird updates the events instead of duplicating them.
    Cancelled events are kept, marked cancelled, so calendars that had them cross them out.

    Example: ladder calendar export -o key-dates.ics --key-dates --from 2026-01-01
    """
    check_writable(output, force=force, keep=database_files(workspace))
    request = CalendarRequest(key_dates, org, starts_from, starts_to)
    with workspace.reading() as connection:
        rows = calendar_rows(connection, request)
    data = calendar_bytes(rows, workspace.zone)
    if output == "-":
        click.echo(data.decode("utf-8"), nl=False)
        return
    with replacing(output) as temporary:
        temporary.write_bytes(data)
    click.echo(f"Wrote {len(rows):,} event(s) to {printable(output)}.", err=True)
