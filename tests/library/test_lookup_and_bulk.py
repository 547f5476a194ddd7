"""Finding people by what a user types, and bulk writes on both databases."""

from datetime import datetime

import pytest
from sqlalchemy import func, insert, select

from ladder.errors import AmbiguousError, NotFoundError
from ladder.people.lookup import find_person
from ladder.storage.bulk import copy_rows, reset_id_sequence
from ladder.storage.models import Supporter

WHEN = datetime(2026, 3, 8, 10, 0)


def _add(connection, **values):
    row = {
        "rung": "follow",
        "rung_since": WHEN,
        "created_at": WHEN,
        "status": "active",
        **values,
    }
    return connection.execute(insert(Supporter).values(**row)).inserted_primary_key[0]


@pytest.fixture
def people(engine):
    with engine.begin() as connection:
        ids = {
            "awa": _add(
                connection,
                first_name="Awa",
                last_name="Diallo",
                email="awa@example.org",
                phone="+33612345678",
            ),
            "jean": _add(connection, first_name="Jean", last_name="Wamytan", phone="+33687654321"),
            "jeanne": _add(connection, first_name="Jeanne", last_name="Kasarhérou"),
        }
    return ids


def test_a_person_is_found_by_id_email_or_phone(engine, people):
    with engine.connect() as connection:
        assert find_person(connection, str(people["awa"])).first_name == "Awa"
        assert find_person(connection, f"#{people['jean']}").first_name == "Jean"
        assert find_person(connection, "AWA@example.org ").id == people["awa"]
        assert find_person(connection, "06 12 34 56 78").id == people["awa"]


def test_an_ambiguous_name_lists_the_candidates(engine, people):
    with engine.connect() as connection, pytest.raises(AmbiguousError) as caught:
        find_person(connection, "jean")
    assert "'jean' matches 2 people" in str(caught.value)
    assert [c.split(" ", 1)[0] for c in caught.value.candidates] == [
        f"#{people['jeanne']}",
        f"#{people['jean']}",
    ]


def test_an_unknown_person_is_not_found(engine, people):
    with engine.connect() as connection:
        with pytest.raises(NotFoundError, match="no person matches 'nobody@example.org'"):
            find_person(connection, "nobody@example.org")
        with pytest.raises(NotFoundError):
            find_person(connection, "Awa", allow_name=False)


def test_copy_rows_writes_every_row_and_the_id_sequence_moves_past_them(engine):
    rows = [
        (1000 + i, f"Person{i}", "follow", WHEN, WHEN, "active", False, False, False, False)
        for i in range(250)
    ]
    columns = [
        "id",
        "first_name",
        "rung",
        "rung_since",
        "created_at",
        "status",
        "consent_email",
        "consent_sms",
        "consent_photo",
        "rung_set_manually",
    ]
    with engine.begin() as connection:
        assert copy_rows(connection, Supporter.__table__, columns, iter(rows)) == 250
        reset_id_sequence(connection, Supporter.__table__)
        new_id = _add(connection, first_name="After")
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Supporter)).scalar_one() == 251
    assert new_id == 1250
