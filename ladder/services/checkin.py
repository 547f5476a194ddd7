"""Check-in, RSVP and invitations: the volunteer's path. Idempotent and concurrency-safe.

One check-in is one short transaction: find the event and the person, upsert the attendance
(``INSERT ... ON CONFLICT DO NOTHING`` then ``UPDATE``, so two volunteers checking the same
person in at once make one attendance), record an ``event_attendance`` action with a stable
external id, and re-evaluate that one person's rung with the rules engine
(:func:`ladder.rules.after_checkin`, the same compiled rules as ``ladder promote``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.errors import ConflictError, InputError
from ladder.rules import after_checkin, after_checkins
from ladder.services.events import EventRef, find_event
from ladder.services.lookup import PersonRef, find_person
from ladder.services.people import PersonFields, insert_person, resolve_person
from ladder.storage.models import RSVP_STATES, Action, ActionKind, Attendance, Supporter
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
    _record_attendance_actions(connection, event, [person.id], user, now)
    changes = after_checkin(connection, ladder, person.id, now)
    return CheckinResult(event, person, False, now, user, changes)


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


@dataclass
class CheckinCounts:
    checked_in: int = 0
    already: int = 0
    changes: list[str] = field(default_factory=list)


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
            select(Attendance.supporter_id).where(*where, Attendance.presence == "attended")
        ).scalars()
    )
    connection.execute(
        update(Attendance)
        .where(*where, Attendance.presence != "attended")
        .values(presence="attended", checked_in_at=now, checked_in_by=user)
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
                    "presence": "attended",
                    "checked_in_at": now,
                    "checked_in_by": user,
                    "walk_in": True,
                }
                for i in new
            ],
        )
    arrived = [i for i in supporter_ids if i not in already]
    _record_attendance_actions(connection, event, arrived, user, now)
    changes = after_checkins(connection, ladder, arrived, now)
    return CheckinCounts(len(arrived), len(already), changes)


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
        person = resolve_person(connection, person_ref)
        return check_in(connection, ladder, event, person, user, now)


def sign_up_and_check_in(
    engine: Engine,
    ladder: LadderFile,
    event_ref: str,
    fields: PersonFields,
    user: str,
    recruited_by: str | None = None,
    group: str | None = None,
    now: datetime | None = None,
) -> tuple[CheckinResult, list[str]]:
    """A walk-in: create the person and check them in, in one transaction (all or nothing)."""
    now = now or utcnow()
    with engine.begin() as connection:
        event = checkable_event(connection, event_ref, now)
        outcome = insert_person(
            connection, ladder.first_rung, fields, group, recruited_by, source="walk-in"
        )
        person = find_person(connection, f"#{outcome.person_id}")
        recruiter = connection.execute(
            select(Supporter.recruiter_id).where(Supporter.id == person.id)
        ).scalar()
        result = check_in(
            connection, ladder, event, person, user, now, walk_in=True, brought_by_id=recruiter
        )
        return result, outcome.notes


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
