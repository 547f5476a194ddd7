"""The SQL rules engine and the plain-Python reference agree on who moves, on both databases.

Hypothesis draws a small movement (people on random rungs and statuses, recruiters, tags,
consents, events with random presence, actions) and a random rule set, runs both engines twice
(the second run some days later, so lapse grace periods can expire) and compares every
person's rung, status and dates, and every level change. On the same worlds, progress towards
a rung counted for a few people (correlated counts, what ``ladder next`` uses) equals progress
counted for everyone (joined aggregates).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ladder.domain.ladderfile import LadderFile
from ladder.rules import progress_query, promote
from ladder.storage.models import Supporter
from tests.rules_reference import (
    BASE,
    KINDS,
    RUNGS,
    ActionRow,
    AttendanceRow,
    EventRow,
    Evidence,
    Person,
    World,
    clear_world,
    database_evidence,
    database_moves,
    database_state,
    load_world,
    reference_run,
    reference_state,
)

pytestmark = pytest.mark.slow  # long: run by CI and the full suite, not the inner loop

T = datetime(2024, 6, 1, 12, 0)
WINDOWS = st.sampled_from([None, 10, 30, 90])
SMALL = st.integers(min_value=1, max_value=3)


# as_of itself, and as_of - N for every N the drawn rules use (windows, quiet periods, days at
# a rung, grace periods): the edges of "within N days", which both engines must count alike
EDGE_DAYS = [0, 1, 10, 20, 30, 60, 90, 100, 150]


def _days_ago() -> st.SearchStrategy[datetime]:
    """A time around T: half the time exactly on an edge (as_of, as_of - N days) or a second
    either side of one; otherwise any whole day or a few hours off one, some after as_of
    (which must be ignored). The second run, ``later`` whole days after T, has its edges
    among the same whole days."""
    on_edge = st.builds(
        lambda days, seconds: T - timedelta(days=days, seconds=seconds),
        st.sampled_from(EDGE_DAYS),
        st.sampled_from([0, 0, -1, 1]),
    )
    anywhere = st.builds(
        lambda days, hours: T - timedelta(days=days, hours=hours),
        st.integers(min_value=-5, max_value=200),
        st.sampled_from([0, 0, 3]),
    )
    return st.one_of(on_edge, anywhere)


attended = st.builds(lambda n, w: {"attended_events": n, "within_days": w}, SMALL, WINDOWS)
leaf = st.one_of(
    attended,
    attended,  # twice: presence (attended, no_show, unknown) is where engines most easily differ
    st.builds(lambda n, w: {"hosted_events": n, "within_days": w}, SMALL, WINDOWS),
    st.builds(
        lambda n, w, of: {"actions": n, "within_days": w, "kinds_of": of},
        SMALL,
        WINDOWS,
        st.sampled_from(RUNGS),
    ),
    st.builds(
        lambda n, k: {"actions": n, "kinds": k},
        SMALL,
        st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=2, unique=True),
    ),
    st.builds(
        lambda n, r, w: {"recruits": n, "recruits_at_rung": r, "within_days": w},
        SMALL,
        st.sampled_from([None, *RUNGS]),
        WINDOWS,
    ),
    st.builds(lambda d: {"days_at_rung": d}, st.sampled_from([1, 30, 100])),
    st.builds(lambda t: {"has_tag": t}, st.sampled_from(["driver", "speaker"])),
    st.builds(lambda c: {"has_consent": c}, st.sampled_from(["email", "sms"])),
    st.builds(lambda d: {"no_activity_days": d}, st.sampled_from([20, 60, 150])),
)
condition = st.one_of(
    leaf,
    st.builds(
        lambda key, items: {key: items},
        st.sampled_from(["all", "any"]),
        st.lists(leaf, min_size=1, max_size=2),
    ),
)


@st.composite
def ladders(draw: Any) -> LadderFile:
    rules = []
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        effect = draw(
            st.sampled_from([{"promote_to": "attend"}, {"promote_to": "mobilise"}, {"lapse": True}])
        )
        combinator = draw(st.sampled_from(["all", "any"]))
        conditions = draw(st.lists(condition, min_size=1, max_size=3))
        rules.append({"id": f"rule-{index}", **effect, combinator: conditions})
    rungs = [
        {"name": r, "requires_previous": draw(st.sampled_from([None, None, True, False]))}
        for r in RUNGS
    ]
    promotion = {
        "no_skipping": draw(st.booleans()),
        "lapse_grace_days": draw(st.sampled_from([0, 10, 30])),
        "promote_manually_set": draw(st.booleans()),
    }
    return LadderFile.model_validate(
        {**BASE, "rungs": rungs, "promotion": promotion, "rules": rules}
    )


@st.composite
def worlds(draw: Any) -> World:
    count = draw(st.integers(min_value=3, max_value=7))
    people = []
    for pid in range(1, count + 1):
        created = draw(_days_ago())
        status = draw(st.sampled_from(["active", "active", "active", "lapsed", "erased"]))
        people.append(
            Person(
                id=pid,
                name=f"P{pid}",
                rung=draw(st.sampled_from(RUNGS)),
                created_at=created,
                rung_since=created + timedelta(days=draw(st.integers(0, 60))),
                status=status,
                status_since=draw(st.one_of(st.none(), _days_ago()))
                if status != "active"
                else None,
                lapse_since=draw(st.one_of(st.none(), _days_ago())) if status == "active" else None,
                manual=draw(st.booleans()),
                recruiter_id=draw(st.one_of(st.none(), st.integers(1, pid - 1)))
                if pid > 1
                else None,
                consents=frozenset(draw(st.sets(st.sampled_from(["email", "sms", "photo"])))),
                tags=frozenset(draw(st.sets(st.sampled_from(["driver", "speaker"])))),
            )
        )
    events = [
        EventRow(
            eid,
            draw(_days_ago()),
            draw(st.sampled_from(["confirmed", "confirmed", "cancelled"])),
            draw(st.one_of(st.none(), st.integers(1, count))),
        )
        for eid in range(1, draw(st.integers(1, 4)) + 1)
    ]
    pairs = draw(
        st.sets(
            st.tuples(st.integers(1, max(1, len(events))), st.integers(1, count)),
            min_size=3,
            max_size=12,
        )
    )
    presences = st.sampled_from(["attended", "attended", "no_show", "unknown"])
    attendances = [
        AttendanceRow(index, event_id, who, draw(presences))
        for index, (event_id, who) in enumerate(sorted(pairs), start=1)
        if events
    ]
    actions = [
        ActionRow(
            index,
            draw(st.integers(1, count)),
            draw(st.sampled_from(sorted(KINDS))),
            draw(_days_ago()),
        )
        for index in range(1, draw(st.integers(3, 15)) + 1)
    ]
    return World(people, events, attendances, actions)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds(), ladder=ladders(), later=st.integers(min_value=0, max_value=45))
def test_the_sql_engine_and_the_reference_agree_on_who_moves(synced, world, ladder, later):
    clear_world(synced)
    load_world(synced, world)
    expected_moves = []
    for as_of in (T, T + timedelta(days=later)):
        promote(synced, ladder, as_of)
        expected_moves += reference_run(world, ladder, as_of)
        assert database_state(synced) == reference_state(world)
    assert database_moves(synced) == Counter(expected_moves)
    for kind in sorted({_kind(move) for move in expected_moves}) or ["nobody moved"]:
        event(kind)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds(), ladder=ladders(), later=st.integers(min_value=0, max_value=45))
def test_the_evidence_of_every_move_is_the_reference_counts_and_newest_ids(
    synced, world, ladder, later
):
    """What the level changes record as evidence: each condition's count, and for events
    attended, events hosted and recruits the newest ids behind it (at most ten, newest
    first), as the plain-Python reference counts them at the moment of the move. (Compared
    as the counts and the id lists of each move, whatever the engine names them.)"""
    clear_world(synced)
    load_world(synced, world)
    expected: Counter[tuple[int, str, str]] = Counter()
    for as_of in (T, T + timedelta(days=later)):
        promote(synced, ladder, as_of)
        found: list[Evidence] = []
        moves = reference_run(world, ladder, as_of, found)
        for move, (counts, ids) in zip(moves, found, strict=True):
            lists = [i for i in ids if i is not None]
            expected[(move[0], move[1], json.dumps([sorted(counts), sorted(lists)]))] += 1
    assert database_evidence(synced) == expected
    event(f"{sum(expected.values())} moves")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds(), ladder=ladders(), picked=st.sets(st.integers(1, 7)))
def test_progress_among_a_few_people_equals_progress_counted_for_everyone(
    synced, world, ladder, picked
):
    clear_world(synced)
    load_world(synced, world)
    among = select(Supporter.id).where(Supporter.id.in_(sorted(picked)))
    targets = sorted({r.promote_to for r in ladder.promotion_rules if r.promote_to})
    with synced.connect() as connection:
        for target in targets:
            everyone = connection.execute(progress_query(ladder, target, T)).all()
            few = connection.execute(progress_query(ladder, target, T, among)).all()
            expected = sorted(tuple(row) for row in everyone if row[0] in picked)
            assert sorted(tuple(row) for row in few) == expected
            event(f"{len(expected)} of {len(everyone)} counted")


def _kind(move: tuple[int, str, str, str, str, str]) -> str:
    _, rule, from_rung, to_rung, from_status, to_status = move
    if rule == "reactivation":
        return "reactivation"
    return "lapse" if to_status == "lapsed" else f"{from_rung}->{to_rung}"
