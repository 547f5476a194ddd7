"""The level history as reports read it: every person's rung and status at any past moment.

``level_changes`` gets a row only when a rung or status changes (a promotion, a lapse, a
reactivation, a rung set by hand, a renamed rung, a merge, an erasure); creating a person
writes none. So a person's state at time ``t`` is the ``to`` side of their last change at or
before ``t``, else the ``from`` side of their first change after ``t`` (the state they were
created in), else their state today.

:func:`ordered_changes` numbers each person's changes in time order and pairs every change with
the state just before it (the previous change's ``to``, or its own ``from`` for the first one):
reports then sum "-1 for the state left, +1 for the state entered" per local day, which gives
the count on every state at any day's end, true even where the recorded ``from`` of a change
does not match the previous ``to`` (the two histories of merged records, interleaved).

A change dated before its person's ``created_at`` (``ladder promote --as-of`` a past date over
people imported later) counts as happening when the person was created (``at``).

Only the people a report counts are read: not erased, not merged into another record, in the
window's local group (today's group: the base keeps no history of group moves).

:func:`read_history` reads what the funnel and the cohorts need, in two statements (the joins,
then the ordered history computed once for every part): each report reads it alone, and the
HTML report reads it once for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    true,
    type_coerce,
    union_all,
)

from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import SupporterStatus
from ladder.reports.window import Window
from ladder.storage.models import LevelChange, Supporter
from ladder.storage.sqlfunc import largest, local_date, whole_days


def counted(window: Window) -> list[ColumnElement[bool]]:
    """The people a report counts: not erased, not merged, in the window's group."""
    where = [Supporter.status != SupporterStatus.ERASED, Supporter.merged_into_id.is_(None)]
    if window.group_id is not None:
        where.append(Supporter.local_group_id == window.group_id)
    return where


def ordered_changes(window: Window) -> CTE:
    """Every level change of a counted person (whatever its date: the first change after a
    past moment still tells the state before it), with columns ``supporter_id``,
    ``created_at``, ``now_rung``/``now_status`` (today's), ``k`` (1 for the person's first
    change), ``at`` (when, not before ``created_at``), ``prev_rung``/``prev_status`` (the state
    just before) and ``to_rung``/``to_status`` (just after).

    A NULL side means "unchanged" (the demo seed writes a lapse with no rungs and a climb with
    no statuses; an OSDI import writes no statuses): it takes the value the person had then,
    the last one a change went to, else the one they joined with (the ``from`` of their first
    change that names one), else today's. Three window passes over the changes only.

    A common table expression: a statement that reads it twice (a UNION ALL) computes it once
    (both databases materialise a CTE used more than once)."""
    lc = LevelChange.__table__.c
    s = Supporter.__table__.c
    order: dict[str, Any] = {"partition_by": lc.supporter_id, "order_by": (lc.changed_at, lc.id)}
    counts = (
        select(
            lc.id,
            lc.supporter_id,
            lc.changed_at,
            s.created_at,
            s.rung.label("now_rung"),
            s.status.label("now_status"),
            lc.from_rung,
            lc.to_rung,
            lc.from_status,
            lc.to_status,
            func.count(lc.to_rung).over(**order).label("rungs_seen"),
            func.count(lc.to_status).over(**order).label("statuses_seen"),
        )
        .join_from(LevelChange, Supporter, Supporter.id == lc.supporter_id)
        .where(*counted(window))
        .subquery("counted_changes")
    )
    c = counts.c
    person: dict[str, Any] = {"partition_by": c.supporter_id}
    first_rung = func.max(
        case(((c.rungs_seen == 1) & c.to_rung.is_not(None), func.coalesce(c.from_rung, c.to_rung)))
    )
    first_status = func.max(
        case(
            (
                (c.statuses_seen == 1) & c.to_status.is_not(None),
                func.coalesce(c.from_status, c.to_status),
            )
        )
    )
    joined_rung = func.coalesce(first_rung.over(**person), c.now_rung)
    joined_status = func.coalesce(first_status.over(**person), c.now_status)
    filled = select(
        c.id,
        c.supporter_id,
        c.changed_at,
        c.created_at,
        c.now_rung,
        c.now_status,
        joined_rung.label("joined_rung"),
        joined_status.label("joined_status"),
        func.max(c.to_rung).over(partition_by=(c.supporter_id, c.rungs_seen)).label("rung_after"),
        func.max(c.to_status)
        .over(partition_by=(c.supporter_id, c.statuses_seen))
        .label("status_after"),
    ).subquery("filled_changes")
    f = filled.c
    order = {"partition_by": f.supporter_id, "order_by": (f.changed_at, f.id)}
    to_rung = func.coalesce(f.rung_after, f.joined_rung)
    to_status = func.coalesce(f.status_after, f.joined_status)
    return select(
        f.supporter_id,
        f.created_at,
        f.now_rung,
        f.now_status,
        func.row_number().over(**order).label("k"),
        type_coerce(largest(f.changed_at, f.created_at), DateTime).label("at"),
        func.lag(to_rung, 1, f.joined_rung).over(**order).label("prev_rung"),
        func.lag(to_status, 1, f.joined_status).over(**order).label("prev_status"),
        to_rung.label("to_rung"),
        to_status.label("to_status"),
    ).cte("ordered")


def rung_rank(ladder: LadderFile, column: Any) -> ColumnElement[int]:
    """A rung's place in the ladder (0 for the first); -1 for a rung the ladder no longer has
    (a renamed one): it is below every rung."""
    ranks = {name: index for index, name in enumerate(ladder.rung_names)}
    return case(ranks, value=column, else_=-1)


