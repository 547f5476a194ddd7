"""Time in one place: naive UTC datetimes, as stored in the database.

Storage is always naive UTC. People type and read times in the movement's time zone (see
``ladder.settings.resolve_zone``); :func:`to_utc` and :func:`to_local` are the only
conversions between the two. A wall-clock time that does not exist (skipped when clocks go
forward) or exists twice (when they go back) is read with ``fold=0``: the offset in force
before the change, so 02:30 on a spring-forward night is 03:30 summer time, and 02:30 on an
autumn night is the first 02:30 (summer time). The result is the same on every machine.

Messages the library writes (an event's date in an error, "check-in opens on ...") show times
with :func:`wall_clock`, in the zone a front end named with :func:`show_times_in` (as Django's
``timezone.activate`` does), resolved only when a message shows a time; UTC until one does.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, tzinfo

_MESSAGE_ZONE: ContextVar[Callable[[], tzinfo] | None] = ContextVar("message_zone", default=None)


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


def show_times_in(zone: Callable[[], tzinfo] | None) -> None:
    """Messages show times in ``zone()`` from now on (None: back to UTC)."""
    _MESSAGE_ZONE.set(zone)


def reader_zone() -> tzinfo | None:
    """The zone a front end named with :func:`show_times_in`, or None."""
    zone = _MESSAGE_ZONE.get()
    return zone() if zone is not None else None


def wall_clock(moment: datetime) -> str:
    """``2026-12-05 18:00``: a stored naive UTC time as the reader's wall-clock time."""
    zone = reader_zone()
    local = to_local(moment, zone) if zone is not None else moment
    return f"{local:%Y-%m-%d %H:%M}"
