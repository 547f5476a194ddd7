"""A people import writes its one time, given once as text to the bulk writes
(ladder/people/importing/write.py), as the very datetime on both backends: the new people's
stamps and their tool ids' (the microseconds too, and a time without any)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select

from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.people.importing.importer import import_people
from ladder.storage.models import Supporter, SupporterIdentifier

PEOPLE = (
    "nationbuilder_id,first_name,last_name,email\n"
    "1001,Awa,Diallo,awa@example.org\n"
    "1002,Zoé,Cœur,zoe@example.org\n"
)


@pytest.mark.parametrize(
    "now", [datetime(2026, 11, 2, 10, 30, 5, 123456), datetime(2026, 1, 31, 23, 59, 59)]
)
def test_the_imported_rows_carry_the_import_time(engine: Engine, now: datetime) -> None:
    ladder = load_ladder(default_ladder_path())
    report, _table = import_people(engine, ladder, PEOPLE.encode(), "people.csv", now=now)
    assert report.created == 2 and not report.rejected
    with engine.connect() as connection:
        stamps = connection.execute(
            select(Supporter.created_at, Supporter.rung_since, Supporter.status_since)
        ).all()
        identified = connection.execute(select(SupporterIdentifier.created_at)).scalars()
        assert [tuple(row) for row in stamps] == [(now, now, now)] * 2
        assert list(identified) == [now] * 2
