"""``local_date``: the movement's calendar date of a stored UTC time, on both databases, equal
to Python's ``zoneinfo`` to the minute, transitions included (reports count by it)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, Table, func, insert, select

from ladder.storage.sqlfunc import local_date
from ladder.storage.zones import offsets

ZONES = ["Europe/Paris", "Pacific/Noumea", "Asia/Kolkata", "America/St_Johns", "UTC"]


def _moments(zone: ZoneInfo) -> list[datetime]:
    chosen = random.Random(zone.key)
    start = datetime(1990, 1, 1)
    moments = [start + timedelta(minutes=chosen.randrange(60 * 24 * 365 * 40)) for _ in range(500)]
    for change, _minutes in offsets(zone)[1:]:  # either side of every transition
        moments += [change - timedelta(minutes=1), change, change + timedelta(seconds=59)]
    return moments


@pytest.mark.parametrize("name", ZONES)
def test_local_date_is_pythons_calendar_date_in_the_zone(engine: Engine, name: str) -> None:
    zone = ZoneInfo(name)
    probe = Table(
        "zone_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", DateTime),
        prefixes=["TEMPORARY"],
    )
    moments = _moments(zone)
    with engine.connect() as connection:
        probe.create(connection)
        connection.execute(insert(probe), [{"id": i, "at": m} for i, m in enumerate(moments)])
        found = dict(connection.execute(select(probe.c.id, local_date(probe.c.at, zone))).all())
        day = local_date(probe.c.at, zone)
        grouped = connection.execute(select(day, func.count()).group_by(day)).all()
        connection.rollback()
    expected = [m.replace(tzinfo=UTC).astimezone(zone).date() for m in moments]
    assert [found[i] for i in range(len(moments))] == expected
    assert sum(count for _day, count in grouped) == len(moments)
    assert {d for d, _count in grouped} == set(expected)


def test_paris_changes_offset_twice_a_year_at_one_in_the_morning_utc() -> None:
    spans = dict(offsets(ZoneInfo("Europe/Paris")))
    assert spans[datetime(2026, 3, 29, 1, 0)] == 120
    assert spans[datetime(2026, 10, 25, 1, 0)] == 60
