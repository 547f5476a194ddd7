"""The reports' keys: a rung named like a fixed key of the funnel does not overwrite it."""

from __future__ import annotations

from ladder.domain.ladderfile import parse_ladder
from ladder.reports.cohorts import cohort_columns
from ladder.reports.funnel import funnel_columns, rung_keys

LADDER = """
[[rungs]]
name = "people"

[[rungs]]
name = "joined"

[[rungs]]
name = "core"
"""


def test_a_rung_named_like_a_fixed_key_gets_a_prefix():
    ladder = parse_ladder(LADDER)
    assert rung_keys(ladder.rung_names) == {
        "people": "rung_people",
        "joined": "rung_joined",
        "core": "core",
    }
    columns = funnel_columns(ladder, [])
    assert columns[:6] == ["period", "ends", "people", "rung_people", "rung_joined", "core"]
    assert len(set(columns)) == len(columns)


def test_cohort_keys_name_every_rung_above_the_first():
    ladder = parse_ladder(LADDER)
    assert cohort_columns(ladder, [7, 30]) == [
        "cohort", "people", "joined_7d", "joined_30d", "joined_median_days",
        "core_7d", "core_30d", "core_median_days",
    ]  # fmt: skip
