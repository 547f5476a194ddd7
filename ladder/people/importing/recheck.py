"""Is a plan made on a read snapshot still true under the write lock?

An import plans on a snapshot (no write lock, :mod:`ladder.storage.snapshot`); when another
connection committed in between (a check-in at the door, an edit), the plan is written only if
what it read is unchanged: the local groups, and the people it matched rows against. For a big
file that is everyone (one pass, compared tuple by tuple); for a small one, the people it
loaded, found again by the same emails, phones and ids (so someone added or edited in between
with an email of the file is seen), and their recruiters. A small file that matched by name
read everyone's names: then any commit counts as a change. Which tags the plan links is
decided again under the lock (:class:`~ladder.people.importing.write.TagLinks`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from ladder.people.importing.known import (
    COLUMNS,
    LIVE,
    Known,
    Wanted,
    _live_where,
    _recruiters_above,
    raw_rows,
)
from ladder.people.importing.plan import Plan
from ladder.people.importing.write import TagLinks
from ladder.storage.models import Supporter


@dataclass
class Planned:
    """A plan and what it was made from."""

    plan: Plan
    links: TagLinks
    known: Known
    wanted: Wanted | None  # None: everyone was loaded
    groups: dict[str, int]  # local group name -> id


def still_true(connection: Connection, planned: Planned) -> bool:
    """True when what ``planned`` read is unchanged on ``connection`` (under the write lock)."""
    groups = {name: gid for gid, name in raw_rows(connection, "SELECT id, name FROM local_groups")}
    if groups != planned.groups:
        return False
    known = planned.known
    people = {key: row for key, row in known.people.items() if key > 0}
    if planned.wanted is None:
        sql = f"SELECT {', '.join(COLUMNS)} FROM supporters WHERE {LIVE}"
        return _same(raw_rows(connection, sql), people, everyone=True)
    if known.names_read:
        return False
    table = Supporter.__table__.c
    wanted = planned.wanted
    found: list[Iterable[Any]] = [
        _live_where(connection, table.email, wanted.emails),
        _live_where(connection, table.phone, wanted.phones),
        _live_where(connection, table.id, wanted.ids),
        _recruiters_above(connection, list(people)),
    ]
    if not all(_same(rows, people, everyone=False) for rows in found):
        return False
    return _same(_live_where(connection, table.id, people), people, everyone=True)


def _same(rows: Iterable[Any], people: dict[int, Any], everyone: bool) -> bool:
    """Every row is a person as the plan saw them (and, ``everyone``: all of them are there)."""
    seen = 0
    for row in rows:
        if people.get(row[0]) != tuple(row):
            return False
        seen += 1
    return seen == len(people) if everyone else True
