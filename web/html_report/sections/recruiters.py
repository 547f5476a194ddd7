"""The top recruiters by reach (recruits at any depth: the size of the tree below them),
from :func:`ladder.recruitment.leaderboard.top_recruiters`, as ``ladder recruiters top``."""

from __future__ import annotations

from ladder.recruitment.leaderboard import top_recruiters
from web.html_report import charts
from web.html_report.section import Context, Section

SHOWN = 10


def build(context: Context) -> Section:
    words, window = context.words, context.window
    group = None if window.group_id is None else str(window.group_id)
    rows = top_recruiters(
        context.connection, context.ladder, by="reach", since=window.since, group=group, limit=SHOWN
    )
    chart = None
    if rows:
        chart = charts.hbars(
            "recruiters",
            words("reach_chart"),
            [row["name"] for row in rows],
            [row["reach"] for row in rows],
            words.number,
        )
    return context.section("recruiters", recruiters=rows, chart=chart)
