"""Keep the action_kinds table in step with the active ladder file."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, select, update

from ladder.domain.ladderfile import LadderFile
from ladder.storage.models import ActionKind


def sync_action_kinds(engine: Engine, ladder: LadderFile) -> int:
    """Insert kinds the ladder declares and the database lacks; refresh labels and rungs.

    Kinds that the ladder no longer declares stay (old actions keep pointing at them).
    Returns how many rows were written; 0 (and no write transaction) when already in step.
    """
    wanted = {k.name: (k.label or None, k.rung) for k in ladder.action_kinds}
    with engine.connect() as connection:
        rows = connection.execute(select(ActionKind.name, ActionKind.label, ActionKind.rung))
        have = {name: (label, rung) for name, label, rung in rows}
    missing = [n for n in wanted if n not in have]
    changed = [n for n in wanted if n in have and have[n] != wanted[n]]
    if not missing and not changed:
        return 0
    with engine.begin() as connection:
        if missing:  # another process may be adding the same kinds right now: ignore theirs
            connection.execute(
                _insert_ignoring_conflicts(connection),
                [{"name": n, "label": wanted[n][0], "rung": wanted[n][1]} for n in missing],
            )
        for name in changed:
            label, rung = wanted[name]
            connection.execute(
                update(ActionKind).where(ActionKind.name == name).values(label=label, rung=rung)
            )
    return len(missing) + len(changed)


def _insert_ignoring_conflicts(connection: Connection) -> Any:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as dialect
    else:
        from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
    return dialect.insert(ActionKind).on_conflict_do_nothing()


def action_kind_ids(engine_or_connection: Engine, names: list[str] | None = None) -> dict[str, int]:
    """Map action kind names to ids (all kinds, or only the names given)."""
    query = select(ActionKind.name, ActionKind.id)
    if names is not None:
        query = query.where(ActionKind.name.in_(names))
    with engine_or_connection.connect() as connection:
        return {name: kind_id for name, kind_id in connection.execute(query)}
