"""What a volunteer's check-in link may do at its one event (the web face's check-in page).

The link's secret names one event (:func:`ladder.access.links.event_of_link`); the use cases
here take that event's id and nothing else, so a volunteer cannot reach another event. Each
write is one transaction with its audit entry, signed ``link:event #N``: a check-in, the undo
of a check-in the link made, and a walk-in (found or created, then checked in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)

from ladder.access.links import create_link, event_of_link, revoke_links
from ladder.clock import utcnow
from ladder.domain.contact import looks_like_phone, normalise_email, normalise_phone
from ladder.domain.ladderfile import LadderFile
from ladder.domain.text import LIKE_ESCAPE, like_pattern, text_problem
from ladder.domain.vocabulary import Presence, Rsvp, SupporterStatus
from ladder.errors import NotFoundError
from ladder.events.agenda import EventRef, find_event
from ladder.events.checkin import CheckinResult, audited_check_in, checkable_event
from ladder.events.door import DoorCandidate, walk_in
from ladder.people.edit import PersonFields
from ladder.people.lookup import PersonRef, event_relation_rank, find_person
from ladder.privacy import audit
from ladder.privacy.consent import CHANNELS, record_consent
from ladder.storage.engine import reading
from ladder.storage.firsts import refresh_first_actions
from ladder.storage.models import Action, Attendance, Supporter

MIN_TYPED = 2  # the search lists people from two typed characters
MAX_SHOWN = 10
MAX_TYPED = 200


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # "²" is a digit to Python, not to an id


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
        checked_in, accepted = _counter(connection, event_id)
    return Door(event, checked_in, accepted)


def _counter(connection: Connection, event_id: int) -> tuple[int, int]:
    """(checked in, accepted) at the event: one count over its attendances."""
    checked_in, accepted = connection.execute(
        select(
            func.count().filter(Attendance.presence == Presence.ATTENDED),
            func.count().filter(Attendance.rsvp == Rsvp.ACCEPTED),
        ).where(Attendance.event_id == event_id)
    ).one()
    return int(checked_in or 0), int(accepted or 0)


def counts(engine: Engine, event_id: int) -> tuple[int, int]:
    """(checked in, accepted) for the live counter."""
    found = door(engine, event_id)
    return found.checked_in, found.accepted


def search(engine: Engine, event_id: int, typed: str) -> list[DoorCandidate]:
    """Who ``typed`` could name: this event's people first (checked in, accepted, tentative,
    invited: any part of the name), then everyone whose first or last name starts with it (or
    "first last" for two words), or whose email or phone it is. Nothing under two characters,
    and no lookup by record id (a volunteer searches by name, email or phone).

    Index range scans only, so it answers as fast at a million supporters as at a hundred:
    the event's attendances, then a few ``LIMIT``-ed ranges of the name indexes, one per way
    the name may be capitalised (``ma``, ``Ma``, ``MA``).
    """
    text = " ".join(typed.split())
    if len(text) < MIN_TYPED or text_problem(text, MAX_TYPED):
        return []  # too short, too long, or a control character: nobody is named so
    if _ascii_digits(text.lstrip("#")) and not looks_like_phone(text):
        return []
    with reading(engine) as connection:
        ours = _event_people(connection, event_id, text)
        shown = {c.person.id for c in ours}
        others = [
            DoorCandidate(p, None)
            for p in _everyone(connection, text, MAX_SHOWN + len(shown))
            if p.id not in shown
        ]
    return (ours + others)[:MAX_SHOWN]


def _event_people(connection: Connection, event_id: int, text: str) -> list[DoorCandidate]:
    """This event's people (an attendance row) that ``text`` names, by their relation."""
    email, phone = _contact(text)
    rows = connection.execute(
        _statements().event,
        {
            "event": event_id,
            "pattern": like_pattern(text.lower()),
            "email": email,
            "phone": phone,
            "limit": MAX_SHOWN,
        },
    ).all()
    return [DoorCandidate(PersonRef(*row[:9]), _relation(row[9], row[10])) for row in rows]


def _everyone(connection: Connection, text: str, limit: int) -> list[PersonRef]:
    """Live people whose last or first name starts with ``text`` (or "first last"), or whose
    email or phone it is: last-name matches first, each in its index's order."""
    found: dict[int, PersonRef] = {}
    statements = _statements()
    email, phone = _contact(text)
    if email is not None or phone is not None:
        rows = connection.execute(
            statements.contact, {"email": email, "phone": phone, "limit": limit}
        )
        for row in rows:
            found.setdefault(row.id, PersonRef(*row))
    first, _, rest = text.partition(" ")
    ranges: list[tuple[Any, str, dict[str, str]]] = [(statements.last, text, {})]
    if rest:  # "awa dia": first name Awa..., last name Dia...
        then = like_pattern(rest.lower()).removeprefix("%")
        ranges.append((statements.first_then_last, first, {"then": then}))
    else:
        ranges.append((statements.first, text, {}))
    for statement, start, more in ranges:
        for variant in _spellings(start):
            values = {
                "low": variant,
                "high": variant[:-1] + chr(ord(variant[-1]) + 1),  # the index's range
                "prefix": like_pattern(variant)[1:],  # exactly a prefix, whatever the collation
                "limit": limit,
                **more,
            }
            for row in connection.execute(statement, values):
                found.setdefault(row.id, PersonRef(*row))
            if len(found) >= limit:
                return list(found.values())[:limit]
    return list(found.values())[:limit]


