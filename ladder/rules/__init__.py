"""The ladder rules engine: declared rules compiled to set-based SQL.

- :mod:`ladder.rules.compile`: conditions -> SQLAlchemy Core (aggregate subqueries, joined);
- :mod:`ladder.rules.engine`: :func:`promote` (whole base, dry run), :func:`apply_person` and
  :func:`evaluate_person` (one supporter, e.g. after a check-in);
- :mod:`ladder.rules.explain`: why a person is on their rung, what is missing, and
  :func:`progress_query` (set-based progress towards a rung, for invitations);
- :mod:`ladder.rules.whatif`: another ladder file against today's data;
- :mod:`ladder.rules.manual`: an organiser's manual change of rung.

The engine knows nothing of the command line.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from ladder.domain.ladderfile import LadderFile
from ladder.rules.engine import Move, RunReport, apply_person, evaluate_person, promote
from ladder.rules.explain import progress_query

__all__ = [
    "Move",
    "RunReport",
    "after_checkin",
    "apply_person",
    "evaluate_person",
    "progress_query",
    "promote",
]


def after_checkin(
    connection: Connection, ladder: LadderFile, supporter_id: int, as_of: datetime
) -> list[str]:
    """Apply the rules to one person after a check-in; one sentence per level change.

    Matches ``ladder.services.checkin.RungHook``: append it to ``AFTER_CHECKIN``.
    """
    return [describe(move) for move in apply_person(connection, ladder, supporter_id, as_of)]


def describe(move: Move) -> str:
    if move.from_status != move.to_status:
        return f"Now {move.to_status} (rule {move.rule_id})."
    return f"Promoted from {move.from_rung} to {move.to_rung} (rule {move.rule_id})."
