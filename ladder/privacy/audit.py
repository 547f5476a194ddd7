"""The audit: who did what, when, through which command, to which ids and which field names.

Never a personal value: an entry holds the actor (``--as``, ``$LADDER_USER`` or the login
name), the command (``people edit``), the names of the fields changed (``["email", "phone"]``),
non-personal details (ids and counts), and the people touched in ``audit_people`` (one row each,
so ``ladder audit --person`` and an access export read an index). Every use case that changes
something by hand calls :func:`record` in its own transaction, so the entry lands or is rolled
back with the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, func, insert, literal, select, update

from ladder.clock import utcnow
from ladder.storage.bulk import copy_rows
from ladder.storage.models import AuditEntry, AuditPerson

AE = cast(Table, AuditEntry.__table__)
AP = cast(Table, AuditPerson.__table__)


def record(
    connection: Connection,
    actor: str,
    command: str,
    *,
    people: Iterable[int] | Select[Any] = (),
    fields: Sequence[str] = (),
    detail: Mapping[str, Any] | None = None,
) -> int:
    """Write one audit entry and return its id.

    ``people`` is the ids touched: a few ids, or a SELECT of one id column for a set-based
    change (an import, a sweep), copied with one ``INSERT ... SELECT``. ``detail`` holds ids and
    counts only (``{"event": 12, "added": 40}``): never a name, an email or a note.
    """
    entry = connection.execute(
        insert(AE)
        .values(
            at=utcnow(),
            actor=actor,
            command=command,
            fields=sorted(set(fields)) or None,
            people=0,
            detail=dict(detail) if detail else None,
        )
        .returning(AE.c.id)
    ).scalar_one()
    if isinstance(people, Select):
        ids = people.subquery()
        connection.execute(
            insert(AP).from_select(
                ["entry_id", "supporter_id"],
                select(literal(entry), ids.c[0]).distinct(),
            )
        )  # psycopg gives no rowcount for INSERT ... SELECT here: count what landed
        touched = connection.execute(
            select(func.count()).select_from(AP).where(AP.c.entry_id == entry)
        ).scalar_one()
    else:
        unique = sorted(set(people))  # an import's million ids: one bulk copy, no dicts
        touched = copy_rows(
            connection, AP, ("entry_id", "supporter_id"), ((entry, i) for i in unique)
        )
    if touched:
        connection.execute(update(AE).where(AE.c.id == entry).values(people=touched))
    return int(entry)
