"""The funnel at a past date equals the rungs people had then, both databases.

A movement grows month by month: people join and act in the first half of each month, and the
real rules engine (`promote` as of the 15th) moves them; after each run the supporters' rungs
and statuses are photographed. The funnel, read at the very end from the level history alone,
must give at each month's end exactly the photograph of that month, and its moves must be the
differences between consecutive photographs.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, timedelta

from hypothesis import HealthCheck, example, given, settings
from sqlalchemy import Engine, select

from ladder.reports.cohorts import cohorts
from ladder.reports.funnel import funnel
from ladder.reports.periods import Every
from ladder.reports.window import Window
from ladder.storage.engine import reading
from ladder.storage.models import LevelChange, Supporter
from tests.growth_world import LADDER, MONTHS, acts_st, grow, joins_st, month_day


def check(engine: Engine, joins: list[int], acts: list[tuple]) -> list[dict]:
    photos = grow(engine, joins, acts)
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
    end = month_day(MONTHS, 1).replace(hour=0)
    with reading(engine) as connection:
        found = cohorts(connection, LADDER, Window(end), UTC, [30, 90])
    assert [row for row in found if row["people"]] == reference_cohorts(engine, end, [30, 90])
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


def reference_cohorts(engine: Engine, end, within: list[int]) -> list[dict]:
    """The cohort report by plain loops over every person and change (months, UTC)."""
    with engine.connect() as connection:
        people = connection.execute(select(Supporter.id, Supporter.created_at, Supporter.rung))
        changes = connection.execute(
            select(LevelChange.supporter_id, LevelChange.changed_at, LevelChange.from_rung)
            .add_columns(LevelChange.to_rung)
            .order_by(LevelChange.changed_at, LevelChange.id)
        ).all()
        people = people.all()
    rank = LADDER.rung_index
    cohort: dict[str, list] = {}
    for pid, created, rung in people:
        mine = [c for c in changes if c.supporter_id == pid]
        start = rank(mine[0].from_rung if mine else rung)
        reached = {}
        for r in range(1, len(LADDER.rung_names)):
            if start >= r:
                reached[r] = 0
            else:
                days = [
                    (max(c.changed_at, created) - created).days
                    for c in mine
                    if rank(c.to_rung) >= r and c.changed_at < end
                ]
                if days:
                    reached[r] = min(days)
        cohort.setdefault(f"{created:%Y-%m}", []).append((created, reached))
    rows = []
    for label in sorted(cohort):
        members = cohort[label]
        row: dict = {"cohort": label, "people": len(members)}
        first = members[0][0].replace(day=1, hour=0, minute=0)
        month_end = (first + timedelta(days=32)).replace(day=1)
        for r, rung in enumerate(LADDER.rung_names[1:], start=1):
            for n in within:
                got = sum(1 for _, reached in members if reached.get(r, n) < n)
                done = month_end + timedelta(days=n) <= end
                row[f"{rung}_{n}d"] = round(got / len(members), 3) if done else None
            days = [reached[r] for _, reached in members if r in reached]
            row[f"{rung}_median_days"] = statistics.median(days) if days else None
        rows.append(row)
    return rows


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
@given(joins=joins_st, acts=acts_st)
@example(**STORY)
def test_the_funnel_at_each_past_month_end_equals_the_rungs_people_had_then_and_cohorts_agree(
    engine: Engine, joins: list[int], acts: list[tuple]
) -> None:
    check(engine, joins, acts)
