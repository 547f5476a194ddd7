"""Time in one place: naive UTC datetimes, as stored in the database.

Storage is always naive UTC. People type and read times in the movement's time zone (see
``ladder.settings.resolve_zone``); :func:`to_utc` and :func:`to_local` are the only
conversions between the two. A wall-clock time that does not exist (skipped when clocks go
forward) or exists twice (when they go back) is read with ``fold=0``: the offset in force
before the change, so 02:30 on a spring-forward night is 03:30 summer time, and 02:30 on an
autumn night is the first 02:30 (summer time). The result is the same on every machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc(local: datetime, zone: tzinfo) -> datetime:
    """A wall-clock time in ``zone`` (naive; an aware one keeps its own offset) -> naive UTC."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone, fold=0)
    return local.astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime, zone: tzinfo) -> datetime:
    """A stored naive UTC time -> an aware datetime in ``zone`` (it carries its offset)."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


def day_start(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of ``day`` in ``zone``, as naive UTC."""
    return to_utc(datetime.combine(day, time()), zone)


def local_today(zone: tzinfo) -> date:
    """Today's date in ``zone``."""
    return to_local(utcnow(), zone).date()
