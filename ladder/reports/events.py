"""Attendance at the events of a window, per event or per kind of event, and who they brought.

``event_report(connection, ladder, window, by="event"|"kind", kind=None)`` returns plain
dict rows; ``ladder report events`` prints them and the HTML report draws them. Three grouped
queries over the whole base, whatever the number of events (never a loop over events or people).

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
from ladder.storage.models import Attendance, Event, LevelChange, LocalGroup

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
) -> list[dict[str, Any]]:
    """Rows with the keys ``COLUMNS[by]``: per event (by start, then id) or per kind (by name).

    ``starts_at`` is the stored naive UTC time. An unknown ``by`` or ``kind`` is a MisuseError
    (the kind's message lists the kinds the base has)."""
    if by not in BY:
        raise MisuseError(f"cannot group events by {by!r}: use one of {', '.join(BY)}")
    if kind is not None:
        _check_kind(connection, kind)
    held = _held(window, kind)
    keys = _keys(by)
    counts = connection.execute(_counts_query(keys, held, by)).mappings().all()
    firsts = {
        row["key"]: row
        for row in connection.execute(_firsts_query(ladder, window, keys, held)).mappings()
    }
    rows = []
    for found in counts:
        key = found["key"]
        accepted = int(found["accepted"] or 0)
        if by == "kind":
            row: dict[str, Any] = {"kind": key, "events": int(found["events"])}
        else:
            row = {c: found[c] for c in ("event", "starts_at", "title", "kind", "group")}
        row.update({c: int(found[c] or 0) for c in ("accepted", "attended", "no_show")})
        row["walk_ins"] = int(found["walk_ins"] or 0)
        row["unknown"] = int(found["unknown"] or 0)
        row["show_rate"] = _share(found["came"], accepted)
        row["flake_rate"] = _share(found["flaked"], accepted)
        first = firsts.get(key)
        row["first_timers"] = int(first["first_timers"]) if first else 0
        row["climbed_after"] = int(first["climbed_after"] or 0) if first else 0
        rows.append({c: row[c] for c in COLUMNS[by]})
    return rows


def _share(part: Any, whole: int) -> float | None:
    return round(int(part or 0) / whole, 3) if whole else None


def _check_kind(connection: Connection, kind: str) -> None:
    known = connection.scalars(select(Event.kind).distinct().order_by(Event.kind)).all()
    if kind not in known:
        listed = ", ".join(known) if known else "none yet: no event recorded"
        raise MisuseError(f"no event is of kind {kind!r}: the kinds are {listed}")


def _held(window: Window, kind: str | None) -> list[ColumnElement[bool]]:
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


def _keys(by: str) -> list[Any]:
    """The grouping columns; the first is labelled ``key`` (what joins the two queries)."""
    if by == "kind":
        return [Event.kind.label("key")]
    return [Event.id.label("key"), Event.starts_at, Event.title, Event.kind, Event.local_group_id]


def _counts_query(keys: list[Any], held: list[ColumnElement[bool]], by: str) -> Select[Any]:
    accepted = Attendance.rsvp == Rsvp.ACCEPTED
    attended = Attendance.presence == Presence.ATTENDED
    no_show = Attendance.presence == Presence.NO_SHOW

    def count(*conditions: ColumnElement[bool]) -> Any:
        return func.sum(case((and_(*conditions), 1), else_=0))

    figures = [
        count(accepted).label("accepted"),
        count(attended).label("attended"),
        count(no_show).label("no_show"),
        count(attended, Attendance.walk_in.is_(True)).label("walk_ins"),
        count(accepted, Attendance.presence == Presence.UNKNOWN).label("unknown"),
        count(accepted, attended).label("came"),
        count(accepted, no_show).label("flaked"),
    ]
    if by == "kind":
        query = select(*keys, func.count(Event.id.distinct()).label("events"), *figures)
        query = query.outerjoin(Attendance, Attendance.event_id == Event.id)
        return query.where(*held).group_by(*keys).order_by(keys[0])
    query = (
        select(*keys, LocalGroup.name.label("group"), *figures)
        .select_from(Event)
        .outerjoin(Attendance, Attendance.event_id == Event.id)
        .outerjoin(LocalGroup, LocalGroup.id == Event.local_group_id)
        .where(*held)
        .group_by(*keys, LocalGroup.name)
        .order_by(Event.starts_at, Event.id)
    )
    return query.add_columns(Event.id.label("event"))


def _firsts_query(
    ladder: LadderFile, window: Window, keys: list[Any], held: list[ColumnElement[bool]]
) -> Select[Any]:
    """Per key: the first-timers and how many of them climbed after the event."""
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
        .where(Attendance.presence == Presence.ATTENDED, Event.status != EventStatus.CANCELLED)
        .subquery()
    )
    raised = (
        select(LevelChange.supporter_id, func.max(LevelChange.changed_at).label("last_raise"))
        .where(_raises(ladder), LevelChange.changed_at < window.until)
        .group_by(LevelChange.supporter_id)
        .subquery()
    )
    climbed = case((raised.c.last_raise >= attended.c.starts_at, 1), else_=0)
    return (
        select(
            keys[0],
            func.count().label("first_timers"),
            func.sum(climbed).label("climbed_after"),
        )
        .select_from(attended)
        .join(Event, Event.id == attended.c.event_id)
        .outerjoin(raised, raised.c.supporter_id == attended.c.supporter_id)
        .where(attended.c.nth == 1, *held)
        .group_by(keys[0])
    )


def _raises(ladder: LadderFile) -> ColumnElement[bool]:
    """A level change that moves someone to a higher rung of the ladder."""
    ranks = {name: index for index, name in enumerate(ladder.rung_names)}
    before = case(ranks, value=LevelChange.from_rung, else_=None)
    after = case(ranks, value=LevelChange.to_rung, else_=None)
    return after > before
