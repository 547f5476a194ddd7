"""Events: add, edit, find, list and show. Attendance itself lives in ``checkin`` and
``attendance``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from ladder.clock import utcnow, wall_clock
from ladder.domain.contact import normalise_postcode
from ladder.domain.text import (
    KIND,
    LIKE_ESCAPE,
    POSTCODE,
    TITLE,
    like_pattern,
    parse_id,
    text_problem,
)
from ladder.domain.vocabulary import EventStatus, Presence, Rsvp, names
from ladder.errors import AmbiguousError, InputError, NotFoundError
from ladder.people.groups import find_group
from ladder.people.lookup import find_person
from ladder.privacy import audit
from ladder.storage.models import (
    Attendance,
    Campaign,
    Event,
    LocalGroup,
    Supporter,
)
from ladder.storage.sqlfunc import full_name

MAX_CANDIDATES = 10
EVENT_TEXT_LIMITS = {"title": TITLE, "kind": KIND, "place": TITLE}
LONG_PAST = timedelta(hours=24)  # after its end (or start), an event takes records only --late


@dataclass(frozen=True)
class EventRef:
    id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    status: str
    closed_at: datetime | None

    def describe(self) -> str:
        return f"#{self.id} {self.title} ({wall_clock(self.starts_at)})"

    def long_past(self, now: datetime) -> bool:
        """Ended (or, with no end, started) more than :data:`LONG_PAST` before ``now``."""
        return (self.ends_at or self.starts_at) + LONG_PAST < now


@dataclass(frozen=True)
class EventInput:
    """What an organiser gives for a new event, or the fields to change on an existing one."""

    title: str | None = None
    kind: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = None
    postcode: str | None = None
    group: str | None = None
    campaign: str | None = None
    host: str | None = None
    capacity: int | None = None
    key_date: bool | None = None
    status: str | None = None


def _events() -> Any:
    return select(
        Event.id,
        Event.title,
        Event.kind,
        Event.starts_at,
        Event.ends_at,
        Event.status,
        Event.closed_at,
    )


def find_event(connection: Connection, ref: str) -> EventRef:
    """An event by id (``12`` or ``#12``), external id, or a fragment of its title."""
    text = ref.strip()
    number = parse_id(text)  # None for 2^63 or more: no event has that id
    if number is not None:
        row = connection.execute(_events().where(Event.id == number)).first()
        if row is not None:
            return EventRef(*row)
    row = connection.execute(_events().where(Event.external_id == text)).first()
    if row is not None:
        return EventRef(*row)
    rows = connection.execute(
        _events()
        .where(func.lower(Event.title).like(like_pattern(text.lower()), escape=LIKE_ESCAPE))
        .order_by(Event.starts_at.desc(), Event.id)
        .limit(MAX_CANDIDATES + 1)
    ).all()
    if not rows:
        raise NotFoundError(f"no event matches {ref!r}: give its id (see `ladder events list`)")
    if len(rows) > 1:
        candidates = [EventRef(*r).describe() for r in rows[:MAX_CANDIDATES]]
        raise AmbiguousError(f"{ref!r} matches several events: use the id", candidates)
    return EventRef(*rows[0])


def add_event(engine: Engine, data: EventInput, user: str) -> int:
    if not data.title or not data.title.strip():
        raise InputError("an event needs a title (--title)")
    if data.starts_at is None:
        raise InputError("an event needs a start time (--start '2026-11-28 18:00')")
    with engine.begin() as connection:
        values = _resolve(connection, data)
        values.setdefault("kind", "field")
        values.setdefault("status", "confirmed")
        values.setdefault("key_date", False)
        values["created_at"] = utcnow()
        _check_times(values.get("starts_at"), values.get("ends_at"))
        new_id = int(
            connection.execute(insert(Event).values(**values).returning(Event.id)).scalar_one()
        )
        audit.record(
            connection,
            user,
            "events add",
            people=_host(values),
            fields=sorted(values),
            detail={"event": new_id},
        )
        return new_id


def edit_event(engine: Engine, ref: str, data: EventInput, *, by: str) -> EventRef:
    with engine.begin() as connection:
        event = find_event(connection, ref)
        values = _resolve(connection, data)
        if not values:
            raise InputError("nothing to change: give at least one option (see --help)")
        starts = values.get("starts_at", event.starts_at)
        ends = values.get("ends_at", event.ends_at)
        _check_times(starts, ends)
        connection.execute(update(Event).where(Event.id == event.id).values(**values))
        audit.record(
            connection,
            by,
            "events edit",
            people=_host(values),
            fields=sorted(values),
            detail={"event": event.id},
        )
        return find_event(connection, str(event.id))


def _host(values: dict[str, Any]) -> list[int]:
    """The host an event's change names (a person the audit says it touched)."""
    return [values["host_id"]] if values.get("host_id") else []


def _check_times(starts: datetime | None, ends: datetime | None) -> None:
    if starts is not None and ends is not None and ends < starts:
        raise InputError(f"the event ends ({wall_clock(ends)}) before it starts")


def _resolve(connection: Connection, data: EventInput) -> dict[str, Any]:
    """Turn names (group, campaign, host) into ids; keep only the fields given."""
    values: dict[str, Any] = {}
    direct = ("title", "kind", "starts_at", "ends_at", "place", "capacity", "key_date")
    for name in direct:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
            if problem := text_problem(value, EVENT_TEXT_LIMITS[name]):
                raise InputError(f"--{name}: {problem}")
        if value is not None:
            values[name] = value
    if data.capacity is not None and data.capacity < 0:
        raise InputError("--capacity cannot be negative")
    if data.postcode is not None:
        if problem := text_problem(data.postcode.strip(), POSTCODE):
            raise InputError(f"--postcode: {problem}")
        values["postcode"] = normalise_postcode(data.postcode)
    if data.status is not None:
        if data.status not in names(EventStatus):
            raise InputError(f"unknown status {data.status!r}: {', '.join(EventStatus)}")
        values["status"] = data.status
    if data.group is not None:
        values["local_group_id"] = find_group(connection, data.group)
    if data.campaign is not None:
        values["campaign_id"] = _id_by_name(connection, Campaign, data.campaign, "campaign")
    if data.host is not None:
        values["host_id"] = find_person(connection, data.host).id
    return values


def _id_by_name(connection: Connection, model: Any, name: str, what: str) -> int:
    found = connection.execute(select(model.id).where(model.name == name.strip())).scalar()
    if found is None:
        known = connection.execute(select(model.name).order_by(model.name).limit(8)).scalars()
        listing = ", ".join(known) or "none yet"
        raise NotFoundError(f"unknown {what} {name!r} (known: {listing})")
    return int(found)


def list_events(
    connection: Connection,
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
    group: str | None = None,
    kind: str | None = None,
    campaign: str | None = None,
    limit: int | None = None,
    org: str | None = None,
) -> list[dict[str, Any]]:
    """Events with their attendance counts, soonest last (most recent first). ``org``: the
    events an organisation co-organised, or where one of its people came or said yes."""
    attended = func.count(Attendance.id).filter(Attendance.presence == Presence.ATTENDED)
    accepted = func.count(Attendance.id).filter(Attendance.rsvp == Rsvp.ACCEPTED)
    query = (
        select(
            Event.id,
            Event.title,
            Event.kind,
            Event.starts_at.label("starts"),
            Event.place,
            LocalGroup.name.label("group"),
            Event.status,
            Event.capacity,
            accepted.label("accepted"),
            attended.label("attended"),
        )
        .outerjoin(LocalGroup, LocalGroup.id == Event.local_group_id)
        .outerjoin(Attendance, Attendance.event_id == Event.id)
        .group_by(Event.id, LocalGroup.name)
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )
    if starts_from is not None:
        query = query.where(Event.starts_at >= starts_from)
    if starts_to is not None:
        query = query.where(Event.starts_at < starts_to)
    if group is not None:
        query = query.where(Event.local_group_id == find_group(connection, group))
    if kind is not None:
        query = query.where(Event.kind == kind)
    if campaign is not None:
        campaign_id = _id_by_name(connection, Campaign, campaign, "campaign")
        query = query.where(Event.campaign_id == campaign_id)
    if org is not None:  # imported here: a check-in finds events, it lists none by org
        from ladder.orgs.manage import find_org, people_events

        query = query.where(Event.id.in_(people_events(find_org(connection, org).id)))
    if limit is not None:
        query = query.limit(limit)
    return [dict(row._mapping) for row in connection.execute(query)]


def event_details(connection: Connection, ref: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One event's fields, and everyone invited, RSVP'd or present."""
    event = find_event(connection, ref)
    host = Supporter.__table__.alias("host")
    row = connection.execute(
        select(
            Event.id,
            Event.title,
            Event.kind,
            Event.starts_at.label("starts"),
            Event.ends_at.label("ends"),
            Event.place,
            Event.postcode,
            LocalGroup.name.label("group"),
            Campaign.name.label("campaign"),
            full_name(host).label("host"),
            Event.capacity,
            Event.key_date,
            Event.status,
            Event.closed_at.label("closed"),
        )
        .outerjoin(LocalGroup, LocalGroup.id == Event.local_group_id)
        .outerjoin(Campaign, Campaign.id == Event.campaign_id)
        .outerjoin(host, host.c.id == Event.host_id)
        .where(Event.id == event.id)
    ).one()
    people = connection.execute(
        select(
            Supporter.id,
            Supporter.first_name,
            Supporter.last_name,
            Supporter.email,
            Attendance.invited_at.label("invited"),
            Attendance.rsvp,
            Attendance.presence,
            Attendance.checked_in_at.label("checked_in"),
            Attendance.checked_in_by,
            Attendance.walk_in,
        )
        .join(Supporter, Supporter.id == Attendance.supporter_id)
        .where(Attendance.event_id == event.id)
        .order_by(Supporter.last_name, Supporter.first_name, Supporter.id)
    )
    return dict(row._mapping), [dict(p._mapping) for p in people]
