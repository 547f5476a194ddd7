"""A ladder file that renames or drops a rung people stand on is refused, naming the rung and
how many stand on it, until `ladder ladder rename-rung OLD NEW` moves them (and records it)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from ladder.clock import utcnow
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.models import LevelChange, Supporter
from tests.conftest import Cli
from tests.factories import dump
from tests.rules_reference import Person, World, load_world

SINCE = utcnow().replace(microsecond=0) - timedelta(days=100)


@pytest.fixture
def movement(engine):
    """Awa and Bastien stand on attend (Bastien pinned there by hand), Chloé on follow."""
    sync_action_kinds(engine, load_ladder(default_ladder_path()))
    load_world(
        engine,
        World(
            people=[
                Person(1, "Awa", "attend", SINCE, SINCE),
                Person(2, "Bastien", "attend", SINCE, SINCE, manual=True),
                Person(3, "Chloé", "follow", SINCE, SINCE),
            ]
        ),
    )
    return engine


@pytest.fixture
def renamed(tmp_path) -> Path:
    """The default ladder with its rung attend renamed show-up."""
    path = tmp_path / "ladder.toml"
    path.write_text(default_ladder_path().read_text().replace('"attend"', '"show-up"'))
    return path


@pytest.fixture
def renamed_cli(db_url, movement, renamed) -> Cli:
    return Cli(db_url, renamed)


def _refusal(path: Path) -> str:
    return (
        f"Error: {path}: 2 people stand on rung 'attend', which this ladder file no longer "
        "has: run `ladder ladder rename-rung attend NEW` (NEW one of: follow, show-up, mobilise)"
    )


@pytest.mark.parametrize(
    "command",
    [["promote"], ["people", "list"], ["next"], ["promote", "--dry-run"]],
    ids=" ".join,
)
def test_a_ladder_file_that_lost_a_rung_people_stand_on_is_refused_naming_it(
    renamed_cli, movement, renamed, command
):
    before = dump(movement)
    result = renamed_cli(*command)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == _refusal(renamed)
    assert dump(movement) == before


def test_rename_rung_moves_everyone_on_the_old_rung_and_records_it_in_their_history(
    renamed_cli, movement
):
    result = renamed_cli("ladder", "rename-rung", "attend", "show-up")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Moved 2 people from rung 'attend' to 'show-up'."
    with movement.connect() as connection:
        people = connection.execute(
            select(
                Supporter.id, Supporter.rung, Supporter.rung_since, Supporter.rung_set_manually
            ).order_by(Supporter.id)
        ).all()
        history = connection.execute(
            select(
                LevelChange.supporter_id,
                LevelChange.from_rung,
                LevelChange.to_rung,
                LevelChange.from_status,
                LevelChange.to_status,
                LevelChange.rule_id,
                LevelChange.changed_by,
                LevelChange.reason,
            ).order_by(LevelChange.supporter_id)
        ).all()
    assert [tuple(p) for p in people] == [
        (1, "show-up", SINCE, False),
        (2, "show-up", SINCE, True),  # the same rung under a new name: date and pin kept
        (3, "follow", SINCE, False),
    ]
    assert [tuple(h) for h in history] == [
        (1, "attend", "show-up", "active", "active", None, "test-volunteer", "rung renamed"),
        (2, "attend", "show-up", "active", "active", None, "test-volunteer", "rung renamed"),
    ]
    listed = renamed_cli("people", "list", "--rung", "show-up", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert sorted(p["id"] for p in json.loads(listed.stdout)) == [1, 2]
    assert renamed_cli("promote", "--dry-run").exit_code == 0


def test_rename_rung_to_a_rung_the_ladder_file_lacks_is_refused_and_changes_nothing(
    renamed_cli, movement
):
    before = dump(movement)
    result = renamed_cli("ladder", "rename-rung", "attend", "showup")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: unknown rung 'showup': NEW must be a rung of the ladder file "
        "(rungs: follow, show-up, mobilise)"
    )
    assert dump(movement) == before


def test_rename_rung_from_a_rung_nobody_stands_on_is_refused_and_changes_nothing(
    renamed_cli, movement
):
    before = dump(movement)
    result = renamed_cli("ladder", "rename-rung", "atend", "show-up")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: nobody stands on rung 'atend': nothing to rename"
    assert dump(movement) == before


def test_rename_rung_from_a_rung_the_ladder_file_still_has_is_refused(ladder_cli, movement):
    before = dump(movement)
    result = ladder_cli("ladder", "rename-rung", "attend", "follow")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: 'attend' is still a rung of the ladder file: rename it there first "
        "(`ladder people set-rung` moves one person)"
    )
    assert dump(movement) == before


def test_rules_check_names_the_rungs_a_ladder_file_would_strand(ladder_cli, movement, renamed):
    result = ladder_cli("rules", "check", str(renamed))
    assert result.exit_code == 1
    assert result.stderr.strip() == _refusal(renamed).removeprefix("Error: ")
    assert ladder_cli("rules", "check", str(default_ladder_path())).exit_code == 0


def test_what_if_notes_the_rungs_a_ladder_file_would_strand(ladder_cli, movement, renamed):
    before = dump(movement)
    result = ladder_cli("rules", "what-if", str(renamed), "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "Note: " + _refusal(renamed).removeprefix("Error: ")
    assert dump(movement) == before
