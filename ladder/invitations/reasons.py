"""The plain-language reason next to each person ``ladder next`` lists.

"1 more event attended within 90 days reaches attend; active 12 days ago; 4 actions in 90
days; same group; recruited by someone at mobilise". What the next rung needs comes from the
rules engine: the ranking statement counts, for each candidate, every condition of the rules
towards their next rung (:func:`ladder.rules.progress_query` with ``details``), and
:func:`ladder.rules.explain.progress_from_row` words it: no second query.
"""

from __future__ import annotations

from typing import Any

from ladder.invitations.checks import Spec
from ladder.rules import RuleProgress, progress_from_row


def reasons_for(spec: Spec, rows: list[Any]) -> dict[int, str]:
    """The reason for each row of the ranking, by supporter id: what each person's next rung
    needs is in their row already (the ranking counted it, condition by condition)."""
    said, climbs = {}, _Climbs(spec)
    for row in rows:
        said[row["id"]] = "; ".join(reasons(spec, row, climb=climbs.of(row)))
    return said


class _Climbs:
    """What each row's next rung needs, in words, worked out once per distinct set of counts
    in the list (people with the same counts towards the same rung read the same words)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.said: dict[tuple[Any, ...], str] = {}
        self.details: list[str] | None = None  # the d{k}_... columns, as the first row has them

    def of(self, row: Any) -> str:
        target = row["target_rung"]
        if target is None or row["status"] != "active":
            return _climb(row, [])
        if self.details is None:
            self.details = [k for k in row if k[0] == "d" and k[1].isdigit()]
        key = (target, row["missing_count"], *(row[k] for k in self.details))
        found = self.said.get(key)
        if found is None:
            progress = progress_from_row(self.spec.ladder, target, row)
            found = self.said[key] = _climb(row, progress)
        return found


def reasons(
    spec: Spec, row: Any, progress: list[RuleProgress] | None = None, climb: str | None = None
) -> list[str]:
    """Plain-language reasons, strongest first: what the next rung needs (``climb``, or worked
    out from ``progress``), recency, the rest."""
    said = [climb if climb is not None else _climb(row, progress or [])]
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
