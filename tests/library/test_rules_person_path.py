"""The run restricted to listed people (a check-in's ``apply_person``, a sheet's
``after_checkins``) builds a rule's statements only when one of them may be changed by it.

With everyone listed it must move exactly the people, with exactly the evidence, that the
plain-Python reference does (as the whole-base run must, tests/library/test_rules_agreement.py);
a follower's check-in builds neither the reactivation nor the rules above the next rung.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.memo import BuiltOnce
from ladder.rules import Scope, after_checkins, apply_person
from ladder.rules import plan as rule_plans
from ladder.storage.kinds import sync_action_kinds
from tests.library.test_rules_agreement import T, ladders, worlds
from tests.library.test_rules_engine import T as EVENING
from tests.library.test_rules_engine import regulars_world
from tests.rules_reference import (
    Evidence,
    clear_world,
    database_evidence,
    database_moves,
    database_state,
    load_world,
    reference_run,
    reference_state,
)


@pytest.mark.slow  # a property test on both databases: the full suite and CI
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds(), ladder=ladders(), later=st.integers(min_value=0, max_value=45))
def test_a_run_restricted_to_everyone_agrees_with_the_reference(synced, world, ladder, later):
    clear_world(synced)
    load_world(synced, world)
    everyone = [person.id for person in world.people]
    expected_moves = []
    expected_evidence: Counter[tuple[int, str, str]] = Counter()
    for as_of in (T, T + timedelta(days=later)):
        with synced.begin() as connection:
            after_checkins(connection, ladder, everyone, as_of)
        found: list[Evidence] = []
        moves = reference_run(world, ladder, as_of, found)
        expected_moves += moves
        for move, (counts, ids) in zip(moves, found, strict=True):
            lists = [i for i in ids if i is not None]
            expected_evidence[(move[0], move[1], json.dumps([sorted(counts), sorted(lists)]))] += 1
        assert database_state(synced) == reference_state(world)
    assert database_moves(synced) == Counter(expected_moves)
    assert database_evidence(synced) == expected_evidence


def test_a_followers_check_in_builds_only_the_rules_they_can_reach(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rule_plans, "_DEFERRED", BuiltOnce(16))  # nothing built before
    ladder = load_ladder(default_ladder_path())
    sync_action_kinds(engine, ladder)
    load_world(engine, regulars_world())  # #2 follows, active, one event short of attend
    with engine.begin() as connection:
        assert apply_person(connection, ladder, 2, EVENING) == []
    plan = rule_plans.deferred_plan_for(ladder, Scope(only=True))
    built = [part.rule.id if part.rule else "reactivation" for part in _built(plan)]
    assert built == ["shows-up"]  # not the reactivation, mobilising, nor the later passes
    # the same statements as the whole plan's, built the same way
    whole = rule_plans.plan_for(ladder, Scope(only=True))
    first = plan.promotions[0].plan()
    assert str(first.insert.compile(engine)) == str(whole.promotions[0].insert.compile(engine))


def _built(plan: rule_plans.DeferredPlan) -> list[rule_plans.Deferred]:
    parts = [plan.reactivation, *plan.promotions, *plan.touched_promotions]
    return [part for part in parts if part._plan is not None]
