"""The terminal bar (cli/progress.py): what it draws, how often, and that it always clears.

No sleeping: the bar's clock is injected and moved by hand.
"""

from __future__ import annotations

import io

import pytest

from cli.progress import REDRAWS_PER_SECOND, TerminalBar, progress_bar
from ladder.progress import SILENT, counted


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def screen(written: str) -> str:
    """What a terminal shows after ``written`` (one line: carriage returns overwrite it)."""
    line: list[str] = []
    column = 0
    for char in written:
        if char == "\r":
            column = 0
            continue
        if column < len(line):
            line[column] = char
        else:
            line.append(char)
        column += 1
    return "".join(line).rstrip()


def _bar(clock: Clock, columns: int = 100) -> tuple[TerminalBar, Terminal]:
    stream = Terminal()
    return TerminalBar(stream, clock=clock, columns=lambda: columns), stream


def test_a_thousand_advances_in_one_second_redraw_about_ten_times():
    clock = Clock()
    bar, _stream = _bar(clock)
    bar.start("Checking 1,000 rows", 1000)
    for _ in range(1000):
        clock.now += 0.001
        bar.advance()
    # the start, at most REDRAWS_PER_SECOND in the second, and the complete bar
    assert bar.draws <= 1 + REDRAWS_PER_SECOND + 1
    assert bar.draws >= REDRAWS_PER_SECOND - 1  # it does redraw while time passes


def test_advances_without_time_passing_draw_nothing_until_the_stage_is_complete():
    clock = Clock()
    bar, stream = _bar(clock)
    bar.start("Writing", 50)
    for _ in range(49):
        bar.advance()
    assert bar.draws == 1  # the start only
    assert "0/50" in screen(stream.getvalue())
    bar.advance()
    assert bar.draws == 2
    assert screen(stream.getvalue()) == "Writing  [####################]  100%  50/50  0:00"
    bar.advance()  # past the total: no more drawing, and the count does not go beyond it
    assert bar.draws == 2


def test_the_line_shows_label_share_count_elapsed_and_time_left():
    clock = Clock()
    bar, stream = _bar(clock)
    bar.start("Writing 3,000 supporters", 40_000)
    clock.now += 90.0
    bar.advance(10_000)
    assert screen(stream.getvalue()) == (
        "Writing 3,000 supporters  [#####...............]   25%  10,000/40,000  1:30  left 4:30"
    )


def test_a_stage_without_a_total_shows_its_label_and_the_time():
    clock = Clock()
    bar, stream = _bar(clock)
    bar.start("Reading", 0)
    clock.now += 3725.0
    bar.advance()
    assert screen(stream.getvalue()) == "Reading  1:02:05"


def test_a_new_stage_overwrites_a_longer_line_entirely():
    clock = Clock()
    bar, stream = _bar(clock)
    bar.start("Generating 300,000 supporters, a long label", 4)
    bar.start("Go", 1)
    assert screen(stream.getvalue()) == "Go  [....................]    0%  0/1  0:00"


def test_the_line_never_reaches_the_last_column():
    clock = Clock()
    bar, stream = _bar(clock, columns=30)
    bar.start("Writing 3,000 supporters", 10)
    assert len(screen(stream.getvalue())) == 29


def test_finish_leaves_an_empty_line_with_the_cursor_at_its_start():
    clock = Clock()
    bar, stream = _bar(clock)
    bar.start("Writing", 10)
    bar.advance(3)
    bar.finish()
    written = stream.getvalue()
    assert screen(written) == ""
    assert written.endswith("\r")
    before = len(written)
    bar.finish()  # twice: nothing more
    assert len(stream.getvalue()) == before


def test_a_stream_that_is_no_terminal_gets_silence():
    stream = io.StringIO()
    with progress_bar(quiet=False, stream=stream) as progress:
        progress.start("Writing", 10)
        progress.advance(10)
    assert progress is SILENT
    assert stream.getvalue() == ""


def test_quiet_gets_silence_even_on_a_terminal():
    stream = Terminal()
    with progress_bar(quiet=True, stream=stream) as progress:
        progress.start("Writing", 10)
        progress.advance(10)
    assert progress is SILENT
    assert stream.getvalue() == ""


def test_the_bar_is_cleared_when_the_work_fails():
    stream = Terminal()
    with pytest.raises(KeyboardInterrupt), progress_bar(quiet=False, stream=stream) as progress:
        progress.start("Writing", 10)
        progress.advance(4)
        raise KeyboardInterrupt
    assert "Writing" in stream.getvalue()
    assert screen(stream.getvalue()) == ""
    assert stream.getvalue().endswith("\r")


class Steps:
    def __init__(self) -> None:
        self.advances: list[int] = []

    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        self.advances.append(steps)

    def finish(self) -> None:
        pass


@pytest.mark.parametrize("items", [0, 1, 9_999, 10_000, 25_001])
def test_counted_rows_advance_by_chunks_and_add_up_to_the_rows(items: int):
    steps = Steps()
    assert list(counted(range(items), steps)) == list(range(items))
    assert sum(steps.advances) == items
    assert all(step == 10_000 for step in steps.advances[:-1])
    assert len(steps.advances) == -(-items // 10_000)


def test_counted_rows_for_nobody_watching_are_the_rows_themselves():
    rows = [(1, "a"), (2, "b")]
    assert counted(rows, SILENT) is rows
