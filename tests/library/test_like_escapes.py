"""A lookup's text is matched literally: ``%``, ``_`` and ``\\`` are not LIKE wildcards or
escapes, on SQLite and PostgreSQL alike (an explicit ESCAPE clause on every LIKE)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ladder.errors import NotFoundError
from ladder.events.agenda import find_event
from ladder.people.lookup import find_people
from ladder.storage.engine import reading
from tests.factories import add_event, add_person

TITLES = ["100% bénévoles", "a\\b rencontre", "under_score day", "Forum"]


@pytest.fixture
def events(engine):
    return {t: add_event(engine, t, starts_in=timedelta(days=i)) for i, t in enumerate(TITLES)}


@pytest.mark.parametrize(
    ("typed", "title"),
    [("\\", "a\\b rencontre"), ("%", "100% bénévoles"), ("_", "under_score day"),
     ("a\\b", "a\\b rencontre"), ("0% b", "100% bénévoles")],
)  # fmt: skip
def test_an_event_lookup_takes_wildcards_and_backslashes_literally(engine, events, typed, title):
    with reading(engine) as connection:
        assert find_event(connection, typed).id == events[title]


@pytest.mark.parametrize("typed", ["\\%", "\\_", "a%b", "\\\\", "under\\_"])
def test_an_event_lookup_finds_nothing_for_text_no_title_holds(engine, events, typed):
    with reading(engine) as connection, pytest.raises(NotFoundError):
        find_event(connection, typed)


def test_a_person_lookup_takes_wildcards_and_backslashes_literally(engine):
    ids = {
        name: add_person(engine, name, last)
        for name, last in [("Awa", "100%"), ("Jean", "a\\b"), ("Léa", "x_y"), ("Zoé", "Forum")]
    }
    with reading(engine) as connection:

        def names(typed: str) -> list[int]:
            return [p.id for p in find_people(connection, typed)]

        assert names("\\") == [ids["Jean"]]
        assert names("%") == [ids["Awa"]]
        assert names("_") == [ids["Léa"]]
        assert names("\\%") == []
        assert names("a%b") == []
