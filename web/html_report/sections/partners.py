"""Which partners came (:func:`ladder.reports.partners.partner_report`, as ``ladder report
events --by org``): per partner organisation, member or not, how many of its people came to
the window's events, their presences and the events it co-organised. Left out when the base
has no partner organisation."""

from __future__ import annotations

from ladder.reports.partners import partner_report
from web.html_report import charts
from web.html_report.section import Context, Section

CHARTED = 12  # the partners with the most presences get a bar


def build(context: Context) -> Section | None:
    rows = partner_report(context.connection, context.window)
    if not rows:
        return None
    words = context.words
    came = [row for row in rows if row["presences"]][:CHARTED]
    chart = None
    if came:
        chart = charts.hbars(
            "partners",
            words("partners_chart"),
            [row["organisation"] for row in came],
            [row["presences"] for row in came],
            words.number,
        )
    members = [row for row in rows if row["member"] == "yes"]
    others = [row for row in rows if row["member"] != "yes"]
    summary = {
        "members": _totals(members),
        "others": _totals(others),
    }
    return context.section("partners", rows=rows, chart=chart, summary=summary)


def _totals(rows: list[dict]) -> dict[str, int]:
    return {
        "organisations": len(rows),
        "came": sum(1 for row in rows if row["came"]),
        "presences": sum(row["presences"] for row in rows),
    }
