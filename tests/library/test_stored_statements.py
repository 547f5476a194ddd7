"""Statements compiled once and kept between runs (``ladder.storage.stored``), on both databases:
a stored statement does what SQLAlchemy's does, and ``promote`` run from statements read back
from the user's cache moves the same people, with the same evidence, as one that built them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import JSON, DateTime, Engine, bindparam, literal, select, update

from ladder.domain.ladderfile import LadderFile, default_ladder_path, load_ladder
from ladder.rules import plan as rule_plans
from ladder.rules import promote
from ladder.storage import stored
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.models import LevelChange, Supporter
from ladder.storage.stored import StoredStatement, execute, freeze
from tests.factories import add_person
from tests.library.test_rules_engine import T, regulars_world
from tests.rules_reference import load_world

S = Supporter.__table__.alias("s")
AS_OF = bindparam("as_of", type_=DateTime())  # as the rules bind their time and people
ONLY = bindparam("only", expanding=True)


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """A cache folder of the test's own (and the code's digest computed afresh)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(stored, "_code_digest", None)
    return tmp_path / "cache" / "ladder" / stored.KIND


@pytest.fixture
def ladder() -> LadderFile:
    return load_ladder(default_ladder_path())


@pytest.fixture
def fresh_plans(monkeypatch):
    """No plan built in this process yet (as in a new ``ladder promote``)."""
    monkeypatch.setattr(rule_plans, "_PLANS", rule_plans.BuiltOnce(16))


def _people(engine: Engine) -> list[int]:
    when = datetime(2024, 1, 1, 9, 30)
    return [
        add_person(engine, "Awa", "Diallo", created_at=when),
        add_person(engine, "Bastien", "Roux", created_at=when + timedelta(days=2)),
        add_person(engine, "Chloé", "Martin", created_at=when + timedelta(days=5), rung="attend"),
    ]


def _both(engine: Engine, statement, params):
    """The rows of ``statement`` run by SQLAlchemy, then stored and run by the driver."""
    kept = freeze(statement, engine.dialect)
    assert kept is not None
    # through JSON, as a later process reads it back
    kept = StoredStatement.from_json(json.loads(json.dumps(kept.to_json())))
    with engine.connect() as connection:
        expected = [tuple(r) for r in connection.execute(statement, params)]
        got = [tuple(r) for r in execute(connection, kept, params)]
    return expected, got


@pytest.mark.parametrize("only", ["nobody", "everyone", "some"])
def test_a_stored_select_reads_what_sqlalchemy_reads(engine, only):
    ids = _people(engine)
    chosen = {"nobody": [], "everyone": ids, "some": ids[1:]}[only]
    statement = (
        select(S.c.id, S.c.first_name)
        .where(S.c.created_at <= AS_OF, S.c.id.in_(ONLY), S.c.rung == "follow")
        .order_by(S.c.id)
        .limit(5)
    )
    as_of = datetime(2024, 1, 3, 9, 30)  # on the second person's creation: a time to convert
    expected, got = _both(engine, statement, {"as_of": as_of, "only": chosen})
    assert got == expected
    assert [r[0] for r in got] == [i for i in ids[:2] if i in chosen]


def test_a_list_left_out_by_not_in_keeps_everyone_when_empty(engine):
    ids = _people(engine)
    statement = select(S.c.id).where(S.c.id.not_in(ONLY)).order_by(S.c.id)
    for chosen in ([], ids[:1]):
        expected, got = _both(engine, statement, {"only": chosen})
        assert got == expected
        assert [r[0] for r in got] == [i for i in ids if i not in chosen]


def test_a_stored_update_writes_the_values_it_was_built_with(engine):
    ids = _people(engine)
    statement = (
        update(S)
        .where(S.c.id == bindparam("who"))
        .values(rung_set_manually=True, lapse_condition_since=None, rung_since=AS_OF)
    )
    kept = freeze(statement, engine.dialect)
    assert kept is not None
    # SQLite takes times as text (converted as SQLAlchemy does); psycopg takes datetimes
    assert set(kept.converted) == ({"as_of"} if engine.dialect.name == "sqlite" else set())
    when = datetime(2024, 2, 1, 12, 0, 0, 5)
    with engine.begin() as connection:
        execute(connection, kept, {"who": ids[0], "as_of": when})
        connection.execute(statement, {"who": ids[1], "as_of": when})
    c = S.c
    with engine.connect() as connection:
        got = connection.execute(
            select(c.rung_set_manually, c.lapse_condition_since, c.rung_since)
            .where(c.id.in_(ids[:2]))
            .order_by(c.id)
        ).all()
    assert [tuple(r) for r in got] == [(True, None, when)] * 2


