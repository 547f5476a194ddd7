"""Local groups by name, as people type them (case and accents ignored, close names hinted).

Kept apart from :mod:`ladder.people.edit` so that the commands that only filter by a group
(lists, check-in, ``next``) do not load what editing a person needs.
"""

from __future__ import annotations

import difflib

from sqlalchemy import Connection, select

from ladder.domain.names import fold
from ladder.errors import NotFoundError
from ladder.storage.models import LocalGroup


def find_group(connection: Connection, name: str) -> int:
    """The id of the local group called ``name`` (case and accents ignored)."""
    groups = {
        fold(n): (gid, n) for gid, n in connection.execute(select(LocalGroup.id, LocalGroup.name))
    }
    if fold(name) in groups:
        return groups[fold(name)][0]
    hint = group_hint(name, [n for _gid, n in groups.values()])
    raise NotFoundError(f"unknown group {name!r}{hint}")


def group_hint(name: str, names: list[str]) -> str:
    """What to say after "unknown group": the close names, else a few that exist."""
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        return f" (did you mean {', '.join(close)}?)"
    if names:
        return f" (groups include: {', '.join(sorted(names)[:5])})"
    return " (there are no local groups yet)"
