"""The funnel report on a small known world (tests/report_world.py), both databases: the
numbers below are worked out by hand from the world's story."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from ladder.domain.ladderfile import LadderFile, default_ladder_path, load_ladder
from ladder.reports.funnel import funnel, funnel_columns
from ladder.reports.periods import Every
from ladder.reports.window import Window
from ladder.storage.engine import reading
from tests import report_world
from tests.report_world import END


@pytest.fixture
def ladder() -> LadderFile:
    return load_ladder(default_ladder_path())


def run(engine: Engine, ladder: LadderFile, window: Window, every: Every = Every.MONTH, zone=UTC):
    with reading(engine) as connection:
        return funnel(connection, ladder, window, every, zone)


def figures(row: dict) -> tuple:
    keys = ["people", "follow", "attend", "mobilise", "lapsed"]
    return tuple(row[k] for k in keys), tuple(
        row[k] for k in ["joined", "up", "down", "lapsing", "reactivated"]
    )


def test_each_month_shows_who_stood_where_at_its_end_and_who_moved(engine, ladder):
    report_world.build(engine)
    rows = run(engine, ladder, Window(END))
    assert [(r["period"], r["ends"].isoformat()) for r in rows] == [
        ("2026-01", "2026-01-31"),
        ("2026-02", "2026-02-28"),
        ("2026-03", "2026-03-31"),
    ]
    # January: Awa, Bastien, Eve, Hana joined, all on follow (Fay and Gus never count).
    assert figures(rows[0]) == ((4, 4, 0, 0, 0), (4, 0, 0, 0, 0))
    # February: Chloé joined; Awa and Chloé up to attend, Eve set to mobilise.
    assert figures(rows[1]) == ((5, 2, 2, 1, 0), (1, 3, 0, 0, 0))
    # March: Dan joined on attend; Awa up, Eve down, Bastien and Chloé lapsed, Chloé came back.
    # Hana is still on follow: her move is after the end.
    assert figures(rows[2]) == ((6, 1, 3, 1, 1), (1, 1, 1, 2, 1))
    assert list(rows[0]) == funnel_columns(ladder, rows)


def test_since_starts_at_its_period_and_counts_moves_from_it(engine, ladder):
    report_world.build(engine)
    rows = run(engine, ladder, Window(END, since=datetime(2026, 2, 15)))
    assert [r["period"] for r in rows] == ["2026-02", "2026-03"]
    # The counts on rungs are the whole base's; Chloé joined and Awa rose before the 15th.
    assert figures(rows[0]) == ((5, 2, 2, 1, 0), (0, 2, 0, 0, 0))
    assert figures(rows[1]) == ((6, 1, 3, 1, 1), (1, 1, 1, 2, 1))


def test_a_past_end_shows_the_rungs_people_had_then(engine, ladder):
    report_world.build(engine)
    rows = run(engine, ladder, Window(datetime(2026, 3, 12)))
    assert rows[-1]["period"] == "2026-03"
    assert rows[-1]["ends"].isoformat() == "2026-03-11"
    # On the 12th: Awa and Chloé on attend (Chloé lapsed), Eve on mobilise, Dan on attend;
    # Bastien lapsed on follow, Hana on follow.
    assert figures(rows[-1]) == ((6, 1, 2, 1, 2), (1, 0, 0, 2, 0))


def test_a_group_counts_its_people_only(engine, ladder):
    ids = report_world.build(engine)
    rows = run(engine, ladder, Window(END, group_id=ids["nord"], group_name="Nord"))
    assert [figures(r) for r in rows] == [
        ((1, 1, 0, 0, 0), (1, 0, 0, 0, 0)),
        ((2, 0, 2, 0, 0), (1, 2, 0, 0, 0)),
        ((2, 0, 1, 1, 0), (0, 1, 0, 1, 1)),
    ]


def test_weeks_are_iso_weeks_from_the_first_join(engine, ladder):
    report_world.build(engine)
    rows = run(engine, ladder, Window(datetime(2026, 1, 19)), Every.WEEK)
    # Awa joined on Monday 5 January (week 2), Eve on the 10th, Hana on the 15th.
    assert [(r["period"], r["people"], r["joined"]) for r in rows] == [
        ("2026-W02", 2, 2),
        ("2026-W03", 3, 1),
    ]
    assert rows[-1]["ends"].isoformat() == "2026-01-18"


def test_days_are_the_movements_local_days(engine, ladder):
    """Nouméa is UTC+11: Awa's promotion at 2026-02-28 20:00 UTC is on 1 March there."""
    report_world.build(engine)
    from sqlalchemy import update

    from ladder.storage.models import LevelChange

    with engine.begin() as connection:
        connection.execute(
            update(LevelChange)
            .where(LevelChange.changed_at == datetime(2026, 2, 10, 12))
            .values(changed_at=datetime(2026, 2, 28, 20))
        )
    in_utc = run(engine, ladder, Window(END))
    in_noumea = run(engine, ladder, Window(END), zone=ZoneInfo("Pacific/Noumea"))
    assert (in_utc[1]["attend"], in_utc[1]["up"]) == (2, 3)
    assert (in_noumea[1]["attend"], in_noumea[1]["up"]) == (1, 2)
    assert (in_noumea[2]["up"], in_noumea[2]["mobilise"]) == (2, 1)


def test_an_empty_base_has_no_rows(engine, ladder):
    assert run(engine, ladder, Window(END)) == []
    assert funnel_columns(ladder, []) == [
        "period", "ends", "people", "follow", "attend", "mobilise",
        "lapsed", "joined", "up", "down", "lapsing", "reactivated",
    ]  # fmt: skip


def test_a_side_left_blank_in_the_history_is_unchanged(engine, ladder):
    report_world.seeded_style(engine)
    rows = run(engine, ladder, Window(END))
    assert [figures(r) for r in rows] == [
        ((2, 1, 1, 0, 0), (2, 0, 0, 0, 0)),
        ((2, 0, 1, 0, 1), (0, 1, 0, 1, 0)),
        ((2, 0, 0, 0, 2), (0, 0, 0, 1, 0)),
    ]


def test_two_merged_histories_interleaved_count_the_person_once(engine, ladder):
    """After a merge the kept person holds both records' changes: Lou went follow -> attend in
    January, the record merged into Lou had gone follow -> mobilise in February (its `from`
    is not Lou's rung then). Each month Lou is on exactly one rung: the last one moved to."""
    from sqlalchemy import insert

    from ladder.storage.models import LevelChange
    from tests.factories import add_person

    lou = add_person(engine, "Lou", None, rung="mobilise", created_at=datetime(2026, 1, 2, 12))
    keys = ["from_rung", "to_rung", "from_status", "to_status", "changed_at"]
    rows = [
        ("follow", "attend", "active", "active", datetime(2026, 1, 20, 12)),
        ("follow", "mobilise", "active", "active", datetime(2026, 2, 20, 12)),
    ]
    with engine.begin() as connection:
        connection.execute(
            insert(LevelChange),
            [dict(zip(keys, r, strict=True), supporter_id=lou, changed_by="merge") for r in rows],
        )
    found = run(engine, ladder, Window(datetime(2026, 3, 1)))
    assert [figures(r)[0] for r in found] == [(1, 0, 1, 0, 0), (1, 0, 0, 1, 0)]
    assert [r["up"] for r in found] == [1, 1]
