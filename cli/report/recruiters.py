"""`ladder report recruiters`: the recruiters' leaderboard over time."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.options import Count
from cli.output import echo_rows
from cli.report.options import every_option, report_options, window_of
from ladder.clock import utcnow
from ladder.reports.periods import Every
from ladder.reports.recruiters import COLUMNS, default_since, period_columns, recruiter_report
from ladder.workspace import Workspace


@click.command()
@every_option("Count reach gained per week (Monday first) or per month.")
@click.option(
    "--limit",
    type=Count(min=0),
    default=10,
    show_default=True,
    help="How many recruiters (0 for everybody who gained reach).",
)
@report_options(since_default="the last 12 periods (weeks or months), this one included")
@pass_workspace
def recruiters(
    workspace: Workspace,
    every: str,
    limit: int,
    since: datetime | None,
    until: datetime | None,
    group: str | None,
    output_format: str,
) -> None:
    """The recruiters who gained the most reach in the window, with the reach they gained in
    each week or month.

    reach_gained: people who joined in the window anywhere below the recruiter (at any
    depth); reach: everybody below them who had joined by the window's end; then one column
    per period (2026-11, or 2026-W48 by week): the reach gained in it. Without --since, the
    last 12 months (or weeks). With --group, that group's recruiters.

    Example: ladder report recruiters --by week --since 2026-09-01 --limit 5
    """
    period = Every(every)
    end = until or utcnow()
    if since is None:
        since = default_since(end, period, workspace.zone)
    window = window_of(workspace, since, end, group)
    with workspace.reading() as connection:
        rows = recruiter_report(
            connection, workspace.ladder, window, period, workspace.zone, limit or None
        )
        labels = period_columns(connection, window, period, workspace.zone)
    echo_rows(rows, [*COLUMNS, *labels], output_format)
