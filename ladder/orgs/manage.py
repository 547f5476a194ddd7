"""`ladder orgs add / edit / list`: partner organisations, found by name as groups are
(accents and case ignored, "did you mean")."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from ladder.clock import utcnow
from ladder.domain.contact import normalise_email, normalise_postcode
from ladder.domain.names import close_names, fold
from ladder.domain.text import EMAIL, KIND, LONG_TEXT, POSTCODE, TITLE, parse_id, text_problem
from ladder.domain.vocabulary import Presence, Rsvp
from ladder.errors import ConflictError, InputError, MisuseError, NotFoundError
from ladder.people.groups import find_group
from ladder.privacy import audit
from ladder.storage.models import (
    Affiliation,
    Attendance,
    Event,
    LocalGroup,
    PartnerOrganisation,
)

# the kinds the field documents name; any other short word is accepted too
KINDS = ("city", "intercommunal", "association", "agency", "school", "company", "union", "ngo")
LIST_COLUMNS = ["id", "name", "kind", "member", "postcode", "group", "people", "events"]


@dataclass(frozen=True)
class OrgRef:
    id: int
    name: str

    def describe(self) -> str:
        return f"#{self.id} {self.name}"


@dataclass(frozen=True)
class OrgInput:
    """What an organiser gives for a new organisation, or the fields to change (None: keep)."""

    name: str | None = None
    kind: str | None = None
    member: bool | None = None
    postcode: str | None = None
    website: str | None = None
    contact_email: str | None = None
    group: str | None = None
    notes: str | None = None

    def given(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


def find_org(connection: Connection, ref: str) -> OrgRef:
    """The organisation ``ref`` names: its id (``#3``), or its name with case and accents
    ignored; else NotFoundError naming close ones."""
    typed = ref.strip()
    rows = connection.execute(
        select(PartnerOrganisation.id, PartnerOrganisation.name).order_by(PartnerOrganisation.name)
    ).all()
    number = parse_id(typed) if typed.startswith("#") or typed.isdigit() else None
    for org_id, name in rows:
        if org_id == number or name == typed:
            return OrgRef(org_id, name)
    same = [OrgRef(i, n) for i, n in rows if fold(n) == fold(typed)]
    if len(same) == 1:
        return same[0]
    raise NotFoundError(f"unknown organisation {typed!r}{org_hint(typed, [n for _i, n in rows])}")


def org_hint(name: str, names: list[str]) -> str:
    """What to say after "unknown organisation": the close names, else a few that exist."""
    close = close_names(name, names)
    if close:
        return f" (did you mean {', '.join(close)}?)"
    if names:
        return f" (organisations include: {', '.join(sorted(names)[:5])})"
    return " (there are no organisations yet: `ladder orgs add NAME`)"


def add_org(engine: Engine, data: OrgInput, *, by: str, now: datetime | None = None) -> OrgRef:
    """Create an organisation; a name already taken (case and accents ignored) is refused."""
    name = (data.name or "").strip()
    if not name:
        raise InputError("an organisation needs a name")
    values = _checked(data)
    with engine.begin() as connection:
        _refuse_taken(connection, name, None)
        values = _with_group(connection, data, values)
        org_id = connection.execute(
            insert(PartnerOrganisation)
            .values(**values, created_at=now or utcnow())
            .returning(PartnerOrganisation.id)
        ).scalar_one()
        audit.record(
            connection, by, "orgs add", fields=data.given(), detail={"organisation": org_id}
        )
        return OrgRef(org_id, name)


def edit_org(engine: Engine, ref: str, data: OrgInput, *, by: str) -> OrgRef:
    """Change an organisation's fields (only those given)."""
    if not data.given():
        raise MisuseError(
            "nothing to change: give --name, --kind, --member/--no-member, --postcode, "
            "--website, --email, --group or --notes"
        )
    values = _checked(data)
    with engine.begin() as connection:
        found = find_org(connection, ref)
        if data.name is not None:
            _refuse_taken(connection, values["name"], found.id)
        values = _with_group(connection, data, values)
        connection.execute(
            update(PartnerOrganisation).where(PartnerOrganisation.id == found.id).values(**values)
        )
        audit.record(
            connection, by, "orgs edit", fields=data.given(), detail={"organisation": found.id}
        )
        return OrgRef(found.id, values.get("name", found.name))


def _checked(data: OrgInput) -> dict[str, Any]:
    """The columns to write, each checked; an empty text clears an optional field."""
    values: dict[str, Any] = {}
    texts = {"name": TITLE, "kind": KIND, "website": TITLE, "notes": LONG_TEXT}
    for key, limit in texts.items():
        value = getattr(data, key)
        if value is None:
            continue
        value = value.strip()
        if problem := text_problem(value, limit, multiline=key == "notes"):
            raise InputError(f"--{key} has {problem}")
        if key == "name" and not value:
            raise InputError("an organisation needs a name")
        values[key] = (value.lower() if key == "kind" else value) or None
    if data.postcode is not None:
        if problem := text_problem(data.postcode.strip(), POSTCODE):
            raise InputError(f"--postcode has {problem}")
        values["postcode"] = normalise_postcode(data.postcode)
    if data.contact_email is not None:
        if problem := text_problem(data.contact_email.strip(), EMAIL):
            raise InputError(f"--email has {problem}")
        try:
            email = normalise_email(data.contact_email)
        except ValueError:
            email = None
        if data.contact_email.strip() and email is None:
            raise InputError(f"--email: {data.contact_email.strip()!r} is not an email address")
        values["contact_email"] = email
    if data.member is not None:
        values["member"] = data.member
    return values


def _with_group(connection: Connection, data: OrgInput, values: dict[str, Any]) -> dict[str, Any]:
    if data.group is None:
        return values
    group_id = find_group(connection, data.group) if data.group.strip() else None
    return {**values, "local_group_id": group_id}


def _refuse_taken(connection: Connection, name: str, own_id: int | None) -> None:
    for org_id, other in connection.execute(
        select(PartnerOrganisation.id, PartnerOrganisation.name)
    ):
        if org_id != own_id and fold(other) == fold(name):
            raise ConflictError(
                f"an organisation called {other!r} already exists: pick another name"
            )


def list_orgs(
    connection: Connection, kind: str | None = None, member: bool | None = None
) -> list[dict[str, Any]]:
    """Every organisation by name, with how many people represent it and how many events it
    co-organised (one query); ``kind`` compared with case and accents ignored."""
    people = (
        select(Affiliation.organisation_id, func.count().label("people"))
        .group_by(Affiliation.organisation_id)
        .subquery()
    )
    events = (
        select(Event.partner_id, func.count().label("events"))
        .where(Event.partner_id.is_not(None))
        .group_by(Event.partner_id)
        .subquery()
    )
    o = PartnerOrganisation
    query = (
        select(
            o.id,
            o.name,
            o.kind,
            o.member,
            o.postcode,
            LocalGroup.name.label("group"),
            func.coalesce(people.c.people, 0).label("people"),
            func.coalesce(events.c.events, 0).label("events"),
        )
        .outerjoin(LocalGroup, LocalGroup.id == o.local_group_id)
        .outerjoin(people, people.c.organisation_id == o.id)
        .outerjoin(events, events.c.partner_id == o.id)
        .order_by(o.name, o.id)
    )
    if member is not None:
        query = query.where(o.member.is_(member) if member else o.member.is_not(True))
    rows = [dict(row._mapping) for row in connection.execute(query)]
    if kind is not None:  # a few organisations: kinds compared as names are (lycée = Lycee)
        rows = [row for row in rows if fold(row["kind"]) == fold(kind)]
    return rows


def people_events(org_id: int) -> Any:
    """A SELECT of the ids of events the organisation co-organised, or where one of its
    people came or said yes: what `events list --org` shows."""
    came = (
        select(Attendance.event_id)
        .join(Affiliation, Affiliation.supporter_id == Attendance.supporter_id)
        .where(
            Affiliation.organisation_id == org_id,
            (Attendance.presence == Presence.ATTENDED) | (Attendance.rsvp == Rsvp.ACCEPTED),
        )
    )
    return came.union(select(Event.id).where(Event.partner_id == org_id))
