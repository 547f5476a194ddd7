"""`ladder report events` on a small known world: every figure counted by hand (both databases)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from ladder.clock import utcnow
from ladder.errors import MisuseError
from ladder.reports.events import COLUMNS, event_report
from ladder.reports.window import Window
from ladder.storage.engine import reading
from ladder.storage.models import Attendance, LevelChange
from tests.conftest import _default_ladder
from tests.factories import add_event, add_group, at, dump, person

NOW = utcnow()


@pytest.fixture
def world(engine):
    """Six events and seven people:

    - e0 fair 2025-12-01 (group North): p1 accepted, came.
    - e1 fair 2026-01-10 (group North): p1 accepted, came; p2 accepted, no-show;
      p3 accepted, unknown; p4 walk-in (no RSVP), came; p5 declined.
    - e2 meeting 2026-02-10 (no group): p1 and p2 accepted, came; p6 tentative, came.
    - e3 fair 2026-03-01 (group North): p7 accepted, came; p3 accepted, no-show.
    - cancelled fair 2026-02-05: p3 came (never counted, not anyone's first event).
    - future fair in 10 days: p1 accepted (not held yet).

    Rung changes: p1 follow->attend 2025-12-05; p4 follow->attend 2026-01-15;
    p2 follow->attend 2026-02-01 (before e2) and attend->follow 2026-03-02 (a drop);
    p6 follow->attend 2026-02-11 and a status change; p7 follow->mobilise 2026-03-05.
    """
    north = add_group(engine, "North")
    south = add_group(engine, "South")
    ev = {
        "e0": add_event(
            engine, "Fair zero", starts_at=at("2025-12-01 10:00"), local_group_id=north
        ),
        "e1": add_event(engine, "Fair one", starts_at=at("2026-01-10 10:00"), local_group_id=north),
        "e2": add_event(engine, "Meeting", kind="meeting", starts_at=at("2026-02-10 18:00")),
        "e3": add_event(engine, "Fair two", starts_at=at("2026-03-01 10:00"), local_group_id=north),
        "cancelled": add_event(
            engine, "Rained off", starts_at=at("2026-02-05 10:00"), status="cancelled"
        ),
        "future": add_event(engine, "Next fair", starts_at=NOW + timedelta(days=10)),
    }
    add_event(engine, "South fair", starts_at=at("2026-01-20 10:00"), local_group_id=south)
    p = {n: person(engine, first_name=f"P{n}") for n in range(1, 8)}

    def came(event: str, who: int, rsvp: str | None = "accepted", **values: object) -> dict:
        return {
            "event_id": ev[event],
            "supporter_id": p[who],
            "rsvp": rsvp,
            "presence": "attended",
            "walk_in": False,
            **values,
        }

    rows = [
        came("e0", 1),
        came("e1", 1),
        came("e1", 2, presence="no_show"),
        came("e1", 3, presence="unknown"),
        came("e1", 4, rsvp=None, walk_in=True),
        came("e1", 5, rsvp="declined", presence="unknown"),
        came("e2", 1),
        came("e2", 2),
        came("e2", 6, rsvp="tentative"),
        came("e3", 7),
        came("e3", 3, presence="no_show"),
        came("cancelled", 3),
        came("future", 1, presence="unknown"),
    ]

    def change(who: int, before: str | None, after: str | None, when: str, **values) -> dict:
        return {
            "supporter_id": p[who],
            "from_rung": before,
            "to_rung": after,
            "changed_at": at(when),
            "rule_id": "test",
            **values,
        }

    changes = [
        change(1, "follow", "attend", "2025-12-05 09:00"),
        change(4, "follow", "attend", "2026-01-15 09:00"),
        change(2, "follow", "attend", "2026-02-01 09:00"),
        change(2, "attend", "follow", "2026-03-02 09:00"),
        change(6, "follow", "attend", "2026-02-11 09:00"),
        change(6, None, None, "2026-02-12 09:00", from_status="active", to_status="lapsed"),
        change(7, "follow", "mobilise", "2026-03-05 09:00"),
    ]
    with engine.begin() as connection:
        connection.execute(insert(Attendance), rows)
        connection.execute(insert(LevelChange), changes)
    return {"events": ev, "north": north}


def _report(engine, window: Window, **options) -> list[dict]:
    with reading(engine) as connection:
        return event_report(connection, _default_ladder(), window, **options)


def _figures(row: dict) -> tuple:
    return tuple(row[c] for c in COLUMNS["kind"][2:])


# accepted, attended, no_show, walk_ins, unknown, show, flake, first_timers, climbed_after
E0 = (1, 1, 0, 0, 0, 1.0, 0.0, 1, 1)
E1 = (3, 2, 1, 1, 1, 0.333, 0.333, 1, 1)
E2 = (2, 3, 0, 0, 0, 1.0, 0.0, 2, 1)
E3 = (2, 1, 1, 0, 0, 0.5, 0.5, 1, 1)
SOUTH = (0, 0, 0, 0, 0, None, None, 0, 0)


def test_per_event_every_figure_as_counted_by_hand(engine, world):
    rows = _report(engine, Window(NOW))
    assert [row["title"] for row in rows] == [
        "Fair zero",
        "Fair one",
        "South fair",
        "Meeting",
        "Fair two",
    ]  # by start; the cancelled and the future events are left out
    assert [_figures(row) for row in rows] == [E0, E1, SOUTH, E2, E3]
    first = rows[0]
    assert first["event"] == world["events"]["e0"]
    assert first["starts_at"] == datetime(2025, 12, 1, 10, 0)
    assert (first["kind"], first["group"]) == ("fair", "North")
    assert rows[3]["group"] is None
    assert list(first) == COLUMNS["event"]


def test_per_kind_sums_the_events_of_each_kind(engine, world):
    rows = _report(engine, Window(NOW), by="kind")
    assert [(row["kind"], row["events"]) for row in rows] == [("fair", 4), ("meeting", 1)]
    fair, meeting = rows
    # fair: e0, e1, south, e3: accepted 1+3+2, show (1+1+1)/6, flake (1+1)/6
    assert _figures(fair) == (6, 4, 2, 1, 1, 0.5, 0.333, 3, 3)
    assert _figures(meeting) == E2
    assert list(fair) == COLUMNS["kind"]


def test_the_window_narrows_events_and_climbs_end_with_it(engine, world):
    window = Window(at("2026-03-03 00:00"), since=at("2026-01-01 00:00"))
    rows = _report(engine, window)
    assert [row["title"] for row in rows] == ["Fair one", "South fair", "Meeting", "Fair two"]
    # p7 climbed on 2026-03-05: after this window's end
    assert _figures(rows[-1]) == (2, 1, 1, 0, 0, 0.5, 0.5, 1, 0)
    # p1's first event was e0, before the window: still not a first-timer at e1
    assert _figures(rows[0]) == E1


def test_group_and_kind_filters(engine, world):
    north = Window(NOW, group_id=world["north"], group_name="North")
    assert [_figures(row) for row in _report(engine, north)] == [E0, E1, E3]
    meetings = _report(engine, Window(NOW), kind="meeting")
    assert [row["title"] for row in meetings] == ["Meeting"]
    assert _report(engine, north, kind="meeting") == []


def test_an_unknown_kind_lists_the_known_ones_and_changes_nothing(engine, world):
    before = dump(engine)
    with pytest.raises(MisuseError) as raised:
        _report(engine, Window(NOW), kind="picnic")
    assert str(raised.value) == "no event is of kind 'picnic': the kinds are fair, meeting"
    with pytest.raises(MisuseError, match="cannot group events by 'month'"):
        _report(engine, Window(NOW), by="month")
    assert dump(engine) == before


def test_no_events_gives_no_rows(engine):
    assert _report(engine, Window(NOW)) == []
    assert _report(engine, Window(NOW), by="kind") == []


@pytest.mark.parametrize("seed", [1, 2])
def test_agrees_with_a_plain_reading_of_the_rows(engine, seed):
    """Random events (some starting at the same time: ties go to the smaller id), attendance
    and rung changes, read back in plain Python."""
    chance = random.Random(seed)
    starts = [at("2026-01-01 10:00") + timedelta(days=chance.randrange(60)) for _ in range(12)]
    events = {}
    for number, start in enumerate(starts):
        status = "cancelled" if number % 5 == 4 else "confirmed"
        kind = chance.choice(["fair", "meeting"])
        new = add_event(engine, f"E{number}", starts_at=start, status=status, kind=kind)
        events[new] = (start, status, kind)
    people = [person(engine, first_name=f"P{n}") for n in range(25)]
    rows, changes = [], []
    for who in people:
        for event in chance.sample(sorted(events), chance.randrange(0, 5)):
            rsvp = chance.choice(["accepted", "accepted", "tentative", "declined", None])
            presence = chance.choice(["attended", "attended", "no_show", "unknown"])
            walk_in = rsvp is None and presence == "attended"
            rows.append((event, who, rsvp, presence, walk_in))
        for _ in range(chance.randrange(0, 3)):
            when = at("2026-01-01 00:00") + timedelta(hours=chance.randrange(24 * 90))
            before, after = chance.sample(["follow", "attend", "mobilise"], 2)
            changes.append((who, before, after, when))
    with engine.begin() as connection:
        connection.execute(
            insert(Attendance),
            [
                {"event_id": e, "supporter_id": w, "rsvp": r, "presence": p, "walk_in": k}
                for e, w, r, p, k in rows
            ],
        )
        if changes:
            connection.execute(
                insert(LevelChange),
                [
                    {"supporter_id": w, "from_rung": b, "to_rung": a, "changed_at": t,
                     "rule_id": "test"}
                    for w, b, a, t in changes
                ],
            )  # fmt: skip
    window = Window(at("2026-02-20 00:00"), since=at("2026-01-10 00:00"))
    rank = {"follow": 0, "attend": 1, "mobilise": 2}
    first: dict[int, int] = {}
    for event, who, _rsvp, presence, _walk in rows:
        start, status, _kind = events[event]
        if presence != "attended" or status == "cancelled":
            continue
        if who not in first or (start, event) < (events[first[who]][0], first[who]):
            first[who] = event
    expected = {}
    for event, (start, status, kind) in sorted(events.items(), key=lambda e: (e[1][0], e[0])):
        if status == "cancelled" or not window.since <= start < window.until:
            continue
        here = [row for row in rows if row[0] == event]
        accepted = [row for row in here if row[2] == "accepted"]
        newcomers = [who for who, at_first in first.items() if at_first == event]
        climbed = [
            who
            for who in newcomers
            if any(
                w == who and start <= t < window.until and rank[a] > rank[b]
                for w, b, a, t in changes
            )
        ]
        expected[event] = (
            kind,
            len(accepted),
            sum(row[3] == "attended" for row in here),
            sum(row[3] == "no_show" for row in here),
            sum(row[3] == "attended" and row[4] for row in here),
            sum(row[3] == "unknown" for row in accepted),
            round(sum(r[3] == "attended" for r in accepted) / len(accepted), 3)
            if accepted
            else None,
            round(sum(r[3] == "no_show" for r in accepted) / len(accepted), 3)
            if accepted
            else None,
            len(newcomers),
            len(climbed),
        )
    found = _report(engine, window)
    assert {row["event"]: (row["kind"], *_figures(row)) for row in found} == expected
    assert [row["event"] for row in found] == list(expected)
