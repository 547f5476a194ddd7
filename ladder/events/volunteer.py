"""What a volunteer's check-in link may do at its one event (the web face's check-in page).

The link's secret names one event (:func:`ladder.access.links.event_of_link`); the use cases
here take that event's id and nothing else, so a volunteer cannot reach another event. Each
write is one transaction with its audit entry, signed ``link:event #N``: a check-in, the undo
of a check-in the link made, and a walk-in (found or created, then checked in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, func, select, update

from ladder.access.links import create_link, event_of_link, revoke_links
from ladder.clock import utcnow
from ladder.domain.contact import looks_like_phone
from ladder.domain.ladderfile import LadderFile
from ladder.domain.text import text_problem
from ladder.domain.vocabulary import Presence, Rsvp
from ladder.errors import LadderError, NotFoundError
from ladder.events.agenda import EventRef, find_event
from ladder.events.checkin import CheckinResult, check_in, checkable_event
from ladder.events.door import DoorCandidate, door_candidates, walk_in
from ladder.people.edit import PersonFields
from ladder.people.lookup import PersonRef, find_person
from ladder.privacy import audit
from ladder.storage.engine import reading
from ladder.storage.models import Action, Attendance

MIN_TYPED = 2  # the search lists people from two typed characters
MAX_SHOWN = 10
MAX_TYPED = 200


def link_actor(event_id: int) -> str:
    """Who the audit says acted through a check-in link."""
    return f"link:event #{event_id}"


@dataclass(frozen=True)
class Door:
    """The page's header: the event and its live counter."""

    event: EventRef
    checked_in: int
    accepted: int


def event_of(engine: Engine, secret: str | None) -> int:
    """The event id a live link names (AccessError otherwise)."""
    return event_of_link(engine, secret)


def door(engine: Engine, event_id: int) -> Door:
    """The event and "checked in: X of Y accepted"."""
    with reading(engine) as connection:
        event = find_event(connection, f"#{event_id}")
        checked_in, accepted = connection.execute(
            select(
                func.count().filter(Attendance.presence == Presence.ATTENDED),
                func.count().filter(Attendance.rsvp == Rsvp.ACCEPTED),
            ).where(Attendance.event_id == event_id)
        ).one()
    return Door(event, int(checked_in or 0), int(accepted or 0))


def counts(engine: Engine, event_id: int) -> tuple[int, int]:
    """(checked in, accepted) for the live counter."""
    found = door(engine, event_id)
    return found.checked_in, found.accepted


def search(engine: Engine, event_id: int, typed: str) -> list[DoorCandidate]:
    """Who ``typed`` could name, this event's people first, then everyone; nothing under two
    characters, and no lookup by record id (a volunteer searches by name, email or phone)."""
    text = typed.strip()
    if len(text) < MIN_TYPED or text_problem(text, MAX_TYPED):
        return []  # too short, too long, or a control character: nobody is named so
    if text.lstrip("#").isdigit() and not looks_like_phone(text):
        return []
    with reading(engine) as connection:
        event = find_event(connection, f"#{event_id}")
    try:
        return door_candidates(engine, event, text)[:MAX_SHOWN]
    except LadderError:  # only a merged or erased record matched: nobody to show
        return []


def check_in_person(
    engine: Engine, ladder: LadderFile, event_id: int, person_id: int, now: datetime | None = None
) -> CheckinResult:
    """One tap: check the person in (a repeat changes nothing and writes no audit entry)."""
    now = now or utcnow()
    actor = link_actor(event_id)
    with engine.begin() as connection:
        event = checkable_event(connection, f"#{event_id}", now)
        person = find_person(connection, f"#{person_id}", allow_name=False)
        result = check_in(connection, ladder, event, person, actor, now)
        if not result.already:
            audit.record(
                connection,
                actor,
                "checkin",
                people=[person.id],
                fields=["presence"],
                detail={"event": event_id},
            )
    return result


