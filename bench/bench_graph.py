"""Recruitment-graph speed: the leaderboard against an array pass measured in the same run.

Rows (each operation in a fresh process; medians of --repeat runs):
- ``recruiters top --by reach``: read edges, reach/climbers/depth/influence for everyone, rank.
  Limit: the raw edge read plus a bare numpy parent-array reach pass. Also against a
  plain-Python pass over the same edges (goal: at most 1.5x), and as a whole CLI process.
- ``recruiters top --by influence`` against the raw edge read plus PageRank by power
  iteration on a scipy sparse matrix, iterated to an L1 change under 1e-10 (a tolerance
  scaled to the node count); the note says whether the top 100 rank the same.
- ``nx.descendants`` per node on a sample of up to 100k people (after building the networkx
  graph), against the project's pass for everybody: why the project does not do that.

scipy is for this benchmark only (setup.cfg extra ``bench``); ladder never imports it.
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import time
from collections import defaultdict
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse

from bench.datasets import ensure_dataset
from bench.harness import BenchOptions, Measurement, Row, benchmark, run_command, run_isolated
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.recruitment.leaderboard import top_recruiters
from ladder.storage.engine import make_engine

EDGES = "SELECT id, recruiter_id FROM supporters WHERE recruiter_id IS NOT NULL"
CLIMBERS = "SELECT id FROM supporters WHERE rung IN ('attend', 'mobilise')"
TOP = 100
SAMPLE = 100_000


@benchmark("graph")
def run(options: BenchOptions) -> list[Row]:
    url = ensure_dataset(options).url
    n = options.people
    run_isolated("bench.bench_graph:limit_numpy_reach", url=url)  # warm the file cache
    targets = {
        "reach": ("bench.bench_graph:project_top", {"url": url, "by": "reach"}),
        "numpy": ("bench.bench_graph:limit_numpy_reach", {"url": url}),
        "python": ("bench.bench_graph:limit_python_pass", {"url": url}),
        "influence": ("bench.bench_graph:project_top", {"url": url, "by": "influence"}),
        "scipy": ("bench.bench_graph:limit_scipy_pagerank", {"url": url}),
    }
    runs = _interleaved(options.repeat, targets)
    reach, numpy_limit, python_pass = runs["reach"], runs["numpy"], runs["python"]
    influence, scipy_limit = runs["influence"], runs["scipy"]
    cli = statistics.median(
        run_command(_ladder_argv(url, "top", "--by", "reach")) for _ in range(options.repeat)
    )
    sample = min(SAMPLE, n)
    descendants = run_isolated("bench.bench_graph:alternative_descendants", url=url, sample=sample)
    same = influence.result["top"] == scipy_limit.result["top"]
    sweeps = scipy_limit.result["sweeps"]
    return [
        Row("recruiters top --by reach", n, reach.seconds, numpy_limit.seconds,
            "raw edge read + numpy reach pass", reach.peak_mib,
            f"limit peak {numpy_limit.peak_mib:,.0f} MiB"),
        Row("recruiters top --by reach", n, reach.seconds, python_pass.seconds,
            "raw edge read + plain-Python pass", reach.peak_mib,
            f"goal <= 1.5x; Python peak {python_pass.peak_mib:,.0f} MiB"),
        Row("ladder recruiters top (whole process)", n, cli, numpy_limit.seconds,
            "raw edge read + numpy reach pass", None, "includes start-up and schema check"),
        Row("recruiters top --by influence", n, influence.seconds, scipy_limit.seconds,
            "raw edge read + scipy sparse PageRank", influence.peak_mib,
            f"top {TOP} {'same' if same else 'DIFFERENT'} as reference ({sweeps} sweeps); "
            "project: exact, 0 sweeps"),
        Row(f"nx.descendants x {sample:,} (alternative)", n, descendants.seconds,
            reach.seconds, "project: every node, one pass", descendants.peak_mib,
            f"not project code; builds nx graph {descendants.result['build_s']:.1f} s; "
            f"{descendants.result['extrapolated_s']:.0f} s for all nodes"),
    ]  # fmt: skip


def _interleaved(repeat: int, targets: dict[str, tuple[str, dict]]) -> dict[str, Measurement]:
    """Each target ``repeat`` times, round-robin (so drift hits all alike); the median run."""
    runs: dict[str, list[Measurement]] = {name: [] for name in targets}
    for _ in range(repeat):
        for name, (target, kwargs) in targets.items():
            runs[name].append(run_isolated(target, **kwargs))
    return {
        name: sorted(done, key=lambda m: m.seconds)[len(done) // 2] for name, done in runs.items()
    }


def _ladder_argv(url: str, *args: str) -> list[str]:
    start = "from cli.main import main; main()"
    return [sys.executable, "-c", start, "--db", url, "recruiters", *args]


# ---- targets, each run in a fresh process by run_isolated (imports above are not timed) ----


def project_top(url: str, by: str) -> dict[str, Any]:

    ladder = load_ladder(default_ladder_path())
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = top_recruiters(connection, ladder, by=by, limit=TOP)
    return {"top": [row["id"] for row in rows]}


def _raw_edges(url: str) -> list[tuple[int, int]]:

    with make_engine(url).connect() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(EDGES)
        return list(cursor.fetchall())


def _raw_ids(url: str, sql: str) -> list[int]:

    with make_engine(url).connect() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def _parent_array(rows: list[tuple[int, int]]) -> Any:

    pairs = np.fromiter(itertools.chain.from_iterable(rows), np.int64, 2 * len(rows))
    pairs = pairs.reshape(-1, 2)
    parent = np.full(int(pairs.max()) + 1, -1, dtype=np.int64)
    parent[pairs[:, 0]] = pairs[:, 1]
    return parent


def limit_numpy_reach(url: str) -> dict[str, Any]:
    """The floor: raw read, parent array, depth by pointer jumping, reach level by level."""

    parent = _parent_array(_raw_edges(url))
    ancestor, depth = parent.copy(), (parent >= 0).astype(np.int64)
    active = np.flatnonzero(ancestor >= 0)
    while active.size:
        above = ancestor[active]
        depth[active], ancestor[active] = depth[active] + depth[above], ancestor[above]
        active = active[ancestor[active] >= 0]
    order = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[order], np.arange(int(depth.max()) + 2))
    reach = np.zeros(parent.size, dtype=np.int64)
    for level in range(int(depth.max()), 0, -1):
        nodes = order[bounds[level] : bounds[level + 1]]
        np.add.at(reach, parent[nodes], reach[nodes] + 1)
    return {"max_reach": int(reach.max())}


def limit_python_pass(url: str) -> dict[str, Any]:
    """Plain Python: dicts, a BFS order from the roots, then reach/climbers/depth upwards."""
    rows = _raw_edges(url)
    climbers = set(_raw_ids(url, CLIMBERS))
    parent = dict(rows)
    children: dict[int, list[int]] = defaultdict(list)
    for recruit, recruiter in rows:
        children[recruiter].append(recruit)
    order = [person for person in children if person not in parent]
    for person in order:  # grows while we walk it: a BFS
        order.extend(children.get(person, ()))
    reach: dict[int, int] = defaultdict(int)
    climbing: dict[int, int] = defaultdict(int)
    height: dict[int, int] = defaultdict(int)
    for person in reversed(order):
        above = parent.get(person)
        if above is not None:
            reach[above] += reach[person] + 1
            climbing[above] += climbing[person] + (person in climbers)
            height[above] = max(height[above], height[person] + 1)
    return {"max_reach": max(reach.values(), default=0)}


def limit_scipy_pagerank(url: str) -> dict[str, Any]:
    """Power iteration on a sparse matrix (recruit -> recruiter) until the L1 change < 1e-10."""

    parent = _parent_array(_raw_edges(url))
    n = parent.size
    has = np.flatnonzero(parent >= 0)
    matrix = sparse.csr_matrix((np.ones(has.size), (parent[has], has)), shape=(n, n))
    dangling = parent < 0
    rank = np.full(n, 1.0 / n)
    sweeps = 0
    while True:
        sweeps += 1
        new = 0.85 * (matrix @ rank) + (0.85 * rank[dangling].sum() + 0.15) / n
        change = np.abs(new - rank).sum()
        rank = new
        if change < 1e-10 or sweeps >= 1000:
            break
    rounded = np.round(rank / rank.max(), 9)
    candidates = np.flatnonzero(np.bincount(parent[has], minlength=n) > 0)
    best = candidates[np.lexsort((candidates, -rounded[candidates]))][:TOP]
    return {"top": best.tolist(), "sweeps": sweeps}


def alternative_descendants(url: str, sample: int) -> dict[str, Any]:
    """What the project avoids: a networkx graph, then descendants() for each sampled node."""

    rows = _raw_edges(url)
    start = time.perf_counter()
    graph = nx.DiGraph()
    graph.add_edges_from((recruiter, recruit) for recruit, recruiter in rows)
    build = time.perf_counter() - start
    nodes = random.Random(1).sample(list(graph.nodes), min(sample, graph.number_of_nodes()))
    start = time.perf_counter()
    for node in nodes:
        len(nx.descendants(graph, node))
    per_node = (time.perf_counter() - start) / max(len(nodes), 1)
    return {"build_s": build, "extrapolated_s": build + per_node * graph.number_of_nodes()}
