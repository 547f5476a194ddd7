"""The local groups compared: for each group, the headline's people, engaged, rung and event
figures, in three grouped queries over the whole base (never one query per group).

The figures mean what :mod:`ladder.reports.headline` says they mean: a group's row equals the
headline of a report asked for that group alone. People without a group are one more row
(``group_id`` None) when there are any; events without a group are counted there too.

:func:`group_figures` reads them; summed over the groups they are the headline's figures (but
the recruiters'), so the HTML report reads them once for both (``headline(..., groups=)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, func, select

from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import EventStatus, Presence, SupporterStatus
from ladder.reports.window import Window
from ladder.storage.models import Action, Attendance, Event, LocalGroup, Supporter

Group = int | None  # a local group's id; None for the people (or events) without one


@dataclass(frozen=True)
class GroupFigures:
    """Per group (the window's group or not: every group), what :func:`groups_compared` and
    the headline count: ``people`` who had joined by the window's end; ``rungs``: active
    people on each rung today (a rung with nobody active may be missing or 0); ``lapsed``:
    of the people, those lapsed today; ``engaged`` in the window; ``events``: (held, of them
    on a key date, presences)."""

    people: dict[Group, int]
    rungs: dict[Group, dict[str, int]]
    lapsed: dict[Group, int]
    engaged: dict[Group, int]
    events: dict[Group, tuple[int, int, int]]


def group_figures(connection: Connection, window: Window) -> GroupFigures:
    """Every group's figures for ``window`` (its group is not applied: the caller picks)."""
    people, rungs, lapsed = _people(connection, window)
    return GroupFigures(
        people, rungs, lapsed, _engaged(connection, window), _events(connection, window)
    )


def groups_compared(
    connection: Connection,
    ladder: LadderFile,
    window: Window,
    figures: GroupFigures | None = None,
) -> list[dict[str, Any]]:
    """Rows ``{group_id, group, people, engaged, rung:NAME..., events_held, attended}``, the
    most people first (ties by name); only the window's group when it names one. ``figures``:
    :func:`group_figures` of the same window when already read."""
    names = {row.id: row.name for row in connection.execute(select(LocalGroup.id, LocalGroup.name))}
    if figures is None:
        figures = group_figures(connection, window)
    people, rungs, engaged, events = figures.people, figures.rungs, figures.engaged, figures.events
    rung_names = ladder.rung_names + sorted(
        {rung for counts in rungs.values() for rung in counts} - set(ladder.rung_names)
    )
    found: set[int | None] = {*names, *people, *events}
    if window.group_id is not None:
        found = {window.group_id}
    rows: list[dict[str, Any]] = []
    for group in found:
        held, _key_dates, attended = events.get(group, (0, 0, 0))
        rows.append(
            {
                "group_id": group,
                "group": names.get(group) if group is not None else None,
                "people": people.get(group, 0),
                "engaged": engaged.get(group, 0),
                **{f"rung:{r}": rungs.get(group, {}).get(r, 0) for r in rung_names},
                "events_held": held,
                "attended": attended,
            }
        )
    rows.sort(key=lambda r: (-r["people"], r["group"] is None, r["group"] or ""))
    return rows


def _counted() -> list[Any]:
    return [Supporter.status != SupporterStatus.ERASED, Supporter.merged_into_id.is_(None)]


def _people(
    connection: Connection, window: Window
) -> tuple[dict[Group, int], dict[Group, dict[str, int]], dict[Group, int]]:
    """People who had joined by the window's end, active people on each rung today, and
    those of the first who are lapsed today."""
    joined = func.sum(case((Supporter.created_at < window.until, 1), else_=0))
    active = func.sum(case((Supporter.status == SupporterStatus.ACTIVE, 1), else_=0))
    lapsed = func.sum(
        case(
            (
                (Supporter.status == SupporterStatus.LAPSED)
                & (Supporter.created_at < window.until),
                1,
            ),
            else_=0,
        )
    )
    # Grouped by an expression, not the column: SQLite would otherwise walk the index on
    # (local_group_id, rung) and look every row up (4.2 s at 1M people, against 1.6 s for one
    # pass over the table and a sort). Ids start at 1: 0 is "no group".
    group_key = func.coalesce(Supporter.local_group_id, 0)
    query = (
        select(group_key, Supporter.rung, joined, active, lapsed)
        .where(*_counted())
        .group_by(group_key, Supporter.rung)
    )
    people: dict[Group, int] = {}
    rungs: dict[Group, dict[str, int]] = {}
    lapsed_people: dict[Group, int] = {}
    for key, rung, in_base, on_rung, lapsed_on_rung in connection.execute(query):
        group = key or None
        people[group] = people.get(group, 0) + int(in_base or 0)
        rungs.setdefault(group, {})[rung] = int(on_rung or 0)
        lapsed_people[group] = lapsed_people.get(group, 0) + int(lapsed_on_rung or 0)
    return people, rungs, lapsed_people


def engaged_people(window: Window) -> Any:
    """A subquery of the ids (``supporter_id``) of everyone who took an action or came to an
    event held (not cancelled) in the window: the "engaged" of the headline and of each group."""
    acted = select(Action.supporter_id).where(window.covers(Action.occurred_at))
    came = (
        select(Attendance.supporter_id)
        .join(Event, Event.id == Attendance.event_id)
        .where(
            Attendance.presence == Presence.ATTENDED,
            Event.status != EventStatus.CANCELLED,
            window.covers(Event.starts_at),
        )
    )
    return acted.union(came).subquery()


def _engaged(connection: Connection, window: Window) -> dict[Group, int]:
    active = engaged_people(window)
    query = (
        select(Supporter.local_group_id, func.count())
        .join(active, active.c.supporter_id == Supporter.id)
        .where(*_counted(), Supporter.created_at < window.until)
        .group_by(Supporter.local_group_id)
    )
    return {group: int(count) for group, count in connection.execute(query)}


def _events(connection: Connection, window: Window) -> dict[Group, tuple[int, int, int]]:
    """Events held, those of them on a key date, and presences at them, per the event's
    group."""
    held = [Event.status != EventStatus.CANCELLED, window.covers(Event.starts_at)]
    attended = func.sum(case((Attendance.presence == Presence.ATTENDED, 1), else_=0))
    key_dates = func.count(case((Event.key_date, Event.id)).distinct())
    query = (
        select(
            Event.local_group_id,
            func.count(Event.id.distinct()),
            key_dates,
            func.coalesce(attended, 0),
        )
        .outerjoin(Attendance, Attendance.event_id == Event.id)
        .where(*held)
        .group_by(Event.local_group_id)
    )
    return {group: (int(n), int(k), int(a)) for group, n, k, a in connection.execute(query)}
