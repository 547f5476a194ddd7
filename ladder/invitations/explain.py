"""``ladder next --explain PERSON``: the parts of one person's score, and why they are left out.

The same SQL as the ranking (:mod:`ladder.invitations.ranking`), for one person, with
each condition of the list as a column instead of a WHERE term: the explanation is the
ranking's own arithmetic, not a second copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from ladder.domain.invitations import PARTS
from ladder.domain.ladderfile import LadderFile
from ladder.invitations.checks import Spec, checks
from ladder.invitations.ranking import candidates, params, parts, score, with_details
from ladder.invitations.reasons import reasons_for
from ladder.invitations.suggest import NextRequest, resolve
from ladder.people.lookup import find_person
from ladder.storage.engine import reading


@dataclass(frozen=True)
class PartLine:
    part: str
    raw: str  # what was measured, in words
    value: float  # the part, in [0, 1]
    weight: float
    contribution: float


@dataclass(frozen=True)
class Explanation:
    person: str
    rung: str
    target_rung: str | None
    lines: list[PartLine]
    score: float
    excluded: list[str]  # empty: they would be listed
    reason: str


def explain(engine: Engine, ladder: LadderFile, request: NextRequest, person: str) -> Explanation:
    """One person's score for this request, part by part. Writes nothing."""
    with reading(engine) as connection:
        spec, _event = resolve(connection, ladder, request)
        ref = find_person(connection, person)
        found = checks(spec)
        x, d = candidates(spec, person=ref.id)
        values = parts(spec, x.c)
        query = select(
            *x.c,
            score(spec, values).label("rank"),
            *(value.label(f"{name}_part") for name, value in values.items()),
        )
        query = with_details(d, query, "id")
        row = connection.execute(query, params(spec)).mappings().one()
        excluded = [c.otherwise for i, c in enumerate(found) if not row[f"keeps_{i}"]]
        said = reasons_for(spec, [row])[ref.id] if row["target_rung"] else ""
    return Explanation(
        person=ref.describe(),
        rung=ref.rung,
        target_rung=row["target_rung"],
        lines=_lines(spec, row),
        score=float(row["rank"]) / 1000.0,
        excluded=list(dict.fromkeys(excluded)),
        reason=said,
    )


def _lines(spec: Spec, row: Any) -> list[PartLine]:
    weights = spec.settings.weights
    raw = {
        "closeness": _closeness(row),
        "recency": _recency(row),
        "frequency": f"{row['actions']} actions in {spec.settings.frequency_days} days",
        "proximity": {1.0: "same group", 0.5: "nearby"}.get(float(row["proximity"]), "-"),
        "recruiter": f"recruiter at {row['recruiter_rung']}" if row["recruiter_rung"] else "none",
    }
    lines = []
    for name in PARTS:
        value, weight = float(row[f"{name}_part"]), float(getattr(weights, name))
        lines.append(PartLine(name, raw[name], value, weight, value * weight))
    return lines


def _closeness(row: Any) -> str:
    if row["target_rung"] is None:
        return "no next rung in this list"
    missing = row["missing_count"]
    if missing is None:
        return f"no progress towards {row['target_rung']} counted"
    return f"{int(missing)} more to reach {row['target_rung']}" if missing else "qualifies now"


def _recency(row: Any) -> str:
    idle = row["idle_days"]
    if idle is None:
        return "no action recorded"
    return f"last action {idle} {'day' if idle == 1 else 'days'} ago"
