"""`ladder campaigns add / edit / list / show`: goals, progress in every format, refusals
that change nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, text

from ladder.storage.models import Campaign
from tests.factories import add_group, add_person, dump

PETITION = "Pétition #ZéroTolérance"


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql))]


@pytest.fixture
def petition(ladder_cli, engine):
    add_group(engine, "Nouméa")
    result = ladder_cli(
        "campaigns", "add", PETITION, "--goal", "4", "--kind", "petition",
        "--starts", "2026-01-15", "--ends", "2026-06-30", "--group", "Nouméa",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Added campaign #1 {PETITION}, goal 4."
    return PETITION


def test_add_stores_the_campaign_and_its_goal(engine, petition):
    with engine.connect() as connection:
        row = connection.execute(
            select(Campaign.name, Campaign.starts_on, Campaign.ends_on, Campaign.local_group_id)
        ).one()
    assert tuple(row) == (PETITION, date(2026, 1, 15), date(2026, 6, 30), 1)
    assert _rows(engine, "SELECT campaign_id, metric, target FROM campaign_goals") == [
        (1, "actions:petition", 4)
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Petition #ZeroTolerance", "--goal", "5"], f"a campaign called '{PETITION}' already"),
        (["Marche", "--goal", "5", "--kind", "signing"], "unknown action kind 'signing'"),
        (["Marche", "--goal", "5", "--group", "Noumea Sud"], "unknown group 'Noumea Sud'"),
        (["M", "--goal", "5", "--starts", "2026-02-01", "--ends", "2026-01-01"], "ends (20"),
        (["Marche\x00", "--goal", "5"], "the campaign's name has a control character"),
        (["M" * 201, "--goal", "5"], "the campaign's name has 201 characters"),
    ],
)  # fmt: skip
def test_add_refusals_are_one_line_and_write_nothing(ladder_cli, engine, petition, args, message):
    before = dump(engine)
    result = ladder_cli("campaigns", "add", *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(engine) == before


def test_a_goal_below_one_is_a_usage_error(ladder_cli, engine):
    before = dump(engine)
    result = ladder_cli("campaigns", "add", "Marche", "--goal", "0")
    assert result.exit_code == 2
    assert dump(engine) == before


def _sign(ladder_cli, engine, days: list[str]) -> None:
    for n, day in enumerate(days):
        person = add_person(engine, f"Signataire{n}", "X", email=f"s{n}@example.org")
        args = ["actions", "log", str(person), "petition", "--at", day, "--campaign", PETITION]
        assert ladder_cli(*args).exit_code == 0


def test_show_json_has_exactly_the_keys_and_the_progress(ladder_cli, engine, petition):
    _sign(ladder_cli, engine, ["2026-03-01 10:00", "2026-03-20 10:00", "2026-03-28 10:00"])
    args = ["petition #zerotolerance", "--as-of", "2026-03-31", "--format", "json"]
    result = ladder_cli("campaigns", "show", *args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "name": PETITION,
        "goal": 4,
        "count": 3,
        "share": 0.75,
        "pace_7d": round(1 / 7, 2),
        "pace_30d": 0.1,
        "projected_date": "2026-04-10",  # 1 to go at 3 per 30 days: 10 days
        "joined": 3,
        "climbed": 0,
    }


def test_show_table_and_csv(ladder_cli, engine, petition):
    _sign(ladder_cli, engine, ["2026-03-01 10:00", "2026-03-02 10:00"])
    table = ladder_cli("campaigns", "show", PETITION, "--as-of", "2026-03-03")
    assert table.exit_code == 0, table.output
    lines = [line.strip() for line in table.stdout.splitlines()]
    assert "count: 2" in lines
    assert "share: 50.0%" in lines
    assert "counts: actions (petition)" in lines
    assert "group: Nouméa" in lines
    assert "projected: 2026-04-02" in lines  # 2 to go at 2 per 30 days: 30 days
    csv = ladder_cli("campaigns", "show", PETITION, "--as-of", "2026-03-03", "--format", "csv")
    assert csv.stdout.splitlines()[0] == (
        "name,goal,count,share,pace_7d,pace_30d,projected_date,joined,climbed"
    )


def test_edit_changes_goal_and_dates_and_a_reached_goal_says_when(ladder_cli, engine, petition):
    _sign(ladder_cli, engine, ["2026-03-01 10:00", "2026-03-05 10:00"])
    result = ladder_cli("campaigns", "edit", PETITION, "--goal", "2", "--ends", "2026-09-30")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Updated campaign #1 {PETITION} (2026-01-15 to 2026-09-30)."
    shown = ladder_cli("campaigns", "show", PETITION, "--as-of", "2026-03-10")
    assert "reached on: 2026-03-05" in [line.strip() for line in shown.stdout.splitlines()]
    assert _rows(engine, "SELECT target FROM campaign_goals") == [(2,)]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ([PETITION], 2, "nothing to change: give --goal, --starts or --ends"),
        ([PETITION, "--ends", "2025-12-31"], 1, "ends (2025-12-31) before it starts (2026-01-15)"),
        (["Marche", "--goal", "3"], 1, "unknown campaign 'Marche'"),
    ],
)
def test_edit_refusals_write_nothing(ladder_cli, engine, petition, args, code, message):
    before = dump(engine)
    result = ladder_cli("campaigns", "edit", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert dump(engine) == before


def test_list_in_every_format(ladder_cli, engine, petition):
    assert ladder_cli("campaigns", "add", "Marche", "--goal", "10", "--people").exit_code == 0
    _sign(ladder_cli, engine, ["2026-03-01 10:00"])
    rows = json.loads(
        ladder_cli("campaigns", "list", "--as-of", "2026-03-02", "--format", "json").stdout
    )
    assert [(r["name"], r["count"], r["goal"], r["metric"]) for r in rows] == [
        ("Marche", 0, 10, "people (any kind)"),
        (PETITION, 1, 4, "actions (petition)"),
    ]
    csv = ladder_cli("campaigns", "list", "--format", "csv").stdout.splitlines()
    assert csv[0].startswith("name,goal,count,share,pace_7d,pace_30d,projected_date,joined,climbed")
    table = ladder_cli("campaigns", "list").stdout
    assert "25.0%" in table


def test_list_with_no_campaigns_says_so(ladder_cli):
    assert ladder_cli("campaigns", "list").stdout.strip() == "No campaigns yet: `campaigns add`."


def test_show_an_unknown_campaign_suggests_a_close_one(ladder_cli, petition):
    result = ladder_cli("campaigns", "show", "Petition ZeroTolerence")
    assert result.exit_code == 1
    assert "did you mean Pétition #ZéroTolérance?" in result.stderr
