"""`ladder report summary`: the headline figures."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.output import echo_rows
from cli.report.options import report_options, window_of
from ladder.reports.headline import COLUMNS, headline
from ladder.workspace import Workspace


@click.command()
@report_options
@pass_workspace
def summary(
    workspace: Workspace,
    since: datetime | None,
    until: datetime | None,
    group: str | None,
    output_format: str,
) -> None:
    """The headline figures: people, engaged people, people on each rung, events held,
    attendance, new people and their recruiters.

    "engaged" counts people who took an action or came to an event in the window; rungs and
    lapsed are today's (`ladder report funnel` gives the past).

    Example: ladder report summary --since 2026-01-01 --group Nouméa --format json
    """
    window = window_of(workspace, since, until, group)
    with workspace.reading() as connection:
        rows = headline(connection, workspace.ladder, window)
    echo_rows(rows, COLUMNS, output_format)
