"""The ladder funnel over time: how many people stood on each rung at the end of each week or
month, and how many moved between rungs in it, read from the level history (what was true
then, never recomputed with today's rules; :mod:`ladder.reports.history`).

One row per period, from the period holding ``window.since`` (else the first person's join) to
the one holding ``window.until``, with these keys:

- ``period``: ``2026-11`` or ``2026-W48``; ``ends``: the last local day counted (the period's
  last day, or the report's end for the period still running);
- ``people``: people in the base at the period's end (active and lapsed);
- one key per rung (its name; ``rung_<name>`` if a rung is called like one of these keys):
  active people on it at the period's end; rungs the ladder file no longer has (renamed) come
  after the ladder's, while someone stands on them;
- ``lapsed``: people whose status was lapsed at the period's end, whatever their rung;
- ``joined``: people who joined in the period;
- ``up`` / ``down``: level changes in the period to a higher / lower rung (a change to or from a
  rung the ladder no longer has is neither);
- ``lapsing`` / ``reactivated``: changes from active to lapsed / from lapsed to active.

Figures counting what happened (``joined`` and the moves) count only inside the window: the
first period starts at ``since``; the counts on rungs are always the whole base's at the end.
Erased people and merged records are left out (a merged record's history counts under the
person it was merged into); ``group`` is the person's local group today.

Two statements whatever the number of periods (:func:`ladder.reports.history.read_history`):
joins per local day and state; then, reading the ordered history once, first changes per local
day of join and state, and changes per local day and move; the days are then folded into
periods in Python (:mod:`ladder.reports.periods`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import Connection

from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import SupporterStatus
from ladder.reports.history import HistoryRead, read_history
from ladder.reports.periods import Every, Period, local_day, period_of, periods_between
from ladder.reports.window import Window

State = tuple[str, str]  # (rung, status)
MOVES = ["joined", "up", "down", "lapsing", "reactivated"]
FIXED = ["period", "ends", "people", "lapsed", *MOVES]


def funnel(
    connection: Connection,
    ladder: LadderFile,
    window: Window,
    every: Every,
    zone: tzinfo,
    read: HistoryRead | None = None,
) -> list[dict[str, Any]]:
    """The funnel's rows, oldest period first; no row when nobody had joined by the end.
    ``read``: the history already read for the same window and zone (with its moves)."""
    if read is None:
        read = read_history(connection, ladder, window, zone, reached=False)
    history = _History(ladder)
    history.add_joins(read.joins)
    history.add_first_changes(read.first_changes)
    history.add_changes(read.changes)
    if not history.days:
        return []
    last = window.last_day(zone)
    first = local_day(window.since, zone) if window.since is not None else min(history.days)
    periods = periods_between(min(first, last), last, every)
    return history.rows(periods, last)


def funnel_columns(ladder: LadderFile, rows: list[dict[str, Any]]) -> list[str]:
    """The keys of :func:`funnel`'s rows in order (the ladder's rungs when there is no row)."""
    if rows:
        return list(rows[0])
    return ["period", "ends", "people", *rung_keys(ladder.rung_names).values(), *FIXED[3:]]


def rung_keys(names: Iterable[str]) -> dict[str, str]:
    """rung name -> its key in a row: the name, or ``rung_<name>`` when it is a fixed key."""
    return {name: f"rung_{name}" if name in FIXED else name for name in names}


class _History:
    """Per local day: the change in the count of each state, and the moves."""

    def __init__(self, ladder: LadderFile) -> None:
        self.ladder = ladder
        self.rank = {name: index for index, name in enumerate(ladder.rung_names)}
        self.states: dict[date, Counter[State]] = defaultdict(Counter)
        self.moves: dict[date, Counter[str]] = defaultdict(Counter)
        self.days: set[date] = set()

    def add_joins(self, rows: Iterable[Any]) -> None:
        for day, rung, status, inside, people in rows:
            self.states[day][(rung, status)] += people
            self.moves[day]["joined"] += people if inside else 0
            self.days.add(day)

    def add_first_changes(self, rows: Iterable[Any]) -> None:
        """People with a change joined in the state before it, not in today's."""
        for day, now_rung, now_status, rung, status, _inside, people in rows:
            self.states[day][(now_rung, now_status)] -= people
            self.states[day][(rung, status)] += people

    def add_changes(self, rows: Iterable[Any]) -> None:
        for day, rung, status, to_rung, to_status, inside, changes in rows:
            self.states[day][(rung, status)] -= changes
            self.states[day][(to_rung, to_status)] += changes
            if inside:
                self.moves[day].update(self._moves(rung, status, to_rung, to_status, changes))

    def _moves(self, rung: str, status: str, to_rung: str, to_status: str, n: int) -> Counter[str]:
        moves: Counter[str] = Counter()
        if rung in self.rank and to_rung in self.rank:
            if self.rank[to_rung] > self.rank[rung]:
                moves["up"] += n
            elif self.rank[to_rung] < self.rank[rung]:
                moves["down"] += n
        if status == SupporterStatus.ACTIVE and to_status == SupporterStatus.LAPSED:
            moves["lapsing"] += n
        if status == SupporterStatus.LAPSED and to_status == SupporterStatus.ACTIVE:
            moves["reactivated"] += n
        return moves

    def rows(self, periods: list[Period], last: date) -> list[dict[str, Any]]:
        at_end = self._states_at_ends(periods)
        moved = self._moves_per_period(periods)
        names = self._rung_names(at_end.values())
        keys = rung_keys(names)
        rows = []
        for period in periods:
            states = at_end[period]
            row: dict[str, Any] = {
                "period": period.label,
                "ends": min(period.last_day, last),
                "people": sum(states.values()),
            }
            for name in names:
                row[keys[name]] = states[(name, SupporterStatus.ACTIVE)]
            row["lapsed"] = sum(n for (_, status), n in states.items() if status == "lapsed")
            row.update({move: moved[period][move] for move in MOVES})
            rows.append(row)
        return rows

    def _states_at_ends(self, periods: list[Period]) -> dict[Period, Counter[State]]:
        """The count on each state at each period's end: running sums over the days."""
        running: Counter[State] = Counter()
        days = iter(sorted(self.states))
        day = next(days, None)
        found = {}
        for period in periods:
            while day is not None and day < period.end:
                running.update(self.states[day])
                day = next(days, None)
            found[period] = +running  # drops the states nobody is on
        return found

    def _moves_per_period(self, periods: list[Period]) -> dict[Period, Counter[str]]:
        found: dict[Period, Counter[str]] = {period: Counter() for period in periods}
        for day, moves in self.moves.items():
            period = period_of(day, periods[0].every)
            if period in found:
                found[period].update(moves)
        return found

    def _rung_names(self, states: Iterable[Counter[State]]) -> list[str]:
        known = self.ladder.rung_names
        others = {
            rung
            for counts in states
            for (rung, status), n in counts.items()
            if n and status == SupporterStatus.ACTIVE and rung not in known
        }
        return known + sorted(others)
