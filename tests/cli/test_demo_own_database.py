"""`ladder demo` only ever writes to ./ladder-demo.db, and its first line agrees with its table."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.factories import dump

AS_OF = "2026-03-08"


@pytest.fixture
def fresh_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LADDER_DATABASE_URL", raising=False)
    return tmp_path


def test_demo_pointed_at_another_database_is_refused_in_one_line_and_leaves_it_unchanged(
    ladder_cli, db_url, engine, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    seeded = ladder_cli("seed", "--people", "120", "--as-of", AS_OF)
    assert seeded.exit_code == 0, seeded.output
    before = dump(engine)
    result = ladder_cli("demo", "--people", "50", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: ladder demo uses its own database ./ladder-demo.db; "
        f"to fill {db_url} use `ladder --db {db_url} seed`"
    )
    assert dump(engine) == before
    assert not (tmp_path / "ladder-demo.db").exists()


def test_demo_ignores_ladder_database_url_and_fills_its_own_database(fresh_folder, monkeypatch):
    other = fresh_folder / "movement.db"
    monkeypatch.setenv("LADDER_DATABASE_URL", str(other))
    result = CliRunner().invoke(cli, ["demo", "--people", "200", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert (fresh_folder / "ladder-demo.db").exists()
    assert not other.exists()


def test_demo_first_line_counts_rungs_after_the_rules_as_the_table_below_does(fresh_folder):
    result = CliRunner().invoke(cli, ["demo", "--people", "400", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    first = re.search(r"400 supporters \(([^;]+); ([\d,]+) lapsed\)", lines[0])
    assert first is not None, lines[0]
    said = {name: int(n.replace(",", "")) for name, n in re.findall(r"(\w+) ([\d,]+)", first[1])}
    start = lines.index("People on each rung")
    table = {}
    for line in lines[start + 4 :]:
        if not line.strip():
            break
        rung, _active, _lapsed, total = line.split()
        table[rung] = int(total)
    lapsed = sum(int(line.split()[2]) for line in lines[start + 4 : start + 4 + len(table)])
    assert said == table
    assert int(first[2].replace(",", "")) == lapsed
