"""A movement grown month by month by the real rules engine, photographed after each run: for
the reports' property tests (tests/library/test_report_funnel_history.py)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select

from ladder.domain.ladderfile import LadderFile, default_ladder_path, load_ladder
from ladder.rules import promote
from ladder.storage.models import Action, ActionKind, Supporter
from tests.rules_reference import clear_world

MONTHS = 10
LADDER = load_ladder(default_ladder_path())
KINDS = ["event_attendance", "mass_action", "host_event", "share_toolkit", "like"]


def month_day(month: int, day: int) -> datetime:
    return datetime(2025 + month // 12, month % 12 + 1, day, 12, 0)


joins_st = st.lists(st.integers(0, MONTHS - 1), min_size=1, max_size=6)
# (person index, month, kind, how many that month)
acts_st = st.lists(
    st.tuples(
        st.integers(0, 5), st.integers(0, MONTHS - 1), st.sampled_from(KINDS), st.integers(1, 3)
    ),
    max_size=14,
)


def photograph(engine: Engine, ladder: LadderFile) -> tuple[int, Counter[str], dict[int, tuple]]:
    with engine.connect() as connection:
        rows = connection.execute(select(Supporter.id, Supporter.rung, Supporter.status)).all()
    counts: Counter[str] = Counter()
    for _, rung, status in rows:
        counts[rung if status == "active" else "lapsed"] += 1
    return len(rows), counts, {pid: (rung, status) for pid, rung, status in rows}


def grow(engine: Engine, joins: list[int], acts: list[tuple]) -> list[tuple]:
    """Empty the base, then month by month: joins (person ``i`` on day ``1 + i`` at
    ``1 + 3i`` o'clock), actions, `promote` as of the 15th at noon, a photograph."""
    clear_world(engine)
    with engine.connect() as connection:
        kind_ids = dict(connection.execute(select(ActionKind.name, ActionKind.id)).all())
    ids: list[int] = []
    photos = []
    for month in range(MONTHS):
        with engine.begin() as connection:
            for index, joined in enumerate(joins):
                if joined == month:
                    at = month_day(month, 1 + index).replace(hour=1 + 3 * index)
                    row = {"rung": "follow", "rung_since": at, "created_at": at, "status": "active"}
                    ids.append(
                        connection.execute(insert(Supporter).values(**row)).inserted_primary_key[0]
                    )
            rows = [
                {
                    "supporter_id": ids[who],
                    "action_kind_id": kind_ids[kind],
                    "occurred_at": month_day(month, 2 + 3 * n),
                    "created_at": month_day(month, 2 + 3 * n),
                }
                for who, when, kind, many in acts
                if when == month and who < len(ids)
                for n in range(many)
            ]
            if rows:
                connection.execute(insert(Action), rows)
        promote(engine, LADDER, as_of=month_day(month, 15))
        photos.append(photograph(engine, LADDER))
    return photos
