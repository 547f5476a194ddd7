"""A kept statement run on the driver's cursor gives what ``connection.execute`` gives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import DateTime, Integer, bindparam, func, select
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
