"""Reading the recruitment graph at driver speed, straight into numpy arrays.

The edges are one SELECT of (recruit id, recruiter id) pairs through the DBAPI cursor under
SQLAlchemy's connection: no Row objects (PERFORMANCE.md: raw fetchall 0.32 s for 700k edges,
Core 0.75 s, ORM 6.1 s). It is an index-only scan of ix_supporters_recruiter_id; the
per-node facts the metrics need are separate id lists: people at a rung and people in a
group through their indexes, people who joined since a date (only for ``--since``).

A merged record is no longer a person: its own edge is left out. The merged ids come from the
small ``merges`` table (filtering on ``merged_into_id`` would read every row: +0.45 s at 1M).
A merged person's recruits moved to the kept person when it was merged; ``ladder graph check``
reports any that did not.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection

from ladder.domain.names import display_name
from ladder.domain.vocabulary import SupporterStatus

EDGES_SQL = "SELECT id, recruiter_id FROM supporters WHERE recruiter_id IS NOT NULL"
MERGED_SQL = "SELECT merged_id FROM merges"
NAME_BATCH = 500


def read_edges(connection: Connection) -> tuple[np.ndarray, np.ndarray]:
    """(recruits, recruiters): two int64 arrays of supporter ids, one entry per edge."""
    rows = fetch_rows(connection, EDGES_SQL)
    pairs = np.fromiter(
        itertools.chain.from_iterable(rows), dtype=np.int64, count=2 * len(rows)
    ).reshape(-1, 2)
    merged = read_ids(connection, MERGED_SQL)
    if merged.size:
        pairs = pairs[~np.isin(pairs[:, 0], merged)]
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def ids_at_rungs(connection: Connection, rungs: Sequence[str]) -> np.ndarray:
    """Ids of the people whose rung is one of ``rungs`` (any status)."""
    if not rungs:
        return np.empty(0, dtype=np.int64)
    marks = ", ".join("?" for _ in rungs)
    return read_ids(connection, f"SELECT id FROM supporters WHERE rung IN ({marks})", rungs)


def ids_joined_since(connection: Connection, since: datetime) -> np.ndarray:
    """Ids of the people who joined (created_at) at or after ``since``."""
    return read_ids(
        connection,
        "SELECT id FROM supporters WHERE created_at >= ?",
        [_time_param(connection, since)],
    )


def ids_in_group(connection: Connection, group_id: int) -> np.ndarray:
    return read_ids(connection, "SELECT id FROM supporters WHERE local_group_id = ?", [group_id])


def person_labels(connection: Connection, ids: Sequence[int]) -> dict[int, str]:
    """Display names by id; erased people are anonymous: "(erased #12)"."""
    labels: dict[int, str] = {}
    for start in range(0, len(ids), NAME_BATCH):
        batch = list(ids[start : start + NAME_BATCH])
        marks = ", ".join("?" for _ in batch)
        sql = f"SELECT id, first_name, last_name, status FROM supporters WHERE id IN ({marks})"
        for person, first, last, status in fetch_rows(connection, sql, batch):
            labels[person] = person_label(person, first, last, status)
    return labels


def person_label(person: int, first: str | None, last: str | None, status: str) -> str:
    if status == SupporterStatus.ERASED:
        return f"(erased #{person})"
    return display_name(first, last, person)


def read_ids(connection: Connection, sql: str, params: Sequence[Any] = ()) -> np.ndarray:
    """The first column of a one-column query, as a sorted int64 array."""
    rows = fetch_rows(connection, sql, params)
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    ids.sort()
    return ids


def fetch_rows(connection: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    """Run ``sql`` (``?`` placeholders) on the raw driver cursor, in the caller's transaction."""
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _time_param(connection: Connection, moment: datetime) -> Any:
    """SQLite stores datetimes as ISO text; PostgreSQL takes the datetime itself."""
    if connection.dialect.name == "sqlite":
        return moment.isoformat(sep=" ")
    return moment
