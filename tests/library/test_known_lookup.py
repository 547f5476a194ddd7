"""The people a small file names are read by email, phone and id (the values one list a query,
``one_of``): the live ones only, each once, as an ``IN`` list reads them, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ladder.people.importing import known
from ladder.storage.models import Supporter
from tests.factories import add_person


def _reference(connection, column, values) -> list[tuple]:
    table = Supporter.__table__.c
    query = select(*(table[name] for name in known.COLUMNS)).where(
        table.merged_into_id.is_(None), table.status != "erased", column.in_(sorted(values))
    )
    return sorted(tuple(row) for row in connection.execute(query))


@pytest.mark.parametrize("chunk", [2, 20_000])
def test_the_live_people_with_these_values_each_once(engine, monkeypatch, chunk):
    monkeypatch.setattr(known, "_LISTED", chunk)
    first = add_person(engine, "Awa", "Diallo", email="awa@example.org", phone="+33612345678")
    add_person(engine, "Awa", "Sow", email="sow@example.org", phone="+33612345678")
    add_person(engine, "Jean", None, email="jean@example.org", consent_email=True)
    add_person(engine, "Gone", None, email="gone@example.org", status="erased")
    add_person(engine, "Old", None, email="old@example.org", merged_into_id=first)
    table = Supporter.__table__.c
    with engine.connect() as connection:
        everyone = [row[0] for row in connection.execute(select(table.id))]
        for column, values in (
            (table.email, {"awa@example.org", "jean@example.org", "gone@example.org",
                           "old@example.org", "nobody@example.org", "Jean@example.org"}),
            (table.phone, {"+33612345678", "+33700000000"}),
            (table.id, {*everyone, 10**6}),
        ):  # fmt: skip
            got = sorted(known._live_where(connection, column, values))
            assert got == _reference(connection, column, values)
            assert len({row[0] for row in got}) == len(got)
        assert [row[0] for row in known._live_where(connection, table.id, [first, first])] == [
            first
        ]