def undo_check_in(engine: Engine, event_id: int, person_id: int) -> None:
    """Take back a wrong tap: the check-in this link made of this person at this event.

    An attendance that only the check-in made (no invitation, no answer) is deleted; one that
    was there before goes back to an unknown presence. The attendance action goes too. A
    check-in made otherwise (a command, another volunteer's old link) is not this link's to
    undo: NotFoundError, nothing written. Rung moves the check-in caused stay: the next
    ``ladder promote`` re-evaluates them.
    """
    actor = link_actor(event_id)
    where = (Attendance.event_id == event_id, Attendance.supporter_id == person_id)
    with engine.begin() as connection:
        row = connection.execute(
            select(Attendance.id, Attendance.invited_at, Attendance.rsvp).where(
                *where,
                Attendance.presence == Presence.ATTENDED,
                Attendance.checked_in_by == actor,
            )
        ).first()
        if row is None:
            raise NotFoundError(f"no check-in of #{person_id} through this link to undo")
        if row.invited_at is None and row.rsvp is None:
            connection.execute(delete(Attendance).where(Attendance.id == row.id))
        else:
            connection.execute(
                update(Attendance)
                .where(Attendance.id == row.id)
                .values(presence=Presence.UNKNOWN, checked_in_at=None, checked_in_by=None)
            )
        connection.execute(
            delete(Action).where(Action.external_id == f"attendance:{event_id}:{person_id}")
        )
        audit.record(
            connection,
            actor,
            "checkin undo",
            people=[person_id],
            fields=["presence"],
            detail={"event": event_id},
        )


@dataclass(frozen=True)
class WalkIn:
    result: CheckinResult
    known: bool  # True when the details named someone already in the database


def walk_in_person(
    engine: Engine,
    ladder: LadderFile,
    event_id: int,
    fields: PersonFields,
    recruited_by: str | None = None,
    now: datetime | None = None,
) -> WalkIn:
    """The walk-in form: find (same email, or same phone and name) or create the person and
    check them in, with the audit entry, in one transaction."""
    now = now or utcnow()
    actor = link_actor(event_id)
    with engine.begin() as connection:
        event = checkable_event(connection, f"#{event_id}", now)
        result, _notes, known = walk_in(
            connection, ladder, event, fields, actor, recruited_by, None, now
        )
        # consent ledger: the walk-in's consent boxes go to ladder.privacy.consent here
        # (source "walk-in", recorded by this link's actor) once that module exists.
        given = [name for name, value in fields.model_dump().items() if value is not None]
        audit.record(
            connection,
            actor,
            "checkin walk-in",
            people=[result.person.id],
            fields=["presence"] if known else sorted({*given, "presence"}),
            detail={"event": event_id, "new": 0 if known else 1},
        )
    return WalkIn(result, known)


def checked_in_here(engine: Engine, event_id: int, person_id: int) -> PersonRef | None:
    """The person, when this link checked them in at this event (for the page's "X is checked
    in, undo" line); None for anyone else, so a typed id shows nobody's name."""
    with reading(engine) as connection:
        found = connection.execute(
            select(Attendance.supporter_id).where(
                Attendance.event_id == event_id,
                Attendance.supporter_id == person_id,
                Attendance.presence == Presence.ATTENDED,
                Attendance.checked_in_by == link_actor(event_id),
            )
        ).scalar()
        return None if found is None else find_person(connection, f"#{found}", allow_name=False)


def new_event_link(
    engine: Engine, event_ref: str, by: str, expires_at: datetime | None = None
) -> tuple[EventRef, str]:
    """`ladder events checkin-link EVENT`: the event and a fresh secret (earlier ones revoked)."""
    with reading(engine) as connection:
        event = find_event(connection, event_ref)
    return event, create_link(engine, event.id, by, expires_at)


def revoke_event_links(engine: Engine, event_ref: str, by: str) -> tuple[EventRef, int]:
    """`ladder events checkin-link EVENT --revoke`: the event and how many links were live."""
    with reading(engine) as connection:
        event = find_event(connection, event_ref)
    return event, revoke_links(engine, event.id, by)
