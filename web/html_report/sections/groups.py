"""The local groups compared (:func:`ladder.reports.groups.groups_compared`): a table of every
group and a chart of the largest ones' people on each rung."""

from __future__ import annotations

from ladder.reports.groups import GroupFigures, group_figures, groups_compared
from web.html_report import charts
from web.html_report.section import Context, Section

CHARTED = 12  # the largest groups drawn
TABLED = 40  # and listed (a movement may have thousands of groups)


def figures(context: Context) -> GroupFigures:
    """The groups' figures, read once for this section and the headline (their sums)."""
    return group_figures(context.connection, context.window)


def build(context: Context) -> Section:
    words = context.words
    rows = groups_compared(
        context.connection, context.ladder, context.window, context.read(figures)
    )
    rungs = [
        key.removeprefix("rung:") for key in (rows[0] if rows else {}) if key.startswith("rung:")
    ]
    for row in rows:
        row["label"] = row["group"] if row["group"] is not None else words("no_group")
    charted, tabled = rows[:CHARTED], rows[:TABLED]
    chart = None
    if len(rows) > 1:
        chart = charts.stacked_hbars(
            "groups",
            words("groups_chart"),
            [row["label"] for row in charted],
            {rung: [row[f"rung:{rung}"] for row in charted] for rung in rungs},
            words.number,
        )
    more = ""
    if len(rows) > CHARTED:
        more = words(
            "groups_more", charted=len(charted), tabled=len(tabled), total=words.number(len(rows))
        )
    return context.section("groups", groups=tabled, rungs=rungs, chart=chart, more=more)