@dataclass(frozen=True)
class _Statements:
    event: Any
    contact: Any
    last: Any
    first: Any
    first_then_last: Any


@cache
def _statements() -> _Statements:
    """The search's statements, built once (building them cost more than running them)."""
    rank = event_relation_rank()
    full_name = func.lower(
        func.coalesce(Supporter.first_name, "") + " " + func.coalesce(Supporter.last_name, "")
    )
    email, phone = bindparam("email", type_=String), bindparam("phone", type_=String)
    contact = or_(Supporter.email == email, Supporter.phone == phone)
    limit = bindparam("limit", type_=Integer)
    event = (
        select(*_PERSON, rank.label("rank"), Attendance.rsvp)
        .join(Attendance, Attendance.supporter_id == Supporter.id)
        .where(Attendance.event_id == bindparam("event", type_=Integer), *_LIVE)
        .where(or_(full_name.like(bindparam("pattern"), escape=LIKE_ESCAPE), contact))
        .order_by(rank, Supporter.last_name, Supporter.first_name, Supporter.id)
        .limit(limit)
    )

    def by(column: Any, then: Any, last_too: bool = False) -> Any:
        query = select(*_PERSON).where(
            column >= bindparam("low"),
            column < bindparam("high"),
            column.like(bindparam("prefix"), escape=LIKE_ESCAPE),
            *_LIVE,
        )
        if last_too:
            query = query.where(
                func.lower(Supporter.last_name).like(bindparam("then"), escape=LIKE_ESCAPE)
            )
        return query.order_by(column, then, Supporter.id).limit(limit)

    first, last = Supporter.first_name, Supporter.last_name
    return _Statements(
        event=event,
        contact=select(*_PERSON).where(contact, *_LIVE).limit(limit),
        last=by(last, first),
        first=by(first, last),
        first_then_last=by(first, last, last_too=True),
    )


def _spellings(text: str) -> list[str]:
    """How a typed name start may be stored: as typed, lower, Capitalised, Title, UPPER."""
    return list(dict.fromkeys([text, text.lower(), text.capitalize(), text.title(), text.upper()]))


def _contact(text: str) -> tuple[str | None, str | None]:
    """(email, phone) when ``text`` is one of them (both columns are indexed)."""
    if "@" in text:
        try:
            return normalise_email(text), None
        except ValueError:
            return None, None
    if looks_like_phone(text):
        return None, normalise_phone(text)
    return None, None


def _relation(rank: int, rsvp: str | None) -> str | None:
    named = {0: "checked in", 1: "accepted", 2: "tentative", 3: "invited"}
    return named.get(rank, rsvp)


_PERSON = (
    Supporter.id, Supporter.first_name, Supporter.last_name, Supporter.email, Supporter.phone,
    Supporter.postcode, Supporter.rung, Supporter.status, Supporter.merged_into_id,
)  # fmt: skip
_LIVE = (Supporter.status != SupporterStatus.ERASED, Supporter.merged_into_id.is_(None))


@dataclass(frozen=True)
class DoorCheckin:
    """A tap's outcome and the live counter just after it (read in the same transaction)."""

    result: CheckinResult
    checked_in: int
    accepted: int


def check_in_person(
    engine: Engine, ladder: LadderFile, event_id: int, person_id: int, now: datetime | None = None
) -> DoorCheckin:
    """One tap: check the person in (a repeat changes nothing and writes no audit entry), and
    read the counter the page shows next, in the same transaction."""
    now = now or utcnow()
    actor = link_actor(event_id)
    with engine.begin() as connection:
        event = checkable_event(connection, f"#{event_id}", now)
        person = find_person(connection, f"#{person_id}", allow_name=False)
        result = audited_check_in(connection, ladder, event, person, actor, now)
        return DoorCheckin(result, *_counter(connection, event_id))


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
        refresh_first_actions(connection, [person_id])  # the deleted action may have been it
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
        given = fields.given_names()
        ticked = {c: True for c in CHANNELS if getattr(fields, f"consent_{c}", None)}
        if known and ticked:  # a new person's boxes were recorded when they were added
            record_consent(
                connection,
                result.person.id,
                ticked,
                source=f"check-in at event #{event_id}",
                by=actor,
                at=now,
            )
        if not (known and result.already):  # someone known, already in: nothing was written
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
