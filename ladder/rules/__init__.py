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

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # at run time each name is imported from its module on first use
    from datetime import datetime

    from sqlalchemy import Connection

    from ladder.domain.ladderfile import LadderFile
    from ladder.rules.engine import (
        ChangeCount,
        Move,
        RunReport,
        apply_person,
        apply_rules,
        before,
        evaluate_person,
        moves_since,
        promote,
    )
    from ladder.rules.explain import (
        ConditionState,
        HistoryEntry,
        RuleProgress,
        condition_states,
        detail_count,
        history,
        progress_from_row,
        progress_of,
        progress_of_many,
        progress_query,
    )
    from ladder.rules.manual import ManualChange, set_rung
    from ladder.rules.rungs import rename_rung
    from ladder.rules.sql import AS_OF, SUPPORTERS, Scope, time_params
    from ladder.rules.whatif import what_if
    from ladder.storage.rungs import (
        find_stranded_rungs,
        require_no_stranded_rungs,
        stranded_message,
    )

# public name -> the module that defines it. A command imports only the modules it uses: a
# check-in needs the engine, not the explanations, what-if or manual changes (about 5 ms).
_MODULES: dict[str, str] = {
    **dict.fromkeys(
        [
            "ChangeCount",
            "Move",
            "RunReport",
            "apply_person",
            "apply_rules",
            "before",
            "evaluate_person",
            "moves_since",
            "promote",
        ],
        "ladder.rules.engine",
    ),
    **dict.fromkeys(
        [
            "ConditionState",
            "HistoryEntry",
            "RuleProgress",
            "condition_states",
            "detail_count",
            "history",
            "progress_from_row",
            "progress_of",
            "progress_of_many",
            "progress_query",
        ],
        "ladder.rules.explain",
    ),
    **dict.fromkeys(["ManualChange", "set_rung"], "ladder.rules.manual"),
    "rename_rung": "ladder.rules.rungs",
    **dict.fromkeys(["AS_OF", "SUPPORTERS", "Scope", "time_params"], "ladder.rules.sql"),
    "what_if": "ladder.rules.whatif",
    **dict.fromkeys(
        ["find_stranded_rungs", "require_no_stranded_rungs", "stranded_message"],
        "ladder.storage.rungs",
    ),
}

__all__ = [
    "AS_OF",
    "ChangeCount",
    "SUPPORTERS",
    "ConditionState",
    "HistoryEntry",
    "ManualChange",
    "Move",
    "RuleProgress",
    "RunReport",
    "Scope",
    "after_checkins",
    "apply_person",
    "apply_rules",
    "before",
    "condition_states",
    "detail_count",
    "evaluate_person",
    "find_stranded_rungs",
    "history",
    "moves_since",
    "progress_from_row",
    "progress_of",
    "progress_of_many",
    "progress_query",
    "promote",
    "rename_rung",
    "require_no_stranded_rungs",
    "set_rung",
    "stranded_message",
    "time_params",
    "what_if",
]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module (then kept here: looked up once)."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def after_checkins(
    connection: Connection, ladder: LadderFile, supporter_ids: list[int], as_of: datetime
) -> list[Move]:
    """Apply the rules to everyone of a sign-in sheet in one run restricted to them (the same
    SQL as one person's, with all their ids); the level changes it made, in order."""
    from ladder.rules.engine import apply_rules, before, moves_since

    if not supporter_ids:
        return []
    ids = apply_rules(connection, ladder, as_of, only=supporter_ids)
    return moves_since(connection, before(ids)) if ids else []
