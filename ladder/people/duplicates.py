"""Likely duplicates: the same email or phone, or similar names in the same postcode.

Same email/phone: one grouped query each. Similar names: one pass over the people ordered by
postcode, comparing names only inside a postcode (and the first letter of the folded last
name, so a big postcode stays cheap): linear in the base, never a query per person.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations, groupby
from typing import Any

from sqlalchemy import Connection, text

from ladder.domain.names import fold, names_agree

COLUMNS = ("id", "name", "other_id", "other_name", "reason")
MAX_BLOCK = 400  # people compared pairwise in one postcode block, at most

_LIVE = "merged_into_id IS NULL AND status <> 'erased'"
_PERSON = "id, first_name, last_name, postcode"


def find_duplicates(connection: Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """Pairs (lower id first) with every reason that makes them look alike."""
    reasons: dict[tuple[int, int], list[str]] = {}
    names: dict[int, str] = {}
    for pair, reason in _candidate_pairs(connection, names):
        reasons.setdefault(pair, [])
        if reason not in reasons[pair]:
            reasons[pair].append(reason)
    rows = [
        {"id": a, "name": names[a], "other_id": b, "other_name": names[b], "reason": "; ".join(r)}
        for (a, b), r in sorted(reasons.items())
    ]
    return rows[:limit] if limit else rows


def _candidate_pairs(
    connection: Connection, names: dict[int, str]
) -> Iterator[tuple[tuple[int, int], str]]:
    yield from _same(connection, names, "lower(trim(email))", "same email")
    yield from _same(connection, names, "phone", "same phone")
    yield from _similar_names(connection, names)


def _same(
    connection: Connection, names: dict[int, str], key: str, reason: str
) -> Iterator[tuple[tuple[int, int], str]]:
    query = text(
        f"SELECT {key} AS k, {_PERSON} FROM supporters WHERE {_LIVE} AND {key} IN "
        f"(SELECT {key} FROM supporters WHERE {_LIVE} AND {key} IS NOT NULL "
        f"GROUP BY {key} HAVING count(*) > 1) ORDER BY k, id"
    )
    for value, group in groupby(connection.execute(query), key=lambda row: row.k):
        people = list(group)
        for row in people:
            names[row.id] = _name(row)
        first = people[0]
        for other in people[1:]:
            yield (first.id, other.id), f"{reason} {value}"


def _similar_names(
    connection: Connection, names: dict[int, str]
) -> Iterator[tuple[tuple[int, int], str]]:
    query = text(
        f"SELECT {_PERSON} FROM supporters WHERE {_LIVE} AND postcode IS NOT NULL "
        "AND first_name IS NOT NULL AND last_name IS NOT NULL ORDER BY postcode, id"
    )
    for postcode, people in groupby(connection.execute(query), key=lambda row: row.postcode):
        block: dict[str, list[Any]] = {}
        for row in people:
            last = fold(row.last_name)
            block.setdefault(last[:1], []).append((row, fold(row.first_name), last))
        for members in block.values():
            for pair in _alike(members[:MAX_BLOCK]):
                for row in pair:
                    names[row.id] = _name(row)
                yield (pair[0].id, pair[1].id), f"similar names in {postcode}"


def _alike(members: list[tuple[Any, str, str]]) -> Iterator[tuple[Any, Any]]:
    for (a, first_a, last_a), (b, first_b, last_b) in combinations(members, 2):
        if first_a and last_a and names_agree(first_a, last_a, first_b, last_b):
            yield (a, b) if a.id < b.id else (b, a)


def _name(row: Any) -> str:
    return " ".join(p for p in (row.first_name, row.last_name) if p) or f"#{row.id}"
