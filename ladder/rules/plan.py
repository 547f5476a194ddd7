"""The statements one run executes, built once per ladder and scope, then reused.

Each rule becomes a :class:`RulePlan`: ``INSERT INTO level_changes ... SELECT`` (rule id,
from/to, the counts as evidence) ``RETURNING`` the new rows; ``UPDATE supporters ... WHERE id
IN (the rows just inserted)``; and one ``UPDATE`` per evidence list attaching the ids (at most
:data:`EVIDENCE_IDS`) of the attendances, hosted events or recruits behind a count. Statements
take their values as parameters (time, scope, ``mark``: the level_changes id before the
insert), so SQLAlchemy compiles each to SQL once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast, overload

from sqlalchemy import BindParameter, Integer, bindparam, insert, literal, select, update
from sqlalchemy.engine import Dialect

from ladder.domain.ladderfile import LadderFile
from ladder.domain.rules import Rule, walk
from ladder.memo import BuiltOnce, ladder_key
from ladder.rules.compile import compile_reactivation, compile_rules
from ladder.rules.sql import (
    AS_OF,
    SUPPORTERS,
    CompiledRule,
    Counted,
    Node,
    S,
    Scope,
    cast_table,
    days_before,
)
from ladder.storage import stored
from ladder.storage.models import LevelChange
from ladder.storage.sqlfunc import (
    json_array_agg,
    json_canonical,
    json_list,
    json_object,
    json_set_key,
)

LEVEL_CHANGES = cast_table(LevelChange.__table__)
MARK = bindparam("mark", type_=Integer())  # the level_changes id before a rule's insert
KNOWN: BindParameter[Any] = bindparam(
    "known", expanding=True
)  # who a rule could move, as a snapshot read it
EVIDENCE_IDS = 10  # ids kept per evidence list
_COLUMNS = [
    "supporter_id",
    "from_rung",
    "to_rung",
    "from_status",
    "to_status",
    "changed_at",
    "rule_id",
    "evidence",
]


@dataclass(frozen=True)
class RulePlan:
    """The statements that apply one rule (parameters: time, scope, ``mark``)."""

    rule_id: str
    insert: Any  # RETURNING (level change id, supporter id)
    update: Any
    attach: list[Any]
    rule: Rule | None = None  # None for reactivation
    who: Any = None  # SELECT the ids of the people the rule would change (no evidence)
    # the insert for the people in ``known`` only (who a snapshot said could move, and who
    # moved before in the run): the same change without the candidates' aggregates
    known: Any = None


@dataclass(frozen=True)
class Plan:
    """Everything a run executes for one ladder and one scope, built once and reused."""

    reactivation: RulePlan
    promotions: list[RulePlan]
    touched_promotions: Sequence[RulePlan]  # the same, for the people whose facts changed
    # a later pass can move someone (see chains_after_first_pass): repeat until nobody moves
    chained: bool
    lapse_marks: list[Any]
    lapses: list[RulePlan]
    lapse_marked: list[Any]  # SELECT the ids the lapse_marks would clear, and would set

    def first_pass(self) -> list[RulePlan]:
        """The rules of a run's first pass, in order; their ``who`` SELECTs everyone it could
        move (a read: no write lock)."""
        return [self.reactivation, *self.promotions, *self.lapses]


class BuiltWhenRead(Sequence[RulePlan]):
    """Rule plans built the first time they are read: the later passes of a run, which most
    runs never need (nobody to chain, or nobody moved), cost half a plan's build."""

    def __init__(self, build: Callable[[], list[RulePlan]]) -> None:
        self._build: Callable[[], list[RulePlan]] | None = build
        self._plans: list[RulePlan] = []

    def _built(self) -> list[RulePlan]:
        build = self._build
        if build is not None:  # two threads may both build: the same plans, one kept
            self._plans, self._build = build(), None
        return self._plans

    @overload
    def __getitem__(self, index: int) -> RulePlan: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[RulePlan]: ...

    def __getitem__(self, index: int | slice) -> RulePlan | Sequence[RulePlan]:
        return self._built()[index]

    def __len__(self) -> int:
        return len(self._built())


