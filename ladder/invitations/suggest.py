"""``ladder next``: who an organiser should ask next, ranked, with a reason for each.

    suggestions = suggest(engine, ladder, NextRequest(event="12", limit=50), user)

One statement ranks the list (:mod:`ladder.invitations.ranking`); the reasons for the
people listed come from the rules engine's own explanation of what they miss
(:func:`ladder.rules.explain.progress_of`), so no rule logic is repeated here. With
``record=True`` the same transaction writes one ``contacts`` row per person listed (and, for an
event, marks them invited), so the next list skips them for the fatigue window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update

from ladder.clock import utcnow
from ladder.domain.contact import normalise_postcode, postcode_range
from ladder.domain.invitations import PARTS, event_target_rung, invitation_settings, steps_for
from ladder.domain.ladderfile import LadderFile
from ladder.domain.names import display_name
from ladder.domain.text import TITLE
from ladder.domain.vocabulary import INVITATION_CHANNELS, EventStatus, Presence
from ladder.errors import ConflictError, MisuseError, NotFoundError
from ladder.events.agenda import EventRef, find_event
from ladder.invitations.checks import Area, Spec
from ladder.invitations.ranking import params, ranking
from ladder.invitations.reasons import reasons_for
from ladder.people.groups import find_group
from ladder.privacy import audit
from ladder.storage.engine import reading
from ladder.storage.models import Attendance, Contact, Event, LocalGroup, Tag
from ladder.storage.prepared import kept_rows

COLUMNS = ("id", "name", "email", "phone", "rung", "score", "reason")


@dataclass(frozen=True)
class NextRequest:
    """What the organiser asks for (the options of ``ladder next``)."""

    event: str | None = None
    rung: str | None = None
    group: str | None = None
    near: str | None = None
    tag: str | None = None
    channel: str = "email"
    limit: int = 25
    as_of: datetime | None = None
    org: str | None = None


@dataclass(slots=True)  # not frozen: a list builds fifty, and a frozen init costs 4x as much
class Suggestion:
    id: int
    name: str
    email: str | None
    phone: str | None
    rung: str
    target_rung: str | None
    score: float
    parts: dict[str, float]
    reason: str = ""

    def row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in COLUMNS}


@dataclass
class NextList:
    spec: Spec
    event: EventRef | None
    suggestions: list[Suggestion] = field(default_factory=list)
    recorded: bool = False


def suggest(
    engine: Engine, ladder: LadderFile, request: NextRequest, user: str, record: bool = False
) -> NextList:
    """The ranked list; with ``record``, also the contacts (and invitations), all or nothing."""
    # a list alone only reads: no write lock (SQLite's BEGIN IMMEDIATE) that would hold up check-ins
    with engine.begin() if record else reading(engine) as connection:
        found = rank(connection, ladder, request)
        if record and found.suggestions:
            record_contacts(connection, found, user, utcnow())
            ids = [s.id for s in found.suggestions]
            audit.record(
                connection,
                user,
                "next --record",
                people=ids,
                fields=["contacts"],
                detail={"event": found.spec.event_id},
            )
            found.recorded = True
        return found


def rank(connection: Connection, ladder: LadderFile, request: NextRequest) -> NextList:
    """The ranked list, with reasons, read on the caller's connection."""
    spec, event = resolve(connection, ladder, request)
    rows = kept_rows(connection, ranking(spec), params(spec, request.limit))
    return NextList(spec, event, _suggestions(connection, spec, rows))


def resolve(
    connection: Connection, ladder: LadderFile, request: NextRequest
) -> tuple[Spec, EventRef | None]:
    """Turn names into ids and the request into a :class:`Spec`; refuse what cannot work."""
    as_of = request.as_of or utcnow()
    if request.channel not in INVITATION_CHANNELS:
        raise MisuseError(f"--channel: use {' or '.join(INVITATION_CHANNELS)}")
    if request.rung is not None and request.rung not in ladder.rung_names:
        raise MisuseError(
            f"--rung: unknown rung {request.rung!r} (rungs: {', '.join(ladder.rung_names)})"
        )
    if request.rung is not None and request.rung == ladder.first_rung:
        raise MisuseError(f"--rung: everyone starts on {request.rung}: ask for a higher rung")
    event, event_rung, key_date, area = None, None, False, _filters(connection, request)
    if request.event is not None:
        event = _open_event(connection, request.event, as_of)
        event_rung = event_target_rung(ladder)
        key_date, area = _around_event(
            connection, event, area, invitation_settings(ladder).near_prefix, request.org
        )
    spec = Spec(
        ladder=ladder,
        settings=invitation_settings(ladder),
        steps=steps_for(ladder, request.rung, event_rung, key_date),
        area=area,
        as_of=as_of,
        channel=request.channel,
        tag_id=_tag_id(connection, request.tag) if request.tag is not None else None,
        event_id=event.id if event else None,
        org_id=_org_id(connection, request.org) if request.org is not None else None,
    )
    return spec, event


