"""The recruiters' leaderboard over time: reach gained per week or month.

``recruiter_report(connection, ladder, window, every, zone, limit)`` returns one row per
recruiter, best first, with the keys

- ``rank``: 1 for the recruiter who gained the most reach in the window (ties by id);
- ``id``, ``name``: the recruiter (an erased one as "(erased #12)", as on `recruiters top`);
- ``reach_gained``: people who joined (created_at) in the window anywhere below the recruiter
  (their recruits, their recruits' recruits, at any depth);
- ``reach``: everybody below the recruiter who had joined by the window's end;
- one key per period, its label (``2026-11``, or ``2026-W48`` by week): the reach gained in
  that period. The first and last periods are cut by the window.

:func:`period_columns` gives the period keys for a window (also when there is no row).
Chains run through everybody, as on the leaderboard: a recruit who joined before the window
still passes on the people below them. With a local group, the recruiters are that group's;
their recruits count wherever they live. Merged records are not nodes (ladder.recruitment.edges).

How: the recruitment forest as parent-pointer arrays, the period each recruit joined in read
by one query (a ``CASE`` over the periods' ends), then one linear pass per period
(:func:`ladder.recruitment.metrics.reach_only`) and one for the reach at the end. Never a
query or a graph walk per person.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, tzinfo
from typing import Any

import numpy as np
from sqlalchemy import Connection

from ladder.clock import day_start
from ladder.domain.ladderfile import LadderFile
from ladder.recruitment.edges import (
    _time_param,
    fetch_rows,
    ids_in_group,
    person_labels,
    read_edges,
)
from ladder.recruitment.forest import Forest, Levels
from ladder.recruitment.metrics import reach_only
from ladder.reports.periods import Every, Period, local_day, period_of, periods_between
from ladder.reports.window import Window

COLUMNS = ["rank", "id", "name", "reach_gained", "reach"]
DEFAULT_PERIODS = 12
FIRST_JOIN_SQL = (
    "SELECT MIN(created_at) FROM supporters WHERE recruiter_id IS NOT NULL AND created_at < ?"
)


def recruiter_report(
    connection: Connection,
    ladder: LadderFile,
    window: Window,
    every: Every,
    zone: tzinfo,
    limit: int | None = 10,
) -> list[dict[str, Any]]:
    """The rows (keys: ``COLUMNS`` then :func:`period_columns`), best first; ``limit`` None
    for every recruiter who gained reach in the window. ``ladder`` is unused today (the
    signature every report shares)."""
    del ladder
    periods = report_periods(connection, window, every, zone)
    if not periods:
        return []
    forest = Forest.from_edges(*read_edges(connection))
    if forest.size == 0:
        return []
    levels = Levels.of(forest.parent)
    joined = _joined_period(connection, forest, window, periods, zone)
    gained = np.zeros((len(periods), forest.size), dtype=np.int32)  # 4 bytes x periods x nodes
    for index in range(len(periods)):
        gained[index] = reach_only(forest, joined == index, levels)
    total = gained.sum(axis=0, dtype=np.int64)
    candidates = np.flatnonzero(total > 0)
    if window.group_id is not None:
        in_group = forest.mask_of(ids_in_group(connection, window.group_id))
        candidates = candidates[in_group[candidates]]
    ranked = candidates[np.lexsort((forest.ids[candidates], -total[candidates]))]
    if limit is not None:
        ranked = ranked[:limit]
    reach = reach_only(forest, joined >= -1, levels)
    names = person_labels(connection, forest.ids[ranked].tolist())
    rows = []
    for rank, node in enumerate(ranked.tolist(), start=1):
        person = int(forest.ids[node])
        row: dict[str, Any] = {
            "rank": rank,
            "id": person,
            "name": names.get(person, f"#{person}"),
            "reach_gained": int(total[node]),
            "reach": int(reach[node]),
        }
        for index, period in enumerate(periods):
            row[period.label] = int(gained[index, node])
        rows.append(row)
    return rows


def period_columns(connection: Connection, window: Window, every: Every, zone: tzinfo) -> list[str]:
    """The period keys of :func:`recruiter_report`'s rows, in order."""
    return [period.label for period in report_periods(connection, window, every, zone)]


def report_periods(
    connection: Connection, window: Window, every: Every, zone: tzinfo
) -> list[Period]:
    """The periods the window spans; without ``since``, from the first recruit's join."""
    since = window.since
    if since is None:
        first = fetch_rows(connection, FIRST_JOIN_SQL, [_time_param(connection, window.until)])
        since = _as_datetime(first[0][0]) if first and first[0][0] is not None else None
    if since is None or since >= window.until:
        return []
    last = window.last_day(zone)
    return periods_between(local_day(since, zone), last, every)


def default_since(until: datetime, every: Every, zone: tzinfo) -> datetime:
    """The start of the window the command shows without --since: the last
    ``DEFAULT_PERIODS`` weeks or months, the current one included."""
    start = period_of(Window(until).last_day(zone), every)
    for _ in range(DEFAULT_PERIODS - 1):
        start = period_of(start.start - timedelta(days=1), every)
    return day_start(start.start, zone)


def _joined_period(
    connection: Connection, forest: Forest, window: Window, periods: list[Period], zone: tzinfo
) -> np.ndarray:
    """Per node: the index of the period its person joined in; -1 if they joined before the
    window, -2 if after it (or not a recruit: only recruits are ever counted)."""
    ends = [min(period.ends_at(zone), window.until) for period in periods[:-1]]
    param = [_time_param(connection, moment) for moment in ends]
    branches = " ".join(f"WHEN created_at < ? THEN {index}" for index in range(len(ends)))
    since = window.since
    before = "WHEN created_at < ? THEN -1 " if since is not None else ""
    which = f"CASE {before}{branches} ELSE {len(periods) - 1} END" if ends or before else "0"
    sql = f"SELECT id, {which} FROM supporters WHERE recruiter_id IS NOT NULL AND created_at < ?"
    params = ([_time_param(connection, since)] if since is not None else []) + param
    rows = fetch_rows(connection, sql, [*params, _time_param(connection, window.until)])
    flat = itertools.chain.from_iterable(rows)
    pairs = np.fromiter(flat, dtype=np.int64, count=2 * len(rows)).reshape(-1, 2)
    joined = np.full(forest.size, -2, dtype=np.int64)
    index = forest.index_of(pairs[:, 0])
    inside = index >= 0
    joined[index[inside]] = pairs[inside, 1]
    return joined


def _as_datetime(value: Any) -> datetime:
    """SQLite hands a raw cursor's times back as ISO text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
