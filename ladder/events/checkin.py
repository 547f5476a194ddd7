"""Check-in, RSVP and invitations: the volunteer's path. Idempotent and concurrency-safe.

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
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.domain.names import EMAIL_OF_ANOTHER, SAME_EMAIL
from ladder.domain.vocabulary import EventStatus, Presence, Rsvp, SupporterStatus, names
from ladder.errors import ConflictError, InputError
from ladder.events.agenda import EventRef, find_event
from ladder.people.edit import PersonFields, identity_of, insert_person, same_people
from ladder.people.lookup import PersonRef, event_relation_rank, find_people, find_person
from ladder.rules import Move, after_checkins, apply_person
from ladder.storage.engine import reading
from ladder.storage.models import Action, ActionKind, Attendance, Event, Supporter
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
            f"{event.starts_at - EARLY_CHECKIN:%Y-%m-%d %H:%M}"
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
        return check_in(connection, ladder, event, person, user, now)


@dataclass(frozen=True)
class DoorCandidate:
    """Someone the door loop offers for what the volunteer typed, and what they are to the
    event: "checked in", "accepted", "tentative", "invited", "declined" or None."""

    person: PersonRef
    relation: str | None


def door_event(
    engine: Engine, event_ref: str, late: bool = False, now: datetime | None = None
) -> EventRef:
    """The event the door loop opens on, refused as `ladder checkin` would refuse it."""
    with reading(engine) as connection:
        return checkable_event(connection, event_ref, now or utcnow(), late)


def door_candidates(engine: Engine, event: EventRef, typed: str) -> list[DoorCandidate]:
    """The live people ``typed`` could name, the people of this event first (checked in,
    accepted, tentative, invited), then the others by name. A read: no write lock. A typed
    id of a merged record is refused, naming the record that was kept."""
    with reading(engine) as connection:
        people = find_people(connection, typed, live_only=True, event_id=event.id)
        if not people:
            gone = find_people(connection, typed)
            if len(gone) == 1:  # a merged or erased record: say where to go instead
                find_person(connection, f"#{gone[0].id}")
            return []
        rank = event_relation_rank()
        rows = connection.execute(
            select(Attendance.supporter_id, rank, Attendance.rsvp).where(
                Attendance.event_id == event.id,
                Attendance.supporter_id.in_([p.id for p in people]),
            )
        ).all()
    ranks = {row[0]: (row[1], row[2]) for row in rows}
    ordered = sorted(people, key=lambda p: ranks.get(p.id, (4, None))[0])
    return [DoorCandidate(p, _relation(*ranks.get(p.id, (4, None)))) for p in ordered]


def _relation(rank: int, rsvp: str | None) -> str | None:
    named = {0: "checked in", 1: "accepted", 2: "tentative", 3: "invited"}
    return named.get(rank, rsvp)


def check_in_pick(
    engine: Engine,
    ladder: LadderFile,
    event: EventRef,
    person: PersonRef,
    user: str,
    late: bool = False,
    now: datetime | None = None,
) -> CheckinResult:
    """The door loop's pick: in one transaction, the event and the person are checked again
    (the event may have closed, the record been merged since the list was shown) and the
    person is checked in."""
    return check_in_by_ref(engine, ladder, f"#{event.id}", f"#{person.id}", user, now, late)


def sign_up_and_check_in(
    engine: Engine,
    ladder: LadderFile,
    event_ref: str,
    fields: PersonFields,
    user: str,
    recruited_by: str | None = None,
    group: str | None = None,
    now: datetime | None = None,
    late: bool = False,
) -> tuple[CheckinResult, list[str]]:
    """A walk-in: create the person and check them in, in one transaction (all or nothing).

    Someone already known by the import's rule (:func:`ladder.people.edit.same_people`:
    same email, else same phone and name) is checked in instead, and a note says so.
    """
    now = now or utcnow()
    with engine.begin() as connection:
        event = checkable_event(connection, event_ref, now, late)
        known = _known_walk_in(connection, fields)
        if known is not None:
            person, how = known
            brought_by = find_person(connection, recruited_by).id if recruited_by else None
            result = check_in(
                connection, ladder, event, person, user, now, brought_by_id=brought_by
            )
            what = "email" if how == SAME_EMAIL else "phone and name"
            note = f"#{person.id} {person.name} has that {what}: checked in, nobody new added"
            return result, [note]
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


def _known_walk_in(connection: Connection, fields: PersonFields) -> tuple[PersonRef, str] | None:
    """The one known person a walk-in's details name, with how; None for someone new."""
    found = same_people(connection, identity_of(fields))
    if not found or any(how == EMAIL_OF_ANOTHER for _i, how in found):
        return None  # nobody, or an email of someone else: insert_person refuses it
    if any(how == SAME_EMAIL for _i, how in found):
        found = [(i, how) for i, how in found if how == SAME_EMAIL]
    if len(found) > 1:
        ids = ", ".join(f"#{i}" for i, _how in found)
        raise ConflictError(f"{ids} have that phone and name: check one of them in by id")
    person_id, how = found[0]
    return find_person(connection, f"#{person_id}"), how


