"""Attendance at the events of a window, per event or per kind of event, and who they brought.

``event_report(connection, ladder, window, by="event"|"kind", kind=None)`` returns plain
dict rows; ``ladder report events`` prints them and the HTML report draws them. One grouped
statement over the whole base, whatever the number of events (never a loop over events or people).

Which events: held in the window (``since <= starts_at < until``, and already started), not
cancelled, of the window's local group if it names one, of ``kind`` if given.

What each figure counts, over the attendance rows of those events:

- ``events``: how many events the row covers (1 per event);
- ``accepted``: people whose RSVP is "accepted";
- ``attended``: people present, walk-ins included;
- ``no_show``: people marked absent (set when an event is closed);
- ``walk_ins``: people present who had not been invited (counted apart, also in attended);
- ``unknown``: people who accepted and whose presence is still unknown (an event not closed);
- ``show_rate``: of the people who accepted, the share marked present
  (attended and accepted / accepted); empty when nobody accepted;
- ``flake_rate``: of the people who accepted, the share marked absent
  (no-show and accepted / accepted). ``show_rate + flake_rate`` plus the unknown share is 1;
- ``first_timers``: people for whom this was the first event they ever attended (the earliest
  start among their attended events, ties by event id);
- ``climbed_after``: of those first-timers, the people who later moved up a rung: a level change
  raising their rung (by the ladder's order) at or after the event's start, before the
  window's end.

Attendance is counted as recorded: an erased person's attendance still counts (the anonymous
record keeps the figures true); a merged record's attendance moved to the person it was
merged into.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, select
from sqlalchemy.sql import Select

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import EventStatus, Presence, Rsvp
from ladder.errors import MisuseError
from ladder.reports.window import Window
from ladder.storage.models import Affiliation, Attendance, Event, LevelChange, LocalGroup

BY = ("event", "kind")
FIGURES = [
    "accepted",
    "attended",
    "no_show",
    "walk_ins",
    "unknown",
    "show_rate",
    "flake_rate",
    "first_timers",
    "climbed_after",
]
COLUMNS = {
    "event": ["event", "starts_at", "title", "kind", "group", *FIGURES],
    "kind": ["kind", "events", *FIGURES],
}


def event_report(
    connection: Connection,
    ladder: LadderFile,
    window: Window,
    by: str = "event",
    kind: str | None = None,
    org_id: int | None = None,
) -> list[dict[str, Any]]:
    """Rows with the keys ``COLUMNS[by]``: per event (by start, then id) or per kind (by name).

    ``starts_at`` is the stored naive UTC time. An unknown ``by`` or ``kind`` is a MisuseError
    (the kind's message lists the kinds the base has). With ``org_id``, only the people who
    represent that organisation are counted (the events are the same)."""
    if by not in BY:
        raise MisuseError(f"cannot group events by {by!r}: use one of {', '.join(BY)}")
    if kind is not None:
        check_kind(connection, kind)
    query = _report_query(ladder, window, held_events(window, kind), by, _people_of(org_id))
    rows = []
    for found in connection.execute(query).mappings():
        accepted = int(found["accepted"] or 0)
        row = {c: found[c] for c in COLUMNS[by][: COLUMNS[by].index("accepted")]}
        if by == "kind":
            row["events"] = int(row["events"])
        for name in ("accepted", "attended", "no_show", "walk_ins", "unknown"):
            row[name] = int(found[name] or 0)
        row["show_rate"] = _share(found["came"], accepted)
        row["flake_rate"] = _share(found["flaked"], accepted)
        row["first_timers"] = int(found["first_timers"] or 0)
        row["climbed_after"] = int(found["climbed_after"] or 0)
        rows.append({c: row[c] for c in COLUMNS[by]})
    return rows


def _share(part: Any, whole: int) -> float | None:
    return round(int(part or 0) / whole, 3) if whole else None


def _people_of(org_id: int | None) -> list[ColumnElement[bool]]:
    """The attendance rows counted: everyone's, or the organisation's people's."""
    if org_id is None:
        return []
    members = select(Affiliation.supporter_id).where(Affiliation.organisation_id == org_id)
    return [Attendance.supporter_id.in_(members)]


def check_kind(connection: Connection, kind: str) -> None:
    known = connection.scalars(select(Event.kind).distinct().order_by(Event.kind)).all()
    if kind not in known:
        listed = ", ".join(known) if known else "none yet: no event recorded"
        raise MisuseError(f"no event is of kind {kind!r}: the kinds are {listed}")


def held_events(window: Window, kind: str | None) -> list[ColumnElement[bool]]:
    """The events a report covers: held in the window (already started), not cancelled, of
    the window's group and of ``kind`` when given."""
    where = [
        Event.status != EventStatus.CANCELLED,
        window.covers(Event.starts_at),
        Event.starts_at <= utcnow(),
    ]
    if window.group_id is not None:
        where.append(Event.local_group_id == window.group_id)
    if kind is not None:
        where.append(Event.kind == kind)
    return where


COUNTED = ("accepted", "attended", "no_show", "walk_ins", "unknown", "came", "flaked")
NEWCOMERS = ("first_timers", "climbed_after")


def _report_query(
    ladder: LadderFile,
    window: Window,
    held: list[ColumnElement[bool]],
    by: str,
    people: list[ColumnElement[bool]],
) -> Select[Any]:
    """One statement: the events held, their attendance counted per event, their
    first-timers per event, then per event or summed per kind."""
    counts = _counts(held, people)
    newcomers = _newcomers(ladder, window, held, people)
    base = (
        select(Event.__table__)
        .outerjoin(counts, counts.c.event_id == Event.id)
        .outerjoin(newcomers, newcomers.c.event_id == Event.id)
        .where(*held)
    )
    figures = [counts.c[name] for name in COUNTED] + [newcomers.c[name] for name in NEWCOMERS]
    if by == "kind":
        summed = [func.sum(column).label(column.name) for column in figures]
        return (
            base.with_only_columns(Event.kind, func.count().label("events"), *summed)
            .group_by(Event.kind)
            .order_by(Event.kind)
        )
    return (
        base.with_only_columns(
            Event.id.label("event"),
            Event.starts_at,
            Event.title,
            Event.kind,
            LocalGroup.name.label("group"),
            *figures,
        )
        .outerjoin(LocalGroup, LocalGroup.id == Event.local_group_id)
        .order_by(Event.starts_at, Event.id)
    )


def _counts(held: list[ColumnElement[bool]], people: list[ColumnElement[bool]]) -> Any:
    """Per event held: its attendance rows counted."""
    accepted = Attendance.rsvp == Rsvp.ACCEPTED
    attended = Attendance.presence == Presence.ATTENDED
    no_show = Attendance.presence == Presence.NO_SHOW

    def count(*conditions: ColumnElement[bool]) -> Any:
        return func.sum(case((and_(*conditions), 1), else_=0))

    return (
        select(
            Attendance.event_id,
            count(accepted).label("accepted"),
            count(attended).label("attended"),
            count(no_show).label("no_show"),
            count(attended, Attendance.walk_in.is_(True)).label("walk_ins"),
            count(accepted, Attendance.presence == Presence.UNKNOWN).label("unknown"),
            count(accepted, attended).label("came"),
            count(accepted, no_show).label("flaked"),
        )
        .join(Event, Event.id == Attendance.event_id)
        .where(*held, *people)
        .group_by(Attendance.event_id)
        .subquery("counts")
    )


def _newcomers(
    ladder: LadderFile,
    window: Window,
    held: list[ColumnElement[bool]],
    people: list[ColumnElement[bool]],
) -> Any:
    """Per event: the people whose first attended event it was, and how many of them climbed
    after its start (before the window's end).

    Only the people who came to an event held are ranked, and only their events before the
    window's end: nobody else can be a first-timer there, and a later event never comes first.
    (A join on ``came``: an ``IN (subquery)`` here made SQLite's plan 40 times slower.)"""
    came = (
        select(Attendance.supporter_id)
        .join(Event, Event.id == Attendance.event_id)
        .where(Attendance.presence == Presence.ATTENDED, *held, *people)
        .distinct()
        .subquery("came")
    )
    order = func.row_number().over(
        partition_by=Attendance.supporter_id, order_by=(Event.starts_at, Event.id)
    )
    attended = (
        select(
            Attendance.supporter_id,
            Attendance.event_id,
            Event.starts_at,
            order.label("nth"),
        )
        .join(Event, Event.id == Attendance.event_id)
        .join(came, came.c.supporter_id == Attendance.supporter_id)
        .where(
            Attendance.presence == Presence.ATTENDED,
            Event.status != EventStatus.CANCELLED,
            Event.starts_at < window.until,
        )
        .subquery("attended")
    )
    raised = (
        select(LevelChange.supporter_id, func.max(LevelChange.changed_at).label("last_raise"))
        .where(_raises(ladder), LevelChange.changed_at < window.until)
        .group_by(LevelChange.supporter_id)
        .subquery("raised")
    )
    climbed = case((raised.c.last_raise >= attended.c.starts_at, 1), else_=0)
    return (
        select(
            attended.c.event_id,
            func.count().label("first_timers"),
            func.sum(climbed).label("climbed_after"),
        )
        .outerjoin(raised, raised.c.supporter_id == attended.c.supporter_id)
        .where(attended.c.nth == 1)
        .group_by(attended.c.event_id)
        .subquery("newcomers")
    )


def _raises(ladder: LadderFile) -> ColumnElement[bool]:
    """A level change that moves someone to a higher rung of the ladder."""
    ranks = {name: index for index, name in enumerate(ladder.rung_names)}
    before = case(ranks, value=LevelChange.from_rung, else_=None)
    after = case(ranks, value=LevelChange.to_rung, else_=None)
    return after > before
