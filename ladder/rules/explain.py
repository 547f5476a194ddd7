"""Why a person is on their rung, and what is missing for the next one.

Both come from the compiled rules (:mod:`ladder.rules.compile`): the same SQL that promotes
people, restricted to one supporter, yields each condition's count, threshold and truth. No
rule logic is repeated here; this module only turns those numbers into sentences.

:func:`progress_query` is the set-based version for invitations: for everyone one rung below
a target rung, how close they are (0..1) and how many more things they need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, Select, case, cast, null, select

from ladder.domain.ladderfile import LadderFile
from ladder.domain.rules import Condition, Rule, walk
from ladder.domain.vocabulary import SupporterStatus
from ladder.errors import NotFoundError
from ladder.memo import BuiltOnce, ladder_key, per_object
from ladder.rules.compile import compile_rules
from ladder.rules.sql import AS_OF, ONLY, CompiledRule, Counted, Node, S, Scope, time_params
from ladder.storage.models import LevelChange
from ladder.storage.sqlfunc import largest, smallest


@dataclass(frozen=True)
class HistoryEntry:
    changed_at: datetime
    from_rung: str | None
    to_rung: str | None
    from_status: str | None
    to_status: str | None
    cause: str  # "rule shows-up" or "set by alice"
    reason: str | None
    evidence: dict[str, Any] | None


@dataclass(frozen=True)
class ConditionState:
    depth: int  # 0 for the rule's own all/any
    text: str  # "events attended within 90 days: 1 of 2"
    holds: bool
    missing: str  # "1 more event attended within 90 days"; "" when it holds


@dataclass(frozen=True)
class RuleProgress:
    rule_id: str
    description: str
    promote_to: str
    holds: bool
    conditions: list[ConditionState]

    @property
    def missing(self) -> str:
        return self.conditions[0].missing


def history(connection: Connection, supporter_id: int) -> list[HistoryEntry]:
    """Every level change of one supporter, oldest first."""
    c = LevelChange.__table__.c
    query = (
        select(c.changed_at, c.from_rung, c.to_rung, c.from_status, c.to_status)
        .add_columns(c.rule_id, c.changed_by, c.reason, c.evidence)
        .where(c.supporter_id == supporter_id)
        .order_by(c.changed_at, c.id)
    )
    entries = []
    for row in connection.execute(query):
        cause = f"rule {row.rule_id}" if row.rule_id else f"set by {row.changed_by}"
        entries.append(
            HistoryEntry(
                row.changed_at,
                row.from_rung,
                row.to_rung,
                row.from_status,
                row.to_status,
                cause,
                row.reason,
                row.evidence,
            )
        )
    return entries


def next_rules(ladder: LadderFile, rung: str) -> list[Rule]:
    """The promotion rules that could move someone on ``rung`` up, lowest target first."""
    return [
        r
        for r in ladder.promotion_rules
        if rung in ladder.promotes_from(r.promote_to or "") and rung != r.promote_to
    ]


def progress_of(
    connection: Connection,
    ladder: LadderFile,
    supporter_id: int,
    rung: str,
    as_of: datetime,
) -> list[RuleProgress]:
    """For each rule that could promote this person, every condition's count and shortfall."""
    return progress_of_many(connection, ladder, {supporter_id: rung}, as_of).get(supporter_id, [])


def progress_of_many(
    connection: Connection, ladder: LadderFile, people: dict[int, str], as_of: datetime
) -> dict[int, list[RuleProgress]]:
    """:func:`progress_of` for many people at once (``{id: rung}``).

    One statement whatever the rungs: the rules that could move any of them, compiled
    together (once per ladder and rule set); each person reads their own rung's rules.
    """
    wanted = {rung: next_rules(ladder, rung) for rung in sorted(set(people.values()))}
    rules = list({rule.id: rule for found in wanted.values() for rule in found}.values())
    if not rules:
        return {}
    key = (ladder_key(ladder), tuple(rule.id for rule in rules))
    compiled, query = _STATEMENTS.get(key, lambda: _progress_statement(ladder, rules))
    position = {rule.id: i for i, rule in enumerate(rules)}
    params = {**time_params(ladder, as_of), "only": sorted(people)}
    found: dict[int, list[RuleProgress]] = {}
    for row in connection.execute(query, params).mappings():
        found[row["who"]] = [
            _progress(rule, compiled[position[rule.id]], row, f"n{position[rule.id]}")
            for rule in wanted[people[row["who"]]]
        ]
    return found


