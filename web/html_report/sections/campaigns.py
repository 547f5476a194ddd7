"""Each campaign's progress against its goal, with the day it was reached or will be at the
last 30 days' pace (:mod:`ladder.campaigns.progress`, as ``ladder campaigns list``)."""

from __future__ import annotations

from typing import Any

from ladder.campaigns.progress import campaign_progress
from web.html_report import charts
from web.html_report.section import Context, Section


def build(context: Context) -> Section:
    words, window = context.words, context.window
    found = campaign_progress(context.connection, context.ladder, window.until, zone=context.zone)
    if window.group_name is not None:  # the group's campaigns and the movement's
        found = [p for p in found if p.group in (None, window.group_name)]
    rows = sorted((p for p in found if p.goal), key=lambda p: p.campaign_id)
    campaigns: list[dict[str, Any]] = [
        {
            "name": p.name,
            "goal": p.label,
            "count": p.count,
            "target": p.goal,
            "percent": None if p.share is None else round(100 * p.share),
            "pace": p.pace_30d,
            "projected": p.projected_date,
        }
        for p in rows
    ]
    chart = None
    if campaigns:
        percents = [c["percent"] or 0 for c in campaigns]
        chart = charts.hbars(
            "campaigns",
            words("share_of_goal"),
            [c["name"] for c in campaigns],
            [min(p, 150) for p in percents],
            words.percent,
            limit_line=100,
            shown=[words.percent(p) for p in percents],
        )
    return context.section("campaigns", campaigns=campaigns, chart=chart)
