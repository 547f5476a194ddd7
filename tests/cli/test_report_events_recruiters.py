"""`ladder report events` and `ladder report recruiters` from the command line: the same keys
in csv and json, local times, defaults, and bad input (both databases). The figures
themselves are checked in tests/library/test_report_events.py and test_report_recruiters.py."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import insert

from ladder.storage.models import Attendance
from tests.factories import add_event, at, dump, person


@pytest.fixture
def world(engine):
    ana = person(engine, first_name="Ana", created_at=at("2025-06-01 10:00"))
    bea = person(engine, first_name="Bea", created_at=at("2026-01-15 10:00"), recruiter_id=ana)
    person(engine, first_name="Cal", created_at=at("2026-02-03 10:00"), recruiter_id=bea)
    fair = add_event(engine, "Fair", starts_at=at("2026-02-10 18:00"))
    add_event(engine, "Talk", kind="meeting", starts_at=at("2026-02-12 18:00"))
    with engine.begin() as connection:
        connection.execute(
            insert(Attendance),
            [
                {"event_id": fair, "supporter_id": ana, "rsvp": "accepted", "presence": "attended"},
                {"event_id": fair, "supporter_id": bea, "rsvp": "accepted", "presence": "no_show"},
            ],
        )
    return {"ana": ana, "bea": bea}


def _both(ladder_cli, *args: str) -> tuple[list[dict], list[dict]]:
    as_json = ladder_cli(*args, "--format", "json")
    as_csv = ladder_cli(*args, "--format", "csv")
    assert as_json.exit_code == 0, as_json.output
    assert as_csv.exit_code == 0, as_csv.output
    return json.loads(as_json.output), list(csv.DictReader(io.StringIO(as_csv.output)))


def test_events_json_and_csv_have_the_same_keys(ladder_cli, world):
    rows, cells = _both(ladder_cli, "report", "events", "--until", "2026-03-01")
    assert [list(row) for row in rows] == [list(row) for row in cells]
    fair = rows[0]
    assert (fair["title"], fair["accepted"], fair["attended"], fair["no_show"]) == (
        "Fair",
        2,
        1,
        1,
    )
    assert (fair["show_rate"], fair["flake_rate"]) == (0.5, 0.5)
    assert fair["starts_at"] == "2026-02-10T18:00:00+00:00"  # local time (LADDER_TZ=UTC)
    assert rows[1]["show_rate"] is None and cells[1]["show_rate"] == ""  # nobody accepted
    by_kind, cells = _both(ladder_cli, "report", "events", "--by", "kind", "--until", "2026-03-01")
    assert [(row["kind"], row["events"]) for row in by_kind] == [("fair", 1), ("meeting", 1)]
    assert [list(row) for row in by_kind] == [list(row) for row in cells]


def test_events_of_one_kind_and_an_unknown_kind(ladder_cli, world, engine):
    result = ladder_cli("report", "events", "--kind", "meeting", "--format", "json")
    assert [row["title"] for row in json.loads(result.output)] == ["Talk"]
    before = dump(engine)
    bad = ladder_cli("report", "events", "--kind", "picnic")
    assert bad.exit_code == 2
    assert bad.output.strip().splitlines() == [
        "Error: no event is of kind 'picnic': the kinds are fair, meeting"
    ]
    assert dump(engine) == before


def test_recruiters_json_and_csv_have_the_same_keys(ladder_cli, world):
    args = ("report", "recruiters", "--since", "2026-01-01", "--until", "2026-03-01")
    rows, cells = _both(ladder_cli, *args)
    assert [list(row) for row in rows] == [list(row) for row in cells]
    assert list(rows[0]) == ["rank", "id", "name", "reach_gained", "reach", "2026-01", "2026-02"]
    assert [(r["name"], r["reach_gained"], r["2026-01"], r["2026-02"]) for r in rows] == [
        ("Ana", 2, 1, 1),
        ("Bea", 1, 0, 1),
    ]
    everybody, _ = _both(ladder_cli, *args, "--limit", "0")
    assert everybody == rows
    top, _ = _both(ladder_cli, *args, "--limit", "1", "--by", "week")
    assert [row["name"] for row in top] == ["Ana"]
    assert list(top[0])[5:] == [f"2026-W{n:02d}" for n in range(1, 10)]


def test_recruiters_default_to_the_last_twelve_months(ladder_cli, world):
    result = ladder_cli("report", "recruiters", "--until", "2026-03-01", "--format", "csv")
    header = result.output.splitlines()[0].split(",")
    assert header[5:] == [f"2025-{m:02d}" for m in range(3, 13)] + ["2026-01", "2026-02"]
    nobody = ladder_cli("report", "recruiters", "--until", "2025-01-01")
    assert nobody.exit_code == 0 and "nothing to show" in nobody.output


@pytest.mark.parametrize("command", ["events", "recruiters"])
def test_help_has_an_example_and_a_bad_limit_or_by_is_misuse(ladder_cli, command):
    shown = ladder_cli("report", command, "--help")
    assert f"Example: ladder report {command}" in shown.output
    assert ladder_cli("report", command, "--by", "year").exit_code == 2
    assert ladder_cli("report", "recruiters", "--limit", "-1").exit_code == 2
