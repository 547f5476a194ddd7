"""After the event: closing it (accepted but absent becomes no-show) and the sign-in sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from ladder.clock import utcnow
from ladder.domain.vocabulary import EventStatus, Presence, Rsvp, SupporterStatus
from ladder.errors import ConflictError
from ladder.events.agenda import EventRef, find_event
from ladder.privacy import audit
from ladder.storage.models import Attendance, Event, Supporter

SHEET_COLUMNS = (
    "present",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "brought_by",
    "consent_email",
    "consent_sms",
    "consent_photo",
)


@dataclass(frozen=True)
class CloseResult:
    event: EventRef
    marked_no_show: int
    attended: int
    no_show: int
    unknown: int


def close_event(
    engine: Engine, event_ref: str, now: datetime | None = None, *, by: str
) -> CloseResult:
    """Accepted-but-not-checked-in becomes no-show; people never asked stay unknown.

    Closing twice changes nothing the second time. An event that has not started cannot close.
    """
    now = now or utcnow()
    with engine.begin() as connection:
        event = find_event(connection, event_ref)
        if event.status == EventStatus.CANCELLED:
            raise ConflictError(f"{event.describe()} is cancelled: there is nothing to close")
        if event.starts_at > now:
            raise ConflictError(f"{event.describe()} has not started yet: close it afterwards")
        waited_for = (
            Attendance.event_id == event.id,
            Attendance.rsvp == Rsvp.ACCEPTED,
            Attendance.presence == Presence.UNKNOWN,
        )
        no_shows = list(connection.execute(select(Attendance.supporter_id).where(*waited_for)))
        marked = connection.execute(
            update(Attendance).where(*waited_for).values(presence=Presence.NO_SHOW)
        ).rowcount
        closed = connection.execute(
            update(Event)
            .where(Event.id == event.id, Event.closed_at.is_(None))
            .values(closed_at=now)
        ).rowcount
        counts = _presence_counts(connection, event.id)
        if marked or closed:  # closing again changes nothing: no entry
            audit.record(
                connection,
                by,
                "attendance close",
                people=[i for (i,) in no_shows],
                fields=["presence"],
                detail={"event": event.id, "no_show": marked},
            )
    return CloseResult(
        event,
        marked,
        counts.get("attended", 0),
        counts.get("no_show", 0),
        counts.get("unknown", 0),
    )


def _presence_counts(connection: Connection, event_id: int) -> dict[str, int]:
    rows = connection.execute(
        select(Attendance.presence, func.count())
        .where(Attendance.event_id == event_id)
        .group_by(Attendance.presence)
    )
    return {presence: int(count) for presence, count in rows}


def sheet_rows(
    connection: Connection, event_ref: str, blank_rows: int
) -> tuple[EventRef, list[dict[str, Any]]]:
    """The sign-in sheet: people who RSVP'd yes or maybe, pre-filled, then blank rows."""
    event = find_event(connection, event_ref)
    people = connection.execute(
        select(
            Supporter.first_name,
            Supporter.last_name,
            Supporter.email,
            Supporter.phone,
            Supporter.postcode,
            Supporter.consent_email,
            Supporter.consent_sms,
            Supporter.consent_photo,
        )
        .join(Attendance, Attendance.supporter_id == Supporter.id)
        .where(
            Attendance.event_id == event.id,
            Attendance.rsvp.in_(("accepted", "tentative")),
            Supporter.status != SupporterStatus.ERASED,
        )
        .order_by(Supporter.last_name, Supporter.first_name, Supporter.id)
    )
    rows = [
        {
            "present": "",
            **{k: v for k, v in p._mapping.items() if not k.startswith("consent")},
            "brought_by": "",
            "consent_email": "yes" if p.consent_email else "",
            "consent_sms": "yes" if p.consent_sms else "",
            "consent_photo": "yes" if p.consent_photo else "",
        }
        for p in people
    ]
    rows += [dict.fromkeys(SHEET_COLUMNS, "") for _ in range(blank_rows)]
    return event, rows
