"""Build engines and read connections. Nothing is built at import time.

SQLite connections get WAL, foreign keys, ``synchronous=NORMAL`` and a busy timeout; every
transaction starts with ``BEGIN IMMEDIATE`` so that two writers queue on the busy timeout
instead of failing with "database is locked" when a read lock is upgraded. Reads that write
nothing use :func:`reading`: a plain (deferred) ``BEGIN``, so a long report never holds the
write lock a check-in at the door queues on (in WAL mode readers and a writer run together).

A new SQLite file is created readable by its owner only (its -wal and -shm follow its mode); a
file that cannot be written (read-only file, folder or disk) is opened read-only, so commands
that only read still work and a write fails with one line saying why (see the end of this file).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url

from ladder.errors import ConfigError, DatabaseStateError
from ladder.files import create_owner_only

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "ladder_read_only"  # execution option: a deferred BEGIN on SQLite
_PASSWORD_IN_URL = re.compile(r"(?P<keep>://[^:/@\s]*:)\S*@")  # to the last @
SQLITE_CACHE_KIB = 262_144  # 256 MiB page cache: worth 1.8x on bulk loads (PERFORMANCE.md)
SNAPSHOT_LOCK_WAIT_MS = 200  # how long readers_alike waits for a writer before reading alone


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
    shown = engine.url.database or ""  # the path as the user gave it, for messages

    @event.listens_for(engine, "do_connect")
    def _on_do_connect(
        _dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]
    ) -> None:
        _open_sqlite_file(shown, record.info, cargs, cparams)

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        _explain_read_only(shown, context)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if _READ_ONLY_CAUSE in record.info:  # a read-only file keeps the journal mode it has
            dbapi_connection.refusal = read_only_message(shown, record.info[_READ_ONLY_CAUSE])
        else:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # what a change frees is zeroed, so an erased (or edited) value leaves no bytes behind
        # on every SQLite build, not only Debian's, where it is the default
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        read_only = read_only or _READ_ONLY_CAUSE in connection.info  # then writing fails, said
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def reading(engine: Engine) -> Connection:
    """A connection for reads only (``with reading(engine) as connection:``).

    On SQLite its transactions take no write lock; writing on it is a mistake that may fail
    with "database is locked" under load. On PostgreSQL it is a plain connection.
    """
    return engine.connect().execution_options(**{READ_ONLY: True})


@contextmanager
def readers_alike(connection: Connection, count: int) -> Iterator[list[Connection]]:
    """``count`` new read connections to ``connection``'s database that all see the same data,
    for reads run at once in threads (one connection per thread); or ``[connection]`` alone
    when the database cannot give them.

    On SQLite each connection reads its own snapshot, taken at its first read: the new ones
    take theirs while a write lock, held for an instant, keeps any writer from committing in
    between, so they all see the same data. Read alone instead: an in-memory database (a new
    connection would be another database), a file opened read-only (no write lock to take),
    or a writer at work (the lock not obtained within ``SNAPSHOT_LOCK_WAIT_MS``: a report never
    waits for an import). On PostgreSQL a read connection sees each statement's own snapshot
    (read committed) alone as together: plain new ones."""
    engine = connection.engine
    if count <= 1:
        yield [connection]
        return
    with ExitStack() as stack:
        if engine.dialect.name != "sqlite":
            yield [stack.enter_context(reading(engine)) for _ in range(count)]
            return
        if sqlite_path(engine.url.render_as_string(hide_password=False)) is None:
            yield [connection]
            return
        readers = _sqlite_readers_alike(stack, engine, count)
        yield readers if readers else [connection]


def _sqlite_readers_alike(stack: ExitStack, engine: Engine, count: int) -> list[Connection]:
    """The readers, their snapshots taken under a write lock; [] when it cannot be taken."""
    with engine.connect() as locking:
        if _READ_ONLY_CAUSE in locking.info:
            return []
        raw: Any = locking.connection.driver_connection
        raw.execute(f"PRAGMA busy_timeout = {SNAPSHOT_LOCK_WAIT_MS}")
        try:
            try:
                raw.execute("BEGIN IMMEDIATE")
            except sqlite3.Error:  # a writer at work, or a file that cannot be written
                return []
            try:
                readers = [stack.enter_context(reading(engine)) for _ in range(count)]
                for reader in readers:  # the read transaction, and its snapshot, start now
                    reader.exec_driver_sql("SELECT 1 FROM sqlite_master LIMIT 1").all()
            finally:
                raw.execute("ROLLBACK")
        finally:
            raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    return readers


# --- SQLite files: created owner-only; opened read-only when they cannot be written -------
#
# In WAL mode even a reader needs the -shm file beside the database (and SQLite creates it, and
# the -wal, when they are missing), so a read-only file or folder used to fail with "unable to
# open database file". https://www.sqlite.org/wal.html#readonly: a read-only connection
# (``mode=ro``) works when the -shm and -wal exist or can be created; when they cannot, and
# no -wal holds changes, ``immutable=1`` reads the file alone (nobody can be writing it: a
# writer would need those files). A -wal with changes in a read-only folder cannot be read
# without losing them: refused, saying so.

_READ_ONLY_CAUSE = "ladder_read_only_cause"  # connection info: why this file is opened read-only


class SqliteAccess(NamedTuple):
    """How to open a SQLite file: ``rw``, ``ro`` (mode=ro), ``immutable`` (immutable=1) or
    ``unreadable``; and why not read-write: ``file`` or ``folder`` ("" when read-write)."""

    mode: str
    cause: str = ""


def choose_access(
    *,
    file_writable: bool,
    folder_writable: bool,
    sidecars_writable: bool,
    shm_exists: bool,
    wal_has_changes: bool,
    disk_read_only: bool = False,
) -> SqliteAccess:
    """The decision behind :func:`sqlite_access`, from what the file system says (a seam:
    tests call it with every combination, which chmod cannot give them when run as root)."""
    if file_writable and (folder_writable or sidecars_writable) and not disk_read_only:
        return SqliteAccess("rw")
    cause = "disk" if disk_read_only else "file" if not file_writable else "folder"
    folder_writable = folder_writable and not disk_read_only
    if folder_writable or shm_exists:
        return SqliteAccess("ro", cause)
    if not wal_has_changes:
        return SqliteAccess("immutable", cause)
    return SqliteAccess("unreadable", cause)


def sqlite_access(path: Path) -> SqliteAccess:
    """How to open the existing SQLite file ``path`` (see :func:`choose_access`)."""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    return choose_access(
        file_writable=os.access(path, os.W_OK),
        folder_writable=os.access(path.parent, os.W_OK | os.X_OK),
        sidecars_writable=os.access(wal, os.W_OK) and os.access(shm, os.W_OK),
        shm_exists=shm.exists(),
        wal_has_changes=wal.exists() and wal.stat().st_size > 0,
        disk_read_only=_on_read_only_disk(path),
    )


def _on_read_only_disk(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): the other checks still hold
        return False


def read_only_message(shown: str, cause: str, detail: str = "") -> str:
    """One line: why ``shown`` cannot be written (``file``, ``folder``, or else SQLite's own
    ``detail``), and what to do."""
    if cause == "folder":
        return (
            f"{shown} is read-only: its folder is not writable, and SQLite writes "
            f"{Path(shown).name}-wal beside it to change it: make the folder writable, "
            "or work on a copy"
        )
    if cause == "disk":
        return f"{shown} is read-only: it is on a read-only disk: work on a copy on a writable one"
    if cause == "file":
        return (
            f"{shown} is read-only: the file is not writable: make it writable, or work on a copy"
        )
    return f"{shown} is read-only: SQLite says {detail!r}: make it writable, or work on a copy"


def _open_sqlite_file(
    shown: str, info: dict[str, Any], cargs: list[Any], cparams: dict[str, Any]
) -> None:
    """Before SQLite opens the file: a new one is created owner-only; one that cannot be
    written is opened read-only, and the connection remembers why."""
    if cparams.get("uri") or not cargs or cargs[0] in ("", ":memory:"):
        return  # an in-memory database, or a URI the user wrote: theirs to decide
    path = Path(cargs[0])
    if not path.exists():
        try:
            create_owner_only(path)
        except FileExistsError:
            pass  # created meanwhile: open it as it is
        except OSError as exc:
            raise DatabaseStateError(
                f"cannot create {shown}: {exc.strerror or exc}: pass --db a file in a folder "
                "you can write"
            ) from None
        return
    access = sqlite_access(path)
    if access.mode == "rw":
        return
    if access.mode == "unreadable":
        raise DatabaseStateError(
            f"{shown} cannot be read: {Path(shown).name}-wal holds its latest changes and the "
            "folder is read-only: make the folder writable, or copy both files to one that is"
        )
    info[_READ_ONLY_CAUSE] = access.cause
    query = "mode=ro&immutable=1" if access.mode == "immutable" else "mode=ro"
    cargs[0] = f"file:{quote(str(path.absolute()))}?{query}"
    cparams["uri"] = True
    cparams["factory"] = _ReadOnlyConnection


class _ReadOnlyCursor(sqlite3.Cursor):
    """A cursor on a file opened read-only: a write fails with the one line saying why, also
    on the driver-speed paths that bypass SQLAlchemy (``storage.bulk``)."""

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            raise _refusal(self.connection, exc) from exc

    def executemany(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            raise _refusal(self.connection, exc) from exc


class _ReadOnlyConnection(sqlite3.Connection):
    refusal = ""  # the one line for a write, set when the connection is made

    def cursor(self, factory: Any = _ReadOnlyCursor) -> Any:
        return super().cursor(factory)


def _refusal(connection: Any, exc: sqlite3.OperationalError) -> Exception:
    readonly = getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY")
    return DatabaseStateError(connection.refusal) if readonly and connection.refusal else exc


def _explain_read_only(shown: str, context: ExceptionContext) -> None:
    """Turn SQLite's "attempt to write a readonly database" into one line saying why."""
    error = context.original_exception
    if not getattr(error, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
        return
    info = context.connection.info if context.connection is not None else {}
    cause = info.get(_READ_ONLY_CAUSE)
    if cause is None and shown:
        cause = sqlite_access(Path(shown)).cause  # "" when it looks writable (a moved file...)
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    raise DatabaseStateError(read_only_message(shown, cause or "", detail)) from error
