"""A time zone's offsets from UTC over the years, as SQL both databases run alike.

Reports count by the movement's calendar (a month is a month in Nouméa, not in UTC), over
columns stored as naive UTC. SQLite has no time zone database and PostgreSQL's may not know a
zone read from ``/etc/localtime``, so the offset is written into the SQL from Python's
``zoneinfo``: a ``CASE`` over the zone's transitions, nested as a balanced tree so a row costs a
handful of comparisons (about 7 for a zone with summer time over 1970 to ten years ahead), and a
constant for a zone without transitions (Nouméa, UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

from ladder.clock import utcnow

FIRST_YEAR = 1970
YEARS_AHEAD = 10

# (from this naive UTC moment, offset in minutes), oldest first; the first has no lower bound
Offsets = tuple[tuple[datetime, int], ...]


@lru_cache(maxsize=16)
def offsets(zone: tzinfo, last_year: int | None = None) -> Offsets:
    """Every offset ``zone`` takes from 1970 to ten years from now, with the UTC moment it
    starts (found day by day, then to the minute)."""
    end_year = last_year or utcnow().year + YEARS_AHEAD
    moment, end = datetime(FIRST_YEAR, 1, 1), datetime(end_year + 1, 1, 1)
    found: list[tuple[datetime, int]] = [(moment, _minutes(zone, moment))]
    while moment < end:
        following = moment + timedelta(days=1)
        if _minutes(zone, following) != found[-1][1]:
            start = _first_change(zone, moment, following)
            found.append((start, _minutes(zone, start)))
        moment = following
    return tuple(found)


def offset_case(moment: str, spans: Offsets, unit: str = "") -> str:
    """SQL for the offset in minutes of ``moment`` (SQL text): a literal, or a nested ``CASE``.
    ``unit`` is appended to each literal (``" minutes"`` gives SQLite's date modifiers)."""
    if len(spans) == 1:
        return _literal(spans[0][1], unit)
    middle = len(spans) // 2
    boundary = f"'{spans[middle][0]:%Y-%m-%d %H:%M:%S}'"
    later = offset_case(moment, spans[middle:], unit)
    earlier = offset_case(moment, spans[:middle], unit)
    return f"CASE WHEN {moment} >= {boundary} THEN {later} ELSE {earlier} END"


def _literal(minutes: int, unit: str) -> str:
    return f"'{minutes:+d}{unit}'" if unit else str(minutes)


def _minutes(zone: tzinfo, moment: datetime) -> int:
    offset = moment.replace(tzinfo=UTC).astimezone(zone).utcoffset() or timedelta()
    return int(offset.total_seconds() // 60)


def _first_change(zone: tzinfo, before: datetime, after: datetime) -> datetime:
    """The first minute in (before, after] with ``after``'s offset (offsets change at most
    once a day)."""
    wanted = _minutes(zone, after)
    low, high = before, after
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        if _minutes(zone, middle) == wanted:
            high = middle
        else:
            low = middle
    return high
