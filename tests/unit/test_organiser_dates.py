"""Dates as organisers write them, read in the movement's zone (for `actions import`)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ladder.actions.dates import parse_organiser_date

NOUMEA = ZoneInfo("Pacific/Noumea")  # UTC+11, no daylight saving
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/12/2026", datetime(2026, 12, 30, 13, 0)),
        ("31/12/2026 18:30", datetime(2026, 12, 31, 7, 30)),
        ("1/2/2026 8h05", datetime(2026, 1, 31, 21, 5)),
        ("31.12.2026 18:30:05", datetime(2026, 12, 31, 7, 30, 5)),
        ("31-12-2026", datetime(2026, 12, 30, 13, 0)),
        ("2026-12-31", datetime(2026, 12, 30, 13, 0)),
        ("2026-12-31 18:30", datetime(2026, 12, 31, 7, 30)),
        ("2026-12-31T18:30:05", datetime(2026, 12, 31, 7, 30, 5)),
        ("2026-12-31T18:30:00+01:00", datetime(2026, 12, 31, 17, 30)),
        ("2026-12-31T18:30:00Z", datetime(2026, 12, 31, 18, 30)),
        ("  31/12/2026  ", datetime(2026, 12, 30, 13, 0)),
    ],
)
def test_dates_organisers_write_are_read_in_the_movements_zone(text, expected):
    assert parse_organiser_date(text, NOUMEA) == expected


def test_summer_and_winter_time_in_paris():
    assert parse_organiser_date("01/07/2026 12:00", PARIS) == datetime(2026, 7, 1, 10, 0)
    assert parse_organiser_date("01/12/2026 12:00", PARIS) == datetime(2026, 12, 1, 11, 0)


@pytest.mark.parametrize("text", ["", "31/13/2026", "32/12/2026", "12/2026", "yesterday", "2026"])
def test_anything_else_is_refused_saying_what_is_expected(text):
    with pytest.raises(ValueError, match="expected a date such as 31/12/2026"):
        parse_organiser_date(text, UTC)