_PLANS: BuiltOnce[Plan] = BuiltOnce(16)


def plan_for(ladder: LadderFile, scope: Scope, dialect: Dialect | None = None) -> Plan:
    """The run's statements for ``ladder`` and ``scope``; with ``dialect``, compiled for that
    database and kept between runs (:func:`stored_plan`)."""
    if dialect is None or scope.among is not None:
        return _PLANS.get((ladder_key(ladder), scope), lambda: _build_plan(ladder, scope))
    shape = _shape(ladder, scope)
    key = (shape, stored.database(dialect))
    return _PLANS.get(key, lambda: stored_plan(ladder, scope, dialect, shape))


def stored_plan(ladder: LadderFile, scope: Scope, dialect: Dialect, shape: str) -> Plan:
    """The plan's first-pass statements (:class:`~ladder.storage.stored.StoredStatement`)
    read from the user's cache, or built, compiled and kept there; the later passes'
    (``touched_promotions``, which most runs never need) are built when read, as always.
    A statement that cannot be kept leaves the plan as built (SQLAlchemy's statements)."""
    name = stored.key(dialect, shape)
    data = stored.read(name) if name is not None else None
    if data is not None:
        try:
            return _thawed(ladder, scope, data)
        except (KeyError, TypeError, ValueError, IndexError):
            pass  # an entry of another shape: built again
    plan = _build_plan(ladder, scope)
    frozen = _frozen(plan, dialect)
    if frozen is None:
        return plan
    if name is not None:
        stored.write(name, frozen)
    return _thawed(ladder, scope, frozen, plan.touched_promotions)


def _shape(ladder: LadderFile, scope: Scope) -> str:
    return f"{ladder_key(ladder)}\0{scope.only}\0{scope.touched}\0{scope.recruiters}"


_RULE_FIELDS = ("insert", "update", "who", "known")


def _frozen(plan: Plan, dialect: Dialect) -> dict[str, Any] | None:
    """The plan's statements compiled for ``dialect``, as JSON; None when one cannot be kept."""

    def each(statements: Sequence[Any]) -> list[Any] | None:
        kept = [None if s is None else stored.freeze(s, dialect) for s in statements]
        if any(k is None and s is not None for k, s in zip(kept, statements, strict=True)):
            return None
        return [None if k is None else k.to_json() for k in kept]

    def rule(rule_plan: RulePlan) -> dict[str, Any] | None:
        single = each([getattr(rule_plan, f) for f in _RULE_FIELDS])
        attach = each(rule_plan.attach)
        if single is None or attach is None:
            return None
        return {"id": rule_plan.rule_id, **dict(zip(_RULE_FIELDS, single, strict=True)),
                "attach": attach}  # fmt: skip

    rules = [rule(p) for p in [plan.reactivation, *plan.promotions, *plan.lapses]]
    marks, marked = each(plan.lapse_marks), each(plan.lapse_marked)
    if any(r is None for r in rules) or marks is None or marked is None:
        return None
    return {"rules": rules, "chained": plan.chained, "lapse_marks": marks,
            "lapse_marked": marked}  # fmt: skip


