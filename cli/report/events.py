"""`ladder report events`: attendance per event or per kind, and who the events brought."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.output import echo_rows
from cli.report.options import report_options, window_of
from cli.when import shown
from ladder.reports.events import BY, COLUMNS, event_report
from ladder.workspace import Workspace


@click.command()
@click.option(
    "--by",
    type=click.Choice(BY),
    default="event",
    show_default=True,
    help="One row per event, or per kind of event.",
)
@click.option("--kind", metavar="KIND", help="Only events of this kind (fair, meeting...).")
@report_options
@pass_workspace
def events(
    workspace: Workspace,
    by: str,
    kind: str | None,
    since: datetime | None,
    until: datetime | None,
    group: str | None,
    output_format: str,
) -> None:
    """Attendance at the events held in the window (not cancelled), per event or per kind:
    accepted, attended (walk-ins included), no_show, walk_ins, unknown (accepted, presence not
    yet known).

    show_rate = accepted and present / accepted; flake_rate = accepted and absent / accepted
    (the denominator is everyone whose RSVP is "accepted"; empty when nobody accepted).
    first_timers: people for whom it was the first event they ever attended; climbed_after:
    of them, those who moved up a rung after the event started (before the window's end).

    Example: ladder report events --since 90d --by kind --format csv
    """
    window = window_of(workspace, since, until, group)
    with workspace.reading() as connection:
        rows = event_report(connection, workspace.ladder, window, by=by, kind=kind)
    for row in rows:
        if row.get("starts_at") is not None:
            row["starts_at"] = shown(row["starts_at"])
    echo_rows(rows, COLUMNS[by], output_format)