def set_rsvp(
    engine: Engine,
    event_ref: str,
    person_ref: str,
    status: str,
    late: bool = False,
    now: datetime | None = None,
) -> tuple[str, str]:
    """Record an answer. An acceptance beyond the event's capacity is refused: the count is
    made inside this transaction, after locking the event's row (on SQLite the write lock is
    taken up front), so two acceptances racing for the last place cannot both win."""
    if status not in names(Rsvp):
        raise InputError(f"unknown RSVP {status!r}: use {', '.join(Rsvp)}")
    now = now or utcnow()
    with engine.begin() as connection:
        event = find_event(connection, event_ref)
        if event.status == EventStatus.CANCELLED:
            raise ConflictError(f"{event.describe()} is cancelled: it takes no RSVPs")
        refuse_late(event, now, late)
        person = find_person(connection, person_ref)
        if status == "accepted":
            _require_a_place(connection, event, person.id)
        insert_ignore(
            connection,
            Attendance,
            {"event_id": event.id, "supporter_id": person.id, "presence": Presence.UNKNOWN},
        )
        connection.execute(
            update(Attendance)
            .where(Attendance.event_id == event.id, Attendance.supporter_id == person.id)
            .values(rsvp=status, rsvp_at=now)
        )
        return event.title, person.name


def _require_a_place(connection: Connection, event: EventRef, person_id: int) -> None:
    """Refuse an acceptance that would go beyond the capacity (another answer never is)."""
    capacity = connection.execute(
        select(Event.capacity).where(Event.id == event.id).with_for_update()
    ).scalar()
    if capacity is None:
        return
    accepted = connection.execute(
        select(func.count())
        .select_from(Attendance)
        .where(
            Attendance.event_id == event.id,
            Attendance.rsvp == Rsvp.ACCEPTED,
            Attendance.supporter_id != person_id,
        )
    ).scalar_one()
    if accepted >= capacity:
        raise ConflictError(
            f"{event.describe()} is full: its capacity is {capacity} and {accepted} have accepted"
        )


def invite(
    engine: Engine, event_ref: str, person_refs: list[str], user: str, late: bool = False
) -> tuple[EventRef, list[PersonRef], list[PersonRef]]:
    """Record invitations; returns (event, newly invited, already invited). All or nothing."""
    if not person_refs:
        raise InputError("name at least one person to invite")
    now = utcnow()
    with engine.begin() as connection:
        event = find_event(connection, event_ref)
        if event.status == EventStatus.CANCELLED:
            raise ConflictError(f"{event.describe()} is cancelled: nobody can be invited")
        refuse_late(event, now, late)
        people = _distinct(find_person(connection, ref) for ref in person_refs)
        invited: list[PersonRef] = []
        already: list[PersonRef] = []
        for person in people:
            insert_ignore(
                connection,
                Attendance,
                {"event_id": event.id, "supporter_id": person.id, "presence": Presence.UNKNOWN},
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
