"""`ladder calendar export`: the movement's events as an iCalendar file (RFC 5545) that Google
Calendar, Outlook and Thunderbird import, written with the ``icalendar`` library.

- Each event's UID is made of its id and its creation time (``ladder-event-12-20260301T180000
  @ladder.invalid``): the same event has the same UID in every export, so importing a newer
  file updates the events instead of duplicating them, and two ladder databases' event #12
  do not collide.
- Times are in the movement's time zone: ``DTSTART;TZID=Europe/Paris:...`` with the matching
  VTIMEZONE (icalendar's ``add_missing_timezones``); a zone without an IANA name (plain UTC)
  gives UTC times (``...Z``).
- A cancelled event stays in the file with ``STATUS:CANCELLED``, so a calendar that imported
  it before crosses it out; a tentative one is ``TENTATIVE``.
- ``DTSTAMP`` is the export's time, as RFC 5545 asks of a published calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from ladder.clock import to_local, utcnow
from ladder.domain.vocabulary import EventStatus
from ladder.errors import MisuseError
from ladder.orgs.manage import find_org, people_events
from ladder.storage.models import Campaign, Event, LocalGroup, PartnerOrganisation

PRODID = "-//ladder//engagement ladder calendar//EN"
UID_DOMAIN = "ladder.invalid"
STATUSES = {
    EventStatus.CONFIRMED: "CONFIRMED",
    EventStatus.TENTATIVE: "TENTATIVE",
    EventStatus.CANCELLED: "CANCELLED",
}


@dataclass(frozen=True)
class CalendarRequest:
    key_dates: bool = False  # only the key dates (the flagship days)
    org: str | None = None  # only events of this organisation (co-organised, or its people)
    starts_from: datetime | None = None  # naive UTC
    starts_to: datetime | None = None


def event_uid(event_id: int, created_at: datetime) -> str:
    """The event's UID: the same in every export of the same database."""
    return f"ladder-event-{event_id}-{created_at:%Y%m%dT%H%M%S}@{UID_DOMAIN}"


def calendar_rows(connection: Connection, request: CalendarRequest) -> list[dict[str, Any]]:
    """The events to export, soonest first (one query)."""
    if (
        request.starts_from is not None
        and request.starts_to is not None
        and request.starts_from >= request.starts_to
    ):
        raise MisuseError("--from must be before --to: give an earlier --from or a later --to")
    query = (
        select(
            Event.id,
            Event.title,
            Event.kind,
            Event.starts_at,
            Event.ends_at,
            Event.place,
            Event.postcode,
            Event.status,
            Event.key_date,
            Event.created_at,
            LocalGroup.name.label("group"),
            Campaign.name.label("campaign"),
            PartnerOrganisation.name.label("partner"),
        )
        .outerjoin(LocalGroup, LocalGroup.id == Event.local_group_id)
        .outerjoin(Campaign, Campaign.id == Event.campaign_id)
        .outerjoin(PartnerOrganisation, PartnerOrganisation.id == Event.partner_id)
        .order_by(Event.starts_at, Event.id)
    )
    if request.key_dates:
        query = query.where(Event.key_date.is_(True))
    if request.org is not None:
        query = query.where(Event.id.in_(people_events(find_org(connection, request.org).id)))
    if request.starts_from is not None:
        query = query.where(Event.starts_at >= request.starts_from)
    if request.starts_to is not None:
        query = query.where(Event.starts_at < request.starts_to)
    return [dict(row._mapping) for row in connection.execute(query)]


def calendar_bytes(
    rows: list[dict[str, Any]], zone: tzinfo, name: str = "ladder", now: datetime | None = None
) -> bytes:
    """The iCalendar file for ``rows`` (:func:`calendar_rows`), times in ``zone``."""
    import icalendar  # 60 ms: only when a calendar is written

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = (now or utcnow()).replace(tzinfo=UTC)
    shown_in = zone if isinstance(zone, ZoneInfo) else UTC
    for row in rows:
        calendar.add_component(_event(icalendar, row, shown_in, stamp))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _event(icalendar: Any, row: dict[str, Any], zone: tzinfo, stamp: datetime) -> Any:
    event = icalendar.Event()
    event.add("uid", event_uid(row["id"], row["created_at"]))
    event.add("dtstamp", stamp)
    event.add("summary", row["title"])
    event.add("dtstart", to_local(row["starts_at"], zone))
    if row["ends_at"] is not None:
        event.add("dtend", to_local(row["ends_at"], zone))
    place = ", ".join(p for p in (row["place"], row["postcode"]) if p)
    if place:
        event.add("location", place)
    event.add("status", STATUSES.get(row["status"], "CONFIRMED"))
    event.add("categories", [c for c in (row["kind"], "key date" if row["key_date"] else "") if c])
    details = [
        f"{label}: {row[key]}" for key, label in _DETAILS if row[key] is not None and row[key] != ""
    ]
    if details:
        event.add("description", "\n".join(details))
    return event


_DETAILS = (("kind", "Kind"), ("group", "Group"), ("campaign", "Campaign"), ("partner", "With"))
