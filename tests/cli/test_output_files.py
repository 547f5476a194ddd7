"""Files ladder writes: never the file being imported nor the database, an existing file only
with --force, checked before anything is imported; and created readable by their owner only."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.factories import add_event, add_person, dump, write

TWO_ROWS = "first name,last name,email\nAwa,Diallo,awa@example.org\nJean,Wamytan,jean(at)x\n"
SHEET = "present," + TWO_ROWS.replace("\nAwa", "\nx,Awa").replace("\nJean", "\nx,Jean")
OWNER_ONLY = 0o600


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --- item 10: what a rejected-rows file or an --output may replace ---------------------------


@pytest.mark.parametrize("command", [("people", "import"), ("attendance", "import", "EVENT")])
def test_the_rejected_file_is_never_the_file_being_imported(ladder_cli, engine, tmp_path, command):
    event = add_event(engine, "Forum")
    command = tuple(str(event) if part == "EVENT" else part for part in command)
    path = write(tmp_path, "people.csv", SHEET)
    content = Path(path).read_bytes()
    before = dump(engine)
    for target in (path, str(tmp_path / "." / "people.csv")):
        result = ladder_cli(*command, path, "--skip-invalid", "--rejected-file", target, "--force")
        assert result.exit_code == 1
        assert _one_line(result.stderr) == (
            f"Error: --rejected-file {target} is the file being imported: name another file"
        )
        assert result.stdout == ""
    assert Path(path).read_bytes() == content
    assert dump(engine) == before


def test_the_rejected_file_through_a_link_to_the_input_is_refused(ladder_cli, engine, tmp_path):
    path = write(tmp_path, "people.csv", TWO_ROWS)
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    result = ladder_cli("people", "import", path, "--skip-invalid", "--rejected-file", str(link))
    assert result.exit_code == 1
    assert "is the file being imported" in _one_line(result.stderr)
    assert Path(path).read_text() == TWO_ROWS


def test_an_existing_rejected_file_is_kept_unless_force(ladder_cli, engine, tmp_path):
    path = write(tmp_path, "people.csv", TWO_ROWS)
    target = tmp_path / "mine.csv"
    target.write_text("my own notes\n")
    before = dump(engine)
    result = ladder_cli("people", "import", path, "--skip-invalid", "--rejected-file", str(target))
    assert result.exit_code == 1
    assert _one_line(result.stderr) == (
        f"Error: {target} already exists: pass --force to replace it, "
        "or name another file with --rejected-file"
    )
    assert target.read_text() == "my own notes\n"
    assert dump(engine) == before

    forced = ladder_cli(
        "people", "import", path, "--skip-invalid", "--rejected-file", str(target), "--force"
    )
    assert forced.exit_code == 0, forced.output
    assert "jean(at)x" in target.read_text(encoding="utf-8-sig")
    assert dump(engine) != before


def test_the_default_rejected_file_is_not_replaced_either(ladder_cli, engine, tmp_path):
    path = write(tmp_path, "people.csv", TWO_ROWS)
    default = tmp_path / "people.rejected.csv"
    default.write_text("last time's rows\n")
    before = dump(engine)
    result = ladder_cli("people", "import", path, "--skip-invalid")
    assert result.exit_code == 1
    assert _one_line(result.stderr) == (
        f"Error: {default} already exists: pass --force to replace it, "
        "or name another file with --rejected-file"
    )
    assert default.read_text() == "last time's rows\n"
    assert dump(engine) == before
    assert ladder_cli("people", "import", path, "--skip-invalid", "--dry-run").exit_code == 0
    assert ladder_cli("people", "import", path, "--skip-invalid", "--force").exit_code == 0
    assert "jean(at)x" in default.read_text(encoding="utf-8-sig")


def test_the_database_is_never_an_output_even_with_force(ladder_cli, engine, db_url, tmp_path):
    if not db_url.startswith("sqlite"):
        pytest.skip("only a SQLite database is a file")
    database = db_url.removeprefix("sqlite:///")
    path = write(tmp_path, "people.csv", TWO_ROWS)
    before = dump(engine)
    imported = ladder_cli(
        "people", "import", path, "--skip-invalid", "--rejected-file", database, "--force"
    )
    assert imported.exit_code == 1
    assert _one_line(imported.stderr) == (
        f"Error: --rejected-file {database} is the database: name another file"
    )
    journal = ladder_cli(
        "people", "import", path, "--skip-invalid", "--rejected-file", f"{database}-wal", "--force"
    )
    assert journal.exit_code == 1
    assert _one_line(journal.stderr) == (
        f"Error: --rejected-file {database}-wal is the database's journal: name another file"
    )
    exported = ladder_cli("graph", "export", "-o", database, "--force")
    assert exported.exit_code == 1
    assert (
        _one_line(exported.stderr)
        == f"Error: --output {database} is the database: name another file"
    )
    assert dump(engine) == before


def test_a_graph_export_replaces_an_existing_file_only_with_force(ladder_cli, engine, tmp_path):
    target = tmp_path / "movement.graphml"
    target.write_text("yesterday's graph")
    result = ladder_cli("graph", "export", "-o", str(target))
    assert result.exit_code == 1
    assert _one_line(result.stderr) == (
        f"Error: {target} already exists: pass --force to replace it, "
        "or name another file with --output"
    )
    assert target.read_text() == "yesterday's graph"
    forced = ladder_cli("graph", "export", "-o", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_text().startswith("<?xml")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary


# --- item 13: owner-only files ----------------------------------------------------------------


@pytest.fixture
def open_umask():
    """The most permissive umask: what ladder creates must not depend on the user's."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_a_new_database_and_its_wal_are_readable_by_their_owner_only(tmp_path, open_umask):
    database = tmp_path / "ladder.db"
    cli = Cli(f"sqlite:///{database}")
    assert cli("init").exit_code == 0
    assert _mode(database) == OWNER_ONLY
    reader = sqlite3.connect(database)  # holds the WAL open across the next write
    try:
        reader.execute("SELECT count(*) FROM supporters").fetchall()
        added = cli("people", "add", "--first-name", "Awa", "--email", "awa@example.org")
        assert added.exit_code == 0, added.output
        assert Path(f"{database}-wal").stat().st_size > 0
        assert _mode(Path(f"{database}-wal")) == OWNER_ONLY
        assert _mode(Path(f"{database}-shm")) == OWNER_ONLY
    finally:
        reader.close()


