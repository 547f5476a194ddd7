"""Build engines and read connections. Nothing is built at import time.

SQLite connections get WAL, foreign keys, ``synchronous=NORMAL`` and a busy timeout; every
transaction starts with ``BEGIN IMMEDIATE`` so that two writers queue on the busy timeout
instead of failing with "database is locked" when a read lock is upgraded. Reads that write
nothing use :func:`reading`: a plain (deferred) ``BEGIN``, so a long report never holds the
write lock a check-in at the door queues on (in WAL mode readers and a writer run together).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from ladder.errors import ConfigError

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "ladder_read_only"  # execution option: a deferred BEGIN on SQLite
SQLITE_CACHE_KIB = 262_144  # 256 MiB page cache: worth 1.8x on bulk loads (PERFORMANCE.md)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets its pragmas on every new connection."""
    try:
        engine = create_engine(url, **kwargs)
    except Exception as exc:  # bad URL, missing driver
        raise ConfigError(f"cannot use database {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def reading(engine: Engine) -> Connection:
    """A connection for reads only (``with reading(engine) as connection:``).

    On SQLite its transactions take no write lock; writing on it is a mistake that may fail
    with "database is locked" under load. On PostgreSQL it is a plain connection.
    """
    return engine.connect().execution_options(**{READ_ONLY: True})
