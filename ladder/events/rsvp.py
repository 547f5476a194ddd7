"""Invitations and RSVPs: who was asked to an event and what they answered; acceptances stop
at the event's capacity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from ladder.clock import utcnow
from ladder.domain.vocabulary import EventStatus, Presence, Rsvp, names
from ladder.errors import ConflictError, InputError
from ladder.events.agenda import EventRef, find_event
from ladder.events.checkin import (
    refuse_late,
)
from ladder.people.lookup import PersonRef, find_person
from ladder.privacy import audit
from ladder.storage.models import Attendance, Event
from ladder.storage.upsert import insert_ignore


def set_rsvp(
    engine: Engine,
    event_ref: str,
    person_ref: str,
    status: str,
    late: bool = False,
    now: datetime | None = None,
    *,
    by: str,
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
        audit.record(
            connection, by, "rsvp", people=[person.id], fields=["rsvp"], detail={"event": event.id}
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
        if invited:
            audit.record(
                connection,
                user,
                "invite",
                people=[p.id for p in invited],
                fields=["invited"],
                detail={"event": event.id},
            )
        return event, invited, already


def _distinct(people: Any) -> list[PersonRef]:
    seen: dict[int, PersonRef] = {}
    for person in people:
        seen.setdefault(person.id, person)
    return list(seen.values())
