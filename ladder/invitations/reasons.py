"""The plain-language reason next to each person ``ladder next`` lists.

"1 more event attended within 90 days reaches attend; active 12 days ago; 4 actions in 90
days; same group; recruited by someone at mobilise". What the next rung needs comes from the
rules engine (:mod:`ladder.rules.explain`), for all the people listed at once: one statement
for all their rungs, compiled once per ladder, so a list of 50 costs one query, not fifty.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from ladder.domain.ladderfile import LadderFile
from ladder.domain.rules import Rule
from ladder.invitations.checks import Spec
from ladder.rules.compile import compile_rules
from ladder.rules.explain import RuleProgress, _states, next_rules
from ladder.rules.sql import ONLY, CompiledRule, S, Scope, time_params

_COMPILED: dict[tuple[str, tuple[str, ...]], tuple[list[CompiledRule], Select[Any]]] = {}


def progress_of_many(
    connection: Connection, ladder: LadderFile, people: dict[int, str], as_of: datetime
) -> dict[int, list[RuleProgress]]:
    """:func:`ladder.rules.explain.progress_of` for many people at once (``{id: rung}``).

    One statement whatever the rungs: the rules that could move any of them, compiled
    together; each person reads the columns of their own rung's rules.
    """
    wanted = {rung: next_rules(ladder, rung) for rung in sorted(set(people.values()))}
    rules = list({rule.id: rule for found in wanted.values() for rule in found}.values())
    if not rules:
        return {}
    compiled, query = _statement(ladder, rules)
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
    conditions = _states(item.root, row, prefix, 0, [0])
    return RuleProgress(rule.id, rule.description, rule.promote_to or "", holds, conditions)


def _statement(ladder: LadderFile, rules: list[Rule]) -> tuple[list[CompiledRule], Select[Any]]:
    key = (ladder.model_dump_json(), tuple(rule.id for rule in rules))
    if key not in _COMPILED:
        if len(_COMPILED) > 32:
            _COMPILED.clear()
        compiled = compile_rules(ladder, rules, Scope(only=True))
        columns = [
            expression.label(f"n{i}_{j}_{part}")
            for i, item in enumerate(compiled)
            for j, node in enumerate(item.root.nodes())
            for part, expression in (("holds", node.holds), ("measure", node.measure))
            if expression is not None
        ]
        query = select(S.c.id.label("who"), *columns).select_from(compiled[0].source)
        _COMPILED[key] = (compiled, query.where(S.c.id.in_(ONLY)))
    return _COMPILED[key]


def reasons_for(connection: Connection, spec: Spec, rows: list[Any]) -> dict[int, str]:
    """The reason for each row of the ranking, by supporter id."""
    wanted = {
        row["id"]: row["rung"] for row in rows if row["target_rung"] and row["status"] == "active"
    }
    progress = progress_of_many(connection, spec.ladder, wanted, spec.as_of)
    return {row["id"]: "; ".join(reasons(spec, row, progress.get(row["id"], []))) for row in rows}


def reasons(spec: Spec, row: Any, progress: list[RuleProgress]) -> list[str]:
    """Plain-language reasons, strongest first: what the next rung needs, recency, the rest."""
    said = [_climb(row, progress)]
    idle, count = row["idle_days"], row["actions"]
    if idle is None:
        said.append("no action recorded yet")
    else:
        said.append("active today" if idle == 0 else f"active {idle} {_days(idle)} ago")
    if count:
        window = spec.settings.frequency_days
        said.append(f"{count} {'action' if count == 1 else 'actions'} in {window} days")
    proximity = float(row["proximity"])
    if proximity >= 1:
        said.append("same group")
    elif proximity > 0:
        said.append("nearby")
    if row["recruiter_rung"] and float(row["recruiter"]) > 0:
        said.append(f"recruited by someone at {row['recruiter_rung']}")
    return [s for s in said if s]


def _climb(row: Any, progress: list[RuleProgress]) -> str:
    target = row["target_rung"]
    if target is None:
        return ""
    if row["status"] == "lapsed":
        return f"lapsed: a chance to bring them back towards {target}"
    rules = [r for r in progress if r.promote_to == target]
    if not rules:
        return f"next rung: {target}"
    if any(r.holds for r in rules):
        return f"already qualifies for {target}"
    return f"{_easiest(rules[0], row['missing_count'])} reaches {target}"


def _easiest(rule: RuleProgress, missing_count: Any) -> str:
    """For an ``any`` rule, the way with the smallest shortfall (what ``missing_count`` counts)."""
    if rule.conditions[0].text == "any of:" and missing_count is not None:
        for condition in rule.conditions[1:]:
            if condition.depth == 1 and condition.missing.startswith(f"{int(missing_count)} "):
                return condition.missing
    return rule.missing


def _days(count: int) -> str:
    return "day" if count == 1 else "days"
