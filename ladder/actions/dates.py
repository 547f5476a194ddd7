"""Dates as organisers write them in petition and action exports, for `actions import`.

``31/12/2026``, ``31/12/2026 18:30``, ``31.12.2026``, ``31-12-2026 18:30:05`` (day first, as in
French and British exports), ``2026-12-31``, ``2026-12-31 18:30``, ``2026-12-31T18:30:05``
(ISO 8601; an explicit offset, ``+11:00`` or ``Z``, is kept). Without an offset the time is
wall-clock time in the movement's zone; a bare date is its local midnight. The result is naive
UTC, as stored. Anything else is a :class:`ValueError` whose message says what was expected.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

from ladder.clock import to_utc

_DAY_FIRST = re.compile(
    r"(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-](?P<year>\d{4})"
    r"(?:[ T](?P<hour>\d{1,2})[:h](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
)
# the form whose hours are remembered (DateReader): any text of it with the same day and
# hour, and minutes in MINUTES, reads as the regular expression reads it
_CACHED_FORM = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d", re.ASCII)
MINUTES = {f"{m:02d}": timedelta(minutes=m) for m in range(60)}
EXPECTED = "a date such as 31/12/2026, 31/12/2026 18:30 or 2026-12-31"


def parse_organiser_date(text: str, zone: tzinfo) -> datetime:
    """``text`` as naive UTC (see the module's docstring); ValueError when it is not a date."""
    return DateReader(zone)(text)


class DateReader:
    """:func:`parse_organiser_date` for the many cells of one file: a wall-clock time is
    turned to UTC with its hour's offset, found once per hour of the zone (an hour whose
    offset changes within it, a DST change, is converted time by time as :func:`to_utc`
    converts). About 3x faster than a zone conversion per cell."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self._offsets: dict[datetime, timedelta | None] = {}
        # "31/12/2026 18" -> (that hour's wall-clock start, its offset): the common
        # "31/12/2026 18:30" read without the regular expression
        self._hours: dict[str, tuple[datetime, timedelta]] = {}

    def __call__(self, text: str) -> datetime:
        if len(text) == 16 and text[13] == ":":
            cached = self._hours.get(text[:13])
            minute = MINUTES.get(text[14:])
            if cached is not None and minute is not None:
                return cached[0] + minute - cached[1]
        typed = text.strip()
        if not typed:
            raise ValueError(f"no date: expected {EXPECTED}")
        try:
            moment = day_first(typed) or datetime.fromisoformat(typed.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{typed!r} is not a date: expected {EXPECTED}") from None
        if moment.tzinfo is not None:
            return to_utc(moment, self.zone)
        hour = moment.replace(minute=0, second=0, microsecond=0)
        try:
            offset = self._offsets[hour]
        except KeyError:
            offset = self._offset(hour)
            if len(self._offsets) > 100_000:
                self._offsets.clear()
            self._offsets[hour] = offset
        if offset is None:
            return to_utc(moment, self.zone)
        if _CACHED_FORM.fullmatch(typed) and len(self._hours) < 100_000:
            self._hours[typed[:13]] = (hour, offset)
        return moment - offset

    def hour_start(self, text: str) -> datetime | None:
        """For ``text`` of the common form (``31/12/2026 18:30``) read before: the UTC time of
        its wall-clock hour's start, such that any text of that hour reads as that plus its
        minutes (the hour's offset does not change within it); else None."""
        cached = self._hours.get(text[:13]) if len(text) == 16 and text[13] == ":" else None
        return None if cached is None else cached[0] - cached[1]

    def _offset(self, hour: datetime) -> timedelta | None:
        """The zone's offset through the whole ``hour`` (wall clock), None when it changes."""
        first = hour.replace(tzinfo=self.zone).utcoffset()
        last = (
            (hour + timedelta(minutes=59, seconds=59, microseconds=999_999))
            .replace(tzinfo=self.zone)
            .utcoffset()
        )
        return first if first == last else None


def day_first(text: str) -> datetime | None:
    """``31/12/2026``, ``31.12.2026 18:30``, ``31-12-2026 18h30`` as a naive wall-clock time;
    None when ``text`` is not written day first; ValueError for a day that does not exist."""
    match = _DAY_FIRST.fullmatch(text.strip())
    if not match:
        return None
    day, month, year, hour, minute, second = match.groups()
    return datetime(
        int(year),
        int(month),
        int(day),
        int(hour) if hour else 0,
        int(minute) if minute else 0,
        int(second) if second else 0,
    )
