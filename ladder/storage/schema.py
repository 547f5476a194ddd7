"""Schema state of a database, and the two ways to change it: init and upgrade.

Migrations are Alembic scripts shipped inside the package (``ladder/storage/migrations``),
so an installed ladder can upgrade a user's database. ``create_all()`` is for tests only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from ladder.errors import DatabaseStateError
from ladder.storage.engine import is_sqlite, make_engine, redacted, sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"


class SchemaState(enum.Enum):
    EMPTY = "empty"  # no tables at all: ready for `ladder init`
    CURRENT = "current"  # at the newest revision this ladder knows
    OUTDATED = "outdated"  # an older ladder revision: `ladder db upgrade`
    NEWER = "newer"  # a revision this ladder does not know: a newer ladder wrote it
    FOREIGN = "foreign"  # tables that are not ladder's


@dataclass(frozen=True)
class SchemaStatus:
    state: SchemaState
    revision: str | None
    head: str


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision, read from the migration file names (``0002_what.py``).

    Cheap (no Alembic import) because every command checks it; tests/cli/test_schema.py checks it
    agrees with Alembic's own idea of the head.
    """
    return max(known_revisions())


def known_revisions() -> set[str]:
    return {p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py")}


def _stored_revision(engine: Engine) -> str | None:
    """The revision in alembic_version, or None when there is no such table (or row)."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    except DBAPIError:
        return None
    return rows[0][0] if len(rows) == 1 else None


def schema_status(connection: Connection) -> SchemaStatus:
    head = head_revision()
    tables = set(inspect(connection).get_table_names())
    if not tables:
        return SchemaStatus(SchemaState.EMPTY, None, head)
    if VERSION_TABLE not in tables:
        return SchemaStatus(SchemaState.FOREIGN, None, head)
    from alembic.runtime.migration import MigrationContext

    revision = MigrationContext.configure(connection).get_current_revision()
    if revision == head:
        return SchemaStatus(SchemaState.CURRENT, revision, head)
    if revision in known_revisions():
        return SchemaStatus(SchemaState.OUTDATED, revision, head)
    if revision is None and tables == {VERSION_TABLE}:
        return SchemaStatus(SchemaState.EMPTY, None, head)
    return SchemaStatus(SchemaState.NEWER if revision else SchemaState.FOREIGN, revision, head)


def describe(url: str) -> str:
    """A short name for a database in messages: the file path, or the URL without password."""
    path = sqlite_path(url) if is_sqlite(url) else None
    if path is not None:
        return str(path)
    return redacted(url)


def require_current(engine: Engine, url: str) -> None:
    """Stop with one line saying what to run unless the database is at the latest schema."""
    if _stored_revision(engine) == head_revision():
        return  # the fast path every command takes: one SELECT
    with engine.connect() as connection:
        status = schema_status(connection)
    where = describe(url)
    if status.state is SchemaState.CURRENT:
        return
    if status.state is SchemaState.EMPTY:
        raise DatabaseStateError(f"{where} is not a ladder database yet: run `ladder init`")
    if status.state is SchemaState.OUTDATED:
        raise DatabaseStateError(
            f"{where} is at schema {status.revision}, this ladder needs {status.head}: "
            "run `ladder db upgrade`"
        )
    if status.state is SchemaState.NEWER:
        raise DatabaseStateError(
            f"{where} was written by a newer ladder (schema {status.revision}): "
            "upgrade ladder to use it"
        )
    raise DatabaseStateError(
        f"{where} holds another application's tables, not ladder's: "
        "point --db at a ladder database or a new file"
    )


def open_existing(url: str) -> Engine:
    """An engine for a database that must already exist (a missing SQLite file is an error)."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None and not path.exists():
            raise DatabaseStateError(
                f"no database at {path}: run `ladder init` to create it, or pass --db"
            )
    return make_engine(url)


def initialise(url: str) -> SchemaStatus:
    """Create a new ladder database at the latest schema. Refuses anything but an empty one.

    Returns the status before the call; CURRENT means there was nothing to do.
    """
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            before = schema_status(connection)
        if before.state is SchemaState.EMPTY:
            _upgrade(engine)
        elif before.state is not SchemaState.CURRENT:
            require_current(engine, url)
        return before
    finally:
        engine.dispose()


def upgrade(url: str) -> tuple[str | None, str]:
    """Bring a ladder database to the latest schema; returns (from revision, to revision)."""
    engine = open_existing(url)
    try:
        with engine.connect() as connection:
            before = schema_status(connection)
        if before.state in (SchemaState.FOREIGN, SchemaState.NEWER, SchemaState.EMPTY):
            require_current(engine, url)
        if before.state is SchemaState.OUTDATED:
            _upgrade(engine)
        return before.revision, before.head
    finally:
        engine.dispose()


def _upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def upgrade_to(engine: Engine, revision: str) -> None:
    """Migrate to a given revision (tests use it to build an out-of-date database)."""
    _upgrade(engine, revision)
