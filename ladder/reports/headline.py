"""The movement's headline figures, in the style of its own reports ("2,650 engaged people,
50 ambassadors, 90 field outings"): one grouped query each, over the whole base.

``ladder report summary`` prints them, the HTML report puts them at its top, and a partner's
digest quotes them: all three read :func:`headline`, so they always agree.

What each figure counts (erased and merged records are never counted):

- ``people``: people in the base who had joined by the end of the window;
- ``engaged``: of them, those who took an action or came to an event held (not cancelled)
  in the window;
- ``rung:NAME``: active people on each rung today (the funnel report gives the past);
- ``lapsed``: people whose status is lapsed today;
- ``events_held``: events not cancelled that started in the window;
- ``key_date_events``: of those, the ones on a key date (the flagship days);
- ``attended``: presences recorded at those events;
- ``new_people``: people who joined in the window;
- ``recruited``: of them, those brought by another supporter;
- ``recruiters``: people who brought at least one of them.

All but the last three are sums over the local groups: given the groups' figures already read
(:func:`ladder.reports.groups.group_figures`, as the HTML report does for its groups section),
:func:`headline` sums them instead of reading them again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, select

from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import EventStatus, Presence, SupporterStatus
from ladder.reports.groups import GroupFigures, engaged_people
from ladder.reports.window import Window
from ladder.storage.models import Attendance, Event, Supporter

COLUMNS = ["figure", "value", "what"]


def headline(
    connection: Connection,
    ladder: LadderFile,
    window: Window,
    groups: GroupFigures | None = None,
) -> list[dict[str, Any]]:
    """The figures, in a fixed order, as rows ``{figure, value, what}``. ``groups``: the
    groups' figures for the same window, when already read (summed here, not read again)."""
    if groups is None:
        people = _people_figures(connection, window)
        counts = _rung_counts(connection, window)
        engaged = _engaged(connection, window)
        events = _event_figures(connection, window)
    else:
        people, counts, engaged, events = _summed(groups, window)
    recruits = _recruit_figures(connection, window)
    names = ladder.rung_names + sorted(
        {rung for rung, n in counts.items() if n} - set(ladder.rung_names)
    )
    rungs = [_row(f"rung:{name}", counts.get(name, 0), f"active on {name}") for name in names]
    return [
        _row("people", people["people"], "people in the base"),
        _row("engaged", engaged, "took an action or came to an event"),
        *rungs,
        _row("lapsed", people["lapsed"], "lapsed today"),
        _row("events_held", events["held"], "events held (not cancelled)"),
        _row("key_date_events", events["key_dates"], "of them on a key date"),
        _row("attended", events["attended"], "presences at those events"),
        _row("new_people", recruits["joined"], "joined"),
        _row("recruited", recruits["recruited"], "of them brought by a supporter"),
        _row("recruiters", recruits["recruiters"], "supporters who brought them"),
    ]


def figure_values(rows: list[dict[str, Any]]) -> dict[str, int]:
    """``{figure: value}`` of :func:`headline`'s rows."""
    return {row["figure"]: row["value"] for row in rows}


def _row(figure: str, value: int | None, what: str) -> dict[str, Any]:
    return {"figure": figure, "value": int(value or 0), "what": what}


def _counted(window: Window) -> list[ColumnElement[bool]]:
    """The people a figure may count: not erased, not merged, in the group."""
    where = [Supporter.status != SupporterStatus.ERASED, Supporter.merged_into_id.is_(None)]
    if window.group_id is not None:
        where.append(Supporter.local_group_id == window.group_id)
    return where


def _people_figures(connection: Connection, window: Window) -> dict[str, int]:
    lapsed = func.sum(case((Supporter.status == SupporterStatus.LAPSED, 1), else_=0))
    row = connection.execute(
        select(func.count().label("people"), lapsed.label("lapsed")).where(
            *_counted(window), Supporter.created_at < window.until
        )
    ).one()
    return {"people": row.people, "lapsed": row.lapsed or 0}


def _summed(
    groups: GroupFigures, window: Window
) -> tuple[dict[str, int], dict[str, int], int, dict[str, int]]:
    """The people, rung, engaged and event figures: the groups' summed, or the window's
    group's."""
    wanted = [window.group_id] if window.group_id is not None else None

    def total(figures: dict[Any, Any]) -> Any:
        return [value for group, value in figures.items() if wanted is None or group in wanted]

    counts: dict[str, int] = {}
    for on_rungs in total(groups.rungs):
        for rung, n in on_rungs.items():
            counts[rung] = counts.get(rung, 0) + n
    events = total(groups.events)
    return (
        {"people": sum(total(groups.people)), "lapsed": sum(total(groups.lapsed))},
        counts,
        sum(total(groups.engaged)),
        {
            "held": sum(e[0] for e in events),
            "key_dates": sum(e[1] for e in events),
            "attended": sum(e[2] for e in events),
        },
    )


def _engaged(connection: Connection, window: Window) -> int:
    active = engaged_people(window)
    query = (
        select(func.count())
        .select_from(Supporter)
        .join(active, active.c.supporter_id == Supporter.id)
        .where(*_counted(window), Supporter.created_at < window.until)
    )
    return int(connection.execute(query).scalar_one())


def _rung_counts(connection: Connection, window: Window) -> dict[str, int]:
    """Active people on each rung today."""
    query = (
        select(Supporter.rung, func.count())
        .where(*_counted(window), Supporter.status == SupporterStatus.ACTIVE)
        .group_by(Supporter.rung)
    )
    return {rung: count for rung, count in connection.execute(query)}


def _event_figures(connection: Connection, window: Window) -> dict[str, int]:
    held = [Event.status != EventStatus.CANCELLED, window.covers(Event.starts_at)]
    if window.group_id is not None:
        held.append(Event.local_group_id == window.group_id)
    key_dates = func.sum(case((Event.key_date, 1), else_=0))
    events = connection.execute(
        select(func.count().label("held"), key_dates.label("key_dates")).where(*held)
    ).one()
    attended = connection.execute(
        select(func.count())
        .select_from(Attendance)
        .join(Event, Event.id == Attendance.event_id)
        .where(*held, Attendance.presence == Presence.ATTENDED)
    ).scalar_one()
    return {"held": events.held, "key_dates": events.key_dates or 0, "attended": attended}


def _recruit_figures(connection: Connection, window: Window) -> dict[str, int]:
    joined = [*_counted(window), window.covers(Supporter.created_at)]
    recruited = func.count(Supporter.recruiter_id)
    recruiters = func.count(Supporter.recruiter_id.distinct())
    row = connection.execute(
        select(
            func.count().label("joined"),
            recruited.label("recruited"),
            recruiters.label("recruiters"),
        ).where(*joined)
    ).one()
    return {"joined": row.joined, "recruited": row.recruited, "recruiters": row.recruiters}
