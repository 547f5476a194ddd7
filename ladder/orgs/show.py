"""`ladder orgs show ORG`: an organisation, its people (rung and role), the events its people
came to (how many of them at each), the events it co-organised, and the last contact.

Erased people stay counted (their affiliation row stays, with its role blanked): an
organisation's numbers do not move when one of its people asks to be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from ladder.domain.names import display_name
from ladder.domain.vocabulary import EventStatus, Presence
from ladder.orgs.manage import OrgRef, find_org
from ladder.storage.models import (
    Affiliation,
    Attendance,
    Contact,
    Event,
    LocalGroup,
    PartnerOrganisation,
    Supporter,
)

PEOPLE_COLUMNS = ["id", "name", "rung", "status", "role", "since"]
EVENT_COLUMNS = ["id", "title", "starts", "people"]
PARTNERED_COLUMNS = ["id", "title", "starts", "status", "attended"]


@dataclass
class OrgDetails:
    org: OrgRef
    fields: dict[str, Any]
    people: list[dict[str, Any]] = field(default_factory=list)
    attended: list[dict[str, Any]] = field(default_factory=list)  # events its people came to
    partnered: list[dict[str, Any]] = field(default_factory=list)  # events it co-organised
    last_contact: datetime | None = None

    def summary(self) -> dict[str, Any]:
        """One flat object (json): the fields and the counts."""
        return {
            **self.fields,
            "people_count": len(self.people),
            "events_attended": len(self.attended),
            "events_partnered": len(self.partnered),
            "last_contact": self.last_contact,
        }


def org_details(connection: Connection, ref: str) -> OrgDetails:
    """Everything `orgs show` prints, read in a handful of grouped queries."""
    org = find_org(connection, ref)
    o = PartnerOrganisation
    row = connection.execute(
        select(
            o.id,
            o.name,
            o.kind,
            o.member,
            o.postcode,
            o.website,
            o.contact_email.label("email"),
            LocalGroup.name.label("group"),
            o.notes,
            o.created_at.label("added"),
            o.last_digest_at.label("last_digest"),
        )
        .outerjoin(LocalGroup, LocalGroup.id == o.local_group_id)
        .where(o.id == org.id)
    ).one()
    details = OrgDetails(org, dict(row._mapping))
    details.people = org_people(connection, org.id)
    details.attended = events_attended(connection, org.id)
    details.partnered = events_partnered(connection, org.id)
    details.last_contact = last_contact(connection, org.id, row.last_digest)
    return details


def org_people(connection: Connection, org_id: int) -> list[dict[str, Any]]:
    """Its people, highest rung first is the caller's business: here by name."""
    s = Supporter
    rows = connection.execute(
        select(
            s.id, s.first_name, s.last_name, s.rung, s.status, Affiliation.role, Affiliation.since
        )
        .join(Affiliation, Affiliation.supporter_id == s.id)
        .where(Affiliation.organisation_id == org_id)
        .order_by(s.last_name, s.first_name, s.id)
    ).all()
    return [
        {
            "id": r.id,
            "name": display_name(r.first_name, r.last_name, r.id),
            "rung": r.rung,
            "status": r.status,
            "role": r.role,
            "since": r.since,
        }
        for r in rows
    ]


def events_attended(
    connection: Connection,
    org_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """Events (not cancelled) at which its people were present, with how many of them came,
    most recent first; ``since`` / ``until`` bound the event's start."""
    people = func.count(Attendance.supporter_id.distinct()).label("people")
    query = (
        select(Event.id, Event.title, Event.starts_at.label("starts"), people)
        .join(Attendance, Attendance.event_id == Event.id)
        .join(Affiliation, Affiliation.supporter_id == Attendance.supporter_id)
        .where(
            Affiliation.organisation_id == org_id,
            Attendance.presence == Presence.ATTENDED,
            Event.status != EventStatus.CANCELLED,
        )
        .group_by(Event.id, Event.title, Event.starts_at)
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )
    if since is not None:
        query = query.where(Event.starts_at >= since)
    if until is not None:
        query = query.where(Event.starts_at < until)
    return [dict(r._mapping) for r in connection.execute(query)]


def events_partnered(connection: Connection, org_id: int) -> list[dict[str, Any]]:
    """Events it co-organised (``events.partner_id``), with their attendance, most recent first."""
    attended = func.count(Attendance.id).filter(Attendance.presence == Presence.ATTENDED)
    query = (
        select(
            Event.id,
            Event.title,
            Event.starts_at.label("starts"),
            Event.status,
            attended.label("attended"),
        )
        .outerjoin(Attendance, Attendance.event_id == Event.id)
        .where(Event.partner_id == org_id)
        .group_by(Event.id, Event.title, Event.starts_at, Event.status)
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )
    return [dict(r._mapping) for r in connection.execute(query)]


def last_contact(connection: Connection, org_id: int, last_digest: datetime | None) -> Any:
    """The latest of: an ask recorded to one of its people (`next --record`, `invite`), one of
    its people present at an event, the last digest written for it."""
    mine = select(Affiliation.supporter_id).where(Affiliation.organisation_id == org_id)
    asked = select(func.max(Contact.contacted_at)).where(Contact.supporter_id.in_(mine))
    came = (
        select(func.max(Event.starts_at))
        .join(Attendance, Attendance.event_id == Event.id)
        .where(Attendance.supporter_id.in_(mine), Attendance.presence == Presence.ATTENDED)
    )
    moments = [connection.execute(q).scalar() for q in (asked, came)] + [last_digest]
    return max((m for m in moments if m is not None), default=None)
