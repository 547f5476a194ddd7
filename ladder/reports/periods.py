"""Weeks and months on the movement's calendar, for reports that count per period.

A report's queries group by local day (:func:`ladder.storage.sqlfunc.local_date`, a few
thousand rows at most), and the report folds days into periods in Python (:func:`period_of`):
exact in every time zone, and the same on both databases. Weeks start on Monday (ISO 8601,
``2026-W48``); months are ``2026-11``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from ladder.clock import day_start, to_local
from ladder.errors import MisuseError


class Every(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, order=True)
class Period:
    """``start`` is its first local day, ``end`` the first day of the next period."""

    start: date
    end: date
    every: Every

    @property
    def label(self) -> str:
        if self.every is Every.WEEK:
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start:%Y-%m}"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def ends_at(self, zone: tzinfo) -> datetime:
        """The moment the period ends (its next day's local midnight), as naive UTC."""
        return day_start(self.end, zone)


def period_of(day: date, every: Every) -> Period:
    """The week or month ``day`` is in."""
    if every is Every.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=7), every)
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period(start, following, every)


def periods_between(first: date, last: date, every: Every) -> list[Period]:
    """Every period from the one holding ``first`` to the one holding ``last``, in order."""
    if last < first:
        raise MisuseError(f"the period ends ({last}) before it starts ({first})")
    found = [period_of(first, every)]
    while found[-1].end <= last:
        found.append(period_of(found[-1].end, every))
    return found


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The local calendar day of a stored (naive UTC) moment."""
    return to_local(moment, zone).date()
