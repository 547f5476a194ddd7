"""What an organiser looks at first: people per rung, the busiest events, campaign goals.

Each function is a handful of set-based queries and returns plain dicts (one per row).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, select

from ladder.campaigns.progress import campaign_progress as _progress
from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import Presence, SupporterStatus
from ladder.storage.models import (
    Attendance,
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


def campaign_progress(
    connection: Connection, ladder: LadderFile, as_of: datetime
) -> list[dict[str, Any]]:
    """Each campaign's goal and progress as of ``as_of``, in the order they were created: the
    same computation as `ladder campaigns list` (:mod:`ladder.campaigns.progress`)."""
    found = sorted(_progress(connection, ladder, as_of), key=lambda p: p.campaign_id)
    return [
        {
            "campaign": p.name,
            "goal": p.label,
            "progress": p.count,
            "target": p.goal,
            "percent": None if p.share is None else round(100 * p.share),
            "pace_30d": p.pace_30d,
            "projected_date": p.projected_date,
            "joined": p.joined,
            "climbed": p.climbed,
        }
        for p in found
    ]