def _thawed(
    ladder: LadderFile,
    scope: Scope,
    data: dict[str, Any],
    touched: Sequence[RulePlan] | None = None,
) -> Plan:
    """The plan of stored statements ``data`` (:func:`_frozen`); ``touched``, the later
    passes' statements, built when read unless given."""
    promotions, lapses = ladder.promotion_rules, ladder.lapse_rules
    rules = data["rules"]
    if len(rules) != 1 + len(promotions) + len(lapses):
        raise ValueError("stored for another ladder")

    def thaw(item: Any) -> Any:
        return None if item is None else stored.StoredStatement.from_json(item)

    def rule(item: dict[str, Any], rule: Rule | None) -> RulePlan:
        single = {f: thaw(item[f]) for f in _RULE_FIELDS}
        attach = [thaw(a) for a in item["attach"]]
        return RulePlan(item["id"], single["insert"], single["update"], attach, rule,
                        single["who"], single["known"])  # fmt: skip

    later = touched if touched is not None else BuiltWhenRead(lambda: _touched(ladder, scope))
    return Plan(
        reactivation=rule(rules[0], None),
        promotions=[rule(i, r) for i, r in zip(rules[1:], promotions, strict=False)],
        touched_promotions=later,
        chained=bool(data["chained"]),
        lapse_marks=[thaw(m) for m in data["lapse_marks"]],
        lapses=[rule(i, r) for i, r in zip(rules[1 + len(promotions) :], lapses, strict=True)],
        lapse_marked=[thaw(m) for m in data["lapse_marked"]],
    )


class Deferred:
    """One rule's statements, built on first use. Its ``rule`` is known unbuilt, so a run
    restricted to a few people skips, never built, the rules none of them could be changed by
    (a check-in builds the rules of the rungs its person reaches, not the whole ladder's)."""

    __slots__ = ("_build", "_plan", "rule")

    def __init__(self, rule: Rule | None, build: Callable[[], RulePlan]) -> None:
        self.rule = rule
        self._build = build
        self._plan: RulePlan | None = None

    def plan(self) -> RulePlan:
        if self._plan is None:
            self._plan = self._build()
        return self._plan


@dataclass(frozen=True)
class DeferredPlan:
    """:class:`Plan`'s statements for a scope, each rule's (and the lapse rules', together)
    built on first use: the same statements, as :func:`_build_plan` would build them."""

    reactivation: Deferred
    promotions: list[Deferred]
    touched_promotions: list[Deferred]
    chained: bool
    lapse_parts: Callable[[], tuple[list[Any], list[RulePlan], list[Any]]]


def deferred_plan_for(ladder: LadderFile, scope: Scope) -> DeferredPlan:
    return _DEFERRED.get((ladder_key(ladder), scope), lambda: _deferred_plan(ladder, scope))


def _deferred_plan(ladder: LadderFile, scope: Scope) -> DeferredPlan:
    rules = ladder.promotion_rules
    touched = Scope(only=scope.only, touched=True)
    chain = Scope(only=scope.only, touched=True, recruiters=True)
    lapses: list[tuple[list[Any], list[RulePlan], list[Any]]] = []

    def lapse_parts() -> tuple[list[Any], list[RulePlan], list[Any]]:
        if not lapses:
            lapses.append(_lapse_plans(ladder, scope))
        return lapses[0]

    def promotion(rule: Rule, scope: Scope) -> Deferred:
        return Deferred(rule, lambda: _promotion_plan(ladder, rule, scope))

    return DeferredPlan(
        reactivation=Deferred(None, lambda: _reactivation_plan(ladder, scope)),
        promotions=[promotion(rule, scope) for rule in rules],
        touched_promotions=[
            promotion(rule, chain if counts_recruit_rungs(rule) else touched) for rule in rules
        ],
        chained=any(counts_recruit_rungs(rule) for rule in rules),
        lapse_parts=lapse_parts,
    )


_DEFERRED: BuiltOnce[DeferredPlan] = BuiltOnce(16)


def _build_plan(ladder: LadderFile, scope: Scope) -> Plan:
    rules = ladder.promotion_rules
    # a run restricted to some people (only) may have left out the recruiters of those it moved
    chained = any(counts_recruit_rungs(rule) for rule in rules)
    if not scope.only:
        chained = chains_after_first_pass(ladder)
    lapse_marks, lapses, lapse_marked = _lapse_plans(ladder, scope)
    return Plan(
        reactivation=_reactivation_plan(ladder, scope),
        promotions=[_promotion_plan(ladder, rule, scope) for rule in rules],
        touched_promotions=BuiltWhenRead(lambda: _touched(ladder, scope)),
        chained=chained,
        lapse_marks=lapse_marks,
        lapses=lapses,
        lapse_marked=lapse_marked,
    )


