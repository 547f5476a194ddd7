"""`ladder demo` and `ladder seed` as a new user meets them."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from cli.main import cli
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.reports import first_look
from ladder.reports.overview import busiest_events, campaign_progress, rung_counts
from ladder.storage.engine import make_engine

AS_OF = "2026-03-08"


def _count(db_url: str, table: str) -> int:
    engine = make_engine(db_url)
    with engine.connect() as connection:
        count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return int(count or 0)


@pytest.fixture
def fresh_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LADDER_DATABASE_URL", raising=False)
    return tmp_path


def _demo(*args: str):
    return CliRunner().invoke(cli, ["demo", "--people", "400", "--as-of", AS_OF, *args])


def test_demo_in_a_fresh_folder_seeds_ladder_demo_db_and_never_touches_ladder_db(fresh_folder):
    result = _demo()
    assert result.exit_code == 0, result.output
    assert (fresh_folder / "ladder-demo.db").exists()
    assert not (fresh_folder / "ladder.db").exists()
    assert (
        "Seeded ladder-demo.db (seed 1, fr_FR, as of 2026-03-08): 400 supporters" in result.stdout
    )
    for title, _query in first_look.SECTIONS:
        assert title in result.stdout
    assert "Pétition #ZéroTolérance" in result.stdout
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_a_second_demo_reuses_the_seeded_movement(fresh_folder):
    _demo()
    supporters = _count(f"sqlite:///{fresh_folder / 'ladder-demo.db'}", "supporters")
    result = _demo("--people", "999")
    assert result.exit_code == 0, result.output
    assert "Using the demo movement in ladder-demo.db (400 supporters)." in result.stdout
    assert _count(f"sqlite:///{fresh_folder / 'ladder-demo.db'}", "supporters") == supporters


def test_a_feature_adds_its_section_to_the_demo_with_one_entry(fresh_folder, monkeypatch):
    def volunteers_of_the_month(connection, ladder, as_of):
        return [{"name": "Awa Diallo", "check_ins": 42}], ["name", "check_ins"]

    sections = [*first_look.SECTIONS, ("Volunteers of the month", volunteers_of_the_month)]
    monkeypatch.setattr(first_look, "SECTIONS", sections)
    result = _demo()
    assert "Volunteers of the month" in result.stdout
    assert "Awa Diallo" in result.stdout


def test_demo_refuses_another_applications_database_and_leaves_it_alone(fresh_folder):
    path = fresh_folder / "recipes.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
        connection.execute("INSERT INTO recipes VALUES ('ratatouille')")
    result = CliRunner().invoke(cli, ["--db", str(path), "demo", "--people", "50"])
    assert result.exit_code == 2
    assert "ladder demo uses its own database ./ladder-demo.db" in result.stderr
    with sqlite3.connect(path) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    assert tables == [("recipes",)]


def test_seed_fills_an_initialised_database_and_says_what_it_made(ladder_cli, db_url):
    result = ladder_cli("seed", "--people", "250", "--seed", "11", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "250 supporters (follow " in result.stdout
    assert f"{_count(db_url, 'actions'):,} actions" in result.stdout
    assert _count(db_url, "supporters") == 250


def test_seeding_twice_is_refused_with_one_line_and_changes_nothing(ladder_cli, db_url):
    ladder_cli("seed", "--people", "120", "--as-of", AS_OF)
    actions = _count(db_url, "actions")
    result = ladder_cli("seed", "--people", "120", "--seed", "2")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: the database already holds 120 supporters: seed a new database "
        "(`ladder --db new.db init`, then seed it there)"
    )
    assert _count(db_url, "actions") == actions


def test_an_unknown_locale_is_misuse_and_writes_nothing(ladder_cli, db_url):
    result = ladder_cli("seed", "--people", "10", "--locale", "xx_YY")
    assert result.exit_code == 2
    assert "unknown faker locale 'xx_YY'" in result.stderr
    assert _count(db_url, "supporters") == 0


def test_seed_needs_an_initialised_database(bare_cli, db_url):
    result = bare_cli("seed", "--people", "10")
    assert result.exit_code == 1
    assert "ladder init" in result.stderr


def test_the_report_counts_rungs_busy_events_and_goals_from_the_data(ladder_cli, db_url):
    ladder_cli("seed", "--people", "600", "--as-of", AS_OF)
    engine = make_engine(db_url)
    ladder = load_ladder(default_ladder_path())
    as_of = datetime.fromisoformat(AS_OF)
    with engine.connect() as connection:
        rungs = rung_counts(connection, ladder)
        events = busiest_events(connection, as_of, days=90, limit=5)
        goals = campaign_progress(connection, ladder, as_of)
        mobilisers = connection.execute(
            text("SELECT count(*) FROM supporters WHERE rung = 'mobilise' AND status = 'active'")
        ).scalar()
        signatures = connection.execute(
            text(
                "SELECT count(*) FROM actions a JOIN action_kinds k ON k.id = a.action_kind_id "
                "WHERE k.name = 'petition'"
            )
        ).scalar()
    engine.dispose()
    assert [r["rung"] for r in rungs] == ["follow", "attend", "mobilise"]
    assert sum(r["total"] for r in rungs) == 600
    attended = [e["attended"] for e in events]
    assert attended == sorted(attended, reverse=True) and attended[0] > 0
    assert all(0 < (as_of - e["date"]).days <= 90 for e in events)
    assert [(g["progress"], g["target"]) for g in goals] == [(signatures, 25_000), (mobilisers, 50)]
