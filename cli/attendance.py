"""`ladder attendance ...`: after the event: close it, import a filled sign-in sheet."""

from __future__ import annotations

import click

from cli.context import pass_workspace
from ladder.services.attendance import close_event
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
