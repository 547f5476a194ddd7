"""A SQLite database that cannot be written (a read-only file, folder or disk) can still be
read, and a command that writes says why in one line. SQLite only: PostgreSQL has no file.

Three ways to make a file read-only, because chmod does not bite root (this machine may run
the tests as root): chmod (skipped as root), ``chattr +i`` (the immutable attribute, which
binds root too; skipped where it is not allowed), and the seam that decides how a file is
opened (``ladder.storage.engine.sqlite_access``), which runs everywhere.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ladder.storage import engine as storage_engine
from ladder.storage.engine import SqliteAccess, choose_access
from tests.conftest import Cli
from tests.factories import add_event, add_person, dump

READING = [
    ("people", "list"),
    ("people", "show", "awa@example.org"),
    ("events", "list"),
    ("events", "show", "Forum"),
    ("recruiters", "top"),
    ("next",),
    ("graph", "check"),
    ("ladder", "show"),
    ("people", "why", "awa@example.org"),
]
WRITING = ("people", "add", "--first-name", "Jean", "--email", "jean@example.org")
NEW_PEOPLE = "first name,email\nZoé,zoe@example.org\nKarl,karl@example.org\n"


@pytest.fixture
def sqlite_cli(tmp_path: Path) -> Iterator[tuple[Cli, Path]]:
    """A ladder database in its own folder with Awa, her recruit and an event."""
    folder = tmp_path / "base"
    folder.mkdir()
    database = folder / "ladder.db"
    cli = Cli(f"sqlite:///{database}")
    assert cli("init").exit_code == 0
    from ladder.storage.engine import make_engine

    engine = make_engine(f"sqlite:///{database}")
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    add_person(engine, "Jo", "Recruit", email="jo@example.org", recruiter_id=awa)
    add_event(engine, "Forum")
    engine.dispose()  # the last connection closes: the WAL is checkpointed, -wal/-shm removed
    yield cli, database


def _snapshot(database: Path) -> dict:
    from ladder.storage.engine import make_engine

    engine = make_engine(f"sqlite:///{database}")
    try:
        return dump(engine)
    finally:
        engine.dispose()


def _reads_work_and_writes_say_why(cli: Cli, database: Path, why: str) -> None:
    for command in READING:
        result = cli(*command)
        assert result.exit_code == 0, (command, result.output)
        assert "Traceback" not in result.output
    listed = cli("people", "list", "--format", "csv")
    assert "awa@example.org" in listed.stdout
    result = cli(*WRITING)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"Error: {database} is read-only: {why}"]
    imported = cli("people", "import", "-", input=NEW_PEOPLE)  # driver-speed bulk writes
    assert imported.exit_code == 1
    assert imported.stderr.strip().splitlines() == [f"Error: {database} is read-only: {why}"]


FILE_WHY = "the file is not writable: make it writable, or work on a copy"
FOLDER_WHY = (
    "its folder is not writable, and SQLite writes ladder.db-wal beside it to change it: "
    "make the folder writable, or work on a copy"
)
DISK_WHY = "it is on a read-only disk: work on a copy on a writable one"


def test_a_database_that_cannot_be_created_says_why(tmp_path):
    database = tmp_path / "missing" / "ladder.db"
    result = Cli(f"sqlite:///{database}")("init")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: cannot create {database}: No such file or directory: pass --db a file in a "
        "folder you can write"
    ]


# --- chattr +i: binds root too -------------------------------------------------------------


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True)
    return done.returncode == 0


@pytest.fixture
def immutable() -> Iterator:
    """``immutable(path)`` sets the immutable attribute (skips the test where it cannot);
    every path gets it cleared afterwards, so the temporary folder can be removed."""
    frozen: list[Path] = []

    def freeze(path: Path) -> None:
        if not _chattr("+i", path):
            pytest.skip("chattr +i is not available here (needs CAP_LINUX_IMMUTABLE)")
        frozen.append(path)

    yield freeze
    for path in reversed(frozen):
        _chattr("-i", path)


def test_an_immutable_database_file_is_read_and_a_write_says_why(sqlite_cli, immutable):
    cli, database = sqlite_cli
    before = _snapshot(database)
    immutable(database)
    _reads_work_and_writes_say_why(cli, database, FILE_WHY)
    assert _snapshot(database) == before


def test_a_database_in_an_immutable_folder_is_read_and_a_write_says_why(sqlite_cli, immutable):
    cli, database = sqlite_cli
    before = _snapshot(database)
    immutable(database.parent)
    _reads_work_and_writes_say_why(cli, database, FOLDER_WHY)
    assert not Path(f"{database}-wal").exists()  # opened immutable: nothing was created
    assert _snapshot(database) == before


def test_changes_still_in_the_wal_are_read_in_a_read_only_folder(sqlite_cli, immutable):
    cli, database = sqlite_cli
    _crash_after_a_write(database)  # -wal holds the change, -shm is there
    immutable(database.parent)
    result = cli("people", "show", "awa@example.org")
    assert result.exit_code == 0, result.output
    assert "Awa-Changed" in result.stdout


def test_changes_in_the_wal_that_cannot_be_read_are_refused_not_lost(sqlite_cli, immutable):
    cli, database = sqlite_cli
    _crash_after_a_write(database)
    Path(f"{database}-shm").unlink()  # without it, and no way to create it, the WAL is unreadable
    immutable(database.parent)
    result = cli("people", "list")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {database} cannot be read: ladder.db-wal holds its latest changes and the "
        "folder is read-only: make the folder writable, or copy both files to one that is"
    ]


def _crash_after_a_write(database: Path) -> None:
    """Leave a committed change in the -wal, as a process killed before it closed would."""
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "c.execute(\"UPDATE supporters SET first_name = 'Awa-Changed' WHERE first_name = 'Awa'\")\n"
        "c.commit()\n"
        "os._exit(0)\n"
    )
    subprocess.run(["python3", "-c", code, str(database)], check=True)
    assert Path(f"{database}-wal").stat().st_size > 0


# --- chmod: what users do; does not bind root ----------------------------------------------

not_as_root = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="chmod does not bind root"
)


@not_as_root
def test_a_database_file_without_write_permission_is_read(sqlite_cli):
    cli, database = sqlite_cli
    database.chmod(0o400)
    try:
        _reads_work_and_writes_say_why(cli, database, FILE_WHY)
    finally:
        database.chmod(0o600)


@not_as_root
def test_a_database_in_a_folder_without_write_permission_is_read(sqlite_cli):
    cli, database = sqlite_cli
    database.parent.chmod(0o500)
    try:
        _reads_work_and_writes_say_why(cli, database, FOLDER_WHY)
    finally:
        database.parent.chmod(0o700)


# --- the seam: how a file is opened, whoever runs the tests -------------------------------


@pytest.mark.parametrize(
    ("file_writable", "folder_writable", "sidecars", "shm", "wal", "expected"),
    [
        (True, True, False, False, False, SqliteAccess("rw")),
        (True, False, True, True, True, SqliteAccess("rw")),  # -wal and -shm there to write
        (False, True, False, False, False, SqliteAccess("ro", "file")),
        (False, True, False, True, True, SqliteAccess("ro", "file")),
        (False, False, False, True, True, SqliteAccess("ro", "file")),  # SQLite reads the -shm
        (True, False, False, True, False, SqliteAccess("ro", "folder")),
        (True, False, False, False, False, SqliteAccess("immutable", "folder")),
        (False, False, False, False, False, SqliteAccess("immutable", "file")),
        (True, False, False, False, True, SqliteAccess("unreadable", "folder")),
    ],
)
def test_how_a_file_is_opened(file_writable, folder_writable, sidecars, shm, wal, expected):
    found = choose_access(
        file_writable=file_writable,
        folder_writable=folder_writable,
        sidecars_writable=sidecars,
        shm_exists=shm,
        wal_has_changes=wal,
    )
    assert found == expected


@pytest.mark.parametrize(
    ("shm", "wal", "expected"),
    [
        (False, False, SqliteAccess("immutable", "disk")),
        (True, True, SqliteAccess("ro", "disk")),  # SQLite reads a -shm it cannot write
        (False, True, SqliteAccess("unreadable", "disk")),
    ],
)
def test_a_read_only_disk_is_never_written(shm, wal, expected):
    # os.access may say "writable" on a read-only mount (root): the mount flag decides
    found = choose_access(
        file_writable=True,
        folder_writable=True,
        sidecars_writable=True,
        shm_exists=shm,
        wal_has_changes=wal,
        disk_read_only=True,
    )
    assert found == expected


@pytest.mark.parametrize(
    ("access", "why"),
    [
        (SqliteAccess("ro", "file"), FILE_WHY),
        (SqliteAccess("immutable", "folder"), FOLDER_WHY),
        (SqliteAccess("immutable", "disk"), DISK_WHY),
    ],
)
def test_a_file_opened_read_only_reads_and_refuses_writes(sqlite_cli, monkeypatch, access, why):
    cli, database = sqlite_cli
    before = _snapshot(database)
    monkeypatch.setattr(storage_engine, "sqlite_access", lambda path: access)
    _reads_work_and_writes_say_why(cli, database, why)
    monkeypatch.undo()
    assert _snapshot(database) == before


def test_sqlite_itself_refusing_a_write_is_explained(sqlite_cli, monkeypatch):
    """Even when the decision said read-write, SQLite's "attempt to write a readonly database"
    becomes the one line (the file system changed under a running command, say)."""
    cli, database = sqlite_cli
    real_connect = sqlite3.dbapi2.connect  # what SQLAlchemy's pysqlite dialect calls

    def read_only_connect(target, *args, **kwargs):
        kwargs["uri"] = True
        return real_connect(f"file:{target}?mode=ro", *args, **kwargs)

    monkeypatch.setattr(storage_engine, "sqlite_access", lambda path: SqliteAccess("rw"))
    monkeypatch.setattr(sqlite3.dbapi2, "connect", read_only_connect)
    result = cli(*WRITING)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith(f"Error: {database} is read-only:")
