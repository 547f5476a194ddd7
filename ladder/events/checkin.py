"""Check-in: the volunteer's path at the door and from a sheet. Idempotent and concurrency-safe.

One check-in is one short transaction: find the event and the person, upsert the attendance
(``INSERT ... ON CONFLICT DO NOTHING`` then ``UPDATE``, so two volunteers checking the same
person in at once make one attendance), record an ``event_attendance`` action with a stable
external id, and re-evaluate that one person's rung with the rules engine
(:func:`ladder.rules.apply_person`, the same compiled rules as ``ladder promote``). Results
carry the level changes as :class:`ladder.rules.Move` objects; the caller words them.

A cancelled event takes nothing; a closed event, or one that ended more than
:data:`ladder.events.agenda.LONG_PAST` ago, takes invitations, RSVPs and check-ins only when
the caller says ``late`` (a sign-in sheet, typed in after the event, needs it only once the
event is closed). Acceptances beyond an event's capacity are refused; people who come anyway
are still checked in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, insert, select, update

from ladder.clock import utcnow, wall_clock
from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import EventStatus, Presence, SupporterStatus
from ladder.errors import ConflictError
from ladder.events.agenda import EventRef, find_event
from ladder.people.lookup import PersonRef, find_person
from ladder.privacy import audit
from ladder.rules import Move, after_checkins, apply_person
from ladder.storage.firsts import refresh_first_actions
from ladder.storage.models import Action, ActionKind, Attendance
from ladder.storage.upsert import insert_ignore

ATTENDANCE_KIND = "event_attendance"
EARLY_CHECKIN = timedelta(days=1)


@dataclass(frozen=True)
class CheckinResult:
    event: EventRef
    person: PersonRef
    already: bool  # True when they were already checked in: nothing changed
    checked_in_at: datetime
    checked_in_by: str | None
    moves: list[Move]  # level changes the check-in caused


def checkable_event(
    connection: Connection, ref: str, now: datetime, late: bool = False, sheet: bool = False
) -> EventRef:
    """The event, if people can be checked in to it now; a clear refusal otherwise.

    ``sheet``: a sign-in sheet typed in after the event, fine however long ago it was.
    """
    event = find_event(connection, ref)
    if event.status == EventStatus.CANCELLED:
        raise ConflictError(f"{event.describe()} is cancelled: nobody can check in")
    if event.starts_at > now + EARLY_CHECKIN:
        raise ConflictError(
            f"{event.describe()} is more than a day ahead: check-in opens on "
            f"{wall_clock(event.starts_at - EARLY_CHECKIN)}"
        )
    refuse_late(event, now, late, past_ok=sheet)
    return event


def refuse_late(event: EventRef, now: datetime, late: bool, past_ok: bool = False) -> None:
    """A closed event (or a long-past one, unless ``past_ok``) takes records only ``late``."""
    if late:
        return
    if event.closed_at is not None:
        raise ConflictError(f"{event.describe()} is closed: add --late to record it anyway")
    if not past_ok and event.long_past(now):
        raise ConflictError(
            f"{event.describe()} ended more than 24 hours ago: add --late to record it anyway"
        )


def check_in(
    connection: Connection,
    ladder: LadderFile,
    event: EventRef,
    person: PersonRef,
    user: str,
    now: datetime | None = None,
    walk_in: bool | None = None,
    brought_by_id: int | None = None,
) -> CheckinResult:
    """Mark ``person`` as attended at ``event`` inside the caller's transaction."""
    now = now or utcnow()
    if person.status == SupporterStatus.ERASED:
        raise ConflictError(f"#{person.id} was erased and cannot be checked in")
    if person.merged_into is not None:
        raise ConflictError(
            f"#{person.id} {person.name} was merged into #{person.merged_into}: "
            f"use #{person.merged_into}"
        )
    inserted = insert_ignore(
        connection,
        Attendance,
        {
            "event_id": event.id,
            "supporter_id": person.id,
            "presence": Presence.ATTENDED,
            "checked_in_at": now,
            "checked_in_by": user,
            "walk_in": True if walk_in is None else walk_in,
            "brought_by_id": brought_by_id,
        },
    )
    if not inserted:
        row = connection.execute(
            select(Attendance.presence, Attendance.checked_in_at, Attendance.checked_in_by).where(
                Attendance.event_id == event.id, Attendance.supporter_id == person.id
            )
        ).one()
        if row.presence == Presence.ATTENDED:
            return CheckinResult(
                event, person, True, row.checked_in_at or now, row.checked_in_by, []
            )
        changed = connection.execute(
            update(Attendance)
            .where(
                Attendance.event_id == event.id,
                Attendance.supporter_id == person.id,
                Attendance.presence != Presence.ATTENDED,
            )
            .values(presence=Presence.ATTENDED, checked_in_at=now, checked_in_by=user)
        ).rowcount
        if not changed:  # another volunteer checked them in a moment ago
            return CheckinResult(event, person, True, now, None, [])
    _record_attendance_actions(connection, event, [person.id], user, now)
    moves = apply_person(connection, ladder, person.id, now)
    return CheckinResult(event, person, False, now, user, moves)


