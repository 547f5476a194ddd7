"""What an organiser looks at first: people per rung, the busiest events, campaign goals.

Each function is a handful of set-based queries and returns plain dicts (one per row).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import Presence, SupporterStatus
from ladder.storage.models import (
    Action,
    ActionKind,
    Attendance,
    Campaign,
    CampaignGoal,
    Event,
    LocalGroup,
    Supporter,
)


def rung_counts(connection: Connection, ladder: LadderFile) -> list[dict[str, Any]]:
    """Active and lapsed people on each rung, in ladder order (erased and merged left out)."""
    query = (
        select(Supporter.rung, Supporter.status, func.count())
        .where(Supporter.status != SupporterStatus.ERASED, Supporter.merged_into_id.is_(None))
        .group_by(Supporter.rung, Supporter.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for rung, status, count in connection.execute(query):
        counts.setdefault(rung, {})[status] = count
    known = ladder.rung_names
    names = known + sorted(set(counts) - set(known))  # rungs the ladder file no longer has
    return [
        {
            "rung": name,
            "active": counts.get(name, {}).get("active", 0),
            "lapsed": counts.get(name, {}).get("lapsed", 0),
            "total": sum(counts.get(name, {}).values()),
        }
        for name in names
    ]


def busiest_events(
    connection: Connection, as_of: datetime, days: int = 90, limit: int = 5
) -> list[dict[str, Any]]:
    """The events of the last ``days`` before ``as_of`` with the most people present."""
    attended = func.sum(case((Attendance.presence == Presence.ATTENDED, 1), else_=0))
    query = (
        select(
            Event.id.label("event"),
            Event.starts_at.label("date"),
            Event.title,
            LocalGroup.name.label("group"),
            attended.label("attended"),
            func.sum(case((Attendance.presence == Presence.NO_SHOW, 1), else_=0)).label("no_show"),
            func.sum(case((Attendance.walk_in, 1), else_=0)).label("walk_ins"),
        )
        .join(Attendance, Attendance.event_id == Event.id)
        .outerjoin(LocalGroup, LocalGroup.id == Event.local_group_id)
        .where(Event.starts_at >= as_of - timedelta(days=days), Event.starts_at < as_of)
        .group_by(Event.id, Event.starts_at, Event.title, LocalGroup.name)
        .order_by(attended.desc(), Event.starts_at.desc(), Event.id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def campaign_progress(connection: Connection, ladder: LadderFile) -> list[dict[str, Any]]:
    """Each campaign goal with its progress; metrics ``actions:<kind>`` and ``rung:<name>``."""
    goals = connection.execute(
        select(
            Campaign.id, Campaign.name, CampaignGoal.metric, CampaignGoal.label, CampaignGoal.target
        )
        .join(CampaignGoal, CampaignGoal.campaign_id == Campaign.id)
        .order_by(Campaign.id, CampaignGoal.id)
    ).all()
    rows = []
    for campaign_id, name, metric, label, target in goals:
        progress = goal_progress(connection, ladder, campaign_id, metric)
        rows.append(
            {
                "campaign": name,
                "goal": label or metric,
                "progress": progress,
                "target": target,
                "percent": None if progress is None else round(100 * progress / target),
            }
        )
    return rows


def goal_progress(
    connection: Connection, ladder: LadderFile, campaign_id: int, metric: str
) -> int | None:
    """The current value of one goal metric; None for a metric this version cannot count."""
    what, _, name = metric.partition(":")
    if what == "actions":
        query = (
            select(func.count())
            .select_from(Action)
            .join(ActionKind, ActionKind.id == Action.action_kind_id)
            .where(and_(Action.campaign_id == campaign_id, ActionKind.name == name))
        )
        return int(connection.scalar(query) or 0)
    if what == "rung" and name in ladder.rung_names:
        query = (
            select(func.count())
            .select_from(Supporter)
            .where(
                Supporter.rung.in_(ladder.rungs_at_or_above(name)),
                Supporter.status == SupporterStatus.ACTIVE,
                Supporter.merged_into_id.is_(None),
            )
        )
        return int(connection.scalar(query) or 0)
    return None
