"""The rules from the command line: promote, dry run, rules check, what-if, why, set-rung."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from ladder.clock import utcnow
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.models import LevelChange, Supporter
from tests.factories import dump
from tests.rules_reference import AttendanceRow, EventRow, Person, World, load_world

NOW = utcnow().replace(microsecond=0)
LONG_AGO = NOW - timedelta(days=400)


def _person(pid: int, name: str, **values: object) -> Person:
    return Person(pid, name, "follow", LONG_AGO, LONG_AGO, **values)  # type: ignore[arg-type]


@pytest.fixture
def movement(engine):
    """Awa came to the Lyon and Grenoble marches; Bastien only to Lyon; Chloé to nothing."""
    sync_action_kinds(engine, load_ladder(default_ladder_path()))
    load_world(
        engine,
        World(
            people=[_person(1, "Awa"), _person(2, "Bastien"), _person(3, "Chloé")],
            events=[EventRow(1, NOW - timedelta(days=3)), EventRow(2, NOW - timedelta(days=30))],
            attendances=[
                AttendanceRow(1, 1, 1, "attended"),
                AttendanceRow(2, 2, 1, "attended"),
                AttendanceRow(3, 1, 2, "attended"),
            ],
        ),
    )
    return engine


def test_promote_prints_a_summary_and_a_second_run_changes_nothing(ladder_cli, movement):
    first = ladder_cli("promote")
    assert first.exit_code == 0, first.output
    assert "1 change(s) made" in first.stdout
    assert any(
        line.split()[:4] == ["shows-up", "follow", "attend", "1"]
        for line in first.stdout.splitlines()
    )
    second = ladder_cli("promote", "--format", "json")
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout) == []


def test_a_dry_run_lists_who_would_move_and_why_and_writes_nothing(ladder_cli, movement):
    before = dump(movement)
    result = ladder_cli("promote", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "nothing was written" in result.stdout
    assert "#1 Awa" in result.stdout and "attended_90d=2 [attendances 1, 2]" in result.stdout
    assert dump(movement) == before


def test_as_of_in_the_future_is_misuse(ladder_cli, movement):
    tomorrow = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%d")
    result = ladder_cli("promote", "--as-of", tomorrow)
    assert result.exit_code == 2
    assert "is in the future" in result.stderr


def test_as_of_evaluates_the_past(ladder_cli, movement):
    before_lyon = (NOW - timedelta(days=4)).strftime("%Y-%m-%d %H:%M")
    result = ladder_cli("promote", "--as-of", before_lyon, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []  # Awa had been to one march only


def test_rules_check_accepts_the_default_ladder(bare_cli):
    result = bare_cli("rules", "check", str(default_ladder_path()))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{default_ladder_path()}: ok, 3 rungs, 3 rules"


def test_rules_check_lists_every_problem_one_line_each(bare_cli, tmp_path):
    broken = tmp_path / "broken.toml"
    text = default_ladder_path().read_text()
    text = text.replace('recruits_at_rung = "attend"', 'recruits_at_rung = "mayor"')
    text = text.replace('kinds_of = "attend"', 'kinds = ["samba"]')
    broken.write_text(text)
    result = bare_cli("rules", "check", str(broken))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{broken}: rules[0] (id='shows-up'): any.1.kinds: unknown action kind 'samba' "
        "(like, follow, subscribe, merch, petition, event_attendance, mass_action, photos, "
        "live_post, education_session, host_event, share_toolkit, recruit, lead_group, "
        "signup_sheets)",
        f"{broken}: rules[1] (id='mobilises-others'): any.1.recruits_at_rung: unknown rung "
        "'mayor' (rungs: follow, attend, mobilise)",
    ]


def test_what_if_shows_who_an_easier_rule_would_promote_and_writes_nothing(
    ladder_cli, movement, tmp_path
):
    easier = tmp_path / "easier.toml"
    easier.write_text(
        default_ladder_path().read_text().replace("attended_events = 2", "attended_events = 1")
    )
    before = dump(movement)
    result = ladder_cli("rules", "what-if", str(easier), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "change": "higher",
            "rule": "new: shows-up",
            "from": "follow",
            "under_active": "follow",
            "under_new": "attend",
            "people": 1,
            "examples": "#2 Bastien",
        }
    ]
    assert dump(movement) == before


def test_what_if_with_a_broken_file_is_one_line(ladder_cli, movement, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('[[rungs]]\nname = "follow"\n[[rules]]\nid = "x"\nlapse = true\n')
    result = ladder_cli("rules", "what-if", str(broken))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "rules[0] (id='x'): give either all" in result.stderr


def test_why_shows_the_history_and_what_is_missing(ladder_cli, movement):
    ladder_cli("promote")
    awa = ladder_cli("people", "why", "1")
    assert awa.exit_code == 0, awa.output
    assert "follow -> attend" in awa.stdout and "rule shows-up" in awa.stdout
    assert "Rule mobilises-others -> mobilise: needs 1 more event hosted" in awa.stdout
    bastien = ladder_cli("people", "why", "Bastien")
    assert "needs 1 more event attended within 90 days or 3 more attend-level" in bastien.stdout
    assert "[ ] events attended within 90 days: 1 of 2" in bastien.stdout


def test_set_rung_records_who_and_why_and_rules_leave_it(ladder_cli, movement):
    result = ladder_cli("people", "set-rung", "Awa", "follow", "--reason", "moved to Lille")
    assert result.exit_code == 0, result.output
    ladder_cli("promote")
    with movement.connect() as connection:
        rung = connection.execute(select(Supporter.rung).where(Supporter.id == 1)).scalar()
        change = connection.execute(select(LevelChange).where(LevelChange.supporter_id == 1)).one()
    assert rung == "follow"  # Awa qualifies for attend, but an organiser pinned her
    assert (change.changed_by, change.reason, change.rule_id) == (
        "test-volunteer",
        "moved to Lille",
        None,
    )


def test_set_rung_to_an_unknown_rung_changes_nothing(ladder_cli, movement):
    before = dump(movement)
    result = ladder_cli("people", "set-rung", "Awa", "mayor", "--reason", "elected")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: unknown rung 'mayor' (rungs: follow, attend, mobilise)"
    )
    assert dump(movement) == before
