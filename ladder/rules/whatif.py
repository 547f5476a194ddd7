"""What if the ladder file changed? Both rule sets against today's data; nothing is written.

Each ladder runs the real engine (:func:`ladder.rules.engine.apply_rules`) in its own
transaction, which is always rolled back. Then each person's outcome (rung and status at
the end of the run) is compared, and every person who ends differently is grouped by the
rule that makes the difference:

- ``higher`` / ``lower``: the new rules put them on a higher / lower rung than the active ones;
- ``lapsed`` / ``not lapsed``: the new rules lapse them and the active ones do not, or the reverse.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.rules.engine import Move, apply_rules, before, moves_since
from ladder.storage.engine import reading
from ladder.storage.models import ActionKind
from ladder.storage.rungs import StrandedRung, find_stranded_rungs


@dataclass(frozen=True)
class Outcome:
    start: tuple[str | None, str | None]  # rung, status before the run
    end: tuple[str | None, str | None]
    rung_rule: str  # the last rule that changed their rung ("" when none did)
    status_rule: str  # the last rule that changed their status
    name: str


@dataclass
class Difference:
    change: str  # higher, lower, lapsed, not lapsed
    rule: str  # "new: shows-up-fast" or "active: shows-up"
    from_rung: str | None
    active_rung: str | None
    new_rung: str | None
    people: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WhatIf:
    as_of: datetime
    active_moves: int  # people the active rules would change
    new_moves: int
    differences: list[Difference]
    unknown_kinds: list[str]  # kinds the new file names that the database has never seen
    stranded: list[StrandedRung] = field(default_factory=list)  # rungs the new file lacks

    @property
    def people_differing(self) -> int:
        return sum(d.people for d in self.differences)


def what_if(
    engine: Engine,
    active: LadderFile,
    other: LadderFile,
    as_of: datetime | None = None,
    examples: int = 3,
) -> WhatIf:
    as_of = as_of or utcnow()
    before = outcomes(engine, active, as_of)
    after = outcomes(engine, other, as_of)
    order = _rank(active, other)
    groups: dict[tuple[str, str, str | None, str | None, str | None], Difference] = {}
    for supporter_id in sorted(before.keys() | after.keys()):
        old, new = before.get(supporter_id), after.get(supporter_id)
        start = (old or new).start  # type: ignore[union-attr]
        old_end = old.end if old else start
        new_end = new.end if new else start
        if old_end == new_end:
            continue
        change, rule = _classify(old, new, old_end, new_end, order)
        key = (change, rule, start[0], old_end[0], new_end[0])
        group = groups.setdefault(key, Difference(*key))
        group.people += 1
        if len(group.examples) < examples:
            group.examples.append(f"#{supporter_id} {(old or new).name}")  # type: ignore[union-attr]
    differences = sorted(groups.values(), key=lambda d: (d.change, d.rule, -d.people))
    return WhatIf(
        as_of,
        len(before),
        len(after),
        differences,
        _unknown_kinds(engine, other),
        find_stranded_rungs(engine, other),
    )


def outcomes(engine: Engine, ladder: LadderFile, as_of: datetime) -> dict[int, Outcome]:
    """Who the rules would change, and how each person would end up; rolled back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            ids = apply_rules(connection, ladder, as_of)
            moves = moves_since(connection, before(ids)) if ids else []
        finally:
            transaction.rollback()
    by_person: dict[int, list[Move]] = defaultdict(list)
    for move in moves:
        by_person[move.supporter_id].append(move)
    return {
        supporter_id: Outcome(
            (steps[0].from_rung, steps[0].from_status),
            (steps[-1].to_rung, steps[-1].to_status),
            next((s.rule_id for s in reversed(steps) if s.from_rung != s.to_rung), ""),
            next((s.rule_id for s in reversed(steps) if s.from_status != s.to_status), ""),
            steps[0].name,
        )
        for supporter_id, steps in by_person.items()
    }


def _rank(active: LadderFile, other: LadderFile) -> dict[str, int]:
    order = {name: index for index, name in enumerate(active.rung_names)}
    order.update({name: index for index, name in enumerate(other.rung_names)})
    return order


def _classify(
    old: Outcome | None,
    new: Outcome | None,
    old_end: tuple[str | None, str | None],
    new_end: tuple[str | None, str | None],
    order: dict[str, int],
) -> tuple[str, str]:
    if old_end[1] != new_end[1]:
        if new_end[1] == "lapsed":
            return "lapsed", f"new: {new.status_rule if new else ''}"
        return "not lapsed", f"active: {old.status_rule if old else ''}"
    if order.get(new_end[0] or "", -1) > order.get(old_end[0] or "", -1):
        return "higher", f"new: {new.rung_rule if new else ''}"
    return "lower", f"active: {old.rung_rule if old else ''}"


def _unknown_kinds(engine: Engine, ladder: LadderFile) -> list[str]:
    wanted = {k.name for k in ladder.action_kinds}
    with reading(engine) as connection:
        known = set(connection.execute(select(ActionKind.name)).scalars())
    return sorted(wanted - known)
