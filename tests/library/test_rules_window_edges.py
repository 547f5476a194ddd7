"""The edges of "within N days": an action at exactly ``as_of - N days`` counts, one a second
earlier does not; one at exactly ``as_of`` counts, one a second later does not. The SQL
engine and the plain-Python reference agree on every edge, on both databases."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import Engine

from ladder.domain.ladderfile import LadderFile
from ladder.rules import promote
from ladder.storage.kinds import sync_action_kinds
from tests.rules_reference import (
    ActionRow,
    AttendanceRow,
    EventRow,
    Person,
    World,
    database_moves,
    database_state,
    load_world,
    reference_run,
    reference_state,
)

T = datetime(2024, 6, 1, 12, 0)
LONG_AGO = T - timedelta(days=400)
SECOND = timedelta(seconds=1)
EDGE = T - timedelta(days=90)

BASE = {
    "rungs": [{"name": "follow"}, {"name": "attend"}],
    "action_kinds": [{"name": "petition", "rung": "follow"}],
}
# each person's one dated thing, and whether it is "within 90 days" of T
PLACES = {
    "exactly 90 days before": (EDGE, True),
    "a second inside the window": (EDGE + SECOND, True),
    "a second outside the window": (EDGE - SECOND, False),
    "exactly at as_of": (T, True),
    "a second after as_of": (T + SECOND, False),
}


def _ladder(condition: dict[str, object], lapse: bool = False) -> LadderFile:
    effect: dict[str, object] = {"lapse": True} if lapse else {"promote_to": "attend"}
    rule = {"id": "edge", **effect, "all": [condition]}
    promotion = {"lapse_grace_days": 0}
    return LadderFile.model_validate({**BASE, "promotion": promotion, "rules": [rule]})


def _people() -> list[Person]:
    return [Person(pid, name, "follow", LONG_AGO, LONG_AGO) for pid, name in _named()]


def _named() -> list[tuple[int, str]]:
    return list(enumerate(PLACES, start=1))


def _run_both(engine: Engine, world: World, ladder: LadderFile) -> set[int]:
    """Promote on the database and in the reference; they must agree. Who moved?"""
    sync_action_kinds(engine, ladder)
    load_world(engine, world)
    promote(engine, ladder, T)
    expected = reference_run(world, ladder, T)
    assert database_state(engine) == reference_state(world)
    assert database_moves(engine) == Counter(expected)
    return {move[0] for move in expected}


def _inside() -> set[int]:
    return {pid for pid, name in _named() if PLACES[name][1]}


def test_an_action_exactly_n_days_before_as_of_counts_within_n_days(engine):
    actions = [ActionRow(pid, pid, "petition", PLACES[name][0]) for pid, name in _named()]
    ladder = _ladder({"actions": 1, "within_days": 90})
    moved = _run_both(engine, World(people=_people(), actions=actions), ladder)
    assert moved == _inside()


def test_an_event_exactly_n_days_before_as_of_counts_as_attended_within_n_days(engine):
    events = [EventRow(pid, PLACES[name][0]) for pid, name in _named()]
    attendances = [AttendanceRow(pid, pid, pid, "attended") for pid, _ in _named()]
    world = World(people=_people(), events=events, attendances=attendances)
    moved = _run_both(engine, world, _ladder({"attended_events": 1, "within_days": 90}))
    assert moved == _inside()


def test_an_event_hosted_exactly_n_days_before_as_of_counts_within_n_days(engine):
    events = [EventRow(pid, PLACES[name][0], host_id=pid) for pid, name in _named()]
    world = World(people=_people(), events=events)
    moved = _run_both(engine, world, _ladder({"hosted_events": 1, "within_days": 90}))
    assert moved == _inside()


def test_a_recruit_who_joined_exactly_n_days_before_as_of_counts_within_n_days(engine):
    recruiters = _people()
    recruits = [
        Person(10 + pid, f"recruit {pid}", "follow", PLACES[name][0], PLACES[name][0])
        for pid, name in _named()
    ]
    for recruit, recruiter in zip(recruits, recruiters, strict=True):
        recruit.recruiter_id = recruiter.id
    world = World(people=recruiters + recruits)
    moved = _run_both(engine, world, _ladder({"recruits": 1, "within_days": 90}))
    assert moved & _inside() == _inside()
    assert not moved & {pid for pid, _ in _named()} - _inside()


def test_activity_exactly_n_days_before_as_of_is_not_n_days_of_quiet(engine):
    actions = [ActionRow(pid, pid, "petition", PLACES[name][0]) for pid, name in _named()]
    ladder = _ladder({"no_activity_days": 90}, lapse=True)
    moved = _run_both(engine, World(people=_people(), actions=actions), ladder)
    assert moved == {pid for pid, _ in _named()} - _inside()  # quiet: nothing within 90 days
