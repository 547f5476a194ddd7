"""Read on a snapshot, then write under the lock: SQLite's one write lock held only to write.

SQLite has one write lock for the whole database: a use case that reads a lot before it
writes (an import plans every row against everyone already known) must not hold it while it
reads, or a check-in at the door waits for the whole import. The pattern::

    with engine.connect() as connection:
        with snapshot(connection):             # deferred BEGIN: no write lock
            seen = data_version(connection)
            plan = make_plan(connection)
        with connection.begin():               # BEGIN IMMEDIATE: the write lock
            if data_version(connection) != seen and not still_true(connection, plan):
                ...                            # someone committed in between: plan again
            write(connection, plan)

``data_version`` is SQLite's ``PRAGMA data_version``: on one connection, it changes when
another connection has committed since the last time it was read, so the two reads must be
on the same connection. PostgreSQL has no database-wide write lock and no such counter
(``data_version`` is None there): callers lock the tables they write (:func:`lock_tables`)
and check what they read every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from ladder.storage.engine import READ_ONLY


def locks_whole_database(engine: Engine | Connection) -> bool:
    """True when a writing transaction blocks every other writer (SQLite)."""
    return engine.dialect.name == "sqlite"


@contextmanager
def snapshot(connection: Connection) -> Iterator[Connection]:
    """A read transaction on ``connection`` (on SQLite, a deferred BEGIN: no write lock)."""
    connection.execution_options(**{READ_ONLY: True})
    try:
        with connection.begin():
            if locks_whole_database(connection):  # start the snapshot now, not at first read
                connection.exec_driver_sql("SELECT 1 FROM sqlite_master LIMIT 1").all()
            yield connection
    finally:
        connection.execution_options(**{READ_ONLY: False})


def data_version(connection: Connection) -> int | None:
    """SQLite's change counter as this connection sees it (None on other databases)."""
    if not locks_whole_database(connection):
        return None
    return int(connection.exec_driver_sql("PRAGMA data_version").scalar_one())


def lock_tables(connection: Connection, tables: tuple[str, ...]) -> None:
    """On PostgreSQL, keep other writers off ``tables`` until the transaction ends (readers,
    and inserts elsewhere that reference them, go on). On SQLite the transaction already holds
    the database's write lock."""
    if connection.dialect.name == "postgresql":
        listed = ", ".join(tables)
        connection.exec_driver_sql(f"LOCK TABLE {listed} IN SHARE ROW EXCLUSIVE MODE")
