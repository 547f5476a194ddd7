"""Progress bars on standard error, for the commands that take a while.

A command hands the library's long use case a :class:`ladder.progress.Progress` it gets from
:func:`progress_bar`, a context manager::

    from cli.progress import progress_bar

    with progress_bar() as progress:
        report = import_actions(workspace.engine, ..., progress=progress)
    click.echo(summary(report))  # results after the block: the bar is gone by then

The bar is drawn only when standard error is a terminal and ``ladder --quiet`` (``-q``) was
not given; otherwise ``progress`` is :data:`ladder.progress.SILENT` and nothing at all is
written. Leaving the block clears the bar's line, also on an error or Ctrl-C, so the
one-line error click prints next starts on a clean line. Print results after the block, not
inside it (a line printed while the bar is drawn would be cut by it).

The line shows the stage's label, a bar, the percentage, the steps done out of the total,
the time elapsed and, once it can be guessed, the time left::

    Writing 300 supporters  [##########..........]  50%  4,210/8,420  0:03 left 0:03

Cost: :meth:`TerminalBar.advance` adds and reads a clock; the line is redrawn at most
:data:`REDRAWS_PER_SECOND` times a second (plus once when a stage starts and once when it is
complete), so calling it once per chunk, rule or table is free. Do not call it per row in a
hot loop: count rows and advance per chunk of thousands.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

import click

from ladder.progress import SILENT, Progress

REDRAWS_PER_SECOND = 10
BAR_CELLS = 20
_FALLBACK_COLUMNS = 80


@contextmanager
def progress_bar(quiet: bool | None = None, stream: TextIO | None = None) -> Iterator[Progress]:
    """A bar on ``stream`` (standard error) for the work done inside the block, or
    :data:`SILENT` when ``stream`` is not a terminal or ``quiet`` (default: the root
    command's ``--quiet``). The bar's line is cleared when the block ends, however it ends."""
    stream = stream if stream is not None else sys.stderr
    if quiet is None:
        quiet = quiet_given()
    if quiet or not is_terminal(stream):
        yield SILENT
        return
    bar = TerminalBar(stream)
    try:
        yield bar
    finally:
        bar.finish()


def quiet_given() -> bool:
    """Whether the running command was given ``ladder --quiet``."""
    context = click.get_current_context(silent=True)
    return bool(context is not None and context.find_root().params.get("quiet"))


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class TerminalBar:
    """A :class:`ladder.progress.Progress` drawn on one line of a terminal (``\\r`` to
    redraw it, spaces to clear it: no escape sequence a plain terminal would show).

    ``clock`` (seconds, monotonic) and ``columns`` (the terminal's width) are there for tests.
    """

    def __init__(
        self,
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
        columns: Callable[[], int] | None = None,
    ) -> None:
        self.stream, self.clock = stream, clock
        self.columns = columns or (lambda: _terminal_columns(stream))
        self.interval = 1.0 / REDRAWS_PER_SECOND
        self.label, self.total, self.done = "", 0, 0
        self.started = self.drawn_at = 0.0
        self.width = _FALLBACK_COLUMNS
        self.shown = 0  # characters of the line now on the terminal
        self.draws = 0
        self.complete_drawn = False

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, max(total, 0), 0
        self.started = self.clock()
        self.width = max(self.columns() - 1, 20)  # the last column would wrap on some terminals
        self.complete_drawn = False
        self._draw(self.started)

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        now = self.clock()
        complete = self.total > 0 and self.done >= self.total
        if now - self.drawn_at >= self.interval or (complete and not self.complete_drawn):
            self.complete_drawn = complete
            self._draw(now)

    def finish(self) -> None:
        if self.shown:
            self._write("\r" + " " * self.shown + "\r")
            self.shown = 0

    def line(self, now: float) -> str:
        """The line as drawn at ``now`` (cut to the terminal's width)."""
        elapsed = now - self.started
        parts = [self.label]
        if self.total > 0:
            share = min(self.done / self.total, 1.0)
            filled = int(share * BAR_CELLS)
            parts.append(f"[{'#' * filled}{'.' * (BAR_CELLS - filled)}]")
            parts.append(f"{int(share * 100):3d}%")
            parts.append(f"{min(self.done, self.total):,}/{self.total:,}")
        parts.append(_duration(elapsed))
        if 0 < self.done < self.total and elapsed >= 1.0:
            parts.append(f"left {_duration(elapsed * (self.total - self.done) / self.done)}")
        return "  ".join(parts)[: self.width]

    def _draw(self, now: float) -> None:
        text = self.line(now)
        self._write("\r" + text.ljust(self.shown))
        self.shown = len(text)
        self.drawn_at = now
        self.draws += 1

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def _duration(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    if hours:
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{rest // 60}:{rest % 60:02d}"


def _terminal_columns(stream: TextIO) -> int:
    """The terminal's width; $COLUMNS, then 80, when it does not say (a new pseudo-terminal
    says 0)."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 0
    given = os.environ.get("COLUMNS", "")
    return columns or (int(given) if given.isdigit() else 0) or _FALLBACK_COLUMNS
