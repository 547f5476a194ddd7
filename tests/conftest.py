"""Shared fixtures. Every storage test runs on SQLite and on PostgreSQL.

PostgreSQL is 127.0.0.1:5432, database ``test`` (override with LADDER_TEST_POSTGRES_URL).
Each test gets its own schema: an empty new one, or (for a test that asks for the ``engine``)
one at the latest schema that an earlier test of this process left, emptied (TRUNCATE) and
checked to be exactly the models' tables at head (creating twenty-odd tables and their
indexes cost 0.9 s a test). Anything else is dropped. In CI (``CI=true``) an unreachable server
fails the run; elsewhere the PostgreSQL half skips with the reason.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pytest
from alembic import command
from click.testing import CliRunner, Result
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from ladder.clock import show_times_in
from ladder.domain.ladderfile import LadderFile, default_ladder_path, load_ladder
from ladder.settings import Settings
from ladder.storage.engine import make_engine
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.models import Base
from ladder.storage.schema import alembic_config, head_revision
from ladder.workspace import Workspace

POSTGRES_URL = os.environ.get(
    "LADDER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# CI explores the same examples on every run (a red build is then the code's doing, and
# reproducible); a developer's runs keep drawing new random examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    settings.load_profile("ci")


@cache
def postgres_problem() -> str | None:
    """None when the test server answers, else why not."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to reach it is a reason to skip (or fail in CI)
        return f"PostgreSQL at {POSTGRES_URL} is unreachable: {str(exc).splitlines()[0]}"
    return None


def require_postgres() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"{problem} (CI requires PostgreSQL)", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ladder.db'}"
        return
    require_postgres()
    reusable = "engine" in request.fixturenames
    admin = create_engine(POSTGRES_URL)
    if reusable and _CLEAN_SCHEMAS:
        schema = _CLEAN_SCHEMAS.pop()
    else:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = _schema_url(schema)
    yield url
    if reusable and url in _READY and _emptied(url):
        _CLEAN_SCHEMAS.append(schema)
    else:
        _READY.discard(url)
        _drop_schema(admin, schema)
    admin.dispose()


def _drop_schema(admin: Engine, schema: str, tries: int = 5) -> None:
    """DROP SCHEMA ... CASCADE, again when PostgreSQL chose it as a deadlock's victim: an
    autovacuum worker that holds a table while it waits for the table's TOAST relation (which
    the drop locked first) deadlocks with it; the next try finds the worker gone."""
    for attempt in range(tries):
        try:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            return
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != "40P01" or attempt == tries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


_CLEAN_SCHEMAS: list[str] = []  # PostgreSQL schemas at head, empty, for the next engine test
_READY: set[str] = set()  # URLs of schemas initialised at head (created or reused)


def _schema_url(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"


def _emptied(url: str) -> bool:
    """Empty a used schema for the next test, when it still holds exactly the models' tables
    at the latest revision (and no other object a test may have made); False otherwise."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            tables = set(
                connection.scalars(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                )
            )
            others = connection.execute(
                text("SELECT count(*) FROM pg_class c JOIN pg_namespace n "
                     "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                     "AND c.relkind NOT IN ('r', 'i', 'S', 't')")
            ).scalar_one()  # fmt: skip
            if tables != set(Base.metadata.tables) | {"alembic_version"} or others:
                return False
            revision = connection.execute(text("SELECT version_num FROM alembic_version"))
            if [row[0] for row in revision] != [head_revision()]:
                return False
            names = ", ".join(sorted(Base.metadata.tables))
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        sync_action_kinds(engine, _default_ladder())
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_clean_schemas() -> Iterator[None]:
    yield
    if _CLEAN_SCHEMAS:
        admin = create_engine(POSTGRES_URL)
        for schema in _CLEAN_SCHEMAS:
            _drop_schema(admin, schema)
        admin.dispose()
        _CLEAN_SCHEMAS.clear()


@pytest.fixture
def engine(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A ladder database at the latest schema (create_all, stamped at head: fast), with the
    default ladder's action kinds, as `ladder init` leaves it. On SQLite a copy of one such
    file made once per run (a file copy instead of some thirty statements per test)."""
    if db_url.startswith("sqlite:///"):
        shutil.copyfile(_sqlite_template(tmp_path_factory), db_url.removeprefix("sqlite:///"))
        engine = make_engine(db_url)
    elif db_url in _READY:  # a reused schema, emptied and at head
        engine = make_engine(db_url)
    else:
        engine = _initialised(db_url)
        _READY.add(db_url)
    yield engine
    engine.dispose()


def _initialised(url: str) -> Engine:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        command.stamp(alembic_config(connection), "head")
    sync_action_kinds(engine, _default_ladder())
    return engine


def _sqlite_template(factory: pytest.TempPathFactory) -> Path:
    path = factory.getbasetemp() / "template-ladder.db"
    if not path.exists():
        _initialised(f"sqlite:///{path}").dispose()  # disposing checkpoints the WAL
    return path


@cache
def _default_ladder() -> LadderFile:
    return load_ladder(default_ladder_path())


@pytest.fixture
def workspace(db_url: str, engine: Engine) -> Iterator[Workspace]:
    """A workspace on the test database with the default ladder."""
    ws = Workspace(Settings(database_url=db_url, user="test-volunteer"), default_ladder_path())
    yield ws
    ws.close()


class Cli:
    """Runs `ladder --db <test database> ...` in-process and returns click's Result."""

    def __init__(self, db_url: str, ladder_file: Path | None = None) -> None:
        self.db_url = db_url
        self.ladder_file = ladder_file
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None) -> Result:
        from cli.main import cli

        options = ["--db", self.db_url]
        if self.ladder_file is not None:
            options += ["--ladder-file", str(self.ladder_file)]
        return self.runner.invoke(
            cli,
            [*options, *args],
            input=input,
            env={"LADDER_USER": "test-volunteer", "LADDER_TZ": "UTC"},  # any machine's zone
        )


@pytest.fixture
def ladder_cli(db_url: str, engine: Engine) -> Cli:
    """The CLI on an initialised test database."""
    return Cli(db_url)


@pytest.fixture
def bare_cli(db_url: str) -> Cli:
    """The CLI on an empty (not initialised) test database."""
    return Cli(db_url)


@pytest.fixture(params=["people named", "everyone"])
def known_both_ways(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run an import test with both ways of reading what the database knows: only the people
    a small file names (the default for these files), and everyone (what big files do)."""
    if request.param == "everyone":
        monkeypatch.setattr("ladder.people.importing.importer.SMALL_FILE_ROWS", 0)
    return str(request.param)


@pytest.fixture(autouse=True)
def _messages_in_utc() -> Iterator[None]:
    """Each test starts with the library's messages in UTC, whatever a CLI run before named."""
    show_times_in(None)
    yield
    show_times_in(None)
