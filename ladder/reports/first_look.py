"""The first look at a movement (what ``ladder demo`` prints): one titled table per section,
all read in one read-only transaction.

A feature adds its section with one entry in :data:`SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ladder.domain.ladderfile import LadderFile
from ladder.reports import overview
from ladder.storage.engine import reading
from ladder.storage.models import Supporter

Rows = list[dict[str, Any]]
SectionQuery = Callable[[Connection, LadderFile, datetime], tuple[Rows, list[str]]]


@dataclass(frozen=True)
class Section:
    title: str
    rows: Rows
    columns: list[str]


def _rungs(connection: Connection, ladder: LadderFile, as_of: datetime) -> tuple[Rows, list[str]]:
    return overview.rung_counts(connection, ladder), ["rung", "active", "lapsed", "total"]


def _busiest(connection: Connection, ladder: LadderFile, as_of: datetime) -> tuple[Rows, list[str]]:
    rows = overview.busiest_events(connection, as_of, days=90, limit=5)
    return rows, ["event", "date", "title", "group", "attended", "no_show", "walk_ins"]


def _goals(connection: Connection, ladder: LadderFile, as_of: datetime) -> tuple[Rows, list[str]]:
    rows = overview.campaign_progress(connection, ladder, as_of)
    columns = ["campaign", "goal", "progress", "target", "percent", "pace_30d", "projected_date"]
    return rows, [*columns, "joined", "climbed"]


def _recruiters(
    connection: Connection, ladder: LadderFile, as_of: datetime
) -> tuple[Rows, list[str]]:
    from ladder.recruitment.leaderboard import COLUMNS, top_recruiters

    return top_recruiters(connection, ladder, by="climbers", limit=5), list(COLUMNS)


def _next(connection: Connection, ladder: LadderFile, as_of: datetime) -> tuple[Rows, list[str]]:
    from ladder.invitations.suggest import COLUMNS, NextRequest, rank

    found = rank(connection, ladder, NextRequest(limit=5, as_of=as_of))
    return [s.row() for s in found.suggestions], list(COLUMNS)


# (title, query), in the order they are shown.
SECTIONS: list[tuple[str, SectionQuery]] = [
    ("People on each rung", _rungs),
    ("Busiest events of the last 90 days", _busiest),
    ("Campaign goals", _goals),
    ("Top recruiters, by recruits who climbed", _recruiters),
    ("Who to invite next (ladder next)", _next),
]


def first_look(engine: Engine, ladder: LadderFile, as_of: datetime) -> list[Section]:
    """Every section of :data:`SECTIONS`, as of ``as_of``, in one read."""
    with reading(engine) as connection:
        return [Section(title, *query(connection, ladder, as_of)) for title, query in SECTIONS]


def supporter_count(engine: Engine) -> int:
    with reading(engine) as connection:
        return int(connection.scalar(select(func.count()).select_from(Supporter)) or 0)


def rung_totals(engine: Engine, ladder: LadderFile) -> tuple[dict[str, int], int]:
    """People on each rung (active and lapsed) and how many are lapsed."""
    with reading(engine) as connection:
        rows = overview.rung_counts(connection, ladder)
    return {row["rung"]: row["total"] for row in rows}, sum(row["lapsed"] for row in rows)
