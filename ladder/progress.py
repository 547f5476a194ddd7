"""How long work tells a front end how far it has got, without knowing who is watching.

A use case that takes a while (seeding, an import, promotion, a report, an export) accepts a
``progress`` argument and calls it as it goes; the CLI passes a bar on standard error when that
is a terminal (``cli/progress.py``), everything else passes :data:`SILENT`. The library never
prints.

    def import_rows(..., progress: Progress = SILENT):
        progress.start("Importing people", total=len(chunks))
        for chunk in chunks:
            ...
            progress.advance()
        progress.finish()

A stage of rows counts them without a call per row: ``copy_rows(..., counted(rows, progress))``
advances by :data:`EVERY` rows (and returns ``rows`` itself when nobody watches). Steps are
chunks, rules, tables or files, never single rows in a hot loop; every stage a use case starts
should end complete (its steps adding up to its total), which tests check with a recording
Progress (tests/library/test_progress_stages.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

T = TypeVar("T")
EVERY = 10_000  # rows per step when a stage counts rows


class Progress(Protocol):
    def start(self, label: str, total: int) -> None:
        """A new stage of ``total`` steps begins (a new label restarts the bar)."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more steps of the current stage are done."""

    def finish(self) -> None:
        """The work is over (the bar is cleared or completed)."""


class _Silent:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


SILENT: Progress = _Silent()


def counted(items: Iterable[T], progress: Progress, every: int = EVERY) -> Iterable[T]:
    """``items`` unchanged, advancing ``progress`` by ``every`` each ``every`` items and by
    the remainder at the end: a stage of rows counts them without a call per row. With
    :data:`SILENT`, ``items`` itself (nothing added to the loop)."""
    if progress is SILENT:
        return items
    return _counting(items, progress, every)


def _counting(items: Iterable[T], progress: Progress, every: int) -> Iterator[T]:
    done = 0
    for done, item in enumerate(items, 1):
        if done % every == 0:
            progress.advance(every)
        yield item
    if done % every:
        progress.advance(done % every)
