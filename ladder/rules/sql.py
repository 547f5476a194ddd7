"""The building blocks of compiled rules: parameters, scope, counted rows, compiled nodes.

Time is a bound parameter, ``as_of`` (nothing after it counts; "within N days" is
``as_of_minus_Nd <= at <= as_of``, both edges included, see :func:`time_params`), so a compiled
statement is built once and reused. A :class:`Scope`
may restrict every subquery to some supporters: the per-person path is the same SQL with
``supporter_id IN (:only)`` pushed into each subquery, so it reads a few index entries.

A compiled condition (:class:`Node`) carries, per row of ``supporters AS s`` joined with the
counts it needs:

- ``holds``: the condition is true (never NULL);
- ``measure``: the count behind it (the evidence), ``threshold`` the count it needs;
- ``progress``: min(measure / threshold, 1); ``all`` takes the min, ``any`` the max;
- ``missing``: how many more it needs (0 when it holds); ``all`` sums, ``any`` takes the min.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    DateTime,
    FromClause,
    Integer,
    Select,
    Table,
    bindparam,
    func,
    select,
    union,
)
from sqlalchemy.sql.elements import ColumnClause, ColumnElement
from sqlalchemy.sql.expression import TableClause
from sqlalchemy.sql.selectable import NamedFromClause
from sqlalchemy.sql.visitors import replacement_traverse

from ladder.domain.ladderfile import LadderFile
from ladder.domain.rules import Condition, walk
from ladder.memo import per_object
from ladder.storage.models import LevelChange, Supporter
from ladder.storage.sqlfunc import json_object


def cast_table(table: object) -> Table:
    """A model's ``__table__``, typed as the Table it is."""
    assert isinstance(table, Table)
    return table


SUPPORTERS = cast_table(Supporter.__table__)
S = SUPPORTERS.alias("s")  # the supporter a rule is evaluated for


_LIGHT: dict[str, TableClause] = {}


def alias_of(table: object, name: str | None = None) -> NamedFromClause:
    """An alias of a model's table for a statement: the same SQL as ``table.alias(name)``, made
    from a plain copy of the table (names and types only), whose columns are cheap to alias.

    Building a run's statements aliases tables a hundred times; aliasing the schema ``Table``
    itself copied every column with its constraints and events (most of a plan's build time).
    """
    full = cast_table(table)
    light = _LIGHT.get(full.name)
    if light is None:
        columns = [ColumnClause(c.name, c.type) for c in full.c]
        light = _LIGHT[full.name] = TableClause(full.name, *columns)
    return light.alias(name)


AS_OF = bindparam("as_of", type_=DateTime())
ONLY: BindParameter[Any] = bindparam("only", expanding=True)
MOVED_AFTER = bindparam("moved_after", type_=Integer())  # level changes of this pass
RECRUITS_MOVED_AFTER = bindparam("recruits_moved_after", type_=Integer())  # and the last


def days_before(days: int) -> BindParameter[datetime]:
    """``as_of - days``, bound at execution (see :func:`time_params`)."""
    return bindparam(f"as_of_minus_{days}d", type_=DateTime())


def time_params(ladder: LadderFile, as_of: datetime) -> dict[str, datetime]:
    """Values for :data:`AS_OF` and every :func:`days_before` the ladder's rules use."""
    days = per_object(ladder, "days", lambda: _days(ladder))
    params = {key: as_of - timedelta(days=d) for key, d in days}
    return {**params, "as_of": as_of}


def _days(ladder: LadderFile) -> list[tuple[str, int]]:
    days = {ladder.promotion.lapse_grace_days}
    for rule in ladder.rules:
        for _path, condition in walk(rule.condition, ""):
            for field_name in ("within_days", "days_at_rung", "no_activity_days"):
                value = getattr(condition, field_name)
                if value is not None:
                    days.add(value)
    return [(days_before(d).key, d) for d in sorted(days)]


