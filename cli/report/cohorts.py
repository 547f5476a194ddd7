"""`ladder report cohorts`: how fast each month's joiners climbed."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.output import echo_rows
from cli.report.options import every_option, report_options, window_of
from ladder.reports.cohorts import WITHIN, cohort_columns, within_days
from ladder.reports.cohorts import cohorts as cohort_rows
from ladder.reports.periods import Every
from ladder.workspace import Workspace


@click.command()
@every_option("Cohorts of people who joined in the same month, or week.")
@click.option(
    "--within",
    default=",".join(map(str, WITHIN)),
    show_default=True,
    metavar="DAYS,...",
    help="Day counts: the share who reached each rung less than this many days after joining.",
)
@report_options
@pass_workspace
def cohorts(
    workspace: Workspace,
    every: str,
    within: str,
    since: datetime | None,
    until: datetime | None,
    group: str | None,
    output_format: str,
) -> None:
    """Join cohorts: of the people who joined in each month (or week), the share who reached
    each rung within N days, and the median days to get there.

    Columns: cohort, people, then for each rung above the first: <rung>_<N>d for each N of
    --within (a share from 0 to 1; blank while the cohort is not N days old), and
    <rung>_median_days (among those who got there). Reaching a higher rung counts; joining on
    a rung (an import) reaches it on day 0. --since picks the cohorts by join date.

    Example: ladder report cohorts --within 30,90 --since 2026-01-01
    """
    days = within_days(within)
    window = window_of(workspace, since, until, group)
    ladder = workspace.ladder
    with workspace.reading() as connection:
        rows = cohort_rows(connection, ladder, window, workspace.zone, days, Every(every))
    columns = cohort_columns(ladder, days)
    echo_rows(rows, columns, output_format, empty="(nobody joined in the window)")
