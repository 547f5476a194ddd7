"""`ladder promote --as-of DATE` is a backtest: it shows who would have moved, never writes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from ladder.clock import utcnow
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.storage.kinds import sync_action_kinds
from tests.factories import dump
from tests.rules_reference import AttendanceRow, EventRow, Person, World, load_world

NOW = utcnow().replace(microsecond=0)
LONG_AGO = NOW - timedelta(days=400)


@pytest.fixture
def regular(engine):
    """Awa came to two marches, 10 and 20 days ago: the default rules promote her to attend."""
    sync_action_kinds(engine, load_ladder(default_ladder_path()))
    load_world(
        engine,
        World(
            people=[Person(1, "Awa", "follow", LONG_AGO, LONG_AGO)],
            events=[EventRow(1, NOW - timedelta(days=10)), EventRow(2, NOW - timedelta(days=20))],
            attendances=[AttendanceRow(1, 1, 1, "attended"), AttendanceRow(2, 2, 1, "attended")],
        ),
    )
    return engine


def test_promote_as_of_a_past_date_shows_who_would_move_and_writes_nothing(ladder_cli, regular):
    before = dump(regular)
    yesterday = (NOW - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    result = ladder_cli("promote", "--as-of", yesterday)
    assert result.exit_code == 0, result.output
    assert dump(regular) == before
    assert f"Backtest as of {yesterday}:" in result.stdout
    assert "nothing written" in result.stdout
    assert "#1 Awa" in result.stdout  # who would have moved, as a dry run lists them
    assert "--as-of never writes" in result.stderr


def test_promote_as_of_in_json_lists_the_changes_and_writes_nothing(ladder_cli, regular):
    before = dump(regular)
    result = ladder_cli(
        "promote", "--as-of", f"{NOW - timedelta(days=1):%Y-%m-%d}", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    moved = json.loads(result.stdout)
    assert [(m["name"], m["rule"], m["from"], m["to"]) for m in moved] == [
        ("Awa", "shows-up", "follow", "attend")
    ]
    assert "Backtest as of" in result.stderr
    assert dump(regular) == before


def test_promote_as_of_with_dry_run_says_nothing_more_on_stderr(ladder_cli, regular):
    before = dump(regular)
    yesterday = f"{NOW - timedelta(days=1):%Y-%m-%d}"
    result = ladder_cli("promote", "--as-of", yesterday, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "nothing written" in result.stdout
    assert dump(regular) == before


def test_promote_without_as_of_still_writes_as_of_now(ladder_cli, regular):
    result = ladder_cli("promote")
    assert result.exit_code == 0, result.output
    assert "1 change(s) made" in result.stdout
    assert ladder_cli("promote", "--format", "json").stdout.strip() == "[]"
