"""What the dates of activity mean to the rules, alike at the door and for the whole base.

An attendance happened at its event's start (whenever the check-in was typed, before or after
the start), so the event_attendance action a check-in records is dated at the event's start.
A lapsed person is reactivated by any activity dated after their lapse was recorded, and by
nothing dated before it: the check-in path (one person) and ``ladder promote`` (everyone)
decide alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select

from ladder.clock import utcnow
from ladder.events.agenda import find_event
from ladder.events.checkin import check_in_by_ref, check_in_many
from ladder.rules import promote
from ladder.storage.models import Action, ActionKind, Attendance, LevelChange, Supporter
from tests.factories import add_event, add_person

NOW = utcnow().replace(microsecond=0)
LAPSED_AT = NOW - timedelta(days=1)


def _lapsed(engine: Engine, name: str) -> int:
    long_ago = NOW - timedelta(days=400)
    return add_person(
        engine,
        name,
        "Lapsed",
        created_at=long_ago,
        rung_since=long_ago,
        status="lapsed",
        status_since=LAPSED_AT,
    )


def _status(engine: Engine, pid: int) -> str:
    with engine.connect() as connection:
        return str(connection.execute(select(Supporter.status).where(Supporter.id == pid)).scalar())


def _reactivations(engine: Engine, pid: int) -> list[datetime]:
    with engine.connect() as connection:
        query = select(LevelChange.changed_at).where(
            LevelChange.supporter_id == pid, LevelChange.rule_id == "reactivation"
        )
        return list(connection.execute(query).scalars())


def _typed_in_without_rules(engine: Engine, event_id: int, pid: int, starts_at: datetime) -> None:
    """The rows a check-in writes, without its rules run: what `ladder promote` then finds."""
    with engine.begin() as connection:
        kind = connection.execute(
            select(ActionKind.id).where(ActionKind.name == "event_attendance")
        ).scalar_one()
        connection.execute(
            insert(Attendance).values(
                event_id=event_id, supporter_id=pid, presence="attended", checked_in_at=NOW
            )
        )
        connection.execute(
            insert(Action).values(
                supporter_id=pid,
                action_kind_id=kind,
                occurred_at=starts_at,
                event_id=event_id,
                created_at=NOW,
            )
        )


def test_a_check_in_before_the_event_starts_dates_the_attendance_at_the_start(workspace):
    event = add_event(workspace.engine, "Soirée débat", starts_in=timedelta(hours=3))
    awa = add_person(workspace.engine, "Awa", "Diallo")
    check_in_by_ref(workspace.engine, workspace.ladder, str(event), str(awa), "Léa", now=NOW)
    with workspace.engine.connect() as connection:
        occurred_at = connection.execute(select(Action.occurred_at)).scalar_one()
        checked_in_at = connection.execute(select(Attendance.checked_in_at)).scalar_one()
    assert occurred_at == _start_of(workspace.engine, event)
    assert checked_in_at == NOW  # the check-in time is kept on the attendance itself


def _start_of(engine: Engine, event_id: int) -> datetime:
    with engine.connect() as connection:
        return find_event(connection, str(event_id)).starts_at


def test_a_check_in_after_the_start_dates_the_attendance_at_the_start_too(workspace):
    event = add_event(workspace.engine, "Fête de la Lagune", starts_in=timedelta(hours=-5))
    awa = add_person(workspace.engine, "Awa", "Diallo")
    check_in_by_ref(workspace.engine, workspace.ladder, str(event), str(awa), "Léa", now=NOW)
    with workspace.engine.connect() as connection:
        occurred_at = connection.execute(select(Action.occurred_at)).scalar_one()
    assert occurred_at == _start_of(workspace.engine, event)


def test_a_lapsed_person_checked_in_early_is_reactivated_once_the_event_starts_not_before(
    workspace,
):
    engine, ladder = workspace.engine, workspace.ladder
    event = add_event(engine, "Soirée débat", starts_in=timedelta(hours=2))
    starts_at = _start_of(engine, event)
    at_door, typed_in = _lapsed(engine, "Door"), _lapsed(engine, "Typed")
    check_in_by_ref(engine, ladder, str(event), str(at_door), "Léa", now=NOW)
    _typed_in_without_rules(engine, event, typed_in, starts_at)
    promote(engine, ladder, NOW)  # the whole base, before the event starts
    assert (_status(engine, at_door), _status(engine, typed_in)) == ("lapsed", "lapsed")
    promote(engine, ladder, starts_at + timedelta(minutes=1))
    assert (_status(engine, at_door), _status(engine, typed_in)) == ("active", "active")


def test_activity_after_the_lapse_reactivates_alike_at_the_door_and_in_promote(workspace):
    engine, ladder = workspace.engine, workspace.ladder
    event = add_event(engine, "Fête de la Lagune", starts_in=timedelta(hours=-2))
    at_door, typed_in = _lapsed(engine, "Door"), _lapsed(engine, "Typed")
    check_in_by_ref(engine, ladder, str(event), str(at_door), "Léa", now=NOW)
    assert _status(engine, at_door) == "active"
    assert _reactivations(engine, at_door) == [NOW]
    _typed_in_without_rules(engine, event, typed_in, _start_of(engine, event))
    promote(engine, ladder, NOW)
    assert _status(engine, typed_in) == "active"
    assert _reactivations(engine, typed_in) == [NOW]


def test_activity_dated_before_the_lapse_reactivates_nobody_at_the_door_or_in_promote(
    workspace,
):
    """A sheet for an event held before the lapse, typed in after it, leaves the lapse."""
    engine, ladder = workspace.engine, workspace.ladder
    event = add_event(engine, "Marche blanche", starts_in=timedelta(days=-2))
    at_door, on_sheet, typed_in = (_lapsed(engine, n) for n in ("Door", "Sheet", "Typed"))
    check_in_by_ref(engine, ladder, str(event), str(at_door), "Léa", now=NOW, late=True)
    with engine.begin() as connection:
        check_in_many(
            connection, ladder, find_event(connection, str(event)), [on_sheet], "Léa", now=NOW
        )
    _typed_in_without_rules(engine, event, typed_in, _start_of(engine, event))
    promote(engine, ladder, NOW)
    assert [_status(engine, p) for p in (at_door, on_sheet, typed_in)] == ["lapsed"] * 3
    assert _reactivations(engine, at_door) == _reactivations(engine, typed_in) == []
