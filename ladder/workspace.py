"""A workspace: the settings plus the database and ladder file they point at, opened lazily.

Both front ends (the CLI, scripts) build one from :class:`Settings`; nothing is opened until a
property is read, and the database is checked to be a ladder database at the latest schema
before anyone uses it.
"""

from __future__ import annotations

from datetime import tzinfo
from functools import cached_property
from pathlib import Path

from sqlalchemy import Connection, Engine

from ladder.domain.ladderfile import LadderFile, load_ladder
from ladder.settings import Settings, resolve_zone
from ladder.storage.engine import reading
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.schema import open_existing, require_current


class Workspace:
    def __init__(self, settings: Settings, default_ladder_file: Path) -> None:
        self.settings = settings
        self.default_ladder_file = default_ladder_file
        self._engine: Engine | None = None

    @property
    def ladder_file(self) -> Path:
        return self.settings.ladder_file or self.default_ladder_file

    @cached_property
    def ladder(self) -> LadderFile:
        return load_ladder(self.ladder_file)

    @cached_property
    def zone(self) -> tzinfo:
        """The movement's time zone: $LADDER_TZ, else the ladder file's, else the machine's."""
        if self.settings.time_zone:
            return resolve_zone(self.settings.time_zone, None)
        return resolve_zone(None, self.ladder.time_zone)

    @property
    def engine(self) -> Engine:
        """The database engine, checked to be at the latest schema, kinds in sync."""
        if self._engine is None:
            engine = open_existing(self.settings.database_url)
            try:
                require_current(engine, self.settings.database_url)
                sync_action_kinds(engine, self.ladder)
            except BaseException:
                engine.dispose()
                raise
            self._engine = engine
        return self._engine

    def reading(self) -> Connection:
        """A connection for reads only: no write lock on SQLite (see ``storage.engine``)."""
        return reading(self.engine)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
