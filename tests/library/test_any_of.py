"""any_of: ``column IN (ids of a subquery)``, with a hint on SQLite when the ids are few."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.models import Action, ActionKind
from ladder.storage.sqlfunc import any_of, in_constants
from tests.factories import add_person

T = datetime(2024, 6, 1, 12, 0)


def _named(names: list[str]):
    kinds = ActionKind.__table__.c
    return select(kinds.id).where(in_constants(kinds.name, names)).correlate(None)


def test_a_share_changes_the_plan_on_sqlite_never_the_rows(engine):
    sync_action_kinds(engine, load_ladder(default_ladder_path()))
    people = [add_person(engine, f"P{i}", "Test") for i in range(3)]
    with engine.begin() as connection:
        kinds = dict(connection.execute(select(ActionKind.name, ActionKind.id)).all())
        rows = [
            {
                "supporter_id": person,
                "action_kind_id": kinds[kind],
                "occurred_at": T,
                "created_at": T,
            }
            for person in people
            for kind in ("like", "photos", "host_event", "photos")
        ]
        connection.execute(insert(Action), rows)
    a = Action.__table__.c
    names = ["photos", "mass_action"]
    with engine.connect() as connection:
        found = [
            sorted(connection.execute(select(a.id).where(test)).scalars())
            for test in (
                any_of(a.action_kind_id, _named(names)),
                any_of(a.action_kind_id, _named(names), 2 / 15),
            )
        ]
    assert found[0] == found[1] and len(found[0]) == 6
    hinted = any_of(a.action_kind_id, _named(names), 2 / 15)
    assert "likelihood(actions.action_kind_id IN (SELECT" in str(
        hinted.compile(dialect=sqlite.dialect())
    )
    assert ", 0.133)" in str(hinted.compile(dialect=sqlite.dialect()))
    assert "= ANY(ARRAY(SELECT" in str(hinted.compile(dialect=postgresql.dialect()))
