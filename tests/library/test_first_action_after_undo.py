"""Taking back a volunteer's wrong tap deletes the attendance action, and the person's stored
first action (``supporters.first_action_at``) follows: an import of later actions only
refreshes the people whose first action moves, so a stale one would stay."""

from __future__ import annotations

from sqlalchemy import select

from ladder.actions.log import log_action
from ladder.clock import utcnow
from ladder.events.volunteer import check_in_person, undo_check_in
from ladder.storage.models import Action, Supporter
from tests.factories import add_event, add_person


def _first(engine, person: int):
    with engine.connect() as connection:
        stored = connection.execute(
            select(Supporter.first_action_at).where(Supporter.id == person)
        ).scalar_one()
        actions = connection.execute(
            select(Action.occurred_at).where(Action.supporter_id == person)
        ).scalars()
        return stored, min(actions, default=None)


def test_an_undone_check_in_is_no_longer_anyone_s_first_action(workspace):
    engine = workspace.engine
    event = add_event(engine, "Forum des associations")
    walk_in = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    check_in_person(engine, workspace.ladder, event, walk_in)
    stored, recomputed = _first(engine, walk_in)
    assert stored is not None and stored == recomputed
    undo_check_in(engine, event, walk_in)
    assert _first(engine, walk_in) == (None, None)


def test_an_undone_check_in_gives_the_first_action_back_to_a_later_one(workspace):
    engine = workspace.engine
    event = add_event(engine, "Forum des associations")
    person = add_person(engine, "Léa", "Martin", email="lea@example.org")
    check_in_person(engine, workspace.ladder, event, person)
    checked_in, _ = _first(engine, person)
    log_action(engine, workspace.ladder, f"#{person}", "petition", "test", at=utcnow())
    assert _first(engine, person)[0] == checked_in  # the check-in came first
    undo_check_in(engine, event, person)
    stored, recomputed = _first(engine, person)
    assert recomputed is not None and recomputed != checked_in  # the petition, now
    assert stored == recomputed