@dataclass(frozen=True)
class HistoryRead:
    """What the funnel and the cohorts read, per local day (``inside``: 1 when the moment is
    at or after the window's start, else 0):

    - ``joins``: (day, rung today, status today, inside, people) of who joined before the
      window's end;
    - ``first_changes``: (day of join, rung today, status today, rung and status before the
      first change, inside (the join), people) of those of them who have changes (their first
      change may come after the window: it still tells the state they joined in);
    - ``changes``: (day, rung and status before, rung and status after, inside, changes) before
      the window's end (read when ``moves``);
    - ``reached``: (day of join, rung rank, whole days, people): of the people who joined in
      the window below the rung, how many first reached it (or a higher one) by a change that
      many days after joining, before the window's end (read when ``reached``, for a ladder
      of two rungs or more).

    Empty lists for what was not read, and when nobody had joined (nobody the window counts)."""

    joins: list[Any]
    first_changes: list[Any]
    changes: list[Any]
    reached: list[Any]


def read_history(
    connection: Connection,
    ladder: LadderFile,
    window: Window,
    zone: tzinfo,
    moves: bool = True,
    reached: bool = True,
) -> HistoryRead:
    """The joins, then (when someone joined) the history in one statement that computes the
    ordered changes once for all its parts. ``moves`` for the funnel, ``reached`` for the
    cohorts (the HTML report reads both at once)."""
    joins = _joins(connection, window, zone)
    reached = reached and len(ladder.rung_names) > 1
    if not (moves or any(inside for _, _, _, inside, _ in joins)):  # cohorts: nobody joined in it
        return HistoryRead(joins, [], [], [])
    ordered = ordered_changes(window)
    o = ordered.c
    no_days = cast(null(), Integer)  # typed: PostgreSQL reads two bare NULLs as text
    first_day = local_date(o.created_at, zone)
    inside, grouped = _inside(window, o.created_at)
    first_columns = [first_day, o.now_rung, o.now_status, o.prev_rung, o.prev_status]
    parts = [
        select(literal_column("0").label("part"), *first_columns, inside, no_days, func.count())
        .where(o.k == 1, o.created_at < window.until)
        .group_by(*first_columns, *grouped)
    ]
    if moves:
        day = local_date(o.at, zone)
        inside, grouped = _inside(window, o.at)
        columns = [day, o.prev_rung, o.prev_status, o.to_rung, o.to_status]
        parts.append(
            select(literal_column("1"), *columns, inside, no_days, func.count())
            .where(o.at < window.until)
            .group_by(*columns, *grouped)
        )
    if reached:
        parts.append(_reached(ladder, window, zone, ordered))
    found: HistoryRead = HistoryRead(joins, [], [], [])
    lists = [found.first_changes, found.changes, found.reached]
    for part, day, rung, status, to_rung, to_status, inside_or_rank, days, n in connection.execute(
        union_all(*parts)
    ):
        if part == 0:
            lists[0].append((day, rung, status, to_rung, to_status, inside_or_rank, n))
        elif part == 1:
            lists[1].append((day, rung, status, to_rung, to_status, inside_or_rank, n))
        else:
            lists[2].append((day, inside_or_rank, days, n))
    return found


def _inside(window: Window, column: Any) -> tuple[ColumnElement[Any], list[Any]]:
    """1 when ``column`` is at or after the window's start, else 0; and what to group by."""
    if window.since is None:
        return literal_column("1"), []
    flag = case((column >= window.since, 1), else_=0)
    return flag, [flag]


def _joins(connection: Connection, window: Window, zone: tzinfo) -> list[Any]:
    """(local day, rung today, status today, inside the window, people) of who joined."""
    s = Supporter.__table__.c
    day = local_date(s.created_at, zone)
    inside, grouped = _inside(window, s.created_at)
    query = (
        select(day, s.rung, s.status, inside, func.count())
        .where(*counted(window), s.created_at < window.until)
        .group_by(day, s.rung, s.status, *grouped)
    )
    return list(connection.execute(query))


def _reached(ladder: LadderFile, window: Window, zone: tzinfo, ordered: CTE) -> Any:
    """Per local day of join, rung rank and whole days: how many people who joined in the
    window below the rung first reached it (or higher) by a change that many days after."""
    o = ordered.c
    then = rung_rank(ladder, o.prev_rung)
    ranks = union_all(
        *(
            select(literal_column(str(rank)).label("rank"))
            for rank in range(1, len(ladder.rung_names))
        )
    ).subquery("ranks")
    r = ranks.c.rank
    joined_below = func.max(case((o.k == 1, then), else_=-1)) < r
    days = func.min(
        case(
            (
                (rung_rank(ladder, o.to_rung) >= r) & (o.at < window.until),
                whole_days(o.at, o.created_at),
            ),
        )
    )
    per_person = (
        select(o.created_at, r.label("rank"), days.label("days"))
        .select_from(ordered)
        .join(ranks, true())
        .where(window.covers(o.created_at))
        .group_by(o.supporter_id, o.created_at, r)
        .having(joined_below)
        .subquery("per_person")
    )
    p = per_person.c
    day = local_date(p.created_at, zone)
    nothing = null()  # text columns in the parts before
    return (
        select(
            literal_column("2"),
            day,
            nothing,
            nothing,
            nothing,
            nothing,
            p.rank,
            p.days,
            func.count(),
        )
        .where(p.days.is_not(None))
        .group_by(day, p.rank, p.days)
    )