def test_an_existing_database_keeps_its_mode(tmp_path, open_umask):
    database = tmp_path / "ladder.db"
    cli = Cli(f"sqlite:///{database}")
    assert cli("init").exit_code == 0
    database.chmod(0o640)  # the owner shares it with a group
    assert cli("init").exit_code == 0
    assert cli("people", "add", "--first-name", "Awa", "--email", "a@example.org").exit_code == 0
    assert _mode(database) == 0o640


def test_rejected_rows_and_exports_are_readable_by_their_owner_only(
    ladder_cli, engine, tmp_path, open_umask
):
    add_person(engine, "Awa", "Diallo")
    path = write(tmp_path, "people.csv", TWO_ROWS)
    assert ladder_cli("people", "import", path, "--skip-invalid").exit_code == 0
    assert _mode(tmp_path / "people.rejected.csv") == OWNER_ONLY
    target = tmp_path / "movement.gexf"
    assert ladder_cli("graph", "export", "--format", "gexf", "-o", str(target)).exit_code == 0
    assert _mode(target) == OWNER_ONLY


def test_a_replaced_file_keeps_the_mode_its_owner_gave_it(ladder_cli, engine, tmp_path):
    target = tmp_path / "movement.graphml"
    target.write_text("old")
    target.chmod(0o644)
    assert ladder_cli("graph", "export", "-o", str(target), "--force").exit_code == 0
    assert _mode(target) == 0o644
