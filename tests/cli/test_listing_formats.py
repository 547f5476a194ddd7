"""Every command that lists takes --format table|csv|json, with the same keys in csv and json."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from ladder.clock import utcnow
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.storage.kinds import sync_action_kinds
from tests.cli.test_graph_cli import build_movement
from tests.next_helpers import acted, add_group, fair_ahead
from tests.next_helpers import person as next_person
from tests.rules_reference import AttendanceRow, EventRow, Person, World, load_world

LISTING_COMMANDS = [
    "ladder show",
    "people list",
    "people why",
    "people duplicates",
    "promote",
    "rules what-if",
    "events list",
    "events show",
    "invite",
    "recruiters top",
    "recruiters tree",
    "graph check",
    "next",
]
NOW = utcnow().replace(microsecond=0)


def _both(ladder_cli, *args: str) -> list[dict]:
    """The rows as json, after checking that csv gives the same keys and values."""
    as_json = ladder_cli(*args, "--format", "json")
    as_csv = ladder_cli(*args, "--format", "csv")
    assert as_json.exit_code == 0, as_json.output
    assert as_csv.exit_code == 0, as_csv.output
    rows = json.loads(as_json.stdout)
    csv_rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert as_csv.stdout.splitlines()[0].split(",") == list(rows[0])
    assert [list(r.values()) for r in csv_rows] == [
        ["" if v is None else str(v) for v in r.values()] for r in rows
    ]
    return rows


@pytest.mark.parametrize("command", LISTING_COMMANDS)
def test_every_listing_command_offers_table_csv_and_json(command):
    from cli.main import cli

    result = CliRunner().invoke(cli, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "--format [table|csv|json]" in result.output


def test_next_explain_as_json_or_csv_gives_the_parts_of_the_score(ladder_cli, engine):
    sync_action_kinds(engine, load_ladder(default_ladder_path()))
    group = add_group(engine, "Lyon")
    bo = next_person(engine, "Lyonnais", "Bo", local_group_id=group)
    acted(engine, bo, "mass_action", 1, 2)
    event = fair_ahead(engine, group)

    rows = _both(ladder_cli, "next", "--event", str(event), "--explain", str(bo))

    assert list(rows[0]) == ["part", "measured", "value", "weight", "adds"]
    parts = [row["part"] for row in rows]
    assert parts[:5] == ["closeness", "recency", "frequency", "proximity", "recruiter"]
    assert all(isinstance(row["adds"], float) for row in rows)


@pytest.fixture
def marchers(engine):
    """Awa came to two marches lately (she would move to attend); Bastien to one."""
    sync_action_kinds(engine, load_ladder(default_ladder_path()))
    long_ago = NOW - timedelta(days=400)
    load_world(
        engine,
        World(
            people=[Person(i, n, "follow", long_ago, long_ago) for i, n in [(1, "Awa"), (2, "Bo")]],
            events=[EventRow(1, NOW - timedelta(days=3)), EventRow(2, NOW - timedelta(days=30))],
            attendances=[
                AttendanceRow(1, 1, 1, "attended"),
                AttendanceRow(2, 2, 1, "attended"),
                AttendanceRow(3, 1, 2, "attended"),
            ],
        ),
    )
    return engine


def test_a_promote_dry_run_as_csv_or_json_lists_the_people_who_would_move(ladder_cli, marchers):
    rows = _both(ladder_cli, "promote", "--dry-run")

    assert [(r["id"], r["rule"], r["from"], r["to"]) for r in rows] == [
        (1, "shows-up", "follow", "attend")
    ]
    assert "attended_90d=2" in rows[0]["evidence"]


def test_people_why_as_csv_or_json_lists_the_history_and_each_rules_conditions(
    ladder_cli, marchers
):
    rows = _both(ladder_cli, "people", "why", "#2")

    assert list(rows[0]) == ["section", "when", "rule", "change", "holds", "depth", "detail"]
    rules = [r for r in rows if r["section"] == "rule"]
    assert [(r["rule"], r["change"], r["holds"]) for r in rules] == [
        ("shows-up", "follow -> attend", False)
    ]
    assert any(r["section"] == "condition" and "1 of 2" in r["detail"] for r in rows)


def test_a_recruitment_tree_as_csv_or_json_lists_everyone_with_level_and_recruiter(
    ladder_cli, engine
):
    m = build_movement(engine)

    rows = _both(ladder_cli, "recruiters", "tree", "Awa Diallo", "--depth", "2")

    assert list(rows[0]) == ["level", "id", "name", "rung", "recruiter_id", "more_below"]
    assert [(r["level"], r["id"], r["recruiter_id"], r["more_below"]) for r in rows] == [
        (0, m["Awa"], None, 0),
        (1, m["Jean"], m["Awa"], 0),
        (2, m["Marie"], m["Jean"], 0),
        (2, m["Paul"], m["Jean"], 1),
        (1, m["Chloé"], m["Awa"], 0),
    ]
    up = _both(ladder_cli, "recruiters", "tree", str(m["Tom"]), "--up")
    assert [(r["level"], r["id"], r["recruiter_id"]) for r in up] == [
        (0, m["Tom"], m["Yvette"]),
        (-1, m["Yvette"], m["Bastien"]),
        (-2, m["Bastien"], None),
    ]
