"""``ladder db backup FILE``: a consistent copy of a SQLite database, taken while it is in use.

SQLite's online backup API (:meth:`sqlite3.Connection.backup`) copies every page in one step
from one read transaction: in WAL mode that takes no write lock, so the door keeps checking
people in, and the copy is the database as of one commit. The copy is written to a new
owner-only file beside the target and renamed into place once complete, so a reader never
sees half a backup; it is left in rollback-journal mode (one self-contained file).

PostgreSQL backups are ``pg_dump``'s job: :func:`pg_dump_command` says how, without the
password.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from contextlib import closing, suppress
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from ladder.errors import ConfigError, ConflictError, DatabaseStateError, MisuseError
from ladder.files import create_owner_only
from ladder.storage.engine import SQLITE_BUSY_TIMEOUT_MS, is_sqlite, sqlite_path


def backup_sqlite(url: str, target: Path, force: bool = False) -> Path:
    """Copy the SQLite database at ``url`` to ``target``; returns ``target``.

    Refuses an existing ``target`` unless ``force``, and the database itself (or its WAL).
    """
    source = _source(url)
    if _is_part_of(target, source):
        raise MisuseError(f"{target} is the database itself: give the backup another name")
    if target.exists() and not force:
        raise ConflictError(f"{target} already exists: choose another name, or pass --force")
    if target.is_dir():
        raise ConflictError(f"{target} is a directory: give a file name")
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        create_owner_only(partial)
    except OSError as exc:
        raise ConfigError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        _copy(source, partial)
        if force:
            os.replace(partial, target)
        else:
            _rename_without_replacing(partial, target)
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    return target


def backup_beside(url: str, label: str, now: datetime) -> Path:
    """A backup next to the database, named after it, ``label`` and the time (before an
    upgrade: ``ladder-before-upgrade-20261130-0506.db``)."""
    source = _source(url)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = source.with_name(f"{source.stem}-{label}-{stamp}{source.suffix or '.db'}")
    return backup_sqlite(url, target)


def pg_dump_command(url: str, file: str) -> str:
    """The pg_dump command that backs up the PostgreSQL database at ``url`` (no password)."""
    plain = make_url(url)._replace(drivername="postgresql", password=None)  # set() keeps None
    address = plain.render_as_string(hide_password=False)
    return f"pg_dump --format=custom --file {shlex.quote(file)} {shlex.quote(address)}"


def _source(url: str) -> Path:
    if not is_sqlite(url):
        raise ConfigError("only a SQLite database can be copied this way")
    path = sqlite_path(url)
    if path is None:
        raise ConfigError("an in-memory database cannot be backed up: it vanishes on exit")
    if not path.is_file():
        raise DatabaseStateError(f"no database at {path}: check --db")
    return path


def _is_part_of(target: Path, source: Path) -> bool:
    """Is ``target`` the database file or one of its companions (-wal, -shm, -journal)?"""
    names = [source, *(Path(f"{source}{suffix}") for suffix in ("-wal", "-shm", "-journal"))]
    for name in names:
        if target.absolute() == name.absolute():
            return True
        with suppress(OSError):
            if target.exists() and name.exists() and os.path.samefile(target, name):
                return True
    return False


def _copy(source: Path, destination: Path) -> None:
    with (
        closing(sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)) as reader,
        closing(sqlite3.connect(destination)) as writer,
    ):
        reader.backup(writer)  # every page in one step: one consistent snapshot
        writer.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        writer.commit()


def _rename_without_replacing(partial: Path, target: Path) -> None:
    """Move ``partial`` to ``target`` unless ``target`` appeared meanwhile (a hard link
    fails on an existing name; file systems without links fall back to a checked rename)."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise ConflictError(
            f"{target} already exists: choose another name, or pass --force"
        ) from None
    except OSError:
        if target.exists():
            raise ConflictError(
                f"{target} already exists: choose another name, or pass --force"
            ) from None
        os.replace(partial, target)
