"""One compiler per kind of condition: the rows it counts, and how it holds.

Each takes the :class:`~ladder.rules.compile.Compiler` (which LEFT JOINs the counts onto
``supporters AS s``) and one leaf condition, and returns a :class:`~ladder.rules.sql.Node`.
Attendances count only when ``presence = 'attended'``: unknown never counts for anyone, and
for ``no_activity_days`` an unknown presence counts as activity, so it never counts against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, and_, case, cast, false, func, literal, select, true
from sqlalchemy.sql.elements import ColumnElement

from ladder.domain.ladderfile import LadderFile
from ladder.domain.rules import Condition
from ladder.domain.vocabulary import EventStatus, Presence, SupporterStatus
from ladder.rules.sql import AS_OF, SUPPORTERS, Node, Rows, S, Scope, alias_of, days_before
from ladder.storage.models import Action, ActionKind, Attendance, Event, SupporterTag, Tag
from ladder.storage.sqlfunc import any_of, in_constants, largest, smallest, whole_days

if TYPE_CHECKING:
    from ladder.rules.compile import Compiler


def leaf_node(
    condition: Condition,
    key: str,
    label: str,
    holds: ColumnElement[bool],
    measure: ColumnElement[Any],
    threshold: int,
    rows: Rows | None = None,
) -> Node:
    ratio = cast(largest(measure, literal(0)), Float) / float(threshold)
    progress = case((holds, literal(1.0)), else_=smallest(ratio, literal(1.0)))
    missing = case((holds, literal(0)), else_=largest(literal(threshold) - measure, literal(1)))
    return Node(condition, key, label, holds, progress, missing, measure, threshold, rows)


def _within(condition: Condition) -> tuple[str, str]:
    days = condition.within_days
    return ("", "") if days is None else (f"_{days}d", f" within {days} days")


def _attended(compiler: Compiler, condition: Condition) -> Node:
    key, text = _within(condition)
    rows = _attended_rows(compiler.scope, condition.within_days, ["attended"])
    return compiler.count_leaf(condition, "attended" + key, "events attended" + text, rows, True)


def _attended_rows(
    scope: Scope, days: int | None, presences: list[str], each: bool = False
) -> Rows:
    """Attendances with these presences at events (not cancelled) inside the window.

    For everyone, the window's events are an IN list: both databases read the few events of
    the window by date, then their attendances by event. For a few people (or ``each``: one
    person at a time), a join: their attendances by person, then each event by key.
    """
    attendance, event = alias_of(Attendance.__table__), alias_of(Event.__table__)
    in_window = [event.c.status != EventStatus.CANCELLED, *scope.window(event.c.starts_at, days)]
    where = [
        in_constants(attendance.c.presence, presences),  # unknown never counts for anyone
        *scope.restrict(attendance.c.supporter_id),
    ]
    if scope.few or each:
        table = attendance.join(event, event.c.id == attendance.c.event_id)
        return Rows(table, attendance.c.supporter_id, attendance.c.id, None, where + in_window)
    events = select(event.c.id).where(*in_window).correlate(None)
    where.append(attendance.c.event_id.in_(events))
    return Rows(attendance, attendance.c.supporter_id, attendance.c.id, None, where)


def _hosted(compiler: Compiler, condition: Condition) -> Node:
    key, text = _within(condition)
    rows = _hosted_rows(compiler.scope, condition.within_days)
    return compiler.count_leaf(condition, "hosted" + key, "events hosted" + text, rows, True)


def _hosted_rows(scope: Scope, days: int | None) -> Rows:
    event = alias_of(Event.__table__)
    where = [
        event.c.host_id.is_not(None),
        event.c.status != EventStatus.CANCELLED,
        *scope.window(event.c.starts_at, days),
        *scope.restrict(event.c.host_id),
    ]
    return Rows(event, event.c.host_id, event.c.id, event.c.starts_at, where)


def _actions(compiler: Compiler, condition: Condition) -> Node:
    names, what = action_kinds(compiler.ladder, condition)
    key, text = _within(condition)
    share = None if names is None else len(names) / max(1, len(compiler.ladder.action_kinds))
    rows = _action_rows(compiler.scope, condition.within_days, names, share)
    slug = "_" + "_".join(what.split())[:40].replace("-", "_") if what else ""
    label = f"{what} actions{text}" if what else f"actions{text}"
    return compiler.count_leaf(condition, "actions" + slug + key, label, rows, False)


def action_kinds(ladder: LadderFile, condition: Condition) -> tuple[list[str] | None, str]:
    """The kind names a condition counts (None: every kind) and how to call them."""
    if condition.kinds_of is not None:
        return [k.name for k in ladder.kinds_for(condition.kinds_of)], f"{condition.kinds_of}-level"
    if condition.kinds is not None:
        return list(condition.kinds), " or ".join(condition.kinds)
    return None, ""


def _action_rows(
    scope: Scope, days: int | None, kinds: list[str] | None, share: float | None = None
) -> Rows:
    """Actions in the window, of these kinds (``share``: the ladder's kinds they are; at
    most half, they are read by kind and date, see :func:`any_of`)."""
    action, kind = alias_of(Action.__table__), alias_of(ActionKind.__table__)
    where = [*scope.window(action.c.occurred_at, days), *scope.restrict(action.c.supporter_id)]
    if kinds is not None:
        named = select(kind.c.id).where(in_constants(kind.c.name, kinds)).correlate(None)
        few = share if share is not None and share <= 0.5 else None
        where.append(any_of(action.c.action_kind_id, named, few))
    return Rows(action, action.c.supporter_id, action.c.id, action.c.occurred_at, where)


def _recruits(compiler: Compiler, condition: Condition) -> Node:
    recruit = alias_of(SUPPORTERS)
    key, text = _within(condition)
    where = [
        recruit.c.recruiter_id.is_not(None),
        recruit.c.status != SupporterStatus.ERASED,
        recruit.c.merged_into_id.is_(None),
        *compiler.scope.window(recruit.c.created_at, condition.within_days),
        *compiler.scope.restrict(recruit.c.recruiter_id),
    ]
    rung = condition.recruits_at_rung
    if rung is not None:
        where.append(in_constants(recruit.c.rung, compiler.ladder.rungs_at_or_above(rung)))
        key, text = f"_{rung.replace('-', '_')}{key}", f" at {rung} or above{text}"
    rows = Rows(recruit, recruit.c.recruiter_id, recruit.c.id, recruit.c.created_at, where)
    return compiler.count_leaf(condition, "recruits" + key, "recruits" + text, rows, True)


def _tag(compiler: Compiler, condition: Condition) -> Node:
    tagged, tag = alias_of(SupporterTag.__table__), alias_of(Tag.__table__)
    where = [tag.c.name == condition.has_tag, *compiler.scope.restrict(tagged.c.supporter_id)]
    rows = Rows(
        tagged.join(tag, tag.c.id == tagged.c.tag_id), tagged.c.supporter_id, tag.c.id, None, where
    )
    measure = compiler.join(rows)
    key = "tag_" + "".join(ch if ch.isalnum() else "_" for ch in (condition.has_tag or "").lower())
    return leaf_node(condition, key[:40], f"tag {condition.has_tag!r}", measure >= 1, measure, 1)


def _consent(compiler: Compiler, condition: Condition) -> Node:
    column = S.c[f"consent_{condition.has_consent}"]
    holds = func.coalesce(column, false()) == true()
    measure = case((holds, literal(1)), else_=literal(0))
    key, label = f"consent_{condition.has_consent}", f"consent to {condition.has_consent}"
    return leaf_node(condition, key, label, holds, measure, 1)


def _days_at_rung(compiler: Compiler, condition: Condition) -> Node:
    days = condition.days_at_rung or 0
    holds = S.c.rung_since <= days_before(days)
    measure = largest(whole_days(AS_OF, S.c.rung_since), literal(0))
    return leaf_node(condition, "days_at_rung", "days at the current rung", holds, measure, days)


def _quiet(compiler: Compiler, condition: Condition) -> Node:
    """No action, attendance (attended or unknown: benefit of the doubt) or hosting in N days."""
    days = condition.no_activity_days or 0
    scope = compiler.scope
    # unknown presence counts as activity here: benefit of the doubt, never against anyone
    presences = ["attended", "unknown"]
    if scope.few:  # a few people: their counts, joined or looked up (Scope.among)
        attended = _attended_rows(scope, days, presences)
        sources = [_action_rows(scope, days, None), attended, _hosted_rows(scope, days)]
        counts = [compiler.join(rows) for rows in sources]
        quiet = counts[0] + counts[1] + counts[2] == 0
    else:  # everyone: per person, the index read stops at their first row (NOT EXISTS)
        attended = _attended_rows(scope, days, presences, each=True)
        sources = [_action_rows(scope, days, None), attended, _hosted_rows(scope, days)]
        mine = [(rows.table, [*rows.where, rows.owner == S.c.id]) for rows in sources]
        counts = [select(func.count()).select_from(t).where(*w).scalar_subquery() for t, w in mine]
        quiet = and_(*(~select(literal(1)).select_from(t).where(*w).exists() for t, w in mine))
    measure: ColumnElement[Any] = counts[0] + counts[1] + counts[2]
    holds = and_(S.c.created_at <= days_before(days), quiet)  # the cheap test first
    label = f"activity in the last {days} days"
    node = leaf_node(condition, f"activity_{days}d", label, holds, measure, 1)
    node.progress = case((holds, literal(1.0)), else_=literal(0.0))
    node.missing = case((holds, literal(0)), else_=literal(1))
    return node


LEAVES: dict[str, Callable[[Compiler, Condition], Node]] = {
    "attended_events": _attended,
    "hosted_events": _hosted,
    "actions": _actions,
    "recruits": _recruits,
    "has_tag": _tag,
    "has_consent": _consent,
    "days_at_rung": _days_at_rung,
    "no_activity_days": _quiet,
}


def activity_rows(scope: Scope) -> list[Rows]:
    attendance, event = alias_of(Attendance.__table__), alias_of(Event.__table__)
    attended = Rows(
        attendance.join(event, event.c.id == attendance.c.event_id),
        attendance.c.supporter_id,
        attendance.c.id,
        event.c.starts_at,
        [
            attendance.c.presence == Presence.ATTENDED,
            event.c.status != EventStatus.CANCELLED,
            *scope.window(event.c.starts_at, None),
            *scope.restrict(attendance.c.supporter_id),
        ],
    )
    return [_action_rows(scope, None, None), attended, _hosted_rows(scope, None)]


def since_lapse(rows: Rows) -> Rows:
    """``rows`` restricted to lapsed owners and to what happened after they lapsed.

    The lapsed people are an IN list (read first, by the owner index), then each row is
    compared with its owner's lapse date.
    """
    assert rows.at is not None
    lapsed, listed = alias_of(SUPPORTERS), alias_of(SUPPORTERS)
    lapsed_ids = (
        select(listed.c.id).where(listed.c.status == SupporterStatus.LAPSED).correlate(None)
    )
    since_lapsed = func.coalesce(lapsed.c.status_since, lapsed.c.created_at)
    table = rows.table.join(lapsed, lapsed.c.id == rows.owner)
    where = [*rows.where, rows.owner.in_(lapsed_ids), rows.at > since_lapsed]
    return Rows(table, rows.owner, rows.row_id, rows.at, where)
