"""The funnel at a past date equals the rungs people had then, both databases.

A movement grows month by month: people join and act in the first half of each month, and the
real rules engine (`promote` as of the 15th) moves them; after each run the supporters' rungs
and statuses are photographed. The funnel, read at the very end from the level history alone,
must give at each month's end exactly the photograph of that month, and its moves must be the
differences between consecutive photographs.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select

from ladder.domain.ladderfile import LadderFile, default_ladder_path, load_ladder
from ladder.reports.funnel import funnel
from ladder.reports.periods import Every
from ladder.reports.window import Window
from ladder.rules import promote
from ladder.storage.engine import reading
from ladder.storage.models import Action, ActionKind, Supporter
from tests.rules_reference import clear_world

MONTHS = 10
LADDER = load_ladder(default_ladder_path())
KINDS = ["event_attendance", "mass_action", "host_event", "share_toolkit", "like"]


def month_day(month: int, day: int) -> datetime:
    return datetime(2025 + month // 12, month % 12 + 1, day, 12, 0)


people_st = st.lists(st.integers(0, MONTHS - 1), min_size=1, max_size=6)
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


def grow_and_photograph(engine: Engine, joins: list[int], acts: list[tuple]) -> list[tuple]:
    """Month by month: joins, actions, promote on the 15th, photograph."""
    with engine.connect() as connection:
        kind_ids = dict(connection.execute(select(ActionKind.name, ActionKind.id)).all())
    ids: list[int] = []
    photos = []
    for month in range(MONTHS):
        with engine.begin() as connection:
            for index, joined in enumerate(joins):
                if joined == month:
                    at = month_day(month, 1 + index)
                    row = {"rung": "follow", "rung_since": at, "created_at": at, "status": "active"}
                    ids.append(
                        connection.execute(insert(Supporter).values(**row)).inserted_primary_key[0]
                    )  # noqa: E501
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


def check(engine: Engine, joins: list[int], acts: list[tuple]) -> list[dict]:
    clear_world(engine)
    photos = grow_and_photograph(engine, joins, acts)
    with reading(engine) as connection:
        window = Window(month_day(MONTHS, 1).replace(hour=0))
        rows = funnel(connection, LADDER, window, Every.MONTH, UTC)
    by_period = {row["period"]: row for row in rows}
    before: dict[int, tuple] = {}
    for month, (people, counts, states) in enumerate(photos):
        row = by_period.get(f"{month_day(month, 1):%Y-%m}")
        if row is None:  # before the first join
            assert people == 0
            continue
        shown = {name: row[name] for name in [*LADDER.rung_names, "lapsed"]}
        assert (row["people"], shown) == (people, {k: counts[k] for k in shown}), month
        assert row["joined"] == len(set(states) - set(before))
        rank = LADDER.rung_index
        assert row["up"] == sum(
            rank(rung) - rank(before.get(pid, ("follow", ""))[0])
            for pid, (rung, _) in states.items()
        )  # the default ladder promotes one rung at a time
        moved = Counter(
            (before[pid][1], status) for pid, (_, status) in states.items() if pid in before
        )
        assert row["lapsing"] == moved[("active", "lapsed")]
        assert row["reactivated"] == moved[("lapsed", "active")]
        before = states
    assert rows[-1]["ends"] == (month_day(MONTHS, 1) - timedelta(days=1)).date()
    return rows


STORY = {  # Awa climbs to mobilise then goes quiet and lapses; Bastien lapses and comes back
    "joins": [0, 0, 3],
    "acts": [
        (0, 0, "event_attendance", 3),
        (0, 1, "share_toolkit", 3),
        (1, 0, "like", 1),
        (1, 8, "event_attendance", 2),
        (2, 3, "mass_action", 3),
        (2, 4, "share_toolkit", 3),
    ],
}


def test_a_story_with_climbs_lapses_and_a_return_is_told_month_by_month(engine: Engine) -> None:
    rows = check(engine, **STORY)
    assert sum(row["up"] for row in rows) == 4
    assert sum(row["lapsing"] for row in rows) >= 2
    assert sum(row["reactivated"] for row in rows) == 1


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(joins=people_st, acts=acts_st)
@example(**STORY)
def test_the_funnel_at_each_past_month_end_equals_the_rungs_people_had_then(
    engine: Engine, joins: list[int], acts: list[tuple]
) -> None:
    check(engine, joins, acts)
