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

# command name -> its one-line help for the listing (the docstring up to its first period),
# so that `--help` imports no command (tests/cli/test_startup.py keeps them equal).
REPORT_SUMMARIES: dict[str, str] = {
    "summary": (
        "The headline figures: people, engaged people, people on each rung, events held, "
        "attendance, new people and their recruiters."
    ),
    "funnel": (
        "The ladder funnel over time: people on each rung at the end of each month (or week), "
        "from the level history (what was true then, not today's rules), and the moves in it."
    ),
    "cohorts": (
        "Join cohorts: of the people who joined in each month (or week), the share who reached "
        "each rung within N days, and the median days to get there."
    ),
    "events": (
        "Attendance at the events held in the window (not cancelled), per event or per kind: "
        "accepted, attended (walk-ins included), no_show, walk_ins, unknown (accepted, "
        "presence not yet known)."
    ),
    "recruiters": (
        "The recruiters who gained the most reach in the window, with the reach they gained in "
        "each week or month."
    ),
    "html": (
        "Write the report as one HTML file that needs nothing else: the headline figures, the"
        " funnel over time, cohorts, events and show rates, campaigns against their goals, "
        "the top recruiters and the local groups compared, with charts."
    ),
}


@click.group(cls=LazyGroup, lazy=REPORT_COMMANDS, summaries=REPORT_SUMMARIES)
def report() -> None:
    """Reports: headline figures, the funnel over time, cohorts, events, recruiters.

    Every report takes --format table|csv|json (same keys) and reads the whole base in a few
    grouped queries.

    Example: ladder report summary --since 90d --group Nouméa
    """
