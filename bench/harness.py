"""The benchmark harness: registry, isolated measurements, and the result table.

A benchmark is a function ``(BenchOptions) -> list[Row]`` registered with ``@benchmark(name)``
in a ``bench/bench_*.py`` module. Each measured operation runs in a fresh Python process
(:func:`run_isolated`), so peak memory (max RSS) belongs to that operation alone and no cache
survives from the previous one, as in PERFORMANCE.md.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CACHE_DIR = Path(__file__).with_name(".cache")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of the table: the project's time against the limit in the same run."""

    operation: str
    n: int
    project_s: float
    limit_s: float
    limit: str
    peak_mib: float | None = None
    note: str = ""
    ratio: float = field(init=False)

    def __post_init__(self) -> None:
        self.ratio = self.project_s / self.limit_s if self.limit_s > 0 else float("inf")


@dataclass
class Measurement:
    seconds: float  # the operation itself, timed inside the child
    wall: float  # the whole child process, start to exit
    peak_mib: float  # the child's max RSS
    result: Any  # whatever the target returned (JSON-able)


@dataclass
class BenchOptions:
    people: int
    backend: str  # "sqlite" or "postgresql"
    repeat: int
    seed: int
    postgres_url: str
    extra: dict[str, str] = field(default_factory=dict)


Benchmark = Callable[[BenchOptions], list[Row]]
REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    def register(function: Benchmark) -> Benchmark:
        REGISTRY[name] = function
        return function

    return register


def load_all() -> dict[str, Benchmark]:
    package = Path(__file__).parent
    for info in pkgutil.iter_modules([str(package)]):
        if info.name.startswith("bench_"):
            importlib.import_module(f"bench.{info.name}")
    return REGISTRY


_CHILD = """
import json, resource, sys, time, importlib
module, name = sys.argv[1].split(":")
kwargs = json.loads(sys.argv[2])
target = getattr(importlib.import_module(module), name)
start = time.perf_counter()
result = target(**kwargs)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("\\n@@bench@@" + json.dumps({"seconds": seconds, "peak_mib": peak, "result": result}))
"""


def run_isolated(target: str, **kwargs: Any) -> Measurement:
    """Run ``module:function(**kwargs)`` in a fresh interpreter and measure it."""
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, target, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wall = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"{target} failed:\n{completed.stderr[-3000:]}")
    payload = json.loads(completed.stdout.rsplit("@@bench@@", 1)[1])
    return Measurement(payload["seconds"], wall, payload["peak_mib"], payload["result"])


def run_command(argv: list[str], env: dict[str, str] | None = None) -> float:
    """Wall time of a whole process (start to exit), e.g. one ``ladder checkin``."""
    start = time.perf_counter()
    subprocess.run(
        argv, check=True, capture_output=True, cwd=ROOT, env={**os.environ, **(env or {})}
    )
    return time.perf_counter() - start


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def render(rows: list[Row], output_format: str) -> str:
    if output_format == "json":
        return json.dumps([asdict(r) for r in rows], indent=2)
    headers = ["operation", "N", "project", "limit", "limit is", "ratio", "peak MiB", "note"]
    table = [
        [
            r.operation,
            f"{r.n:,}",
            f"{r.project_s:.3f} s",
            f"{r.limit_s:.3f} s",
            r.limit,
            f"{r.ratio:.2f}x",
            "" if r.peak_mib is None else f"{r.peak_mib:,.0f}",
            r.note,
        ]
        for r in rows
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *table, strict=False)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("-|-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(lines)