def _touched(ladder: LadderFile, scope: Scope) -> list[RulePlan]:
    """The promotion rules for the later passes of a run (the people whose facts changed)."""
    touched = Scope(only=scope.only, touched=True)
    chain = Scope(only=scope.only, touched=True, recruiters=True)
    return [
        _promotion_plan(ladder, rule, chain if counts_recruit_rungs(rule) else touched)
        for rule in ladder.promotion_rules
    ]


def _reactivation_plan(ladder: LadderFile, scope: Scope) -> RulePlan:
    compiled = compile_reactivation(ladder, scope)
    each = compile_reactivation(ladder, Scope(among=compiled.root.candidates))
    return _rule_plan(compiled, None, ("lapsed", "active"), None, each, scope == Scope())


def counts_recruit_rungs(rule: Rule) -> bool:
    """Does the rule count recruits at a rung (so others' promotions can make it hold)?"""
    return any(c.recruits_at_rung is not None for _path, c in walk(rule.condition, ""))


def chains_after_first_pass(ladder: LadderFile) -> bool:
    """Can a second pass over everyone move anyone the first did not?

    Only through a rule counting recruits at a rung Q, when a rule at or after it in ladder
    order moves people from below Q to Q or above: a recruit's move the count did not see.
    Nothing else a pass changes makes a rule hold that did not: a person moved is at the
    target rung of the rule that moved them, and only rules to higher rungs, later in the
    order, promote from there (they saw the move); a recruit's other moves leave every count
    of recruits at or above Q as it was.
    """
    rules = ladder.promotion_rules
    for index, rule in enumerate(rules):
        for _path, condition in walk(rule.condition, ""):
            if condition.recruits_at_rung is None:
                continue
            counted = set(ladder.rungs_at_or_above(condition.recruits_at_rung))
            for later in rules[index:]:
                target = later.promote_to or ""
                sources = ladder.promotes_from(target)
                if target in counted and any(rung not in counted for rung in sources):
                    return True
    return False


def _promotion_plan(ladder: LadderFile, rule: Rule, scope: Scope) -> RulePlan:
    (compiled,) = compile_rules(ladder, [rule], scope)
    each = None
    if compiled.root.candidates is not None:
        (each,) = compile_rules(ladder, [rule], Scope(among=compiled.root.candidates))
    # a rule counting recruits at a rung can hold because others moved: never from a list
    known = scope == Scope() and not counts_recruit_rungs(rule)
    return _rule_plan(compiled, rule.promote_to, ("active", "active"), rule, each, known)


def _lapse_plans(ladder: LadderFile, scope: Scope) -> tuple[list[Any], list[RulePlan], list[Any]]:
    """Mark when the lapse condition starts and stops holding; lapse after the grace period."""
    rules = ladder.lapse_rules
    if not rules:
        return [], [], []
    compiled = compile_rules(ladder, rules, scope)
    source, eligible = compiled[0].source, compiled[0].eligible
    held = compiled[0].root.holds
    for item in compiled[1:]:
        held = held | item.root.holds
    since = S.c.lapse_condition_since
    stop = [since.is_not(None), eligible, ~held]  # few clocks run: tested first
    start = [eligible, since.is_(None), held]
    stopped = select(S.c.id).select_from(source).where(*stop)
    started = select(S.c.id).select_from(source).where(*start)
    if source is S:  # the condition reads only s and subqueries correlated to it
        marks = [
            update(cast(Any, S)).where(*stop).values(lapse_condition_since=None),
            update(cast(Any, S)).where(*start).values(lapse_condition_since=AS_OF),
        ]
    else:  # counts joined to s: the ids first
        marks = [
            _set_supporters(stopped, lapse_condition_since=None),
            _set_supporters(started, lapse_condition_since=AS_OF),
        ]
    cutoff = days_before(ladder.promotion.lapse_grace_days)
    plans = []
    for rule, item in zip(rules, compiled, strict=True):
        item.eligible = item.eligible & (since <= cutoff)
        plans.append(_rule_plan(item, None, ("active", "lapsed"), rule))
    return marks, plans, [stopped, started]


