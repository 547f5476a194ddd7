"""Check-in, RSVP and invitations: the volunteer's path. Idempotent and concurrency-safe.

One check-in is one short transaction: find the event and the person, upsert the attendance
(``INSERT ... ON CONFLICT DO NOTHING`` then ``UPDATE``, so two volunteers checking the same
person in at once make one attendance), record an ``event_attendance`` action with a stable
external id, and re-evaluate that one person's rung when the rules engine is present.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.errors import ConflictError, InputError
from ladder.services.events import EventRef, find_event
from ladder.services.lookup import PersonRef, find_person
from ladder.storage.models import RSVP_STATES, Action, ActionKind, Attendance
from ladder.storage.upsert import insert_ignore

ATTENDANCE_KIND = "event_attendance"
EARLY_CHECKIN = timedelta(days=1)

# Called after a check-in with (connection, ladder, supporter_id, as_of); returns a description
# of any level change. The rules engine registers itself here (see ladder.rules).
RungHook = Callable[[Connection, LadderFile, int, datetime], list[str]]
AFTER_CHECKIN: list[RungHook] = []


@dataclass(frozen=True)
class CheckinResult:
    event: EventRef
    person: PersonRef
    already: bool  # True when they were already checked in: nothing changed
    checked_in_at: datetime
    checked_in_by: str | None
    changes: list[str]  # level changes the check-in caused

    def message(self) -> str:
        who = f"{self.person.name} (#{self.person.id})"
        if self.already:
            by = f" by {self.checked_in_by}" if self.checked_in_by else ""
            return (
                f"{who} was already checked in to {self.event.title} at "
                f"{self.checked_in_at:%H:%M}{by}: still one attendance"
            )
        text = f"Checked in {who} to {self.event.title}."
        return " ".join([text, *self.changes])


def checkable_event(connection: Connection, ref: str, now: datetime) -> EventRef:
    """The event, if people can be checked in to it now; a clear refusal otherwise."""
    event = find_event(connection, ref)
    if event.status == "cancelled":
        raise ConflictError(f"{event.describe()} is cancelled: nobody can check in")
    if event.starts_at > now + EARLY_CHECKIN:
        raise ConflictError(
            f"{event.describe()} is more than a day ahead: check-in opens on "
            f"{event.starts_at - EARLY_CHECKIN:%Y-%m-%d %H:%M}"
        )
    return event


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
    if person.status == "erased":
        raise ConflictError(f"#{person.id} was erased and cannot be checked in")
    inserted = insert_ignore(
        connection,
        Attendance,
        {
            "event_id": event.id,
            "supporter_id": person.id,
            "presence": "attended",
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
        if row.presence == "attended":
            return CheckinResult(
                event, person, True, row.checked_in_at or now, row.checked_in_by, []
            )
        changed = connection.execute(
            update(Attendance)
            .where(
                Attendance.event_id == event.id,
                Attendance.supporter_id == person.id,
                Attendance.presence != "attended",
            )
            .values(presence="attended", checked_in_at=now, checked_in_by=user)
        ).rowcount
        if not changed:  # another volunteer checked them in a moment ago
            return CheckinResult(event, person, True, now, None, [])
    _record_attendance_action(connection, event, person.id, user, now)
    changes: list[str] = []
    for hook in AFTER_CHECKIN:
        changes += hook(connection, ladder, person.id, now)
    return CheckinResult(event, person, False, now, user, changes)


def _record_attendance_action(
    connection: Connection, event: EventRef, supporter_id: int, user: str, now: datetime
) -> None:
    kind_id = connection.execute(
        select(ActionKind.id).where(ActionKind.name == ATTENDANCE_KIND)
    ).scalar()
    if kind_id is None:
        return  # a ladder without this kind: the attendance row is the record
    insert_ignore(
        connection,
        Action,
        {
            "supporter_id": supporter_id,
            "action_kind_id": kind_id,
            "occurred_at": min(event.starts_at, now),
            "event_id": event.id,
            "logged_by": user,
            "external_id": f"attendance:{event.id}:{supporter_id}",
            "created_at": now,
        },
    )


def check_in_by_ref(
    engine: Engine,
    ladder: LadderFile,
    event_ref: str,
    person_ref: str,
    user: str,
    now: datetime | None = None,
) -> CheckinResult:
    """`ladder checkin EVENT PERSON`: one transaction, one attendance."""
    now = now or utcnow()
    with engine.begin() as connection:
        event = checkable_event(connection, event_ref, now)
        person = find_person(connection, person_ref)
        return check_in(connection, ladder, event, person, user, now)


def set_rsvp(engine: Engine, event_ref: str, person_ref: str, status: str) -> tuple[str, str]:
    if status not in RSVP_STATES:
        raise InputError(f"unknown RSVP {status!r}: use {', '.join(RSVP_STATES)}")
    now = utcnow()
    with engine.begin() as connection:
        event = find_event(connection, event_ref)
        if event.status == "cancelled":
            raise ConflictError(f"{event.describe()} is cancelled: it takes no RSVPs")
        person = find_person(connection, person_ref)
        insert_ignore(
            connection,
            Attendance,
            {"event_id": event.id, "supporter_id": person.id, "presence": "unknown"},
        )
        connection.execute(
            update(Attendance)
            .where(Attendance.event_id == event.id, Attendance.supporter_id == person.id)
            .values(rsvp=status, rsvp_at=now)
        )
        return event.title, person.name


def invite(
    engine: Engine, event_ref: str, person_refs: list[str], user: str
) -> tuple[EventRef, list[PersonRef], list[PersonRef]]:
    """Record invitations; returns (event, newly invited, already invited). All or nothing."""
    if not person_refs:
        raise InputError("name at least one person to invite")
    now = utcnow()
    with engine.begin() as connection:
        event = find_event(connection, event_ref)
        if event.status == "cancelled":
            raise ConflictError(f"{event.describe()} is cancelled: nobody can be invited")
        people = _distinct(find_person(connection, ref) for ref in person_refs)
        invited: list[PersonRef] = []
        already: list[PersonRef] = []
        for person in people:
            insert_ignore(
                connection,
                Attendance,
                {"event_id": event.id, "supporter_id": person.id, "presence": "unknown"},
            )
            changed = connection.execute(
                update(Attendance)
                .where(
                    Attendance.event_id == event.id,
                    Attendance.supporter_id == person.id,
                    Attendance.invited_at.is_(None),
                )
                .values(invited_at=now, invited_by=user, walk_in=False)
            ).rowcount
            (invited if changed else already).append(person)
        return event, invited, already


def _distinct(people: Any) -> list[PersonRef]:
    seen: dict[int, PersonRef] = {}
    for person in people:
        seen.setdefault(person.id, person)
    return list(seen.values())