def _record_attendance_actions(
    connection: Connection, event: EventRef, supporter_ids: list[int], user: str, now: datetime
) -> None:
    """One event_attendance action per person; the external id makes it happen once.

    Dated at the event's start, as the attendance itself counts for the rules, whether the
    check-in was typed before the start (the door opens early) or after it (a sheet typed in
    days later): an early check-in counts from the start, not before.
    """
    kind_id = connection.execute(
        select(ActionKind.id).where(ActionKind.name == ATTENDANCE_KIND)
    ).scalar()
    if kind_id is None or not supporter_ids:
        return  # a ladder without this kind: the attendance row is the record
    external = {i: f"attendance:{event.id}:{i}" for i in supporter_ids}
    recorded = set(
        connection.execute(
            select(Action.external_id).where(Action.external_id.in_(external.values()))
        ).scalars()
    )
    rows = [
        {
            "supporter_id": i,
            "action_kind_id": kind_id,
            "occurred_at": event.starts_at,
            "event_id": event.id,
            "logged_by": user,
            "external_id": ref,
            "created_at": now,
        }
        for i, ref in external.items()
        if ref not in recorded
    ]
    if len(rows) == 1:
        insert_ignore(connection, Action, rows[0])  # the door: a racing volunteer may be first
    elif rows:
        connection.execute(insert(Action), rows)
    if rows:
        refresh_first_actions(connection, supporter_ids)


@dataclass
class CheckinCounts:
    checked_in: int = 0
    already: int = 0
    moves: list[Move] = field(default_factory=list)  # level changes, in the order made


def check_in_many(
    connection: Connection,
    ladder: LadderFile,
    event: EventRef,
    supporter_ids: list[int],
    user: str,
    now: datetime | None = None,
) -> CheckinCounts:
    """Check a whole list of people in at once (a sign-in sheet): a fixed number of statements.

    Same outcome as :func:`check_in` for each of them: one attendance each, an attendance
    action each, nothing new for those already checked in.
    """
    now = now or utcnow()
    if not supporter_ids:
        return CheckinCounts()
    where = (Attendance.event_id == event.id, Attendance.supporter_id.in_(supporter_ids))
    already = set(
        connection.execute(
            select(Attendance.supporter_id).where(*where, Attendance.presence == Presence.ATTENDED)
        ).scalars()
    )
    connection.execute(
        update(Attendance)
        .where(*where, Attendance.presence != Presence.ATTENDED)
        .values(presence=Presence.ATTENDED, checked_in_at=now, checked_in_by=user)
    )
    have = set(connection.execute(select(Attendance.supporter_id).where(*where)).scalars())
    new = [i for i in supporter_ids if i not in have]
    if new:
        connection.execute(
            insert(Attendance),
            [
                {
                    "event_id": event.id,
                    "supporter_id": i,
                    "presence": Presence.ATTENDED,
                    "checked_in_at": now,
                    "checked_in_by": user,
                    "walk_in": True,
                }
                for i in new
            ],
        )
    arrived = [i for i in supporter_ids if i not in already]
    _record_attendance_actions(connection, event, arrived, user, now)
    moves = after_checkins(connection, ladder, arrived, now)
    return CheckinCounts(len(arrived), len(already), moves)


def check_in_by_ref(
    engine: Engine,
    ladder: LadderFile,
    event_ref: str,
    person_ref: str,
    user: str,
    now: datetime | None = None,
    late: bool = False,
) -> CheckinResult:
    """`ladder checkin EVENT PERSON`: one transaction, one attendance."""
    now = now or utcnow()
    with engine.begin() as connection:
        event = checkable_event(connection, event_ref, now, late)
        person = find_person(connection, person_ref)
        return audited_check_in(connection, ladder, event, person, user, now)


def audited_check_in(
    connection: Connection,
    ladder: LadderFile,
    event: EventRef,
    person: PersonRef,
    actor: str,
    now: datetime,
) -> CheckinResult:
    """:func:`check_in` and its audit entry (none for a repeat, which changes nothing)."""
    result = check_in(connection, ladder, event, person, actor, now)
    if not result.already:
        audit.record(
            connection,
            actor,
            "checkin",
            people=[person.id],
            fields=["presence"],
            detail={"event": event.id},
        )
    return result