def _org_id(connection: Connection, name: str) -> int:
    from ladder.orgs.manage import find_org  # only for --org: most lists never load it

    return find_org(connection, name).id


def _filters(connection: Connection, request: NextRequest) -> Area:
    group_id = _group_id(connection, request.group) if request.group is not None else None
    postcodes = _prefix(request.near) if request.near is not None else None
    return Area(group_id, postcodes, False, group_id, postcodes)


def _prefix(text: str) -> tuple[str, str]:
    if not normalise_postcode(text):
        raise MisuseError("--near: give the start of a postcode, e.g. 69 or LS1")
    return postcode_range(text)


_GROUP_NAMED = select(LocalGroup.__table__.c.id).where(
    LocalGroup.__table__.c.name == bindparam("group_name")
)  # built once: a list is asked for many times a session


def _group_id(connection: Connection, name: str) -> int:
    exact = connection.execute(_GROUP_NAMED, {"group_name": name}).scalar()
    return int(exact) if exact is not None else find_group(connection, name)


def _tag_id(connection: Connection, name: str) -> int:
    found = connection.execute(
        select(Tag.id).where(func.lower(Tag.name) == name.strip().lower())
    ).scalar()
    if found is None:
        raise NotFoundError(f"no tag {name!r}: nobody has it (tag people with `ladder people tag`)")
    return int(found)


def _open_event(connection: Connection, ref: str, as_of: datetime) -> EventRef:
    event = find_event(connection, ref)
    if event.status == EventStatus.CANCELLED:
        raise ConflictError(f"{event.describe()} is cancelled: nobody can be invited")
    if event.starts_at < as_of:
        raise ConflictError(
            f"{event.describe()} has already started: invite people to a later event"
        )
    return event


def _around_event(
    connection: Connection, event: EventRef, area: Area, prefix: int, org: str | None = None
) -> tuple[bool, Area]:
    """The event's key-date flag, and the area: its group or postcodes near it (unless the
    organiser gave --group or --near, or --org: an organisation's people are asked wherever
    they live), with proximity measured from the event."""
    group_id, postcode, key_date = connection.execute(
        select(Event.local_group_id, Event.postcode, Event.key_date).where(Event.id == event.id)
    ).one()
    near = postcode_range(postcode[:prefix]) if postcode else None
    if area.group_id is None and area.postcodes is None and org is None:
        if group_id is None and near is None:
            raise MisuseError(
                f"{event.describe()} has no group and no postcode: add --group or --near"
            )
        area = Area(group_id, near, True)
    return bool(key_date), Area(area.group_id, area.postcodes, area.either, group_id, near)


_PART_COLUMNS = [(name, f"{name}_part") for name in PARTS]


def _suggestions(connection: Connection, spec: Spec, rows: list[Any]) -> list[Suggestion]:
    said = reasons_for(spec, rows)
    return [
        Suggestion(
            row["id"],
            display_name(row["first_name"], row["last_name"], row["id"]),
            row["email"],
            row["phone"],
            row["rung"],
            row["target_rung"],
            float(row["rank"]) / 1000.0,
            {name: float(row[column]) for name, column in _PART_COLUMNS},
            said[row["id"]],
        )
        for row in rows
    ]


def record_contacts(connection: Connection, found: NextList, user: str, now: datetime) -> None:
    """One contact per person listed; for an event, also their invitation (like `ladder invite`)."""
    spec, event = found.spec, found.event
    ids = [s.id for s in found.suggestions]
    purpose = f"invitation to {event.describe()}" if event else "next ask"
    connection.execute(
        insert(Contact),
        [
            {
                "supporter_id": s.id,
                "channel": spec.channel,
                "purpose": purpose[:TITLE],
                "event_id": event.id if event else None,
                "target_rung": s.target_rung,
                "contacted_at": now,
                "contacted_by": user,
            }
            for s in found.suggestions
        ],
    )
    if event is None:
        return
    where = (Attendance.event_id == event.id, Attendance.supporter_id.in_(ids))
    connection.execute(
        update(Attendance)
        .where(*where, Attendance.invited_at.is_(None))
        .values(invited_at=now, invited_by=user, walk_in=False)
    )
    have = set(connection.execute(select(Attendance.supporter_id).where(*where)).scalars())
    new = [
        {"event_id": event.id, "supporter_id": i, "presence": Presence.UNKNOWN, "invited_at": now}
        | {"invited_by": user, "walk_in": False}
        for i in ids
        if i not in have
    ]
    if new:
        connection.execute(insert(Attendance), new)
