"""Indexes built again after a big write, instead of updated entry by entry (SQLite).

A write of many rows in an order unrelated to an index's (a million signatures into the index
on kind and time; the first actions of a million people) updates that index at scattered
places, one B-tree descent and page rewrite per row. Dropping the index before the write and
creating it after sorts its entries once. Measured on SQLite 3.40 with a 256 MiB page cache,
1M actions into an empty table: the indexes on (kind, time) and (campaign, time, kind,
person) cost 5.6 s of CPU updated during the insert, 1.8 s built again after it. The build
reads the whole table, so it pays only when the rows written are a large share of it: each
caller decides from its own measurement.

Only inside the caller's transaction: DDL is transactional on both databases, so an error
rolls the drop back with the rest, and no other connection ever sees the table without its
index. On PostgreSQL only when the caller says readers lose nothing by waiting
(``readers_wait``: a first import into an empty table): there ``DROP INDEX`` locks the table
against readers (a check-in at the door) until the transaction ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Index


@contextmanager
def rebuilt_after(
    connection: Connection, indexes: Iterable[Index], worth: bool, *, readers_wait: bool = False
) -> Iterator[bool]:
    """Around a big write: when ``worth``, ``indexes`` dropped before and created again after
    (yields whether they were); on PostgreSQL only with ``readers_wait``."""
    if not worth or (connection.dialect.name != "sqlite" and not readers_wait):
        yield False
        return
    assert connection.in_transaction(), "an index is dropped only inside a transaction"
    dropped = list(indexes)
    for index in dropped:
        index.drop(connection)
    yield True
    for index in dropped:
        index.create(connection)