def _progress(rule: Rule, item: CompiledRule, row: Any, prefix: str) -> RuleProgress:
    holds = bool(row[f"{prefix}_0_holds"])
    conditions = condition_states(item.root, row, prefix)
    return RuleProgress(rule.id, rule.description, rule.promote_to or "", holds, conditions)


_STATEMENTS: BuiltOnce[tuple[list[CompiledRule], Select[Any]]] = BuiltOnce(32)


def _progress_statement(
    ladder: LadderFile, rules: list[Rule]
) -> tuple[list[CompiledRule], Select[Any]]:
    compiled = compile_rules(ladder, rules, Scope(only=True))
    columns = [
        expression.label(f"n{i}_{j}_{part}")
        for i, item in enumerate(compiled)
        for j, node in enumerate(item.root.nodes())
        for part, expression in (("holds", node.holds), ("measure", node.measure))
        if expression is not None
    ]
    query = select(S.c.id.label("who"), *columns).select_from(compiled[0].source)
    return compiled, query.where(S.c.id.in_(ONLY))


def condition_states(node: Node, row: Any, prefix: str) -> list[ConditionState]:
    """Each condition of a compiled rule, read from a row of its ``{prefix}_{i}_holds`` and
    ``..._measure`` columns, depth first: the text, whether it holds, and what is missing."""
    return _states(node, row, prefix, 0, [0])


def _states(
    node: Node, row: Any, prefix: str, depth: int, counter: list[int]
) -> list[ConditionState]:
    index = counter[0]
    counter[0] += 1
    holds = bool(row[f"{prefix}_{index}_holds"])
    if not node.children:
        measure = row[f"{prefix}_{index}_measure"]
        text = f"{node.label}: {_shown(node.condition, measure)} of {node.threshold}"
        if node.condition.kind in ("has_tag", "has_consent", "no_activity_days"):
            text = f"{node.label}: {'yes' if holds else 'no'}"
        shortfall = max((node.threshold or 1) - int(measure), 1)
        return [ConditionState(depth, text, holds, "" if holds else phrase(node, shortfall))]
    children: list[ConditionState] = []
    for child in node.children:
        children += _states(child, row, prefix, depth + 1, counter)
    direct = [c for c in children if c.depth == depth + 1 and not c.holds]
    joiner = " and " if node.condition.all is not None else " or "
    missing = "" if holds else joiner.join(c.missing for c in direct)
    text = "all of:" if node.condition.all is not None else "any of:"
    return [ConditionState(depth, text, holds, missing), *children]


def _shown(condition: Condition, measure: Any) -> str:
    return str(int(measure)) if measure is not None else "0"


def phrase(node: Node, count: int) -> str:
    """What is missing, in words: "1 more event attended within 90 days"."""
    condition = node.condition
    within = f" within {condition.within_days} days" if condition.within_days else ""
    kind = condition.kind
    if kind == "attended_events":
        return f"{count} more {_plural(count, 'event')} attended{within}"
    if kind == "hosted_events":
        return f"{count} more {_plural(count, 'event')} hosted{within}"
    if kind == "actions":
        what = f"{condition.kinds_of}-level " if condition.kinds_of else ""
        what = " or ".join(condition.kinds) + " " if condition.kinds else what
        return f"{count} more {what}{_plural(count, 'action')}{within}"
    if kind == "recruits":
        at = f" at {condition.recruits_at_rung} or above" if condition.recruits_at_rung else ""
        return f"{count} more {_plural(count, 'recruit')}{at}{within}"
    if kind == "days_at_rung":
        return f"{count} more {_plural(count, 'day')} at the current rung"
    if kind == "has_tag":
        return f"the tag {condition.has_tag!r}"
    if kind == "has_consent":
        return f"consent to {condition.has_consent}"
    return f"{condition.no_activity_days} days without activity"


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else noun + "s"