def test_a_list_of_anything_but_ids_is_refused(engine):
    statement = select(S.c.id).where(S.c.id.in_(ONLY))
    kept = freeze(statement, engine.dialect)
    assert kept is not None
    with engine.connect() as connection, pytest.raises(TypeError, match="integer ids only"):
        execute(connection, kept, {"only": ["1); DROP TABLE supporters; --"]})


def test_a_statement_whose_values_need_other_conversions_is_not_stored(engine):
    document = bindparam("document", type_=JSON())
    statement = select(S.c.id).where(S.c.first_name == document["name"].as_string())
    assert freeze(statement, engine.dialect) is None


def test_a_value_fixed_when_built_is_stored_only_as_json_gives_it_back(engine):
    when = datetime(2024, 1, 3, 9, 30)
    statement = select(S.c.id).where(S.c.created_at <= literal(when, DateTime()))
    kept = freeze(statement, engine.dialect)
    if engine.dialect.name == "sqlite":  # stored as the text SQLite compares
        assert kept is not None and list(kept.fixed.values()) == ["2024-01-03 09:30:00.000000"]
        ids = _people(engine)
        expected, got = _both(engine, statement, {})
        assert got == expected == [(ids[0],), (ids[1],)]
    else:  # psycopg takes the datetime itself: JSON would give back text
        assert kept is None


def test_the_key_follows_the_database_and_the_shape(engine):
    dialect = engine.dialect
    first = stored.key(dialect, "ladder A")
    assert first == stored.key(dialect, "ladder A")
    assert first != stored.key(dialect, "ladder B")
    original = dialect.server_version_info
    try:
        dialect.server_version_info = (*(original or ()), 99)
        assert stored.key(dialect, "ladder A") != first
    finally:
        dialect.server_version_info = original


def _moves(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        c = LevelChange.__table__.c
        query = select(c.supporter_id, c.rule_id, c.to_rung, c.evidence).order_by(c.id)
        return [tuple(r) for r in connection.execute(query)]


def test_promote_from_statements_read_back_moves_the_same_people(
    engine, ladder, cache_home, fresh_plans, monkeypatch
):
    sync_action_kinds(engine, ladder)
    load_world(engine, regulars_world())
    first = promote(engine, ladder, T, dry_run=True, examples=5)
    assert len(list(cache_home.glob("*.json"))) == 1  # built, compiled and kept

    monkeypatch.setattr(rule_plans, "_PLANS", rule_plans.BuiltOnce(16))  # a new process

    def never(*_args):
        raise AssertionError("the plan was built again instead of read back")

    monkeypatch.setattr(rule_plans, "_build_plan", never)
    again = promote(engine, ladder, T, examples=5)
    assert again.changes == first.changes and again.total == 1
    assert [(m.name, m.to_rung, m.evidence) for m in again.examples] == [
        (m.name, m.to_rung, m.evidence) for m in first.examples
    ]
    (move,) = _moves(engine)
    assert move[1:3] == ("shows-up", "attend")


def test_a_corrupt_entry_is_built_again(engine, ladder, cache_home, fresh_plans, monkeypatch):
    sync_action_kinds(engine, ladder)
    load_world(engine, regulars_world())
    promote(engine, ladder, T, dry_run=True)
    (entry,) = cache_home.glob("*.json")
    entry.write_text('{"rules": [{"id": "reactivation"}]}')
    monkeypatch.setattr(rule_plans, "_PLANS", rule_plans.BuiltOnce(16))
    built = []
    build = rule_plans._build_plan
    monkeypatch.setattr(rule_plans, "_build_plan", lambda *a: built.append(1) or build(*a))
    report = promote(engine, ladder, T)
    assert built == [1] and report.total == 1
    assert '"sql"' in entry.read_text()  # kept again, whole
