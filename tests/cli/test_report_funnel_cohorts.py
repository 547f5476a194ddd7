"""`ladder report funnel` and `ladder report cohorts` as a user types them, both databases, on
the known world of tests/report_world.py (numbers worked out by hand there and in
tests/library/test_report_funnel.py)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests import report_world
from tests.factories import dump

UNTIL = ["--until", "2026-04-01"]


def test_the_funnel_in_json_and_csv_has_the_same_keys_and_the_hand_worked_numbers(
    ladder_cli, engine
):
    report_world.build(engine)
    result = ladder_cli("report", "funnel", *UNTIL, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["period"], r["ends"]) for r in rows] == [
        ("2026-01", "2026-01-31"),
        ("2026-02", "2026-02-28"),
        ("2026-03", "2026-03-31"),
    ]
    march = rows[-1]
    assert march == {
        "period": "2026-03", "ends": "2026-03-31", "people": 6, "follow": 1, "attend": 3,
        "mobilise": 1, "lapsed": 1, "joined": 1, "up": 1, "down": 1, "lapsing": 2,
        "reactivated": 1,
    }  # fmt: skip
    as_csv = ladder_cli("report", "funnel", *UNTIL, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert list(table[0]) == list(march)
    assert {k: str(v) for k, v in march.items()} == table[-1]


def test_the_funnel_by_week_since_a_date_in_a_group(ladder_cli, engine):
    report_world.build(engine)
    args = ["--by", "week", "--since", "2026-03-02", "--group", "nord", "--format", "json"]
    result = ladder_cli("report", "funnel", *UNTIL, *args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # In Nord: Chloé lapsed on the 10th (week 11) and came back on the 25th (week 13); Awa
    # rose to mobilise on the 15th, a Sunday (week 11).
    assert [(r["period"], r["attend"], r["mobilise"], r["lapsed"]) for r in rows] == [
        ("2026-W10", 2, 0, 0),
        ("2026-W11", 0, 1, 1),
        ("2026-W12", 0, 1, 1),
        ("2026-W13", 1, 1, 0),
        ("2026-W14", 1, 1, 0),
    ]
    assert [r["up"] for r in rows] == [0, 1, 0, 0, 0]
    assert rows[-1]["ends"] == "2026-03-31"


def test_cohorts_in_json_give_the_hand_worked_shares(ladder_cli, engine):
    report_world.build(engine)
    result = ladder_cli("report", "cohorts", *UNTIL, "--within", "45,30", "--format", "json")
    assert result.exit_code == 0, result.output
    january, february, march = json.loads(result.stdout)
    assert january == {
        "cohort": "2026-01", "people": 4, "attend_30d": 0.0, "attend_45d": 0.5,
        "attend_median_days": 36, "mobilise_30d": 0.0, "mobilise_45d": 0.25,
        "mobilise_median_days": 52.5,
    }  # fmt: skip
    assert (february["attend_30d"], february["attend_45d"]) == (1.0, None)
    assert march["attend_median_days"] == 0


def test_an_empty_base_says_so(ladder_cli):
    funnel = ladder_cli("report", "funnel")
    assert funnel.exit_code == 0, funnel.output
    assert "(nobody had joined)" in funnel.stdout
    assert json.loads(ladder_cli("report", "cohorts", "--format", "json").stdout) == []
    header = ladder_cli("report", "cohorts", "--within", "7", "--format", "csv").stdout
    assert header.strip() == (
        "cohort,people,attend_7d,attend_median_days,mobilise_7d,mobilise_median_days"
    )


@pytest.mark.parametrize("within", ["30,soon", "0", "30,,90", "-7"])
def test_a_bad_within_is_one_line_and_writes_nothing(ladder_cli, engine, within):
    report_world.build(engine)
    before = dump(engine)
    result = ladder_cli("report", "cohorts", "--within", within)
    assert result.exit_code == 2
    assert "--within takes whole days between 1 and 36600, separated by commas" in result.stderr
    assert result.stdout == ""
    assert dump(engine) == before


@pytest.mark.parametrize("command", ["funnel", "cohorts"])
def test_an_unknown_group_is_one_line(ladder_cli, engine, command):
    report_world.build(engine)
    before = dump(engine)
    result = ladder_cli("report", command, "--group", "Sud")
    assert result.exit_code == 1
    assert "unknown group 'Sud'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(engine) == before


def test_a_bad_by_is_refused(ladder_cli):
    result = ladder_cli("report", "funnel", "--by", "year")
    assert result.exit_code == 2
    assert "'year' is not one of 'week', 'month'" in result.stderr


@pytest.mark.parametrize("command", ["funnel", "cohorts"])
def test_help_explains_the_columns_with_an_example(ladder_cli, command):
    result = ladder_cli("report", command, "--help")
    assert result.exit_code == 0
    assert f"Example: ladder report {command}" in result.stdout
    assert "Columns:" in result.stdout
