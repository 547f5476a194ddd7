"""The door loop and walk-ins: who typed names could be (this event's people first), one
check-in per pick, and signing up someone new at the door, each in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.domain.names import EMAIL_OF_ANOTHER, SAME_EMAIL
from ladder.errors import ConflictError
from ladder.events.agenda import EventRef
from ladder.events.checkin import (
    CheckinResult,
    check_in,
    check_in_by_ref,
    checkable_event,
)
from ladder.people.edit import PersonFields, identity_of, insert_person, same_people
from ladder.people.lookup import PersonRef, event_relation_rank, find_people, find_person
from ladder.privacy import audit
from ladder.storage.engine import reading
from ladder.storage.models import Attendance, Supporter


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
        result, notes, known = walk_in(
            connection, ladder, event, fields, user, recruited_by, group, now
        )
        if not (known and result.already):  # someone known, already in: nothing written
            named = [*fields.given_names(), *["group"] * (group is not None)]
            audit.record(
                connection,
                user,
                "checkin" if known else "checkin walk-in",
                people=[result.person.id],
                fields=["presence"] if known else [*named, "presence"],
                detail={"event": event.id},
            )
        return result, notes


def walk_in(
    connection: Connection,
    ladder: LadderFile,
    event: EventRef,
    fields: PersonFields,
    user: str,
    recruited_by: str | None,
    group: str | None,
    now: datetime,
) -> tuple[CheckinResult, list[str], bool]:
    """:func:`sign_up_and_check_in` inside the caller's transaction (the check-in page adds
    its audit entry to the same one); the last item is True when the person was known."""
    known = _known_walk_in(connection, fields)
    if known is not None:
        person, how = known
        brought_by = find_person(connection, recruited_by).id if recruited_by else None
        result = check_in(connection, ladder, event, person, user, now, brought_by_id=brought_by)
        what = "email" if how == SAME_EMAIL else "phone and name"
        note = f"#{person.id} {person.name} has that {what}: checked in, nobody new added"
        return result, [note], True
    outcome = insert_person(
        connection,
        ladder.first_rung,
        fields,
        group,
        recruited_by,
        source="walk-in",
        actor=user,
        consent_source=f"check-in at event #{event.id}",
    )
    person = find_person(connection, f"#{outcome.person_id}")
    recruiter = connection.execute(
        select(Supporter.recruiter_id).where(Supporter.id == person.id)
    ).scalar()
    result = check_in(
        connection, ladder, event, person, user, now, walk_in=True, brought_by_id=recruiter
    )
    return result, outcome.notes, False


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