@dataclass(frozen=True)
class Scope:
    """For whom rules are evaluated: everyone, or (bound at execution) only some people.

    ``only``: the supporter ids in the ``only`` parameter (the per-person path);
    ``touched``: the later passes of a run, for the people whose facts changed: those moved
    by level changes above ``moved_after`` and, with ``recruiters``, the recruiters of people
    moved above ``recruits_moved_after``; ``among``: the ids a query selects, each count then
    a correlated subquery per person (index lookups: the fastest shape on both databases for
    a few thousand people, see :func:`ladder.rules.progress_query`).
    Time is always the ``as_of`` parameter.
    """

    only: bool = False
    touched: bool = False
    recruiters: bool = False  # with touched: also the recruiters of people moved
    among: Select[Any] | None = None  # a query of supporter ids: just them (e.g. one area)

    @property
    def few(self) -> bool:
        """Restricted to some people: read their rows through their indexes."""
        return self.only or self.touched or self.among is not None

    def restrict(self, column: ColumnElement[Any]) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.only:
            conditions.append(column.in_(ONLY))
        if self.touched:
            conditions.append(column.in_(touched_since(self.recruiters)))
        return conditions

    def window(self, at: ColumnElement[Any], days: int | None) -> list[ColumnElement[bool]]:
        """``as_of - days <= at <= as_of``: both edges count, nothing after ``as_of`` does."""
        conditions = [at <= AS_OF]
        if days is not None:
            conditions.append(at >= days_before(days))
        return conditions


def touched_since(recruiters: bool) -> Any:
    """People moved by level changes above ``moved_after`` and, with ``recruiters``, the
    recruiters of people moved above ``recruits_moved_after``.

    A later pass of a run need only look at them: nobody else's facts changed. A person
    moved may now qualify for a higher rung; a recruiter, for a rule counting recruits at a
    rung. (Anyone else would be evaluated on the facts that already failed them.)
    """
    changes = alias_of(LevelChange.__table__, "moved")
    moved = select(changes.c.supporter_id).where(changes.c.id > MOVED_AFTER).correlate(None)
    if not recruiters:
        return moved
    recruit, later = alias_of(SUPPORTERS, "moved_recruit"), alias_of(LevelChange.__table__, "later")
    their_recruiters = (
        select(recruit.c.recruiter_id)
        .join(later, later.c.supporter_id == recruit.c.id)
        .where(later.c.id > RECRUITS_MOVED_AFTER, recruit.c.recruiter_id.is_not(None))
        .correlate(None)
    )
    return union(moved, their_recruiters)


@dataclass(frozen=True)
class Rows:
    """The rows behind a count: ``owner`` is the supporter they count for."""

    table: FromClause
    owner: ColumnElement[Any]
    row_id: ColumnElement[Any]
    at: ColumnElement[Any] | None
    where: list[ColumnElement[bool]]

    def counted(self, name: str) -> FromClause:
        query = select(self.owner.label("supporter_id"), func.count().label("n"))
        return query.select_from(self.table).where(*self.where).group_by(self.owner).subquery(name)

    def owners(self, at_least: int) -> Select[Any]:
        """The supporters with at least ``at_least`` of these rows (``GROUP BY ... HAVING``;
        for one row, the owners as they come: an ``IN`` or a ``UNION`` drops the repeats)."""
        query = select(self.owner).select_from(self.table).where(*self.where).correlate(None)
        if at_least <= 1:
            return query
        return query.group_by(self.owner).having(func.count() >= at_least)


@dataclass
class Node:
    """One compiled condition (a leaf, or an all/any group of children)."""

    condition: Condition
    key: str
    label: str
    holds: ColumnElement[bool]
    progress: ColumnElement[Any]
    missing: ColumnElement[Any]
    measure: ColumnElement[Any] | None = None
    threshold: int | None = None
    rows: Rows | None = None  # set when the evidence keeps the ids of the rows behind it
    children: list[Node] = field(default_factory=list)
    # everyone for whom it may hold, as one IN-able query (None: cannot tell without the row)
    candidates: Any = None
    # the candidates are exactly those for whom it holds (counts alone: no other kind of term)
    exact: bool = False

    def nodes(self) -> list[Node]:
        return [self, *(n for child in self.children for n in child.nodes())]

    def leaves(self) -> list[Node]:
        return [n for n in self.nodes() if not n.children]


