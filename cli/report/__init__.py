"""`ladder report ...`: the movement's figures over time. Each report lives in its own module."""

from __future__ import annotations

import click

from cli.lazy import LazyGroup

# subcommand -> "module:attribute"
REPORT_COMMANDS: dict[str, str] = {
    "summary": "cli.report.summary:summary",
    "funnel": "cli.report.funnel:funnel",
    "cohorts": "cli.report.cohorts:cohorts",
    "events": "cli.report.events:events",
    "recruiters": "cli.report.recruiters:recruiters",
    "html": "cli.report.html:html",
}


@click.group(cls=LazyGroup, lazy=REPORT_COMMANDS)
def report() -> None:
    """Reports: headline figures, the funnel over time, cohorts, events, recruiters.

    Every report takes --format table|csv|json (same keys) and reads the whole base in a few
    grouped queries.

    Example: ladder report summary --since 90d --group Nouméa
    """
