"""Finding a person from what a user types: an id, an email, a phone, or a name fragment.

:func:`find_person` is the one lookup every command uses. By default it refuses a record
that was merged away (pointing to the record that was kept) or erased; only callers that
really need those records (the history of a merge, say) pass ``include_merged=True``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, case, func, select

from ladder.domain.contact import looks_like_phone, normalise_email, normalise_phone
from ladder.domain.names import display_name
from ladder.domain.text import LIKE_ESCAPE, like_pattern, looks_like_id, parse_id
from ladder.domain.vocabulary import Presence, Rsvp, SupporterStatus
from ladder.errors import AmbiguousError, NotFoundError
from ladder.storage.models import Attendance, Supporter

MAX_CANDIDATES = 10


@dataclass(frozen=True)
class PersonRef:
    id: int
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    postcode: str | None
    rung: str
    status: str
    merged_into: int | None = None

    @property
    def live(self) -> bool:
        """Neither merged into another record nor erased."""
        return self.merged_into is None and self.status != SupporterStatus.ERASED

    @property
    def name(self) -> str:
        return display_name(self.first_name, self.last_name, self.id)

    def describe(self) -> str:
        contact = ", ".join(p for p in (self.email, self.phone, self.postcode) if p)
        return f"#{self.id} {self.name}" + (f" ({contact})" if contact else "")


def _people() -> Select:
    return select(
        Supporter.id,
        Supporter.first_name,
        Supporter.last_name,
        Supporter.email,
        Supporter.phone,
        Supporter.postcode,
        Supporter.rung,
        Supporter.status,
        Supporter.merged_into_id,
    )


def find_person(
    connection: Connection, ref: str, *, include_merged: bool = False, allow_name: bool = True
) -> PersonRef:
    """The one person ``ref`` names, or NotFoundError / AmbiguousError listing candidates.

    ``ref`` is an id (``42`` or ``#42``), an email, a phone number, or (when ``allow_name``)
    a fragment of the full name. A record merged into another one, or erased, is refused
    with a NotFoundError saying where to go, unless ``include_merged``; when a name matches
    several records of which only one is live, that one is meant.
    """
    matches = find_people(connection, ref, allow_name)
    if not include_merged and len(matches) > 1:
        matches = [m for m in matches if m.live] or matches
    if not matches:
        raise NotFoundError(f"no person matches {ref!r}: give an id, email or phone")
    if len(matches) > 1:
        shown = matches[:MAX_CANDIDATES]
        more = len(matches) - len(shown)
        raise AmbiguousError(
            f"{ref!r} matches {len(matches)} people: use an id or email"
            + (f" ({more} more not shown)" if more else ""),
            [p.describe() for p in shown],
        )
    person = matches[0]
    if not include_merged:
        _refuse_gone(person)
    return person


def _refuse_gone(person: PersonRef) -> None:
    if person.merged_into is not None:
        raise NotFoundError(
            f"#{person.id} {person.name} was merged into #{person.merged_into}: "
            f"use #{person.merged_into}"
        )
    if person.status == SupporterStatus.ERASED:
        raise NotFoundError(f"#{person.id} was erased: their details are gone")


def find_people(
    connection: Connection,
    ref: str,
    allow_name: bool = True,
    *,
    live_only: bool = False,
    event_id: int | None = None,
) -> list[PersonRef]:
    """Every person ``ref`` could name, most specific kind of match first.

    ``live_only`` leaves out merged and erased records; ``event_id`` puts the people of that
    event first (checked in, accepted, tentative, invited: :func:`event_relation_rank`)
    before the alphabetical order of a name search, and before its limit.
    """
    found = _find_people(connection, ref, allow_name, live_only, event_id)
    return [p for p in found if p.live] if live_only else found


def event_relation_rank() -> Any:
    """Over an attendance row: 0 checked in, 1 accepted, 2 tentative, 3 invited (no answer
    yet), 4 anything else or no row (declined, never asked)."""
    return case(
        (Attendance.presence == Presence.ATTENDED, 0),
        (Attendance.rsvp == Rsvp.ACCEPTED, 1),
        (Attendance.rsvp == Rsvp.TENTATIVE, 2),
        (and_(Attendance.invited_at.is_not(None), Attendance.rsvp.is_(None)), 3),
        else_=4,
    )


def _find_people(
    connection: Connection, ref: str, allow_name: bool, live_only: bool, event_id: int | None
) -> list[PersonRef]:
    text = ref.strip()
    if not text:
        return []
    if looks_like_id(text) and (text.startswith("#") or not text.startswith("0")):
        number = parse_id(text)  # None for 2^63 or more: nobody has that id
        found = (
            [] if number is None else _fetch(connection, _people().where(Supporter.id == number))
        )
        if found or text.startswith("#") or not looks_like_phone(text):
            return found
    if "@" in text:
        try:
            email = normalise_email(text)
        except ValueError:
            return []
        return _fetch(connection, _people().where(Supporter.email == email))
    if looks_like_phone(text):
        phone = normalise_phone(text)
        found = _fetch(connection, _people().where(Supporter.phone == phone).order_by(Supporter.id))
        if found or not allow_name:
            return found
    if not allow_name:
        return []
    return _by_name(connection, text, live_only, event_id)


def _by_name(
    connection: Connection, fragment: str, live_only: bool = False, event_id: int | None = None
) -> list[PersonRef]:
    full_name = func.lower(
        func.coalesce(Supporter.first_name, "") + " " + func.coalesce(Supporter.last_name, "")
    )
    query = (
        _people()
        .where(full_name.like(like_pattern(fragment.lower()), escape=LIKE_ESCAPE))
        .where(Supporter.status != SupporterStatus.ERASED)
    )
    if live_only:
        query = query.where(Supporter.merged_into_id.is_(None))
    if event_id is not None:
        query = query.outerjoin(
            Attendance,
            and_(Attendance.supporter_id == Supporter.id, Attendance.event_id == event_id),
        ).order_by(event_relation_rank())
    query = query.order_by(Supporter.last_name, Supporter.first_name, Supporter.id)
    return _fetch(connection, query.limit(MAX_CANDIDATES * 5))


def _fetch(connection: Connection, query: Select) -> list[PersonRef]:
    return [PersonRef(*row) for row in connection.execute(query)]
