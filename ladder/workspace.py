"""A workspace: the settings plus the database and ladder file they point at, opened lazily.

Both front ends (the CLI, scripts) build one from :class:`Settings`; nothing is opened until a
property is read, and the database is checked to be a ladder database at the latest schema
before anyone uses it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ladder.errors import ConfigError, DatabaseStateError
from ladder.settings import Settings, resolve_zone

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from ladder.domain.ladderfile import LadderFile

# SQLAlchemy, pydantic (the ladder file) and the storage modules are imported when first used,
# not here: `ladder --help` and a usage error make a workspace and never open it.


def pending_upgrade(url: str) -> bool:
    """Is the ladder database at ``url`` at an older schema (``ladder db upgrade`` would
    change it)? False for a missing, empty, newer or foreign one (upgrade refuses those)."""
    from ladder.storage.schema import SchemaState, open_existing, schema_status

    engine = open_existing(url)
    try:
        with engine.connect() as connection:
            return schema_status(connection).state is SchemaState.OUTDATED
    finally:
        engine.dispose()


@dataclass(frozen=True)
class SchemaChange:
    """What ``ladder init`` or ``ladder db upgrade`` did: where, from which revision, to which
    (and where the backup taken first is, if one was)."""

    where: str
    before: str | None
    head: str
    changed: bool
    backup: Path | None = None


class Workspace:
    def __init__(self, settings: Settings, default_ladder_file: Path) -> None:
        self.settings = settings
        self.default_ladder_file = default_ladder_file
        self._engine: Engine | None = None
        self._fits_ladder = False  # nobody stands on a rung the ladder file lacks; kinds synced
        # commits so far (Ctrl-C then says whether the work was saved); commits are counted
        # once a workspace first opens a database: none before ladder.storage.commits is loaded
        counter = sys.modules.get("ladder.storage.commits")
        self._commits_before: int = counter.commits() if counter is not None else 0

    def _watch_commits(self) -> None:
        """Count commits from now on (before this workspace's first database work)."""
        from ladder.storage.commits import watch_commits

        watch_commits()

    @property
    def ladder_file(self) -> Path:
        return self.settings.ladder_file or self.default_ladder_file

    @cached_property
    def ladder(self) -> LadderFile:
        from ladder.domain.ladderfile import load_ladder

        return load_ladder(self.ladder_file)

    @cached_property
    def zone(self) -> tzinfo:
        """The movement's time zone: $LADDER_TZ, else the ladder file's, else the machine's."""
        if self.settings.time_zone:
            return resolve_zone(self.settings.time_zone, None)
        return resolve_zone(None, self.ladder.time_zone)

    @property
    def engine(self) -> Engine:
        """The database engine, checked to be at the latest schema and to fit the ladder file
        (nobody stands on a rung it lacks: checked before anything is written), kinds in sync."""
        engine = self.database()
        if not self._fits_ladder:
            from ladder.storage.kinds import sync_action_kinds
            from ladder.storage.rungs import require_no_stranded_rungs

            require_no_stranded_rungs(engine, self.ladder, str(self.ladder_file))
            sync_action_kinds(engine, self.ladder)
            self._fits_ladder = True
        return engine

    def database(self) -> Engine:
        """The database engine at the latest schema, not matched with the ladder file: for the
        commands that repair or check that fit (`ladder ladder rename-rung`, `rules check`)."""
        if self._engine is None:
            from ladder.storage.schema import open_existing, require_current

            self._watch_commits()
            engine = open_existing(self.settings.database_url)
            try:
                require_current(engine, self.settings.database_url)
            except BaseException:
                engine.dispose()
                raise
            self._engine = engine
        return self._engine

    def create_database(self) -> SchemaChange:
        """Create the database at the latest schema (nothing to do when it already is), then
        record the ladder file's action kinds. A broken ladder file stops before any write."""
        from ladder.storage.kinds import sync_action_kinds
        from ladder.storage.schema import SchemaState, describe, initialise

        ladder, url = self.ladder, self.settings.database_url
        self._watch_commits()
        before = initialise(url)
        sync_action_kinds(self.engine, ladder)
        changed = before.state is not SchemaState.CURRENT
        return SchemaChange(describe(url), before.revision, before.head, changed)

    def upgrade_database(self, backup: bool = True) -> SchemaChange:
        """Bring an older ladder database to the latest schema.

        When an upgrade is pending and ``backup``: on SQLite, first copy the database next to
        itself; on PostgreSQL, refuse, saying how to back it up with pg_dump.
        """
        from ladder.storage.backup import backup_beside, pg_dump_command
        from ladder.storage.engine import is_sqlite
        from ladder.storage.schema import describe, upgrade

        url = self.settings.database_url
        self._watch_commits()
        copy = None
        if backup and pending_upgrade(url):
            if not is_sqlite(url):
                dump = pg_dump_command(url, "ladder-before-upgrade.dump")
                raise DatabaseStateError(
                    f"back the database up before upgrading it: {dump}; "
                    "then run `ladder db upgrade --no-backup`"
                )
            copy = backup_beside(url, "before-upgrade", datetime.now())
        before, head = upgrade(url)
        return SchemaChange(describe(url), before, head, before != head, copy)

    def backup_database(self, target: Path, force: bool = False) -> Path:
        """Copy the SQLite database to ``target`` (consistent, while others write). On
        PostgreSQL, say to use pg_dump."""
        from ladder.storage.backup import backup_sqlite, pg_dump_command
        from ladder.storage.engine import is_sqlite

        url = self.settings.database_url
        if not is_sqlite(url):
            dump = pg_dump_command(url, str(target))
            raise ConfigError(f"PostgreSQL databases are backed up with pg_dump: {dump}")
        return backup_sqlite(url, target, force)

    @property
    def database_file(self) -> Path | None:
        """The SQLite database file, None for PostgreSQL or an in-memory database."""
        from ladder.storage.engine import is_sqlite, sqlite_path

        url = self.settings.database_url
        return sqlite_path(url) if is_sqlite(url) else None

    @property
    def database_journals(self) -> list[Path]:
        """The files SQLite keeps beside the database file (-wal, -shm, -journal), if any."""
        path = self.database_file
        return [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal")] if path else []

    def describe_database(self) -> str:
        """Where the database is, for messages (no password)."""
        from ladder.storage.schema import describe

        return describe(self.settings.database_url)

    def commits(self) -> int:
        """How many transactions that wrote something were committed since this workspace
        was made (to tell, after Ctrl-C, whether the work was saved)."""
        counter = sys.modules.get("ladder.storage.commits")
        return counter.commits() - self._commits_before if counter is not None else 0

    def reading(self) -> Connection:
        """A connection for reads only: no write lock on SQLite (see ``storage.engine``)."""
        from ladder.storage.engine import reading

        return reading(self.engine)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._fits_ladder = False
