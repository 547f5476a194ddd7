"""Build engines and read connections. Nothing is built at import time.

SQLite connections get WAL, foreign keys, ``synchronous=NORMAL`` and a busy timeout; every
transaction starts with ``BEGIN IMMEDIATE`` so that two writers queue on the busy timeout
instead of failing with "database is locked" when a read lock is upgraded. Reads that write
nothing use :func:`reading`: a plain (deferred) ``BEGIN``, so a long report never holds the
write lock a check-in at the door queues on (in WAL mode readers and a writer run together).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from ladder.errors import ConfigError

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "ladder_read_only"  # execution option: a deferred BEGIN on SQLite
_PASSWORD_IN_URL = re.compile(r"(?P<keep>://[^:/@\s]*:)\S*@")  # to the last @
SQLITE_CACHE_KIB = 262_144  # 256 MiB page cache: worth 1.8x on bulk loads (PERFORMANCE.md)


def redacted(url: str) -> str:
    """``url`` for messages: its password (if any) replaced by ``***``, even when the URL
    cannot be parsed (``postgresql://u:pw@host:notaport/x``)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # unparsable: hide whatever sits between "user:" and "@"
        return _PASSWORD_IN_URL.sub(r"\g<keep>***@", url)


def parsed_url(url: str) -> URL:
    """``url`` parsed, or a one-line ConfigError that shows no password."""
    try:
        return make_url(url)
    except Exception as exc:  # a port that is not a number, a malformed URL
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, ValueError) and "invalid literal for int()" in reason:
            reason = "the port is not a number"
        raise ConfigError(
            f"cannot use database {redacted(url)!r}: {reason}: check the URL given to --db"
        ) from None


def is_sqlite(url: str) -> bool:
    return parsed_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for an in-memory database."""
    database = parsed_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets its pragmas on every new connection."""
    parsed = parsed_url(url)
    try:
        engine = create_engine(parsed, **kwargs)
    except Exception as exc:  # missing driver, unknown dialect
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"cannot use database {redacted(url)!r}: {reason}") from None
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
