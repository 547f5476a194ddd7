"""`ladder report funnel`: people on each rung at each period's end, and the moves."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.output import echo_rows
from cli.report.options import every_option, report_options, window_of
from ladder.reports.funnel import funnel as funnel_rows
from ladder.reports.funnel import funnel_columns
from ladder.reports.periods import Every
from ladder.workspace import Workspace


@click.command()
@every_option("One row per week (Monday to Sunday) or per month.")
@report_options
@pass_workspace
def funnel(
    workspace: Workspace,
    every: str,
    since: datetime | None,
    until: datetime | None,
    group: str | None,
    output_format: str,
) -> None:
    """The ladder funnel over time: people on each rung at the end of each month (or week),
    from the level history (what was true then, not today's rules), and the moves in it.

    Columns: period, ends (the last day counted), people (active and lapsed), one column per
    rung (active people on it), lapsed, joined, up and down (changes to a higher or lower rung),
    lapsing (active to lapsed) and reactivated (lapsed to active). Moves count from --since;
    the counts on rungs are always the whole base's. --group is the person's group today.

    Example: ladder report funnel --by week --since 90d --group Nouméa
    """
    window = window_of(workspace, since, until, group)
    ladder = workspace.ladder
    with workspace.reading() as connection:
        rows = funnel_rows(connection, ladder, window, Every(every), workspace.zone)
    echo_rows(rows, funnel_columns(ladder, rows), output_format, empty="(nobody had joined)")
