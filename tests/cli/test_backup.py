"""`ladder db backup FILE`: a consistent, owner-only copy of a SQLite database, taken while
others write; refusals leave everything as it was; PostgreSQL is told to use pg_dump."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text

from ladder.clock import utcnow
from ladder.storage.backup import pg_dump_command
from ladder.storage.engine import make_engine, sqlite_path
from ladder.storage.models import Supporter, SupporterTag, Tag
from tests.conftest import Cli
from tests.factories import add_person, dump


@pytest.fixture
def sqlite_only(db_url: str) -> str:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's online backup; PostgreSQL is told to use pg_dump")
    return db_url


def test_a_backup_is_an_owner_only_database_ladder_reads(ladder_cli, engine, sqlite_only, tmp_path):
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    copy = tmp_path / "backup.db"
    result = ladder_cli("db", "backup", str(copy))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Backed up {sqlite_path(sqlite_only)} to {copy}.\n"
    assert copy.stat().st_mode & 0o777 == 0o600
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    listed = Cli(str(copy))("people", "list", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    assert "awa@example.org" in listed.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_an_existing_file_is_refused_unless_force(ladder_cli, engine, sqlite_only, tmp_path):
    add_person(engine, "Awa", "Diallo")
    copy = tmp_path / "backup.db"
    copy.write_bytes(b"my notes")
    before = dump(engine)
    refused = ladder_cli("db", "backup", str(copy))
    assert refused.exit_code == 1
    assert refused.stderr == f"Error: {copy} already exists: choose another name, or pass --force\n"
    assert copy.read_bytes() == b"my notes"
    assert dump(engine) == before

    forced = ladder_cli("db", "backup", str(copy), "--force")
    assert forced.exit_code == 0, forced.output
    assert dump(make_engine(f"sqlite:///{copy}")) == before


@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_the_database_itself_is_refused(ladder_cli, engine, sqlite_only, suffix):
    add_person(engine, "Awa", "Diallo")
    database = sqlite_path(sqlite_only)
    before = dump(engine)
    result = ladder_cli("db", "backup", f"{database}{suffix}")
    assert result.exit_code == 2
    assert "is the database itself: give the backup another name" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(engine) == before


def test_postgresql_is_told_to_use_pg_dump_without_the_password(tmp_path):
    url = "postgresql+psycopg://organiser:S3cretPw@db.example.org:5432/movement"
    result = Cli(url)("db", "backup", str(tmp_path / "b.dump"))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: PostgreSQL databases are backed up with pg_dump: pg_dump --format=custom "
        f"--file {tmp_path / 'b.dump'} postgresql://organiser@db.example.org:5432/movement\n"
    )
    assert "S3cretPw" not in result.output
    assert not (tmp_path / "b.dump").exists()
    assert "S3cretPw" not in pg_dump_command(url, "x")


def test_postgresql_backup_on_the_test_database(ladder_cli, db_url, tmp_path):
    if db_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL message")
    result = ladder_cli("db", "backup", str(tmp_path / "b.dump"))
    assert result.exit_code == 1
    assert "backed up with pg_dump: pg_dump --format=custom" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _writer(engine: Engine, stop: threading.Event, started: threading.Event) -> None:
    """The door: person after person, each with their tag link, one transaction each."""
    with engine.begin() as connection:
        tag = connection.execute(insert(Tag).values(name="door")).inserted_primary_key[0]
    n = 0
    while not stop.is_set():
        now = utcnow()
        with engine.begin() as connection:
            person = connection.execute(
                insert(Supporter).values(
                    first_name=f"Door{n}", rung="follow", rung_since=now, created_at=now
                )
            ).inserted_primary_key[0]
            connection.execute(insert(SupporterTag).values(supporter_id=person, tag_id=tag))
        n += 1
        if n == 20:
            started.set()


def test_a_backup_during_writes_is_consistent(ladder_cli, engine, sqlite_only, tmp_path):
    now = utcnow()
    with engine.begin() as connection:  # enough pages for the copy to take a moment
        connection.execute(
            insert(Supporter),
            [
                {"first_name": f"P{i}", "email": f"p{i}@example.org", "rung": "follow",
                 "rung_since": now, "created_at": now}
                for i in range(5000)
            ],
        )  # fmt: skip
    stop, started = threading.Event(), threading.Event()
    door = make_engine(sqlite_only)
    thread = threading.Thread(target=_writer, args=(door, stop, started))
    thread.start()
    try:
        assert started.wait(30)
        copies = [tmp_path / f"b{i}.db" for i in range(3)]
        results = [ladder_cli("db", "backup", str(copy)) for copy in copies]
    finally:
        stop.set()
        thread.join()
        door.dispose()
    assert [r.exit_code for r in results] == [0, 0, 0], [r.output for r in results]
    counts = []
    for copy in copies:
        with sqlite3.connect(copy) as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert check.execute("PRAGMA foreign_key_check").fetchall() == []
            people = check.execute(
                "SELECT count(*) FROM supporters WHERE first_name LIKE 'Door%'"
            ).fetchone()[0]
            links = check.execute("SELECT count(*) FROM supporter_tags").fetchone()[0]
        assert people == links  # every transaction whole, none half
        counts.append(people)
    assert counts[0] >= 20 and counts == sorted(counts)
    with engine.connect() as connection:
        total = connection.execute(text("SELECT count(*) FROM supporters")).scalar_one()
    assert total >= 5000 + counts[-1]
