"""The cohort report on a small known world (tests/report_world.py), both databases: the
numbers below are worked out by hand from the world's story (the report ends 2026-04-01)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from ladder.domain.ladderfile import LadderFile, default_ladder_path, load_ladder
from ladder.errors import MisuseError
from ladder.reports.cohorts import cohort_columns, cohorts, median, within_days
from ladder.reports.periods import Every
from ladder.reports.window import Window
from ladder.storage.engine import reading
from tests import report_world
from tests.report_world import END


@pytest.fixture
def ladder() -> LadderFile:
    return load_ladder(default_ladder_path())


def run(engine: Engine, ladder: LadderFile, window: Window, within=(30, 45), **more):
    with reading(engine) as connection:
        return cohorts(connection, ladder, window, UTC, list(within), **more)


def test_each_cohort_shows_who_reached_each_rung_in_time(engine, ladder):
    report_world.build(engine)
    rows = run(engine, ladder, Window(END))
    assert [list(row.values()) for row in rows] == [
        # January: Awa, Bastien, Eve, Hana. Awa reached attend on day 36 and mobilise on day
        # 69; Eve was set to mobilise on day 36; Hana's move comes after the end.
        ["2026-01", 4, 0.0, 0.5, 36, 0.0, 0.25, 52.5],
        # February: Chloé, on attend on day 17. The cohort is not 45 days old at the end.
        ["2026-02", 1, 1.0, None, 17, 0.0, None, None],
        # March: Dan joined on attend (day 0). Not 30 days old.
        ["2026-03", 1, None, None, 0, None, None, None],
    ]
    assert list(rows[0]) == cohort_columns(ladder, [30, 45]) == [
        "cohort", "people", "attend_30d", "attend_45d", "attend_median_days",
        "mobilise_30d", "mobilise_45d", "mobilise_median_days",
    ]  # fmt: skip


def test_since_a_group_and_weeks_choose_the_cohorts(engine, ladder):
    ids = report_world.build(engine)
    in_nord = run(engine, ladder, Window(END, group_id=ids["nord"]), within=[45])
    assert [
        (r["cohort"], r["people"], r["attend_45d"], r["attend_median_days"]) for r in in_nord
    ] == [
        ("2026-01", 1, 1.0, 36),
        ("2026-02", 1, None, 17),
        ("2026-03", 0, None, None),  # cohorts run to the report's end
    ]
    since = run(engine, ladder, Window(END, since=datetime(2026, 1, 12)), within=[30])
    assert [(r["cohort"], r["people"]) for r in since] == [
        ("2026-01", 2),
        ("2026-02", 1),
        ("2026-03", 1),
    ]
    assert since[0]["mobilise_median_days"] is None  # Bastien and Hana never got there
    weeks = run(engine, ladder, Window(datetime(2026, 1, 19)), within=[7], every=Every.WEEK)
    assert [(r["cohort"], r["people"]) for r in weeks] == [("2026-W02", 2), ("2026-W03", 1)]


def test_an_empty_base_has_no_cohorts(engine, ladder):
    assert run(engine, ladder, Window(END)) == []


@pytest.mark.parametrize("text", ["", "30,", "abc", "0", "-5", "30,1e3", "99999"])
def test_within_refuses_anything_but_whole_days(text):
    with pytest.raises(MisuseError, match="--within takes whole days between 1 and"):
        within_days(text)


def test_within_reads_a_comma_list_of_days():
    assert within_days("180, 30,90d,30") == [30, 90, 180]


def test_the_median_of_a_histogram_is_the_middle_value_or_the_mean_of_the_two():
    assert median(Counter()) is None
    assert median(Counter({7: 1})) == 7
    assert median(Counter({1: 1, 4: 1})) == 2.5
    assert median(Counter({0: 2, 10: 1})) == 0
    assert median(Counter({3: 2, 9: 2})) == 6


def test_a_side_left_blank_in_the_history_is_unchanged(engine, ladder):
    report_world.seeded_style(engine)
    january, _february = run(engine, ladder, Window(datetime(2026, 2, 12)), within=[10, 40])
    # Kim joined on attend (day 0); Iris climbed on day 34, Kim's lapse moved no rung.
    assert (january["attend_10d"], january["attend_median_days"]) == (0.5, 17)
    assert january["attend_40d"] is None  # not 40 days old on 12 February
