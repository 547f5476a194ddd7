"""``DateCells`` (an action file's date cells as stored; the common form of an hour read
before made from that hour's stored form and the minutes) gives each cell what a reading of
that cell alone gives: the same stored text on SQLite, the same time on PostgreSQL, the same
refusal for a date in the future. Around daylight-saving changes, in zones whose offset is not
whole hours, and in the hour that holds "now"."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.actions.dates import parse_organiser_date
from ladder.actions.importing import DateCells, sqlite_time
from ladder.clock import wall_clock

ZONES = ["Europe/Paris", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"]
NOW = datetime(2026, 10, 25, 1, 30)  # UTC: 3:30 in Paris, the night its clocks go back
DAYS = [datetime(2026, 10, 4), datetime(2026, 10, 25), datetime(2026, 4, 5)]
FORMS = ["%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M"]


def _reference(text: str, zone: str, sqlite: bool) -> object:
    moment = parse_organiser_date(text, ZoneInfo(zone))
    if moment > NOW:
        return ("date", f"{wall_clock(moment)} is in the future: only actions that happened")
    return sqlite_time(moment) if sqlite else moment


def _cells(day: datetime) -> list[str]:
    return [(day + timedelta(minutes=m)).strftime(FORMS[0]) for m in range(-90, 27 * 60, 13)]


@pytest.mark.parametrize("sqlite", [True, False])
@pytest.mark.parametrize("zone", ZONES)
def test_every_cell_read_twice_by_one_reader_is_stored_as_read_alone(zone, sqlite):
    cells = DateCells(ZoneInfo(zone), NOW, sqlite)
    texts = [text for day in DAYS for text in _cells(day)]
    for text in texts + texts[::-1]:  # the second time, from the hours remembered
        assert cells(text) == _reference(text, zone, sqlite), text


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    sqlite=st.booleans(),
    texts=st.lists(
        st.tuples(
            st.sampled_from(DAYS),
            st.integers(min_value=-3 * 60, max_value=27 * 60),
            st.sampled_from(FORMS),
        ),
        min_size=1,
        max_size=30,
    ),
)
def test_any_sequence_of_cells_is_stored_as_each_read_alone(zone, sqlite, texts):
    cells = DateCells(ZoneInfo(zone), NOW, sqlite)
    for day, minutes, form in texts:
        text = (day + timedelta(minutes=minutes)).strftime(form)
        assert cells(text) == _reference(text, zone, sqlite), text


def test_a_cell_not_a_date_is_refused_after_its_hour_was_read():
    cells = DateCells(ZoneInfo("Europe/Paris"), NOW, True)
    assert cells("29/09/2026 10:59") == "2026-09-29 08:59:00.000000"
    assert cells("29/09/2026 10:07") == "2026-09-29 08:07:00.000000"  # from the hour
    for text in ("29/09/2026 10:60", "29/09/2026 10:7x", "31/02/2026 10:00"):
        field, reason = cells(text)
        assert field == "date" and "is not a date" in reason
