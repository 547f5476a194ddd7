"""Turn the generated arrays into database rows (tuples in column order), chunk by chunk.

Timestamps are written as text in SQLAlchemy's own SQLite format (``YYYY-MM-DD HH:MM:SS.ffffff``),
which PostgreSQL's COPY also reads, so both databases get the same values. Ids are explicit
(1-based, in generation order) so recruiters and hosts can be referenced without a round trip.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from seeds.population import DAY

CHUNK = 100_000
Row = tuple[Any, ...]


class Clock:
    """Seconds relative to the anchor -> timestamp text, fast (cached per day and second)."""

    def __init__(self, anchor: datetime) -> None:
        self.anchor = anchor.replace(hour=0, minute=0, second=0, microsecond=0)
        self.offset = int((anchor - self.anchor).total_seconds())
        self._days: dict[int, str] = {}
        self._seconds = [
            f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000" for s in range(DAY)
        ]

    def texts(self, seconds: np.ndarray, missing: np.ndarray | None = None) -> list[str | None]:
        shifted = seconds + self.offset
        days = (shifted // DAY).tolist()
        times = (shifted % DAY).tolist()
        for day in set(days) - self._days.keys():
            self._days[day] = (self.anchor + timedelta(days=day)).strftime("%Y-%m-%d")
        names, clock = self._days, self._seconds
        out: list[str | None] = [names[d] + clock[t] for d, t in zip(days, times, strict=True)]
        if missing is not None:
            for i in np.flatnonzero(missing).tolist():
                out[i] = None
        return out

    def date_text(self, seconds: int) -> str:
        return (self.anchor + timedelta(seconds=seconds + self.offset)).strftime("%Y-%m-%d")


def ids(indices: np.ndarray) -> list[int | None]:
    """0-based indices -> 1-based ids; negative (NONE) -> NULL."""
    return [i + 1 if i >= 0 else None for i in indices.tolist()]


def chunked(size: int, build: Any) -> Iterator[Row]:
    """Yield rows from ``build(start, stop)`` (which returns column lists) chunk by chunk."""
    for start in range(0, size, CHUNK):
        columns: Sequence[list[Any]] = build(start, min(size, start + CHUNK))
        yield from zip(*columns, strict=True)


def pick(values: Sequence[Any], indices: np.ndarray) -> list[Any]:
    return [values[i] for i in indices.tolist()]


def flags(values: np.ndarray) -> list[bool]:
    return [bool(v) for v in values.tolist()]
