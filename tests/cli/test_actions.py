"""`ladder actions log` and `ladder actions list`: one action by hand, refusals that change
nothing, a climb reported at once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from ladder.clock import utcnow
from ladder.storage.models import Action, ActionKind, Campaign
from tests.factories import add_person, dump


def add_campaign(engine, name: str, **values) -> int:
    row = {"name": name, "created_at": datetime(2026, 1, 1), **values}
    with engine.begin() as connection:
        return int(connection.execute(insert(Campaign).values(**row)).inserted_primary_key[0])


def actions_of(engine) -> list[tuple]:
    query = (
        select(
            Action.supporter_id,
            ActionKind.name,
            Action.occurred_at,
            Action.campaign_id,
            Action.logged_by,
            Action.note,
        )
        .join(ActionKind, ActionKind.id == Action.action_kind_id)
        .order_by(Action.id)
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


@pytest.fixture
def awa(engine):
    return add_person(engine, "Awa", "Diallo", email="awa@example.org")


def test_log_records_one_action_with_its_time_campaign_and_note(ladder_cli, engine, awa):
    petition = add_campaign(engine, "Pétition #ZéroTolérance")
    result = ladder_cli(
        "actions",
        "log",
        "awa@example.org",
        "petition",
        "--at",
        "2026-11-28 18:30",
        "--campaign",
        "pétition #zérotolérance",
        "--note",
        "signed at the market stand",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"Logged petition by Awa Diallo (#{awa}) at 2026-11-28 18:30 for Pétition #ZéroTolérance."
    )
    assert actions_of(engine) == [
        (
            awa,
            "petition",
            datetime(2026, 11, 28, 18, 30),
            petition,
            "test-volunteer",
            "signed at the market stand",
        )
    ]


def test_an_action_the_campaign_goal_does_not_count_is_kept_with_a_note(ladder_cli, engine, awa):
    ladder_cli("campaigns", "add", "Pétition", "--goal", "10", "--kind", "petition")
    result = ladder_cli("actions", "log", str(awa), "photos", "--campaign", "Pétition")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        "  note: Pétition's goal counts petition only: not this photos"
    )
    assert [a[1] for a in actions_of(engine)] == ["photos"]
    signed = ladder_cli("actions", "log", str(awa), "petition", "--campaign", "Pétition")
    assert "note" not in signed.stdout


def test_log_without_a_time_is_now(ladder_cli, engine, awa):
    before = utcnow().replace(microsecond=0)
    assert ladder_cli("actions", "log", str(awa), "share_toolkit").exit_code == 0
    [(_, kind, occurred, campaign, _, note)] = actions_of(engine)
    assert (kind, campaign, note) == ("share_toolkit", None, None)
    assert before <= occurred <= utcnow()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["petiton"],
            "unknown action kind 'petiton': did you mean petition? the ladder file's kinds "
            "are like, follow, subscribe, merch, petition, event_attendance,",
        ),
        (
            ["petition", "--campaign", "Petition ZeroTolerence"],
            "unknown campaign 'Petition ZeroTolerence' (did you mean Pétition #ZéroTolérance?)",
        ),
        (["petition", "--at", "2999-01-01"], "2999-01-01 00:00 is in the future"),
        (["petition", "--note", "ok\x1b[2Jwiped"], "--note has a control character"),
        (
            ["petition", "--note", "x" * 10_001],
            "--note has 10,001 characters, more than the 10,000 allowed",
        ),
    ],
)
def test_refusals_are_one_line_and_write_nothing(ladder_cli, engine, awa, args, message):
    add_campaign(engine, "Pétition #ZéroTolérance")
    before = dump(engine)
    result = ladder_cli("actions", "log", "awa@example.org", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(engine) == before


def test_an_unknown_person_is_refused_and_nothing_written(ladder_cli, engine, awa):
    before = dump(engine)
    result = ladder_cli("actions", "log", "nobody@example.org", "petition")
    assert result.exit_code == 1
    assert "no person matches 'nobody@example.org'" in result.stderr
    assert dump(engine) == before


def test_the_third_attend_level_action_climbs_at_once_and_says_so(ladder_cli, engine, awa):
    day = (utcnow() - timedelta(days=2)).strftime("%Y-%m-%d")
    for kind in ("mass_action", "photos"):
        result = ladder_cli("actions", "log", str(awa), kind, "--at", day)
        assert "Promoted" not in result.stdout
    result = ladder_cli("actions", "log", str(awa), "live_post", "--at", day)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("Promoted from follow to attend (rule shows-up).")
    shown = ladder_cli("people", "show", str(awa), "--format", "json")
    assert '"rung": "attend"' in shown.stdout


@pytest.fixture
def logged(ladder_cli, engine, awa):
    """Three actions by Awa, one by Jean; two for the petition campaign."""
    jean = add_person(engine, "Jean", "Wamytan", email="jean@example.nc")
    add_campaign(engine, "Pétition")
    for who, kind, at, campaign in [
        ("awa@example.org", "petition", "2026-10-01 09:00", "Pétition"),
        ("awa@example.org", "photos", "2026-10-05 10:00", None),
        ("jean@example.nc", "petition", "2026-10-06 11:00", "Pétition"),
        ("awa@example.org", "share_toolkit", "2026-10-07 12:00", None),
    ]:
        args = ["actions", "log", who, kind, "--at", at]
        result = ladder_cli(*args, *(["--campaign", campaign] if campaign else []))
        assert result.exit_code == 0, result.output
    return awa, jean


def _listed(ladder_cli, *args: str) -> list[tuple]:
    import json

    result = ladder_cli("actions", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [
        (r["person"], r["kind"], r["occurred_at"], r["campaign"]) for r in json.loads(result.stdout)
    ]


def test_list_is_newest_first_with_every_column(ladder_cli, logged):
    import json

    result = ladder_cli("actions", "list", "--format", "json")
    rows = json.loads(result.stdout)
    assert list(rows[0]) == [
        "id", "occurred_at", "person_id", "person", "kind", "campaign", "event", "logged_by",
        "note",
    ]  # fmt: skip
    assert [(r["person"], r["kind"]) for r in rows] == [
        ("Awa Diallo", "share_toolkit"),
        ("Jean Wamytan", "petition"),
        ("Awa Diallo", "photos"),
        ("Awa Diallo", "petition"),
    ]
    assert rows[0]["occurred_at"] == "2026-10-07T12:00:00+00:00"
    assert rows[0]["logged_by"] == "test-volunteer"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--person", "jean@example.nc"], [("Jean Wamytan", "petition")]),
        (["--kind", "Petition"], [("Jean Wamytan", "petition"), ("Awa Diallo", "petition")]),
        (["--campaign", "petition"], [("Jean Wamytan", "petition"), ("Awa Diallo", "petition")]),
        (
            ["--since", "2026-10-06"],
            [("Awa Diallo", "share_toolkit"), ("Jean Wamytan", "petition")],
        ),
        (["--person", "Awa", "--kind", "photos"], [("Awa Diallo", "photos")]),
        (["--since", "2026-10-08"], []),
    ],
)
def test_list_filters(ladder_cli, logged, args, expected):
    assert [(p, k) for p, k, _, _ in _listed(ladder_cli, *args)] == expected


def test_list_csv_has_a_header_and_one_line_per_action(ladder_cli, logged):
    result = ladder_cli("actions", "list", "--format", "csv", "--kind", "petition")
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "id,occurred_at,person_id,person,kind,campaign,event,logged_by,note"
    assert len(lines) == 3
    assert ",Jean Wamytan,petition,Pétition,," in lines[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "sharing"], "unknown action kind 'sharing': known kinds:"),
        (["--campaign", "Marche"], "unknown campaign 'Marche'"),
        (["--person", "nobody@example.org"], "no person matches 'nobody@example.org'"),
    ],
)
def test_list_refuses_unknown_names_in_one_line(ladder_cli, logged, args, message):
    result = ladder_cli("actions", "list", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
