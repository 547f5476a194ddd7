"""`ladder events ...`: add, list, show, edit events, and print a sign-in sheet."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import click

from cli.context import pass_workspace
from cli.options import Count
from cli.output import csv_text, echo_rows, output_options
from cli.when import Expiry, LocalTime, local_text, today_start
from ladder.events import agenda as service
from ladder.events import volunteer as links
from ladder.events.attendance import SHEET_COLUMNS, sheet_rows
from ladder.workspace import Workspace

WHEN = LocalTime()
LIST_COLUMNS = [
    "id",
    "title",
    "kind",
    "starts",
    "place",
    "group",
    "status",
    "capacity",
    "accepted",
    "attended",
]


def event_options(function: Any) -> Any:
    """The options shared by `events add` and `events edit`."""
    options = [
        click.option(
            "--title", help="Public title, e.g. 'Fête du quartier, stand #ZéroTolérance'."
        ),
        click.option("--kind", help="fair, school, student-day, mass-action ... (default: field)."),
        click.option("--start", "starts_at", type=WHEN, help="Start, 'YYYY-MM-DD HH:MM' (local)."),
        click.option("--end", "ends_at", type=WHEN, help="End, 'YYYY-MM-DD HH:MM' (local)."),
        click.option("--place", help="Venue and town."),
        click.option("--postcode", help="Postcode of the venue (for 'near' searches)."),
        click.option("--group", help="Local group running it (must exist)."),
        click.option("--campaign", help="Campaign it belongs to (must exist)."),
        click.option("--host", help="The host: id, email or phone of a supporter."),
        click.option("--capacity", type=Count(min=0), help="Places available."),
        click.option("--key-date/--no-key-date", default=None, help="A flagship key date."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _input(**fields: Any) -> service.EventInput:
    return service.EventInput(**fields)


@click.group()
def events() -> None:
    """Events: the calendar of field events and key dates.

    Example: ladder events add --title "Forum des associations" --start "2026-12-05 10:00"
    """


@events.command("add")
@event_options
@pass_workspace
def add(workspace: Workspace, **fields: Any) -> None:
    """Add an event.

    Example: ladder events add --title "Journée étudiante" --kind student-day
    --start "2026-12-05 10:00" --group Nouméa --capacity 80
    """
    event_id = service.add_event(workspace.engine, _input(**fields), workspace.settings.user)
    click.echo(f"Added event #{event_id} {fields['title']}.")


@events.command("edit")
@click.argument("event")
@event_options
@click.option(
    "--status", type=click.Choice(["confirmed", "tentative", "cancelled"]), help="Event status."
)
@pass_workspace
def edit(workspace: Workspace, event: str, **fields: Any) -> None:
    """Change an event's details (only the options given), or cancel it.

    Example: ladder events edit 12 --status cancelled
    """
    changed = service.edit_event(
        workspace.engine, event, _input(**fields), by=workspace.settings.user
    )
    click.echo(f"Updated #{changed.id} {changed.title} ({local_text(changed.starts_at)}).")


@events.command("list")
@click.option("--from", "starts_from", type=WHEN, help="Starting on or after this date.")
@click.option("--to", "starts_to", type=WHEN, help="Starting before this date.")
@click.option("--upcoming", is_flag=True, help="Only events from today on.")
@click.option("--group", help="Local group.")
@click.option("--kind", help="Event kind.")
@click.option("--campaign", help="Campaign name.")
@click.option(
    "--org",
    metavar="ORG",
    help="Events this organisation co-organised, or where one of its people came or said yes.",
)
@click.option("--limit", type=Count(min=1), help="At most this many.")
@output_options
@pass_workspace
def list_(
    workspace: Workspace,
    starts_from: datetime | None,
    starts_to: datetime | None,
    upcoming: bool,
    output_format: str,
    **filters: Any,
) -> None:
    """List events, most recent first, with RSVP and attendance counts.

    Example: ladder events list --from 2026-01-01 --group Nouméa --format csv

    Example: ladder events list --org "Mairie de Lyon"
    """
    if upcoming:
        today = today_start()
        starts_from = max(starts_from or today, today)
    with workspace.reading() as connection:
        rows = service.list_events(connection, starts_from, starts_to, **filters)
    echo_rows(rows, LIST_COLUMNS, output_format, empty="No events match.")


@events.command("show")
@click.argument("event")
@output_options
@pass_workspace
def show(workspace: Workspace, event: str, output_format: str) -> None:
    """Show one event with its invitations, RSVPs and attendances.

    Example: ladder events show 12
    """
    with workspace.reading() as connection:
        details, people = service.event_details(connection, event)
    columns = ["id", "first_name", "last_name", "email", "invited", "rsvp", "presence"]
    columns += ["checked_in", "checked_in_by", "walk_in"]
    if output_format == "table":
        for key, value in details.items():
            if value not in (None, "", " "):
                click.echo(
                    f"{key:>10}: {local_text(value) if isinstance(value, datetime) else value}"
                )
        click.echo("")
    echo_rows(people, columns, output_format, empty="Nobody invited, RSVP'd or checked in yet.")


@events.command("sheet")
@click.argument("event")
@click.option(
    "--format",
    "sheet_format",
    type=click.Choice(["html", "csv"]),
    default="html",
    show_default=True,
    help="html to print, csv to fill in on a laptop.",
)
@click.option(
    "--blank",
    type=Count(min=0, max=1_000),
    default=25,
    show_default=True,
    help="Blank rows for walk-ins.",
)
@pass_workspace
def sheet(workspace: Workspace, event: str, sheet_format: str, blank: int) -> None:
    """Print a sign-in sheet: people who RSVP'd, then blank rows.

    Its columns are the ones `ladder attendance import` reads back: tick 'present', fill in
    walk-ins, then import the sheet after the event.

    Example: ladder events sheet 12 --format html > sheet.html
    """
    with workspace.reading() as connection:
        found, rows = sheet_rows(connection, event, blank)
    if sheet_format == "csv":
        cells = ([row[c] for c in SHEET_COLUMNS] for row in rows)
        click.echo(csv_text(SHEET_COLUMNS, cells), nl=False)
        return
    click.echo(_sheet_html(found.title, local_text(found.starts_at), rows))


def _sheet_html(title: str, when: str, rows: list[dict[str, str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in SHEET_COLUMNS)
    body = "\n".join(
        "<tr>"
        + "".join(f"<td>{html.escape(str(r[c] or ''))}</td>" for c in SHEET_COLUMNS)
        + "</tr>"
        for r in rows
    )
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<title>Sign-in: {html.escape(title)}</title>"
        "<style>body{font-family:sans-serif} table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #444;padding:6px;height:1.6em;font-size:11pt}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(when)} · "
        "tick <b>present</b>, write who brought you, and yes/no for each consent.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></body></html>"
    )


@events.command("checkin-link")
@click.argument("event")
@click.option("--expires", type=Expiry(), help="12h, 2d or a date (default: never; revoke it).")
@click.option("--revoke", is_flag=True, help="Revoke the event's link(s) instead of making one.")
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    callback=lambda _ctx, _param, value: _base_url(value),
    help="Where `ladder serve` is reached from the volunteers' phones.",
)
@pass_workspace
def checkin_link(
    workspace: Workspace, event: str, expires: datetime | None, revoke: bool, base_url: str
) -> None:
    """Print a volunteer's check-in link for one event (the earlier link stops working).

    Anyone holding the link can search people and check them in at that event only, with no
    account; --revoke shuts it out (a lost phone).

    Example: ladder events checkin-link 12 --expires 12h --base-url http://192.168.1.20:8000
    """
    if revoke:
        if expires is not None:
            raise click.UsageError("--revoke takes no --expires")
        found, revoked = links.revoke_event_links(workspace.engine, event, workspace.settings.user)
        click.echo(f"Revoked {revoked} check-in link(s) of {found.describe()}.")
        return
    found, secret = links.new_event_link(workspace.engine, event, workspace.settings.user, expires)
    until = f" (expires {local_text(expires)})" if expires else ""
    click.echo(f"Check-in link for {found.describe()}{until}; earlier links are revoked:")
    click.echo(f"{base_url}/checkin/{secret}")


def _base_url(value: str) -> str:
    """``http(s)://host[:port][/path]``, nothing else (the link is printed for a phone)."""
    text = value.strip().rstrip("/")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (a port that is not a number raises)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or len(text) > 500
        or any(c.isspace() or not c.isprintable() for c in text)
    ):
        raise click.BadParameter("give the server's address, e.g. http://192.168.1.20:8000")
    return text
