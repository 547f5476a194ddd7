"""The funnel over time (:func:`ladder.reports.funnel.funnel`, as ``ladder report funnel``):
people on each rung at the end of each month (each week for a window of 120 days or less),
from the level history, and the moves in each period."""

from __future__ import annotations

from datetime import timedelta

from ladder.reports.funnel import funnel, rung_keys
from ladder.reports.history import HistoryRead, read_history
from ladder.reports.periods import Every
from web.html_report import charts
from web.html_report.section import Context, Section

WEEKLY_UP_TO = timedelta(days=120)


def every_for(context: Context) -> Every:
    window = context.window
    short = window.since is not None and window.until - window.since <= WEEKLY_UP_TO
    return Every.WEEK if short else Every.MONTH


def history(context: Context) -> HistoryRead:
    """The level history, read once for this section and the cohorts."""
    return read_history(context.connection, context.ladder, context.window, context.zone)


def build(context: Context) -> Section | None:
    words = context.words
    every = every_for(context)
    read = context.read(history)
    rows = funnel(context.connection, context.ladder, context.window, every, context.zone, read)
    if not rows:
        return context.section("funnel", rows=[], rungs=[], chart=None)
    keys = rung_keys(context.ladder.rung_names)
    rungs = [(name, key) for name, key in keys.items() if key in rows[0]]
    chart = charts.lines(
        "funnel",
        words("funnel_chart", every=words(every.value)),
        [row["period"] for row in rows],
        {name: [row[key] for row in rows] for name, key in rungs},
        words.number,
    )
    return context.section("funnel", rows=rows, rungs=rungs, chart=chart)
