"""The SQL behind ``ladder next``: who may be asked, and each part of their score.

One statement ranks a whole list, in two materialised steps: first who may be asked
(``supporters AS c`` through every check of the list, with their recruiter, and recency and
frequency as correlated index lookups on ``actions(supporter_id, occurred_at)``, one per
candidate); then their progress towards the next rung from the rules engine
(:func:`ladder.rules.progress_query`), counted for those candidates alone, so it never
aggregates the whole base nor anyone a check leaves out. The statement is built once per
shape of request (the ids, ranges, dates and limit are parameters) and kept. The same
expressions serve ``--explain``: there each exclusion is a column instead of a WHERE term, so
the explanation cannot drift from the ranking.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    FromClause,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from ladder.domain.invitations import PARTS
from ladder.domain.vocabulary import SupporterStatus
from ladder.invitations.checks import (
    DECLINE_SINCE,
    FATIGUE_SINCE,
    NEAR_GROUP_ID,
    NEAR_POSTCODE_FROM,
    NEAR_POSTCODE_TO,
    C,
    Spec,
    checks,
)
from ladder.memo import BuiltOnce
from ladder.rules import AS_OF, SUPPORTERS, detail_count, progress_query, time_params
from ladder.storage.models import Action
from ladder.storage.sqlfunc import half_up, largest, smallest, whole_days

RECRUITER = SUPPORTERS.alias("r")
ACTIONS = Action.__table__.alias("recent")
FREQUENCY_SINCE = bindparam("next_frequency_since", type_=DateTime())
LIMIT = bindparam("next_limit", type_=Integer())
_RANKINGS: BuiltOnce[Select[Any]] = BuiltOnce(32)  # by Spec.shape(): built once per process


def progress(spec: Spec, found: FromClause) -> tuple[FromClause, FromClause] | None:
    """(supporter_id, progress, missing_count) from the rules engine, for the people ``found``
    only (each step's count restricted to those on its rung, through their indexes); and from
    the same counts, (supporter_id, d{k}_holds, d{k}_measure...) for the reasons (joined to
    the listed people only)."""
    targets_with_rules = {r.promote_to for r in spec.ladder.promotion_rules}
    targets = [(a, b) for a, b in spec.steps if b in targets_with_rules]
    if not targets:
        return None
    details = max(detail_count(spec.ladder, target) for _a, target in targets)
    parts = []
    for from_rung, target in targets:
        among = select(found.c.id).where(found.c.rung == from_rung).correlate(None)
        parts.append(progress_query(spec.ladder, target, spec.as_of, among, details))
    steps = parts[0] if len(parts) == 1 else union_all(*parts)
    # one row per person already; grouping says so to SQLite's planner, which then indexes
    # the result for the join instead of scanning it once per candidate
    each, again = steps.subquery("steps"), steps.subquery("steps_detail")
    query = select(
        each.c.supporter_id,
        func.max(each.c.progress).label("progress"),
        func.min(each.c.missing_count).label("missing_count"),
    )
    named = [again.c[name] for name in detail_columns(details)]
    shown = select(again.c.supporter_id, *named).subquery("d")
    return query.group_by(each.c.supporter_id).subquery("p"), shown


def detail_columns(details: int) -> list[str]:
    """The columns behind the reasons: each condition's truth and count (progress_query)."""
    return [f"d{k}_{part}" for k in range(details) for part in ("holds", "measure")]


def raw_values(spec: Spec) -> dict[str, ColumnElement[Any]]:
    """What the score is made of, per candidate, but their progress (each lookup appears once)."""
    c = C.c
    last = (
        select(func.max(ACTIONS.c.occurred_at))
        .where(ACTIONS.c.supporter_id == c.id, ACTIONS.c.occurred_at <= AS_OF)
        .scalar_subquery()
    )
    count = (
        select(func.count())
        .where(
            ACTIONS.c.supporter_id == c.id,
            ACTIONS.c.occurred_at > FREQUENCY_SINCE,
            ACTIONS.c.occurred_at <= AS_OF,
        )
        .scalar_subquery()
    )
    return {
        "idle_days": whole_days(AS_OF, last),
        "actions": count,
        "proximity": _proximity(spec),
        "recruiter": _recruiter_part(spec),
    }


def parts(spec: Spec, raw: Any) -> dict[str, ColumnElement[Any]]:
    """Each part of the score in [0, 1], from the columns of :func:`raw_values`."""
    settings = spec.settings
    recency = largest(literal(0.0), 1.0 - cast(raw.idle_days, Float) / float(settings.recency_days))
    frequency = cast(raw.actions, Float) / float(settings.frequency_cap)
    return {
        "closeness": raw.closeness,
        "recency": func.coalesce(recency, 0.0),
        "frequency": smallest(frequency, literal(1.0)),
        "proximity": raw.proximity,
        "recruiter": raw.recruiter,
    }


def _proximity(spec: Spec) -> ColumnElement[Any]:
    area, c = spec.area, C.c
    whens: list[tuple[ColumnElement[bool], Any]] = []
    if area.near_group_id is not None:
        whens.append((c.local_group_id == NEAR_GROUP_ID, literal(1.0)))
    if area.near_postcodes is not None:
        nearby = and_(c.postcode >= NEAR_POSTCODE_FROM, c.postcode < NEAR_POSTCODE_TO)
        whens.append((nearby, literal(0.5)))
    return case(*whens, else_=literal(0.0)) if whens else literal(0.0)


def _recruiter_part(spec: Spec) -> ColumnElement[Any]:
    names = spec.ladder.rung_names
    if len(names) < 2:
        return literal(0.0)
    top = float(len(names) - 1)
    whens = [(RECRUITER.c.rung == name, literal(i / top)) for i, name in enumerate(names)]
    live = and_(RECRUITER.c.status != SupporterStatus.ERASED, RECRUITER.c.merged_into_id.is_(None))
    return case((~live, literal(0.0)), *whens, else_=literal(0.0))


def score(spec: Spec, values: dict[str, ColumnElement[Any]]) -> ColumnElement[Any]:
    """The weighted sum in thousandths, the integer it is ranked by: both databases agree."""
    weights = spec.settings.weights
    total: ColumnElement[Any] = literal(0.0)
    for name in PARTS:
        total = total + values[name] * float(getattr(weights, name))
    return half_up(total * 1000.0)


def target_rung(spec: Spec) -> ColumnElement[Any]:
    if not spec.steps:
        return literal(None)
    return case(*((C.c.rung == a, literal(b)) for a, b in spec.steps), else_=literal(None))


def person_columns() -> list[ColumnElement[Any]]:
    c = C.c
    return [
        c.id,
        c.first_name,
        c.last_name,
        c.email,
        c.phone,
        c.rung,
        c.status,
        RECRUITER.c.rung.label("recruiter_rung"),
    ]


def params(spec: Spec, limit: int | None = None) -> dict[str, Any]:
    """Every parameter of the statement: dates, the request's ids and ranges, the limit."""
    settings, as_of = spec.settings, spec.as_of
    return {
        **spec.values(),
        LIMIT.key: limit,
        **time_params(spec.ladder, as_of),
        "as_of": as_of,
        FATIGUE_SINCE.key: as_of - timedelta(days=settings.fatigue_days),
        DECLINE_SINCE.key: as_of - timedelta(days=settings.decline_days),
        FREQUENCY_SINCE.key: as_of - timedelta(days=settings.frequency_days),
    }


def candidates(spec: Spec, person: int | None = None) -> Any:
    """One row per candidate: who they are and the raw values of their score.

    Two steps. First who may be asked, with their per-person lookups: a materialised CTE, so
    each correlated lookup runs once per candidate (SQLite would otherwise inline it into every
    expression that uses it). Then their progress from the rules engine, counted for them
    alone: nobody the checks leave out costs a count.

    With ``person`` (``--explain``): only that person, every check a ``keeps_N`` column (1 or
    0) instead of a condition.
    """
    joined = C.outerjoin(RECRUITER, RECRUITER.c.id == C.c.recruiter_id)
    query = select(
        *person_columns(),
        target_rung(spec).label("target_rung"),
        *(value.label(name) for name, value in raw_values(spec).items()),
    ).select_from(joined)
    if person is None:
        query = query.where(*(check.keeps for check in checks(spec) if check.ranked))
    else:
        flags = [case((check.keeps, literal(1)), else_=literal(0)) for check in checks(spec)]
        query = query.add_columns(*(flag.label(f"keeps_{i}") for i, flag in enumerate(flags)))
        query = query.where(C.c.id == person)
    return _with_progress(spec, query.cte("eligible").prefix_with("MATERIALIZED"))


def _with_progress(spec: Spec, found: Any) -> Any:
    """``found`` with each person's closeness (0..1) and missing count for their next rung."""
    both = progress(spec, found)
    p = both[0] if both is not None else None
    closeness = func.coalesce(p.c.progress, 0.0) if p is not None else literal(0.0)
    missing = p.c.missing_count if p is not None else literal(None)
    query = select(*found.c, closeness.label("closeness"), missing.label("missing_count"))
    if p is not None:
        query = query.select_from(found.outerjoin(p, p.c.supporter_id == found.c.id))
    return query.subquery("candidates"), (both[1] if both is not None else None)


def with_details(d: Any, query: Select[Any], ids: str) -> Select[Any]:
    """``query`` (rows of people whose ids are its column ``ids``) with the counts behind the
    reasons (``d``, from :func:`candidates`), looked up for those rows only."""
    if d is None:
        return query
    named = [column for column in d.c if column.key != "supporter_id"]
    listed = query.subquery("listed")
    joined = listed.outerjoin(d, d.c.supporter_id == listed.c[ids])
    return select(*listed.c, *named).select_from(joined)


def ranking(spec: Spec) -> Select[Any]:
    """The ranked list: best rounded score first, then the lowest id (``LIMIT :next_limit``).

    Built once per shape of request and kept: the values are parameters (:func:`params`).
    """
    return _RANKINGS.get(spec.shape(), lambda: _ranking(spec))


def _ranking(spec: Spec) -> Select[Any]:
    x, d = candidates(spec)
    values = parts(spec, x.c)
    rank = score(spec, values)
    query = select(
        *x.c,
        rank.label("rank"),
        *(value.label(f"{name}_part") for name, value in values.items()),
    )
    top = query.order_by(rank.desc(), x.c.id).limit(LIMIT)  # then the reasons, for them only
    ranked = with_details(d, top, "id")
    listed = ranked.subquery("ranked")
    return select(*listed.c).order_by(listed.c.rank.desc(), listed.c.id)
