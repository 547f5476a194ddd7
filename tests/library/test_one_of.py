"""one_of: ``column`` among a long list of values, one bound parameter on both databases."""

from __future__ import annotations

from sqlalchemy import select

from ladder.storage.models import Supporter
from ladder.storage.sqlfunc import one_of
from tests.factories import add_person


def test_it_finds_exactly_the_listed_values_text_or_ids_however_many(engine):
    ids = [add_person(engine, f"P{i}", "Test", email=f"p{i}@example.org") for i in range(5)]
    s = Supporter.__table__.c
    unlisted = [f"nobody{i}@example.org" for i in range(3_000)]  # past any IN chunk
    quoted = "o'neil@example.org"  # a quote, and a value that is no JSON number
    cases = [
        (s.email, ["p1@example.org", "p3@example.org", quoted, *unlisted], {ids[1], ids[3]}),
        (s.id, [ids[0], ids[4], 10**12], {ids[0], ids[4]}),
        (s.email, [], set()),
        (s.email, {"p2@example.org"}, {ids[2]}),  # any collection
    ]
    with engine.connect() as connection:
        for column, values, expected in cases:
            query = select(s.id).where(one_of(column, values))
            assert set(connection.execute(query).scalars()) == expected, values[:3]


def test_the_statement_is_the_same_whatever_the_number_of_values(engine):
    s = Supporter.__table__.c
    dialect = engine.dialect
    texts = {
        str(select(s.id).where(one_of(s.email, values)).compile(dialect=dialect))
        for values in (["a@example.org"], [f"{i}@example.org" for i in range(1_000)])
    }
    assert len(texts) == 1
