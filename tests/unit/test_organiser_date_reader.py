"""``DateReader`` (each hour's offset remembered, the common form read without the regular
expression) reads every cell as a zone conversion per cell does: around daylight-saving changes
too, in zones that move by an hour or by half an hour, one reader for many cells."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.actions.dates import DateReader, day_first
from ladder.clock import to_utc

ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "UTC"]
FORMS = ["%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
# the days around each zone's changes in 2026
CHANGES = [datetime(2026, 3, 8), datetime(2026, 3, 29), datetime(2026, 4, 5),
           datetime(2026, 10, 4), datetime(2026, 10, 25), datetime(2026, 11, 1)]  # fmt: skip
READERS = {name: DateReader(ZoneInfo(name)) for name in ZONES}  # shared: their caches fill up


def _reference(text: str, zone: ZoneInfo) -> datetime:
    typed = text.strip()
    return to_utc(day_first(typed) or datetime.fromisoformat(typed), zone)


@settings(max_examples=500, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    day=st.sampled_from(CHANGES),
    minutes=st.integers(min_value=-6 * 60, max_value=30 * 60),
    form=st.sampled_from(FORMS),
)
def test_a_reader_reads_each_cell_as_a_conversion_per_cell(zone, day, minutes, form):
    text = (day + timedelta(minutes=minutes)).strftime(form)
    assert READERS[zone](text) == _reference(text, ZoneInfo(zone))


@pytest.mark.parametrize("text", ["31/02/2026 10:00", "29/10/2026 24:00", "29/10/2026 10:60"])
def test_a_date_that_does_not_exist_is_refused_after_its_hour_was_read(text):
    reader = DateReader(ZoneInfo("Europe/Paris"))
    reader("29/10/2026 10:59")  # the hour 10 of that day remembered
    with pytest.raises(ValueError, match="is not a date"):
        reader(text)


@pytest.mark.parametrize("zone", ZONES)
def test_every_minute_around_the_changes_read_twice_by_one_reader(zone):
    """The second reading of each cell comes from the hours remembered by the first."""
    reader, tz = DateReader(ZoneInfo(zone)), ZoneInfo(zone)
    cells = [
        (day + timedelta(minutes=m)).strftime("%d/%m/%Y %H:%M")
        for day in CHANGES
        for m in range(-60, 26 * 60, 7)
    ]
    for text in cells + cells:
        assert reader(text) == _reference(text, tz), text
