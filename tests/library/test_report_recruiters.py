"""`ladder report recruiters`: reach gained per period on a known tree, and against a plain
walk up the recruiters on a random one (both databases)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, update

from ladder.reports.periods import Every
from ladder.reports.recruiters import (
    COLUMNS,
    default_since,
    period_columns,
    recruiter_report,
)
from ladder.reports.window import Window
from ladder.storage.engine import reading
from ladder.storage.models import Merge, Supporter
from tests.conftest import _default_ladder
from tests.factories import add_group, at, person

UTC = ZoneInfo("UTC")
NOUMEA = ZoneInfo("Pacific/Noumea")  # UTC+11, no daylight saving
WINDOW = Window(at("2026-03-01 00:00"), since=at("2026-01-01 00:00"))


@pytest.fixture
def tree(engine):
    """a (2025) -> b (2025-12-15) -> c (2026-01-10) -> d (2026-02-20); a -> e (2026-02-03,
    erased later); f (group North) -> g (2026-01-31 20:00 UTC: February in Nouméa);
    a -> x (2026-03-10, after the window); m (2026-02-05, recruited by a) merged into b;
    c is erased."""
    north = add_group(engine, "North")

    def joined(name: str, when: str, recruiter: int | None = None, **values) -> int:
        return person(
            engine, first_name=name, created_at=at(when), recruiter_id=recruiter, **values
        )

    a = joined("Ana", "2025-06-01 10:00")
    b = joined("Bea", "2025-12-15 10:00", a)
    c = joined("Chloe", "2026-01-10 10:00", b)
    d = joined("Dan", "2026-02-20 10:00", c)
    e = joined("Eve", "2026-02-03 10:00", a)
    f = joined("Fred", "2025-06-01 10:00", local_group_id=north)
    g = joined("Gus", "2026-01-31 20:00", f)
    x = joined("Xan", "2026-03-10 10:00", a)
    m = joined("Mel", "2026-02-05 10:00", a)
    with engine.begin() as connection:
        connection.execute(update(Supporter).where(Supporter.id == m).values(merged_into_id=b))
        connection.execute(
            insert(Merge).values(kept_id=b, merged_id=m, merged_at=at("2026-02-06 10:00"))
        )
        erased = {"status": "erased", "first_name": None}
        connection.execute(update(Supporter).where(Supporter.id.in_([c, e])).values(**erased))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "x": x, "north": north}


def _report(engine, window: Window, every=Every.MONTH, zone=UTC, limit=10) -> list[dict]:
    with reading(engine) as connection:
        return recruiter_report(connection, _default_ladder(), window, every, zone, limit)


def _board(rows: list[dict]) -> list[tuple]:
    return [tuple(row.values())[1:] for row in rows]


def test_reach_gained_per_month_counted_by_hand(engine, tree):
    rows = _report(engine, WINDOW)
    assert [list(row) for row in rows] == [[*COLUMNS, "2026-01", "2026-02"]] * 4
    t = tree
    assert _board(rows) == [
        # id, name, gained (c Jan; d, e Feb; not m: merged; not x: after), reach (b c d e)
        (t["a"], "Ana", 3, 4, 1, 2),
        (t["b"], "Bea", 2, 2, 1, 1),
        (t["c"], f"(erased #{t['c']})", 1, 1, 0, 1),
        (t["f"], "Fred", 1, 1, 1, 0),
    ]
    assert [row["rank"] for row in rows] == [1, 2, 3, 4]


def test_periods_are_the_movements_weeks_and_months(engine, tree):
    rows = _report(engine, WINDOW, zone=NOUMEA)
    # Gus joined 2026-01-31 20:00 UTC: 1 February in Nouméa
    assert [(row["name"], row["2026-01"], row["2026-02"]) for row in rows][-1] == ("Fred", 0, 1)
    weeks = _report(engine, WINDOW, every=Every.WEEK)
    assert list(weeks[0])[len(COLUMNS) :] == [f"2026-W{n:02d}" for n in range(1, 10)]
    ana = weeks[0]
    # c on Sat 10 Jan (W02), e on Tue 3 Feb (W06), d on Fri 20 Feb (W08)
    assert {k: v for k, v in ana.items() if k.startswith("2026-W") and v} == {
        "2026-W02": 1,
        "2026-W06": 1,
        "2026-W08": 1,
    }


def test_group_limit_and_an_empty_window(engine, tree):
    north = Window(WINDOW.until, WINDOW.since, tree["north"], "North")
    assert [row["name"] for row in _report(engine, north)] == ["Fred"]
    assert [row["name"] for row in _report(engine, WINDOW, limit=2)] == ["Ana", "Bea"]
    quiet = Window(at("2025-11-01 00:00"), since=at("2025-07-01 00:00"))
    assert _report(engine, quiet) == []
    with reading(engine) as connection:
        labels = period_columns(connection, quiet, Every.MONTH, UTC)
    assert labels == ["2025-07", "2025-08", "2025-09", "2025-10"]


def test_without_since_the_periods_start_at_the_first_recruit(engine, tree):
    rows = _report(engine, Window(at("2026-03-01 00:00")))
    assert list(rows[0])[len(COLUMNS) :] == ["2025-12", "2026-01", "2026-02"]
    assert (rows[0]["name"], rows[0]["reach_gained"], rows[0]["2025-12"]) == ("Ana", 4, 1)


def test_default_since_is_twelve_periods_back_this_one_included():
    until = datetime(2026, 11, 30, 12, 0)
    assert default_since(until, Every.MONTH, UTC) == datetime(2025, 12, 1)
    assert default_since(until, Every.WEEK, UTC) == datetime(2026, 9, 14)  # a Monday
    assert default_since(until, Every.MONTH, NOUMEA) == datetime(2025, 11, 30, 13, 0)


@pytest.mark.parametrize("seed", [1, 2])
def test_agrees_with_a_plain_walk_up_the_recruiters(engine, seed):
    """A random forest: every joined person adds one to each of their recruiters above."""
    chance = random.Random(seed)
    start = datetime(2025, 10, 1)
    recruiter_of: dict[int, int | None] = {}
    joined_at: dict[int, datetime] = {}
    with engine.begin() as connection:
        for _ in range(120):
            above = chance.choice([None, *recruiter_of]) if recruiter_of else None
            when = start + timedelta(hours=chance.randrange(0, 24 * 200))
            row = {
                "first_name": "P",
                "rung": "follow",
                "rung_since": when,
                "created_at": when,
                "status": "active",
                "recruiter_id": above,
            }
            new = connection.execute(insert(Supporter).values(**row)).inserted_primary_key[0]
            recruiter_of[new], joined_at[new] = above, when
    window = Window(datetime(2026, 3, 15), since=datetime(2025, 12, 10))
    expected: dict[int, dict[str, int]] = {}
    reach: dict[int, int] = {}
    for who, when in joined_at.items():
        if when >= window.until:
            continue
        label = f"{when:%Y-%m}" if when >= window.since else None
        above = recruiter_of[who]
        while above is not None:
            reach[above] = reach.get(above, 0) + 1
            if label is not None:
                counts = expected.setdefault(above, {})
                counts[label] = counts.get(label, 0) + 1
            above = recruiter_of[above]
    rows = _report(engine, window, limit=None)
    labels = ["2025-12", "2026-01", "2026-02", "2026-03"]
    assert {row["id"]: {k: row[k] for k in labels if row[k]} for row in rows} == expected
    assert {row["id"]: row["reach"] for row in rows} == {who: reach[who] for who in expected}
    gained = [(-row["reach_gained"], row["id"]) for row in rows]
    assert gained == sorted(gained)
    assert all(row["reach_gained"] == sum(row[k] for k in labels) for row in rows)
