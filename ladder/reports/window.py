"""What a report covers: a time window and, optionally, one local group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, true

from ladder.clock import to_local
from ladder.errors import MisuseError


@dataclass(frozen=True)
class Window:
    """From ``since`` (None: the beginning) to ``until``, both naive UTC, in one local group
    (``group_id``, with its name for titles) or everywhere."""

    until: datetime
    since: datetime | None = None
    group_id: int | None = None
    group_name: str | None = None

    def last_day(self, zone: tzinfo) -> date:
        """The last local day the window covers (``until`` itself is not covered)."""
        return to_local(self.until - timedelta(microseconds=1), zone).date()

    def covers(self, column: Any) -> ColumnElement[bool]:
        """``since <= column < until``."""
        after = column >= self.since if self.since is not None else true()
        return and_(after, column < self.until)


def report_window(
    connection: Connection, until: datetime, since: datetime | None, group: str | None
) -> Window:
    """The window a report command asked for; the group found by name as everywhere
    (accents and case ignored, "did you mean"); a window that ends before it starts refused."""
    from ladder.recruitment.leaderboard import find_group

    if since is not None and since >= until:
        raise MisuseError("--since must be before the report's end: give an earlier date")
    if group is None:
        return Window(until, since)
    found = find_group(connection, group)
    return Window(until, since, found.id, found.name)
