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
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, ColumnElement, DateTime, case, func, select, type_coerce

from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import SupporterStatus
from ladder.reports.window import Window
from ladder.storage.models import LevelChange, Supporter
from ladder.storage.sqlfunc import largest


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
