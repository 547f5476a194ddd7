"""Compile rules to SQL (SQLAlchemy Core): each rule selects all its matching supporters at once.

Every counting condition becomes one aggregate subquery ``(supporter_id, n)`` over actions,
attendances, hosted events, recruits or tags, ``GROUP BY supporter_id``, LEFT JOINed to
``supporters AS s`` (:mod:`ladder.rules.leaves`); conditions on the person (days at rung,
consent) are columns of ``s``. ``all`` / ``any`` combine the parts with AND / OR. No
correlated subquery: each aggregate is computed once for everyone (or, restricted by the
:class:`~ladder.rules.sql.Scope`, for a few people through their indexes). The exception is
``Scope.among`` (progress for a ``ladder next`` list): there each count is a subquery
correlated to ``s``, which :func:`ladder.rules.progress_query` evaluates once per person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CompoundSelect, FromClause, and_, false, func, intersect, or_, select, union
from sqlalchemy.sql.elements import ColumnElement

from ladder.domain.ladderfile import LadderFile
from ladder.domain.rules import REACTIVATION, Condition, Rule
from ladder.domain.vocabulary import SupporterStatus
from ladder.rules.leaves import LEAVES, activity_rows, leaf_node, since_lapse
from ladder.rules.sql import AS_OF, CompiledRule, Node, Rows, S, Scope
from ladder.storage.sqlfunc import in_constants, largest, smallest


class Compiler:
    """Compiles rules onto one shared ``supporters AS s`` source, adding a join per count."""

    def __init__(self, ladder: LadderFile, scope: Scope) -> None:
        self.ladder = ladder
        self.scope = scope
        self.source: FromClause = S
        self.per_person: list[Any] = []
        self._joined = 0

    def rule(self, rule: Rule) -> CompiledRule:
        keys: dict[str, int] = {}
        root = self.node(rule.condition, keys)
        eligible = (
            promotable(self.ladder, rule, self.scope) if rule.promote_to else active(self.scope)
        )
        many = rule.promote_to is None or self.ladder.first_rung in self.ladder.promotes_from(
            rule.promote_to
        )
        return CompiledRule(rule.id, root, self.source, eligible, prefilter=many)

    def node(self, condition: Condition, keys: dict[str, int]) -> Node:
        if condition.children:
            return self._group(condition, [self.node(c, keys) for c in condition.children])
        leaf = LEAVES[condition.kind](self, condition)
        count = keys[leaf.key] = keys.get(leaf.key, 0) + 1
        if count > 1:
            leaf.key = f"{leaf.key}_{count}"
        return leaf

    def join(self, rows: Rows) -> ColumnElement[Any]:
        """LEFT JOIN the count of ``rows`` per supporter; returns the count (0 when none).

        Among a few people (``Scope.among``): the count as a subquery correlated to ``s``.
        """
        if self.scope.among is not None:
            where = [*rows.where, rows.owner == S.c.id]
            count = select(func.count()).select_from(rows.table).where(*where).scalar_subquery()
            self.per_person.append(count)
            return count
        self._joined += 1
        counted = rows.counted(f"c{self._joined}")
        self.source = self.source.outerjoin(counted, counted.c.supporter_id == S.c.id)
        return func.coalesce(counted.c.n, 0)

    def _group(self, condition: Condition, children: list[Node]) -> Node:
        if condition.all is not None:
            holds = and_(*(c.holds for c in children))
            progress = smallest(*(c.progress for c in children))
            missing: ColumnElement[Any] = sum(
                (c.missing for c in children[1:]), children[0].missing
            )
            node = Node(condition, "all", "all of", holds, progress, missing, children=children)
            known = [c.candidates for c in children if c.candidates is not None]
            node.candidates = _combined(intersect, known)
            node.exact = all(c.exact for c in children)
            return node
        holds = or_(*(c.holds for c in children))
        progress = largest(*(c.progress for c in children))
        missing = smallest(*(c.missing for c in children))
        node = Node(condition, "any", "any of", holds, progress, missing, children=children)
        if all(c.candidates is not None for c in children):
            node.candidates = _combined(union, [c.candidates for c in children])
            node.exact = all(c.exact for c in children)
        return node

    def count_leaf(
        self, condition: Condition, key: str, label: str, rows: Rows, keep: bool
    ) -> Node:
        threshold = getattr(condition, condition.kind)
        measure = self.join(rows)
        holds = measure >= threshold
        node = leaf_node(condition, key, label, holds, measure, threshold, rows if keep else None)
        node.candidates = rows.owners(threshold)
        node.exact = True
        return node


def _combined(combine: Any, queries: list[Any]) -> Any:
    """UNION / INTERSECT of id queries; nested compounds become subqueries (SQLite allows no
    parenthesised compound inside a compound)."""
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    return combine(*(_plain(query) for query in queries))


def _plain(query: Any) -> Any:
    if isinstance(query, CompoundSelect):
        inner = query.subquery()
        return select(inner.c[0]).correlate(None)
    return query


def _present(scope: Scope) -> list[ColumnElement[bool]]:
    return [S.c.merged_into_id.is_(None), S.c.created_at <= AS_OF, *scope.restrict(S.c.id)]


def active(scope: Scope) -> ColumnElement[bool]:
    """Who a lapse rule may change: active people (never erased, never merged away)."""
    return and_(S.c.status == SupporterStatus.ACTIVE, *_present(scope))


def promotable(ladder: LadderFile, rule: Rule, scope: Scope) -> ColumnElement[bool]:
    """Who ``rule`` may promote: active, on a rung it promotes from, not pinned by hand."""
    conditions = [S.c.status == SupporterStatus.ACTIVE, *_present(scope)]
    conditions.append(in_constants(S.c.rung, ladder.promotes_from(rule.promote_to or "")))
    if not ladder.promotion.promote_manually_set:
        conditions.append(func.coalesce(S.c.rung_set_manually, false()) == false())
    return and_(*conditions)


def compile_rules(ladder: LadderFile, rules: list[Rule], scope: Scope) -> list[CompiledRule]:
    """Compile rules onto one shared source (their ``source`` is the last, complete join)."""
    compiler = Compiler(ladder, scope)
    compiled = [compiler.rule(rule) for rule in rules]
    for item in compiled:
        item.source = compiler.source
        item.per_person = compiler.per_person
    return compiled


def compile_reactivation(ladder: LadderFile, scope: Scope) -> CompiledRule:
    """Lapsed people with any activity after they lapsed (unknown attendance does not count)."""
    compiler = Compiler(ladder, scope)
    sources = [since_lapse(rows) for rows in activity_rows(scope)]
    measures = [compiler.join(rows) for rows in sources]
    measure: ColumnElement[Any] = measures[0] + measures[1] + measures[2]
    condition = Condition(actions=1)
    root = leaf_node(
        condition, "activity_since_lapse", "activity since lapsing", measure >= 1, measure, 1
    )
    root.candidates = union(*(rows.owners(1) for rows in sources))
    root.exact = True  # any activity since: one of the three counts is at least 1
    eligible = and_(S.c.status == SupporterStatus.LAPSED, *_present(scope))
    compiled = CompiledRule(REACTIVATION, root, compiler.source, eligible, prefilter=True)
    compiled.per_person = compiler.per_person
    return compiled
