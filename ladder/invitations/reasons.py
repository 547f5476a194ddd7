"""The plain-language reason next to each person ``ladder next`` lists.

"1 more event attended within 90 days reaches attend; active 12 days ago; 4 actions in 90
days; same group; recruited by someone at mobilise". What the next rung needs comes from the
rules engine (:func:`ladder.rules.progress_of_many`), for all the people listed at once: one
statement for all their rungs, compiled once per ladder, so a list of 50 costs one query.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from ladder.invitations.checks import Spec
from ladder.rules import RuleProgress, progress_of_many


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
