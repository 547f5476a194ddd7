"""Dates and times as people type and read them: in the movement's time zone.

Everything stored is naive UTC (``ladder.clock``). :class:`LocalTime` is the one click type for
a typed date or time: it reads it as wall-clock time in the workspace's zone (resolved after
the root options, from ``$LADDER_TZ``, the ladder file or the machine) and gives naive UTC.
:func:`shown` turns a stored time back into local time for output (``cli.output`` calls it).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from typing import Any

import click

from ladder.actions.dates import day_first
from ladder.clock import day_start, local_today, reader_zone, to_local, to_utc, utcnow
from ladder.settings import machine_zone

DAYS_AGO = re.compile(r"([0-9]+)\s*d")
# The moments a movement's records can name: wide enough for anyone's history and plans, narrow
# enough that windows (a rule's 180 days, a day either side) never leave Python's dates.
EARLIEST = datetime(1900, 1, 1)
LATEST = datetime(2999, 12, 31, 23, 59, 59)


class LocalTime(click.ParamType):
    """``2026-12-05``, ``2026-12-05 18:00`` or ``2026-12-05T18:00`` in the movement's zone
    (an explicit offset, ``...+11:00``, is kept); a bare date is its local midnight. With
    ``days_ago``, ``90d`` means 90 days before now. With ``day_first``, dates as organisers
    write them too: ``05/12/2026``, ``05/12/2026 18:00``. The value is naive UTC."""

    name = "DATE"

    def __init__(self, days_ago: bool = False, day_first: bool = False) -> None:
        self.days_ago = days_ago
        self.day_first = day_first
        if days_ago:
            self.name = "DATE|Nd"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        days = DAYS_AGO.fullmatch(text) if self.days_ago else None
        if days:
            now = utcnow()
            if int(days.group(1)) > (now - EARLIEST).days:
                self.fail(f"{text} goes back before {EARLIEST:%Y-%m-%d}: give fewer days")
            return now - timedelta(days=int(days.group(1)))
        try:
            typed = (self.day_first and day_first(text)) or datetime.fromisoformat(text)
        except ValueError:
            ago = " or a number of days (90d)" if self.days_ago else ""
            if self.day_first:
                self.fail(
                    f"{text!r} is not a date (2026-12-05, 05/12/2026) or time "
                    f"(2026-12-05 18:00, 05/12/2026 18:00){ago}"
                )
            self.fail(f"{text!r} is not a date (2026-12-05) or time (2026-12-05 18:00){ago}")
        if not EARLIEST <= typed.replace(tzinfo=None) <= LATEST:
            self.fail(
                f"{text} is out of range: give a date between {EARLIEST:%Y-%m-%d} "
                f"and {LATEST:%Y-%m-%d}"
            )
        return to_utc(typed, zone())


def zone() -> tzinfo:
    """The movement's time zone: the one the command's workspace named for the whole run
    (``cli.context.make_workspace``), which the library's messages use too."""
    return reader_zone() or machine_zone()


def shown(moment: datetime) -> datetime:
    """A stored naive UTC time as an aware local time (print it, or ``isoformat`` it)."""
    return to_local(moment, zone())


def local_text(moment: datetime, timespec: str = "minutes") -> str:
    """``2026-12-05 18:00``: a stored time as local wall-clock text."""
    return shown(moment).replace(tzinfo=None).isoformat(sep=" ", timespec=timespec)


def today_start() -> datetime:
    """Local midnight at the start of today, as naive UTC."""
    here = zone()
    return day_start(local_today(here), here)


DURATION = re.compile(r"([0-9]{1,6})\s*([mhdw])")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Expiry(click.ParamType):
    """When something stops working: a duration from now (``90m``, ``12h``, ``30d``, ``2w``)
    or a local date or time (``2026-12-31``, ``2026-12-31 18:00``). The value is naive UTC."""

    name = "DURATION|DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip().lower()
        span = DURATION.fullmatch(text)
        if span:
            delta = timedelta(**{UNITS[span.group(2)]: int(span.group(1))})
            if utcnow() + delta > LATEST:
                self.fail(f"{text} ends after {LATEST:%Y-%m-%d}: give a shorter time")
            return utcnow() + delta
        try:
            return LocalTime().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(
                f"{str(value)!r} is not a duration (90m, 12h, 30d, 2w) or a date "
                "(2026-12-31, 2026-12-31 18:00)"
            )
