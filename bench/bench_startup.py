"""Start-up: whole `ladder` processes against the floors measured in the same run.

Help and usage errors against `sqlite-utils --help` (a click CLI that needs no database; the
goal is 1.5x), commands against `python -c "import sqlalchemy.orm"` (what any command
touching the database pays; the goal is 1.2x). Each round runs every process once, in turn,
so a change of the machine's load falls on all of them alike; each row is the median.
The database is a small seeded one (500 people): start-up, not queries, is measured.
The project's modules are byte-compiled first, as an installed wheel's are: with
PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise compile every module from
source in every process (about 70 ms of a check-in), which no user pays.
Each note gives the CPU seconds (user + system) of the same processes and their ratio, which
a loaded machine swells less than wall time.
"""

from __future__ import annotations

import compileall
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import BenchOptions, Row, benchmark

SEEDED = 500
ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str, module: str) -> list[str]:
    script = Path(sys.executable).with_name(name)
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


@benchmark("startup")
def run(options: BenchOptions) -> list[Row]:
    rounds = max(10, options.repeat)
    for package in ("cli", "ladder"):
        compileall.compile_dir(ROOT / package, quiet=1)
    ladder = _tool("ladder", "cli.main")
    with tempfile.TemporaryDirectory(prefix="ladder-bench-startup-") as folder:
        db = str(Path(folder) / "ladder.db")
        for setup in (["init"], ["seed", "--people", str(SEEDED)]):
            subprocess.run(
                [*ladder, "--db", db, *setup], cwd=folder, check=True, capture_output=True
            )
        people = iter(range(1, SEEDED + 1))
        floors = {
            "help": ("sqlite-utils --help", [*_tool("sqlite-utils", "sqlite_utils"), "--help"]),
            "orm": (
                'python -c "import sqlalchemy.orm"',
                [sys.executable, "-c", "import sqlalchemy.orm"],
            ),
        }
        cases = [
            ("ladder --help", "help", lambda: [*ladder, "--help"], 0),
            ("ladder nosuch (usage error)", "help", lambda: [*ladder, "nosuch"], 2),
            ("ladder people --help", "help", lambda: [*ladder, "people", "--help"], 0),
            ("ladder checkin --help", "orm", lambda: [*ladder, "checkin", "--help"], 0),
            (
                "ladder checkin EVENT PERSON",
                "orm",
                lambda: [*ladder, "--db", db, "checkin", "--late", "1", str(next(people))],
                0,
            ),
            (
                "ladder people show 1",
                "orm",
                lambda: [*ladder, "--db", db, "people", "show", "1"],
                0,
            ),
            (
                "ladder next --limit 5",
                "orm",
                lambda: [*ladder, "--db", db, "next", "--limit", "5"],
                0,
            ),
        ]
        floor_times: dict[str, list[tuple[float, float]]] = {key: [] for key in floors}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in cases}
        for _ in range(rounds):
            for key, (_, argv) in floors.items():
                floor_times[key].append(_timed(argv, 0, folder))
            for name, _, argv_of, code in cases:
                times[name].append(_timed(argv_of(), code, folder))
    rows = []
    for name, key, _, _ in cases:
        cpu = statistics.median(c for _, c in times[name])
        floor_cpu = statistics.median(c for _, c in floor_times[key])
        rows.append(
            Row(
                f"{name} (whole process, median of {rounds})",
                1,
                statistics.median(w for w, _ in times[name]),
                statistics.median(w for w, _ in floor_times[key]),
                floors[key][0],
                note=f"goal {'1.5x' if key == 'help' else '1.2x'}; CPU {cpu:.3f} s against "
                f"{floor_cpu:.3f} s: {cpu / floor_cpu:.2f}x",
            )
        )
    return rows


def _timed(argv: list[str], code: int, cwd: str) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, cwd=cwd)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != code:
        raise RuntimeError(f"{argv}: exit {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, cpu