@dataclass
class CompiledRule:
    rule_id: str
    root: Node
    source: FromClause  # supporters AS s LEFT JOIN every subquery (shared when compiled together)
    eligible: ColumnElement[bool]  # who the rule may change
    # visit only the condition's candidates: worth it when the eligible people are many (the
    # first rung, every active or lapsed person), not when an index already narrows them
    prefilter: bool = False
    # with Scope.among: each count's correlated subquery, which the rule's expressions repeat
    per_person: list[Any] = field(default_factory=list)

    def counts(self) -> ColumnElement[Any]:
        return json_object([(leaf.key, leaf.measure) for leaf in self.root.leaves()])  # type: ignore[misc]

    def evidence(self) -> ColumnElement[Any]:
        """``{"counts": {key: n, ...}, "ids": {}}``; the ids are attached after the insert."""
        return json_object([("counts", self.counts()), ("ids", json_object([]))])

    def matching(self) -> Select[Any]:
        query = select(S.c.id).select_from(self.source).where(*self.where())
        return query.correlate(None)

    def where(self) -> list[ColumnElement[bool]]:
        """Who the rule changes: eligible, the condition holds (and, with ``prefilter`` when
        the condition can tell, among its candidates: the database visits only them)."""
        where = [self.eligible, self.root.holds]
        if self.prefilter and self.root.candidates is not None:
            where.append(S.c.id.in_(self.root.candidates))
        return where


class Counted:
    """The people of ``s`` a ``where`` selects, with each per-person count (and any further
    columns) computed once per person in a materialised step; :meth:`swap` rewrites an
    expression over ``s`` and those counts into one over the step's columns.

    ``uses``: the expressions that will be swapped; the step then keeps only the columns of
    ``s`` they read (and ``id``, ``rung``), not the whole row.
    """

    def __init__(
        self,
        counts: list[Any],
        where: list[Any],
        name: str,
        extra: list[Any] | None = None,
        uses: list[Any] | None = None,
    ) -> None:
        kept = list(S.c) if uses is None else _read_columns(counts, uses)
        labelled = [count.label(f"n{i}") for i, count in enumerate(counts)]
        labelled += [column.label(f"x{i}") for i, column in enumerate(extra or [])]
        self.cte = select(*kept, *labelled).where(*where).cte(name).prefix_with("MATERIALIZED")
        self.c = self.cte.c
        self._columns = {id(count): self.c[f"n{i}"] for i, count in enumerate(counts)}
        self._columns.update({id(column): self.c[column.key] for column in kept})

    def extra(self, index: int) -> ColumnElement[Any]:
        """The ``index``-th of the further columns."""
        return self.c[f"x{index}"]

    def swap(self, expression: ColumnElement[Any]) -> ColumnElement[Any]:
        return replacement_traverse(expression, {}, self._column_for)

    def _column_for(self, element: Any, **_: Any) -> Any:
        return self._columns.get(id(element))


def _read_columns(counts: list[Any], uses: list[Any]) -> list[Any]:
    """The columns of ``s`` that ``uses`` read outside the ``counts`` (in table order)."""
    skipped = {id(count) for count in counts}
    read = {"id", "rung"}

    def visit(element: Any, **_: Any) -> Any:
        if id(element) in skipped:
            return element  # replaced as a whole: what it reads inside does not matter
        if getattr(element, "table", None) is S:
            read.add(element.key)
        return None

    for expression in uses:
        replacement_traverse(expression, {}, visit)
    return [column for column in S.c if column.key in read]
