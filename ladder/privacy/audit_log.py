"""Reading the audit: ``ladder audit``, newest first, in one SELECT.

The writing side is :mod:`ladder.privacy.audit`. An entry says when, who (the actor), which
command, the names of the fields it changed, how many people it touched and its non-personal
detail (ids and counts); :func:`entries_about` gives the entries about one person (an access
export), through the ``audit_people`` index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, func, select

from ladder.domain.text import LIKE_ESCAPE, like_pattern
from ladder.people.lookup import find_person
from ladder.storage.models import AuditEntry, AuditPerson

AE = cast(Table, AuditEntry.__table__)
AP = cast(Table, AuditPerson.__table__)

COLUMNS = ("id", "at", "actor", "command", "fields", "people", "detail")


@dataclass(frozen=True)
class AuditFilter:
    person: str | None = None  # a person reference; merged and erased people too
    since: datetime | None = None  # naive UTC, inclusive
    command: str | None = None  # a fragment of the command, case ignored ("edit")
    limit: int | None = None


def list_audit(connection: Connection, filters: AuditFilter) -> list[dict[str, Any]]:
    """Rows with the keys of :data:`COLUMNS`, newest first; ``fields`` is a list of names,
    ``detail`` a dict (or None). An unknown person is refused (NotFoundError)."""
    query = _entries()
    if filters.person is not None:
        person = find_person(connection, filters.person, include_merged=True)
        query = query.where(AE.c.id.in_(_about(person.id)))
    if filters.since is not None:
        query = query.where(AE.c.at >= filters.since)
    if filters.command is not None and filters.command.strip():
        fragment = filters.command.strip().lower()
        query = query.where(
            func.lower(AE.c.command).like(like_pattern(fragment), escape=LIKE_ESCAPE)
        )
    if filters.limit:
        query = query.limit(filters.limit)
    return [_row(r) for r in connection.execute(query).mappings()]


def entries_about(connection: Connection, supporter_id: int) -> list[dict[str, Any]]:
    """Every entry that touched ``supporter_id``, oldest first (for an access export)."""
    query = _entries().where(AE.c.id.in_(_about(supporter_id))).order_by(None)
    return [_row(r) for r in connection.execute(query.order_by(AE.c.at, AE.c.id)).mappings()]


def _entries() -> Select[Any]:
    return select(
        AE.c.id, AE.c.at, AE.c.actor, AE.c.command, AE.c.fields, AE.c.people, AE.c.detail
    ).order_by(AE.c.at.desc(), AE.c.id.desc())


def _about(supporter_id: int) -> Select[Any]:
    return select(AP.c.entry_id).where(AP.c.supporter_id == supporter_id)


def _row(row: Any) -> dict[str, Any]:
    values = dict(row)
    for key in ("fields", "detail"):  # a JSON string on drivers that give one back
        if isinstance(values[key], str):
            values[key] = json.loads(values[key])
    values["fields"] = values["fields"] or []
    return values
