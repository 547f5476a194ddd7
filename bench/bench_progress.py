"""What a progress bar costs: `people import` of the people-import file with the bar drawn on
a real terminal (a pseudo-terminal, read as a terminal would) against the same import silent.

Row "import <n> people, bar on a terminal": the project is the import with the bar (the CLI's
:class:`cli.progress.TerminalBar`), the limit the same import with ``SILENT`` (what a pipe or
``--quiet`` gets), each in a fresh process on a fresh database, alternated, median of
``--repeat``. Wall time is noisy on a shared machine, so the note also gives the CPU time ratio
and the bar's own time (every call to it timed inside the run, wall and CPU): the CPU part
does not depend on the load; the wall part includes the scheduler handing the processor to the
terminal's reader after each write (on a loaded machine, most of it).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.bench_people_import import _fresh_database, ensure_csv
from bench.harness import BenchOptions, Row, benchmark, run_isolated


@benchmark("progress")
def progress_benchmark(options: BenchOptions) -> list[Row]:
    path = ensure_csv(options.people, options.seed)
    silent: list[dict[str, Any]] = []
    drawn: list[dict[str, Any]] = []
    for i in range(options.repeat):
        for bar in (False, True) if i % 2 == 0 else (True, False):
            url = _fresh_database(options, "progress")
            run = run_isolated(
                "bench.bench_progress:import_file", url=url, path=str(path), bar=bar
            ).result
            (drawn if bar else silent).append(run)
    wall = statistics.median(r["seconds"] for r in drawn)
    limit = statistics.median(r["seconds"] for r in silent)
    cpu = statistics.median(r["cpu"] for r in drawn) / statistics.median(r["cpu"] for r in silent)
    own = statistics.median(r["bar_seconds"] for r in drawn)
    own_cpu = statistics.median(r["bar_cpu"] for r in drawn)
    share = own / wall
    draws = max(r["draws"] for r in drawn)
    calls = max(r["calls"] for r in drawn)
    note = (
        f"{options.backend}; cpu {cpu:.3f}x; bar's own time {own * 1000:.1f} ms "
        f"({share:.3%}; cpu {own_cpu * 1000:.2f} ms) in {calls} calls, {draws} draws"
    )
    n = options.people
    return [
        Row(f"import {n:,} people, bar on a terminal", n, wall, limit, "same, silent", None, note)
    ]


class _Timed:
    """A Progress that times every call to the real one."""

    def __init__(self, bar: Any) -> None:
        self.bar, self.seconds, self.cpu, self.calls = bar, 0.0, 0.0, 0

    def _timed(self, method: Any, *args: Any) -> None:
        start, start_cpu = time.perf_counter(), time.thread_time()
        method(*args)
        self.cpu += time.thread_time() - start_cpu
        self.seconds += time.perf_counter() - start
        self.calls += 1

    def start(self, label: str, total: int) -> None:
        self._timed(self.bar.start, label, total)

    def advance(self, steps: int = 1) -> None:
        self._timed(self.bar.advance, steps)

    def finish(self) -> None:
        self._timed(self.bar.finish)


def import_file(url: str, path: str, bar: bool) -> dict[str, Any]:
    """The whole `people import` service on a file, with the bar on a terminal or silent."""
    from cli.progress import TerminalBar
    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.people.importing.importer import ImportOptions, import_people
    from ladder.progress import SILENT
    from ladder.storage.engine import make_engine

    engine = make_engine(url)
    data = Path(path).read_bytes()
    ladder = load_ladder(default_ladder_path())
    master, slave = os.openpty()
    # the terminal's reader is another process, as a terminal emulator is (a thread of this
    # one would compete for the GIL and be counted as the bar's time)
    reader = subprocess.Popen(["cat"], stdin=master, stdout=subprocess.DEVNULL)
    os.close(master)
    terminal = os.fdopen(slave, "w", encoding="utf-8")
    timed = _Timed(TerminalBar(terminal)) if bar else None
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    report, _table = import_people(engine, ladder, data, path, ImportOptions(), timed or SILENT)
    if timed is not None:
        timed.finish()
    seconds, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    engine.dispose()
    terminal.close()
    reader.wait(timeout=30)
    assert report.created and not report.rejected, report.rejected[:3]
    return {
        "seconds": seconds,
        "cpu": cpu,
        "bar_seconds": timed.seconds if timed else 0.0,
        "bar_cpu": timed.cpu if timed else 0.0,
        "calls": timed.calls if timed else 0,
        "draws": timed.bar.draws if timed else 0,
    }
