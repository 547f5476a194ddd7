"""The headline figures (:func:`ladder.reports.headline.headline`, exactly what ``ladder report
summary`` prints, summed from the groups' figures the groups section shows) and a chart of the
people on each rung."""

from __future__ import annotations

from ladder.reports.headline import headline
from web.html_report import charts
from web.html_report.section import Context, Section
from web.html_report.sections.groups import figures as group_figures


def build(context: Context) -> Section:
    words = context.words
    groups = context.read(group_figures)  # the groups section's
    rows = headline(context.connection, context.ladder, context.window, groups)
    figures = []
    for row in rows:
        figure = row["figure"]
        if figure.startswith("rung:"):
            label = words("fig:rung", rung=figure.removeprefix("rung:"))
        else:
            label = words(f"fig:{figure}")
        figures.append({"figure": figure, "value": row["value"], "label": label})
    rungs = [f for f in figures if f["figure"].startswith("rung:")]
    chart = charts.hbars(
        "rungs",
        words("rungs_chart"),
        [f["figure"].removeprefix("rung:") for f in rungs],
        [f["value"] for f in rungs],
        words.number,
    )
    return context.section("headline", figures=figures, chart=chart)
