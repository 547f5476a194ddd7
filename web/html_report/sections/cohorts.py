"""Cohort curves (:func:`ladder.reports.cohorts.cohorts`, as ``ladder report cohorts``): of the
people who joined in each month (week, for a short window), the share who reached each rung
within 30, 90 and 180 days, and the median days it took."""

from __future__ import annotations

from ladder.reports.cohorts import WITHIN, cohorts
from web.html_report import charts
from web.html_report.section import Context, Section
from web.html_report.sections.funnel import every_for, history


def build(context: Context) -> Section | None:
    words, ladder = context.words, context.ladder
    every = every_for(context)
    read = context.read(history)  # the funnel's
    rows = cohorts(context.connection, ladder, context.window, context.zone, WITHIN, every, read)
    climbing = ladder.rung_names[1:]
    columns = [
        (words("within", rung=rung, days=days), f"{rung}_{days}d")
        for rung in climbing
        for days in WITHIN
    ]
    medians = [(words("median_days", rung=rung), f"{rung}_median_days") for rung in climbing]
    chart = None
    if rows and climbing:
        rung = climbing[0]
        chart = charts.lines(
            "cohorts",
            words("cohorts_chart", rung=rung),
            [row["cohort"] for row in rows],
            {
                words("within", rung=rung, days=days): [
                    None if row[f"{rung}_{days}d"] is None else 100 * row[f"{rung}_{days}d"]
                    for row in rows
                ]
                for days in WITHIN
            },
            words.percent,
        )
    return context.section("cohorts", rows=rows, columns=columns, medians=medians, chart=chart)
