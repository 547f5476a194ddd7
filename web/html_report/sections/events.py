"""Events and show rates by kind of event (:func:`ladder.reports.events.event_report`, as
``ladder report events --by kind``): presences, no-shows, walk-ins, the show rate (present
among those who accepted), first-timers and how many of them then climbed."""

from __future__ import annotations

from ladder.reports.events import event_report
from web.html_report import charts
from web.html_report.section import Context, Section


def build(context: Context) -> Section | None:
    words = context.words
    rows = event_report(context.connection, context.ladder, context.window, by="kind")
    rated = [row for row in rows if row["show_rate"] is not None]
    chart = None
    if rated:
        chart = charts.hbars(
            "events",
            words("show_chart"),
            [row["kind"] for row in rated],
            [100 * row["show_rate"] for row in rated],
            words.percent,
            limit_line=100,
        )
    return context.section("events", rows=rows, chart=chart)