def progress_query(
    ladder: LadderFile,
    target_rung: str,
    as_of: datetime,
    among: Select[Any] | None = None,
    details: int = 0,
) -> Select[Any]:
    """(supporter_id, progress, missing_count) for everyone one rung below ``target_rung``.

    Set-based, for invitations: ``progress`` is in [0, 1] (a count condition gives
    min(count / threshold, 1), ``all`` the min of its parts, ``any`` the max), best over the
    rules promoting to ``target_rung``; ``missing_count`` is how many more actions, events,
    recruits or days they need (``all`` sums its parts, ``any`` takes the smallest; a tag or a
    consent counts 1). Active people only. ``among`` (a query of supporter ids, e.g. the
    candidates of a ``ladder next`` list) restricts it to them: each count is then a subquery
    per person, index lookups like hand-written SQL, run once per person in a materialised
    step (:class:`~ladder.rules.sql.Counted`). ``as_of`` is bound into the query here, so plain
    ``connection.execute(query)`` works.

    With ``among`` and ``details``: also ``d{k}_holds`` (1 or 0) and ``d{k}_measure`` for the
    k-th condition of the rules promoting to ``target_rung`` (file order, each rule's conditions
    depth first, as :func:`detail_rules` lists them), NULL from the last one up to ``details``:
    what :func:`progress_from_row` reads to say what is missing, with no second query.
    """
    names = ladder.rung_names
    if target_rung not in names:
        raise NotFoundError(f"unknown rung {target_rung!r} (rungs: {', '.join(names)})")
    index = names.index(target_rung)
    rules = [r for r in ladder.promotion_rules if r.promote_to == target_rung]
    if index == 0 or not rules:
        raise NotFoundError(
            f"no rule promotes to {target_rung!r}: add one to the ladder file to rank people for it"
        )
    compiled = compile_rules(ladder, rules, Scope(among=among))
    progress = largest(*(c.root.progress for c in compiled))
    missing = smallest(*(c.root.missing for c in compiled))
    where = [
        S.c.rung == names[index - 1],
        S.c.status == SupporterStatus.ACTIVE,
        S.c.merged_into_id.is_(None),
        S.c.created_at <= AS_OF,
    ]
    if among is None:
        query = select(
            S.c.id.label("supporter_id"),
            progress.label("progress"),
            missing.label("missing_count"),
        ).select_from(compiled[0].source)
        return query.where(*where).params(time_params(ladder, as_of))
    where.append(S.c.id.in_(among))
    nodes = [node for item in compiled for node in item.root.nodes()][:details]
    parts = [(node.holds, node.measure) for node in nodes]
    uses = [progress, missing, *(e for pair in parts for e in pair if e is not None)]
    counted = Counted(compiled[0].per_person, where, f"counted_{index}", uses=uses)
    query = select(
        counted.c.id.label("supporter_id"),
        counted.swap(progress).label("progress"),
        counted.swap(missing).label("missing_count"),
    )
    for k in range(details):
        holds, measure = parts[k] if k < len(parts) else (None, None)
        flag = case((counted.swap(holds), 1), else_=0) if holds is not None else None
        value = counted.swap(measure) if measure is not None else None
        query = query.add_columns(
            (flag if flag is not None else cast(null(), Integer)).label(f"d{k}_holds"),
            (value if value is not None else cast(null(), Integer)).label(f"d{k}_measure"),
        )
    return query.params(time_params(ladder, as_of))


def detail_count(ladder: LadderFile, target_rung: str) -> int:
    """How many conditions the rules promoting to ``target_rung`` have, all together."""
    rules = [r for r in ladder.promotion_rules if r.promote_to == target_rung]
    return sum(1 for rule in rules for _ in walk(rule.condition, ""))


def detail_rules(ladder: LadderFile, target_rung: str) -> list[tuple[Rule, CompiledRule]]:
    """The rules promoting to ``target_rung``, compiled (for their conditions' labels and
    thresholds): the ``d{k}`` columns of :func:`progress_query` follow their conditions."""
    return per_object(
        ladder, f"detail_rules:{target_rung}", lambda: _detail_rules(ladder, target_rung)
    )


def _detail_rules(ladder: LadderFile, target_rung: str) -> list[tuple[Rule, CompiledRule]]:
    rules = [r for r in ladder.promotion_rules if r.promote_to == target_rung]
    return list(zip(rules, compile_rules(ladder, rules, Scope(only=True)), strict=True))


def progress_from_row(ladder: LadderFile, target_rung: str, row: Any) -> list[RuleProgress]:
    """What :func:`progress_of` says for the rules promoting to ``target_rung``, read from a row
    of :func:`progress_query` with ``details`` (empty when the row has none)."""
    if row.get("d0_holds") is None:
        return []
    found, start = [], 0
    for rule, item in detail_rules(ladder, target_rung):
        size = len(item.root.nodes())
        columns = {
            f"n_{j}_{part}": row[f"d{start + j}_{part}"]
            for j in range(size)
            for part in ("holds", "measure")
        }
        start += size
        conditions = condition_states(item.root, columns, "n")
        holds = bool(columns["n_0_holds"])
        found.append(RuleProgress(rule.id, rule.description, target_rung, holds, conditions))
    return found
