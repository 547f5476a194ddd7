"""Which partners came: per organisation, how many of its people attended the events of a
window, and how often (the network meetings' question: members and non-members alike).

``partner_report(connection, window, kind=None)`` returns plain dict rows with the keys
:data:`COLUMNS`, one per organisation, most presences first:

- ``organisation``, its ``kind`` and ``member`` (``yes``, ``no``, or empty: not said);
- ``people``: the people who represent it (an erased person's affiliation still counts);
- ``came``: of them, how many attended at least one of the events;
- ``presences``: their attendances at those events;
- ``events``: how many of the events at least one of them attended;
- ``partnered``: how many of the events it co-organised.

The events are those of ``ladder report events`` (held in the window, not cancelled, of the
window's group and ``kind``). Three grouped queries joined once: never a loop over partners.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from ladder.domain.vocabulary import Presence
from ladder.reports.events import held_events
from ladder.reports.window import Window
from ladder.storage.models import Affiliation, Attendance, Event, PartnerOrganisation

COLUMNS = ["organisation", "kind", "member", "people", "came", "presences", "events", "partnered"]


def partner_report(
    connection: Connection, window: Window, kind: str | None = None
) -> list[dict[str, Any]]:
    held = held_events(window, kind)
    came = (
        select(
            Affiliation.organisation_id,
            func.count(Attendance.supporter_id.distinct()).label("came"),
            func.count().label("presences"),
            func.count(Attendance.event_id.distinct()).label("events"),
        )
        .join(Attendance, Attendance.supporter_id == Affiliation.supporter_id)
        .join(Event, Event.id == Attendance.event_id)
        .where(Attendance.presence == Presence.ATTENDED, *held)
        .group_by(Affiliation.organisation_id)
        .subquery("came")
    )
    people = (
        select(Affiliation.organisation_id, func.count().label("people"))
        .group_by(Affiliation.organisation_id)
        .subquery("people")
    )
    partnered = (
        select(Event.partner_id, func.count().label("partnered"))
        .where(Event.partner_id.is_not(None), *held)
        .group_by(Event.partner_id)
        .subquery("partnered")
    )
    org = PartnerOrganisation
    presences = func.coalesce(came.c.presences, 0)
    query = (
        select(
            org.name,
            org.kind,
            org.member,
            func.coalesce(people.c.people, 0),
            func.coalesce(came.c.came, 0),
            presences,
            func.coalesce(came.c.events, 0),
            func.coalesce(partnered.c.partnered, 0),
        )
        .outerjoin(people, people.c.organisation_id == org.id)
        .outerjoin(came, came.c.organisation_id == org.id)
        .outerjoin(partnered, partnered.c.partner_id == org.id)
        .order_by(presences.desc(), org.name)
    )
    return [_row(found) for found in connection.execute(query)]


def _row(found: Any) -> dict[str, Any]:
    name, kind, member, people, came, presences, events, partnered = found
    said = None if member is None else ("yes" if member else "no")
    values = [name, kind, said, people, came, presences, events, partnered]
    return dict(zip(COLUMNS, values, strict=True))
