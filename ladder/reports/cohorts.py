"""Join cohorts: of the people who joined in each month (or week), the share who reached each
rung within N days, and the median days it took, from the level history
(:mod:`ladder.reports.history`).

One row per cohort, from the one holding ``window.since`` (else the first join) to the one
holding ``window.until``, with these keys:

- ``cohort``: ``2026-11`` (or ``2026-W48``), the local month or week people joined in;
- ``people``: how many joined then (erased and merged records left out);
- for each rung but the first (everyone is on a rung from the start), and each N of
  ``within``: ``<rung>_<N>d``, the share (0 to 1, three decimals) of the cohort who reached the
  rung, or a higher one, less than N days after joining; blank (None) while the cohort is not
  N days old at the report's end (someone in it could still get there in time), and for an
  empty cohort;
- ``<rung>_median_days``: the median whole days to reach it, among the cohort's people who had
  reached it by the report's end (None if nobody had).

"Reached" is the first level change to the rung or above, before the report's end; someone who
joined on it (an import) reached it on day 0. A lapse does not undo it; a rung the ladder file no
longer has (renamed) is below every rung.

Two statements (:func:`ladder.reports.history.read_history`): joins per local day and rung
today; then, reading the ordered history once, the first changes of people with changes (the
rung they joined on) and, per local day of join, rung and whole days, how many people first
reached the rung that many days after joining (a histogram folded into cohorts, shares and
medians in Python).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection

from ladder.domain.ladderfile import LadderFile
from ladder.errors import MisuseError
from ladder.reports.history import HistoryRead, read_history
from ladder.reports.periods import Every, Period, local_day, period_of, periods_between
from ladder.reports.window import Window

WITHIN = [30, 90, 180]
MOST_DAYS = 36_600  # a century: more is surely a typing slip


def within_days(text: str) -> list[int]:
    """``"30,90,180"`` -> ``[30, 90, 180]``; a clear error for anything but positive days."""
    days = []
    for part in text.split(","):
        part = part.strip().lower().removesuffix("d")
        if not (part.isascii() and part.isdigit()) or not 0 < int(part) <= MOST_DAYS:
            raise MisuseError(
                f"--within takes whole days between 1 and {MOST_DAYS}, separated by commas "
                f"(30,90,180), not {text!r}"
            )
        days.append(int(part))
    return sorted(set(days))


def cohort_columns(ladder: LadderFile, within: list[int]) -> list[str]:
    """The keys of :func:`cohorts`' rows, in order."""
    columns = ["cohort", "people"]
    for rung in ladder.rung_names[1:]:
        columns += [f"{rung}_{days}d" for days in within]
        columns.append(f"{rung}_median_days")
    return columns


def cohorts(
    connection: Connection,
    ladder: LadderFile,
    window: Window,
    zone: tzinfo,
    within: list[int],
    every: Every = Every.MONTH,
    read: HistoryRead | None = None,
) -> list[dict[str, Any]]:
    """The cohort rows, oldest first; no row when nobody joined in the window. ``read``: the
    history already read for the same window and zone (with what people reached)."""
    if not within or any(not 0 < days <= MOST_DAYS for days in within):
        raise MisuseError(f"--within takes whole days between 1 and {MOST_DAYS}, not {within}")
    within = sorted(set(within))
    if read is None:
        read = read_history(connection, ladder, window, zone, moves=False)
    sizes, initial, reached = _sizes_and_first_rungs(ladder, read)
    if not sizes:
        return []
    last = window.last_day(zone)
    first = local_day(window.since, zone) if window.since is not None else min(sizes)
    periods = periods_between(min(first, last), last, every)
    people = _fold(sizes.items(), periods)
    days_to: dict[tuple[Period, int], Counter[int]] = defaultdict(Counter)
    for (day, rank), histogram in [*initial.items(), *reached.items()]:
        days_to[(period_of(day, every), rank)].update(histogram)
    rows = []
    for period in periods:
        row: dict[str, Any] = {"cohort": period.label, "people": people[period]}
        for rank, rung in enumerate(ladder.rung_names[1:], start=1):
            histogram = days_to[(period, rank)]
            for days in within:
                old_enough = period.ends_at(zone) + timedelta(days=days) <= window.until
                got = sum(n for d, n in histogram.items() if d < days)
                share = round(got / people[period], 3) if people[period] and old_enough else None
                row[f"{rung}_{days}d"] = share
            row[f"{rung}_median_days"] = median(histogram)
        rows.append(row)
    return rows


def median(histogram: Counter[int]) -> float | int | None:
    """The median of values given as ``{value: how many}``; None when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while middle and middle[0] < seen:
            found.append(value)
            middle.pop(0)
    result = sum(found) / 2
    return int(result) if result.is_integer() else result


def _fold(counts: Iterable[tuple[date, int]], periods: list[Period]) -> dict[Period, int]:
    totals = dict.fromkeys(periods, 0)
    for day, n in counts:
        period = period_of(day, periods[0].every)
        if period in totals:
            totals[period] += n
    return totals


def _sizes_and_first_rungs(
    ladder: LadderFile, read: HistoryRead
) -> tuple[dict[date, int], dict[tuple[date, int], Counter[int]], Any]:
    """People who joined in the window per local day; per (day, rung rank), how many joined on
    that rung or higher (reached it on day 0); and per (day, rung rank), the histogram of the
    whole days it took the others to reach it. The rung people joined on is today's for those
    without a change, else the one their first change left."""
    ranks = {name: index for index, name in enumerate(ladder.rung_names)}
    sizes: Counter[date] = Counter()
    on: dict[date, Counter[int]] = defaultdict(Counter)
    for joined_on, rung, _status, inside, n in read.joins:
        if inside:
            sizes[joined_on] += n
            on[joined_on][ranks.get(rung, -1)] += n
    if not sizes or len(ladder.rung_names) < 2:
        return dict(sizes), {}, {}
    for joined_on, now, _status, then, _then_status, inside, n in read.first_changes:
        if inside:
            on[joined_on][ranks.get(now, -1)] -= n
            on[joined_on][ranks.get(then, -1)] += n
    initial: dict[tuple[date, int], Counter[int]] = defaultdict(Counter)
    for joined_on, joined_ranks in on.items():
        for joined_rank, n in joined_ranks.items():
            for reached_rank in range(1, joined_rank + 1):
                initial[(joined_on, reached_rank)][0] += n
    reached: dict[tuple[date, int], Counter[int]] = defaultdict(Counter)
    for joined_on, rank, days, n in read.reached:
        reached[(joined_on, rank)][max(days, 0)] += n
    return dict(sizes), initial, reached
