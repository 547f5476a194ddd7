"""A kept statement run on the driver's cursor gives what ``connection.execute`` gives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    String,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from ladder.storage.models import Supporter
from ladder.storage.prepared import kept_rows
from ladder.storage.sqlfunc import in_constants
from tests.factories import add_person
from tests.next_helpers import NOW

SINCE = bindparam("since", type_=DateTime())
FEW = bindparam("few", type_=Integer())


def _people(engine) -> list[int]:
    return [
        add_person(engine, f"P{i}", "Test", created_at=NOW - timedelta(days=i), rung=rung)
        for i, rung in enumerate(["follow", "attend", "follow", "mobilise", "attend"])
    ]


def _plain(connection, statement, params) -> list[dict[str, object]]:
    return [dict(row._mapping) for row in connection.execute(statement, params)]


def test_the_rows_and_their_order_are_those_of_execute(engine):
    _people(engine)
    s = Supporter.__table__.c
    statement = (
        select(s.id, s.first_name, (s.id * 2).label("twice"), func.count().over().label("n"))
        .where(s.created_at >= SINCE, in_constants(s.rung, ["follow", "attend"]))
        .order_by(s.created_at.desc(), s.id)
        .limit(FEW)
    )
    for since, few in [(NOW - timedelta(days=10), 10), (NOW - timedelta(days=2), 2)]:
        params = {"since": since, "few": few}
        with engine.connect() as connection:
            connection.execute(select(1))  # begun, as a list's connection always is
            kept = kept_rows(connection, statement, params)
            assert kept == _plain(connection, statement, params)
            assert kept  # the dates went through the driver's conversion, as execute's do


def test_an_expanding_list_goes_through_execute_and_agrees(engine):
    ids = _people(engine)
    s = Supporter.__table__.c
    statement = select(s.id).where(s.id.in_(bindparam("ids", expanding=True))).order_by(s.id)
    with engine.connect() as connection:
        assert kept_rows(connection, statement, {"ids": ids[1:3]}) == [{"id": i} for i in ids[1:3]]


def test_a_failure_is_raised_as_sqlalchemy_raises_it(engine):
    statement = select(func.nosuchfunction(Supporter.__table__.c.id))
    with engine.connect() as connection:
        connection.execute(select(1))
        with pytest.raises(DBAPIError):
            kept_rows(connection, statement, {})


NAMED = bindparam("named", type_=String())
RATIO = bindparam("ratio", type_=Float())


def _typed_statement():
    """Parameters of every kind a list sends: text (with quotes), dates, small and large
    integers, floats, NULL, and a bare literal whose type the server must infer."""
    s = Supporter.__table__.c
    return (
        select(
            s.id,
            s.first_name,
            (cast(s.id, Float) * RATIO).label("scaled"),
            literal("a'b\\c").label("said"),
            func.coalesce(s.email, NAMED).label("email"),
        )
        .where(s.created_at >= SINCE, s.id < FEW, or_(s.first_name != NAMED, s.id > 0))
        .order_by(s.id)
    )


@pytest.mark.parametrize(
    "values",
    [
        {"named": "O'Brien \\ \" ; DROP TABLE supporters; --", "ratio": 0.1, "few": 3},
        {"named": "é", "ratio": 1e-300, "few": 40_000},
        {"named": None, "ratio": -2.5, "few": -(2**31)},
    ],
)
def test_every_kind_of_value_gives_the_rows_execute_gives(engine, values):
    _people(engine)
    statement = _typed_statement()
    params = {"since": NOW - timedelta(days=10), **values}
    with engine.connect() as connection:
        connection.execute(select(1))
        assert kept_rows(connection, statement, params) == _plain(connection, statement, params)
        assert kept_rows(connection, statement, params) == _plain(connection, statement, params)


def _prepared_names(connection) -> list[str]:
    return list(connection.scalars(text("SELECT name FROM pg_prepared_statements ORDER BY name")))


def _prepared_case(engine):
    """PostgreSQL only: a few people, the typed statement and values for it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    _people(engine)
    params = {"since": NOW - timedelta(days=10), "named": "x", "ratio": 0.5, "few": 4}
    return _typed_statement(), params


@pytest.mark.postgres
def test_postgresql_prepares_once_per_connection_and_keeps_it_past_rollbacks(engine):
    statement, params = _prepared_case(engine)
    lists = []
    for _ in range(8):  # each list in its own transaction, ended by a rollback
        with engine.connect() as connection:
            connection.execute(select(1))
            lists.append(kept_rows(connection, statement, params))
            for _ in range(6):  # what psycopg would prepare itself (and then deallocate)
                connection.execute(select(Supporter.__table__.c.id).where(Supporter.id > 0))
            connection.rollback()
    with engine.connect() as connection:
        assert lists == [_plain(connection, statement, params)] * 8
        names = _prepared_names(connection)
        assert len(names) == 1 and names[0].startswith("ladder_kept_")
        plans = connection.execute(
            text("SELECT generic_plans, custom_plans FROM pg_prepared_statements")
        ).one()
        assert tuple(plans) == (0, 8)  # planned for its values every time
        kept_rows(connection, statement, {**params, "few": 40_000})  # another parameter type
        assert len(_prepared_names(connection)) == 2


@pytest.mark.postgres
def test_postgresql_prepares_again_after_someone_deallocated_it(engine):
    statement, params = _prepared_case(engine)
    with engine.connect() as connection:
        expected = kept_rows(connection, statement, params)
        connection.exec_driver_sql("DEALLOCATE ALL")
        with pytest.raises(DBAPIError):
            kept_rows(connection, statement, params)
    with engine.connect() as connection:
        assert kept_rows(connection, statement, params) == expected
