"""A workspace: the settings plus the database and ladder file they point at, opened lazily.

Both front ends (the CLI, scripts) build one from :class:`Settings`; nothing is opened until a
property is read, and the database is checked to be a ladder database at the latest schema
before anyone uses it.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from sqlalchemy import Connection, Engine

from ladder.domain.ladderfile import LadderFile, load_ladder
from ladder.settings import Settings
from ladder.storage.engine import reading
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.schema import open_existing, require_current


class Workspace:
    def __init__(self, settings: Settings, default_ladder_file: Path) -> None:
        self.settings = settings
        self.default_ladder_file = default_ladder_file
        self._engine: Engine | None = None
        self._fits_ladder = False  # nobody stands on a rung the ladder file lacks; kinds synced

    @property
    def ladder_file(self) -> Path:
        return self.settings.ladder_file or self.default_ladder_file

    @cached_property
    def ladder(self) -> LadderFile:
        return load_ladder(self.ladder_file)

    @property
    def engine(self) -> Engine:
        """The database engine, checked to be at the latest schema and to fit the ladder file
        (nobody stands on a rung it lacks: checked before anything is written), kinds in sync."""
        engine = self.database()
        if not self._fits_ladder:
            from ladder.rules.rungs import require_no_stranded_rungs  # only commands that need it

            require_no_stranded_rungs(engine, self.ladder, str(self.ladder_file))
            sync_action_kinds(engine, self.ladder)
            self._fits_ladder = True
        return engine

    def database(self) -> Engine:
        """The database engine at the latest schema, not matched with the ladder file: for the
        commands that repair or check that fit (`ladder ladder rename-rung`, `rules check`)."""
        if self._engine is None:
            engine = open_existing(self.settings.database_url)
            try:
                require_current(engine, self.settings.database_url)
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
            self._fits_ladder = False
