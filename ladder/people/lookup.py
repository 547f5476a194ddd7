"""Finding a person from what a user types: an id, an email, a phone, or a name fragment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Select, func, select

from ladder.domain.contact import looks_like_phone, normalise_email, normalise_phone
from ladder.errors import AmbiguousError, NotFoundError
from ladder.storage.models import Supporter

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

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or f"#{self.id}"

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
    )


def find_person(connection: Connection, ref: str, allow_name: bool = True) -> PersonRef:
    """The one person ``ref`` names, or NotFoundError / AmbiguousError listing candidates.

    ``ref`` is an id (``42`` or ``#42``), an email, a phone number, or (when ``allow_name``)
    a fragment of the full name.
    """
    matches = find_people(connection, ref, allow_name)
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
    return matches[0]


def find_people(connection: Connection, ref: str, allow_name: bool = True) -> list[PersonRef]:
    """Every person ``ref`` could name, most specific kind of match first."""
    text = ref.strip()
    if not text:
        return []
    identifier = text[1:] if text.startswith("#") else text
    if identifier.isdigit() and (text.startswith("#") or not text.startswith("0")):
        found = _fetch(connection, _people().where(Supporter.id == int(identifier)))
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
    return _by_name(connection, text)


def _by_name(connection: Connection, fragment: str) -> list[PersonRef]:
    full_name = func.lower(
        func.coalesce(Supporter.first_name, "") + " " + func.coalesce(Supporter.last_name, "")
    )
    pattern = "%" + fragment.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    query = (
        _people()
        .where(full_name.like(pattern + "%", escape="\\"))
        .where(Supporter.status != "erased")
        .order_by(Supporter.last_name, Supporter.first_name, Supporter.id)
        .limit(MAX_CANDIDATES * 5)
    )
    return _fetch(connection, query)


def _fetch(connection: Connection, query: Select) -> list[PersonRef]:
    return [PersonRef(*row) for row in connection.execute(query)]
