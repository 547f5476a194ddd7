"""The retention sweep: erase everyone with no activity for a period (GDPR art. 5(1)(e)).

``sweep(engine, parse_period("3y"), actor)`` erases, with :func:`ladder.privacy.erasure.
erase_people` (one statement per table), every live person whose last activity is older than
the period; ``dry_run=True`` only counts them. One audit entry names them all (copied with
one ``INSERT ... SELECT``).

Activity (what keeps a person): any of these at or after the cutoff --
- joining (``supporters.created_at``);
- an action (``actions.occurred_at``);
- an RSVP or a check-in (``attendances.rsvp_at``, ``checked_in_at``), or being marked present
  at an event that started then;
- hosting an event that started then;
- a consent statement (``consent_records.recorded_at``);
- a change of rung or status, except a lapse (the rules lapse people for being quiet);
- recruiting someone who joined then.
Not activity: being invited or contacted, an organiser editing their details (things done to
them, not by them).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Engine, Integer, Select, bindparam, column, func, select, text

from ladder.clock import utcnow
from ladder.errors import MisuseError
from ladder.privacy.erasure import Erasure, erase_people, erasing, scrub_storage
from ladder.storage.engine import reading

_PERIOD = re.compile(r"([0-9]{1,6})\s*([ymd])")
_UNITS = {"y": "year", "m": "month", "d": "day"}
MAX_YEARS = 200


@dataclass(frozen=True)
class Period:
    """A span people type: ``3y``, ``18m``, ``90d`` (years and months are calendar ones)."""

    amount: int
    unit: str  # y, m or d

    def before(self, moment: datetime) -> datetime:
        """``moment`` minus the period (the 29th of February a year back is the 28th)."""
        if self.unit == "d":
            return moment - timedelta(days=self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
        day = min(moment.day, monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day)

    def __str__(self) -> str:
        plural = "" if self.amount == 1 else "s"
        return f"{self.amount} {_UNITS[self.unit]}{plural}"


def parse_period(value: str) -> Period:
    """``3y`` / ``18m`` / ``90d`` as a :class:`Period`, or a one-line MisuseError."""
    found = _PERIOD.fullmatch(value.strip().lower())
    if not found:
        raise MisuseError(f"{value!r} is not a period: give years, months or days (3y, 18m, 90d)")
    period = Period(int(found.group(1)), found.group(2))
    if period.amount == 0:
        raise MisuseError(f"{value!r} is no time at all: give a period of at least 1 day")
    months = {"y": 12, "m": 1}.get(period.unit)
    days = period.amount * 31 * months if months else period.amount
    if days > MAX_YEARS * 366:
        raise MisuseError(f"{value!r} is more than {MAX_YEARS} years: give a shorter period")
    return period


@dataclass
class SweepReport:
    period: Period
    cutoff: datetime  # no activity at or after this moment
    dry_run: bool
    inactive: int = 0  # people found (and, unless a dry run, erased)
    erasure: Erasure | None = None


_LIVE = "s.status <> 'erased' AND s.merged_into_id IS NULL"
# one NOT EXISTS per kind of activity: each an index probe per person (person, time) where the
# schema has one
_ACTIVE_SINCE = (
    "SELECT 1 FROM actions a WHERE a.supporter_id = s.id AND a.occurred_at >= :cutoff",
    "SELECT 1 FROM attendances t WHERE t.supporter_id = s.id AND (t.rsvp_at >= :cutoff "
    "OR t.checked_in_at >= :cutoff OR (t.presence = 'attended' AND t.event_id IN "
    "(SELECT e.id FROM events e WHERE e.starts_at >= :cutoff)))",
    "SELECT 1 FROM events h WHERE h.host_id = s.id AND h.starts_at >= :cutoff",
    "SELECT 1 FROM consent_records c WHERE c.supporter_id = s.id AND c.recorded_at >= :cutoff",
    "SELECT 1 FROM level_changes l WHERE l.supporter_id = s.id AND l.changed_at >= :cutoff "
    "AND (l.to_status IS NULL OR l.to_status <> 'lapsed')",
    "SELECT 1 FROM supporters r WHERE r.recruiter_id = s.id AND r.created_at >= :cutoff",
)


def inactive_people(cutoff: datetime) -> Select[Any]:
    """The ids of the live people with no activity at or after ``cutoff`` (one SELECT)."""
    quiet = " AND ".join(f"NOT EXISTS ({probe})" for probe in _ACTIVE_SINCE)
    sql = f"SELECT s.id FROM supporters s WHERE {_LIVE} AND s.created_at < :cutoff AND {quiet}"
    inactive = text(sql).bindparams(bindparam("cutoff", cutoff, DateTime()))
    return select(inactive.columns(column("id", Integer)).subquery().c.id)


def sweep(
    engine: Engine,
    period: Period,
    actor: str,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> SweepReport:
    """Erase (or with ``dry_run`` only count) everyone inactive for ``period`` before ``now``."""
    cutoff = period.before(now or utcnow())
    report = SweepReport(period, cutoff, dry_run)
    people = inactive_people(cutoff)
    if dry_run:
        with reading(engine) as connection:
            count = select(func.count()).select_from(people.subquery())
            report.inactive = int(connection.execute(count).scalar_one())
        return report
    with erasing(engine) as connection:
        with connection.begin():
            erasure = erase_people(
                connection,
                people,
                now or utcnow(),
                actor,
                "privacy sweep",
                {"inactive_for": str(period)},
            )
        scrub_storage(connection, erasure)
    report.inactive, report.erasure = erasure.people, erasure
    return report