def _set_supporters(ids: Any, **values: Any) -> Any:
    return update(SUPPORTERS).where(SUPPORTERS.c.id.in_(ids.correlate(None))).values(**values)


def _rule_plan(
    compiled: CompiledRule,
    to_rung: str | None,
    statuses: tuple[str, str],
    rule: Rule | None = None,
    each: CompiledRule | None = None,
    known: bool = False,
) -> RulePlan:
    """INSERT the level changes for everyone the rule matches; UPDATE those supporters.

    With ``each`` (the same rule compiled per person, see :func:`_counted_rule_plan`), only
    the people who may qualify are counted, and their evidence ids come with the insert.
    """
    if each is not None:
        return _counted_rule_plan(compiled, each, to_rung, statuses, rule, known)
    chosen = (
        select(
            S.c.id,
            S.c.rung,
            literal(to_rung) if to_rung is not None else S.c.rung,
            literal(statuses[0]),
            literal(statuses[1]),
            AS_OF,
            literal(compiled.rule_id),
            compiled.evidence(),
        )
        .select_from(compiled.source)
        .where(*compiled.where())
    )
    new = _new_changes(compiled.rule_id)
    if to_rung is not None:
        state = {"rung": to_rung, "rung_since": AS_OF, "rung_set_manually": False}
    else:
        state = {"status": statuses[1], "status_since": AS_OF, "lapse_condition_since": None}
    return RulePlan(
        compiled.rule_id,
        insert(LEVEL_CHANGES)
        .from_select(_COLUMNS, chosen)
        .returning(LEVEL_CHANGES.c.id, LEVEL_CHANGES.c.supporter_id),
        _set_supporters(new, **state),
        [_attach_ids(leaf, compiled.rule_id) for leaf in compiled.root.leaves() if leaf.rows],
        rule,
        select(S.c.id).select_from(compiled.source).where(*compiled.where()),
    )


def _state(to_rung: str | None, statuses: tuple[str, str]) -> dict[str, Any]:
    if to_rung is not None:
        return {"rung": to_rung, "rung_since": AS_OF, "rung_set_manually": False}
    return {"status": statuses[1], "status_since": AS_OF, "lapse_condition_since": None}


def _counted_rule_plan(
    whole: CompiledRule,
    each: CompiledRule,
    to_rung: str | None,
    statuses: tuple[str, str],
    rule: Rule | None,
    known: bool = False,
) -> RulePlan:
    """The rule for the eligible people among its candidates only (``whole``: the rows that
    can make the condition hold, ``GROUP BY ... HAVING``, each read once), each person's
    counts then looked up through the indexes (``each``: the rule compiled per person) in one
    materialised step, with the newest ids behind each count (the evidence) in the same step.

    One statement per rule: no aggregate over everyone for the counts of a few, no second
    statement to attach the ids.
    """
    where = [whole.eligible, S.c.id.in_(whole.root.candidates)]
    changes = [whole.eligible, S.c.id.in_(KNOWN)]
    return RulePlan(
        whole.rule_id,
        _counted_insert(whole.rule_id, each, where, to_rung, statuses),
        _set_supporters(_new_changes(whole.rule_id), **_state(to_rung, statuses)),
        [],
        rule,
        _who(whole, each, where),
        _counted_insert(whole.rule_id, each, changes, to_rung, statuses) if known else None,
    )


def _counted_insert(
    rule_id: str,
    each: CompiledRule,
    where: list[Any],
    to_rung: str | None,
    statuses: tuple[str, str],
) -> Any:
    """INSERT the level changes of the people ``where`` selects for whom the rule holds."""
    leaves = each.root.leaves()
    kept = [leaf for leaf in leaves if leaf.rows is not None]
    ids = [_newest_ids(leaf) for leaf in kept]
    uses = [each.root.holds, *(leaf.measure for leaf in leaves)]
    counted = Counted(each.per_person, where, "counted", extra=ids, uses=uses)
    c = counted.c
    counts = json_object([(leaf.key, counted.swap(leaf.measure)) for leaf in leaves])  # type: ignore[arg-type]
    listed = json_object([(leaf.key, json_list(counted.extra(i))) for i, leaf in enumerate(kept)])
    evidence = json_object([("counts", counts), ("ids", listed)])
    chosen = (
        select(
            c.id,
            c.rung,
            literal(to_rung) if to_rung is not None else c.rung,
            literal(statuses[0]),
            literal(statuses[1]),
            AS_OF,
            literal(rule_id),
            json_canonical(evidence) if kept else evidence,
        )
        .where(counted.swap(each.root.holds))
        .order_by(c.id)
    )
    return (
        insert(LEVEL_CHANGES)
        .from_select(_COLUMNS, chosen)
        .returning(LEVEL_CHANGES.c.id, LEVEL_CHANGES.c.supporter_id)
    )


def _who(whole: CompiledRule, each: CompiledRule, where: list[Any]) -> Any:
    """The ids the rule would change: the eligible among the candidates, when the candidates
    are exactly the people for whom the condition holds; else counted as for the change."""
    if whole.root.exact:
        return select(S.c.id).where(*where)
    counted = Counted(each.per_person, where, "counted", uses=[each.root.holds])
    return select(counted.c.id).where(counted.swap(each.root.holds))


def _newest_ids(leaf: Node) -> Any:
    """The newest ids (at most EVIDENCE_IDS) of the rows behind ``leaf`` for the person ``s``,
    as a JSON array (NULL when none)."""
    return _newest_of(leaf, S, S.c.id)


def _newest_of(leaf: Node, outer: Any, person: Any) -> Any:
    """The JSON array of the newest ids (at most EVIDENCE_IDS) behind ``leaf`` for ``person``,
    a column of ``outer``, the statement the subquery is correlated to."""
    rows = leaf.rows
    assert rows is not None
    order = [rows.at.desc(), rows.row_id.desc()] if rows.at is not None else [rows.row_id.desc()]
    newest = (
        select(rows.row_id.label("row_id"))
        .select_from(rows.table)
        .where(*rows.where, rows.owner == person)
        .order_by(*order)
        .limit(EVIDENCE_IDS)
        .correlate(outer)
        .subquery("newest")
    )
    return select(json_array_agg(newest.c.row_id)).scalar_subquery()


def _new_changes(rule_id: str) -> Any:
    c = LEVEL_CHANGES.c
    return select(c.supporter_id).where(c.id > MARK, c.rule_id == rule_id).correlate(None)


def _attach_ids(leaf: Node, rule_id: str) -> Any:
    """One UPDATE of the rule's new changes: the newest ids behind ``leaf`` into the evidence.

    A correlated subquery per new change (an index probe each, at most EVIDENCE_IDS rows):
    only the people just moved are visited, and no planner can turn it into a quadratic join.
    """
    changes = LEVEL_CHANGES
    listed = _newest_of(leaf, changes, changes.c.supporter_id)
    return (
        update(changes)
        .where(changes.c.id > MARK, changes.c.rule_id == rule_id)
        .values(evidence=json_set_key(changes.c.evidence, "ids", leaf.key, listed))
    )
