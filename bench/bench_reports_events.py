"""`ladder report events` and `ladder report recruiters` against hand-written equivalents
measured in the same run (the issue's goal: at most 1.5x at 1M supporters).

The window is the dataset's last year (``ANCHOR - 365 days`` to ``ANCHOR``). Rows (each
operation in a fresh process, warm: median of ``--repeat`` runs after one warming run; the
times are CPU seconds, user + system, of the process: load-independent on a shared machine,
as the queries run in-process in SQLite):

- ``report events`` (per event, then ``--by kind``): the project's ``event_report`` against
  one hand-written SQL statement computing the same rows (the counts, the first-timers by a
  ``row_number`` window over the people who came in the window, the climbs) on the raw
  driver cursor;
- ``report recruiters`` (12 months): the project's ``recruiter_report`` against a hand-written
  numpy version (raw edge read, parent array, the join month of each recruit, one ``np.add.at``
  pass per month) and against a plain-Python pass (dicts, a walk up the recruiters of each
  person who joined in the window);
- each report as a whole ``ladder`` process (start-up, schema check, printing CSV) against
  the hand-written version run as a process of its own (Python start-up and imports on both
  sides).

    python -m bench reports_events --people 100000
"""

from __future__ import annotations

import itertools
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.datasets import ANCHOR, ensure_dataset
from bench.harness import BenchOptions, Measurement, Row, benchmark, run_command, run_isolated

SINCE = ANCHOR - timedelta(days=365)
TOP = 10  # the command's default --limit
RANK = "CASE {0} WHEN 'follow' THEN 0 WHEN 'attend' THEN 1 WHEN 'mobilise' THEN 2 END"
HAND_EVENTS = f"""
WITH came AS (
  SELECT DISTINCT a.supporter_id FROM attendances a JOIN events e ON e.id = a.event_id
  WHERE a.presence = 'attended' AND e.status <> 'cancelled'
    AND e.starts_at >= ? AND e.starts_at < ?
), firsts AS (
  SELECT a.supporter_id, a.event_id, e.starts_at,
         row_number() OVER (PARTITION BY a.supporter_id ORDER BY e.starts_at, e.id) AS nth
  FROM attendances a JOIN events e ON e.id = a.event_id
  JOIN came c ON c.supporter_id = a.supporter_id
  WHERE a.presence = 'attended' AND e.status <> 'cancelled' AND e.starts_at < ?
), raised AS (
  SELECT supporter_id, max(changed_at) AS last_raise FROM level_changes
  WHERE changed_at < ? AND {RANK.format("to_rung")} > {RANK.format("from_rung")}
  GROUP BY supporter_id
), newcomers AS (
  SELECT f.event_id, count(*) AS first_timers,
         sum(CASE WHEN r.last_raise >= f.starts_at THEN 1 ELSE 0 END) AS climbed
  FROM firsts f LEFT JOIN raised r ON r.supporter_id = f.supporter_id
  WHERE f.nth = 1 GROUP BY f.event_id
), counts AS (
  SELECT e.id AS event_id, {{key}} AS key,
    sum(CASE WHEN a.rsvp = 'accepted' THEN 1 ELSE 0 END) AS accepted,
    sum(CASE WHEN a.presence = 'attended' THEN 1 ELSE 0 END) AS attended,
    sum(CASE WHEN a.presence = 'no_show' THEN 1 ELSE 0 END) AS no_show,
    sum(CASE WHEN a.presence = 'attended' AND a.walk_in THEN 1 ELSE 0 END) AS walk_ins,
    sum(CASE WHEN a.rsvp = 'accepted' AND a.presence = 'unknown' THEN 1 ELSE 0 END) AS unknown,
    sum(CASE WHEN a.rsvp = 'accepted' AND a.presence = 'attended' THEN 1 ELSE 0 END) AS came,
    sum(CASE WHEN a.rsvp = 'accepted' AND a.presence = 'no_show' THEN 1 ELSE 0 END) AS flaked
  FROM events e LEFT JOIN attendances a ON a.event_id = e.id
  LEFT JOIN local_groups g ON g.id = e.local_group_id
  WHERE e.status <> 'cancelled' AND e.starts_at >= ? AND e.starts_at < ?
  GROUP BY e.id, {{key}}
)
SELECT c.key, count(*), sum(accepted), sum(attended), sum(no_show), sum(walk_ins),
       sum(unknown), sum(came), sum(flaked), sum(n.first_timers), sum(n.climbed)
FROM counts c LEFT JOIN newcomers n ON n.event_id = c.event_id
GROUP BY c.key ORDER BY c.key
"""
EDGES = "SELECT id, recruiter_id FROM supporters WHERE recruiter_id IS NOT NULL"
JOINED = "SELECT id, created_at FROM supporters WHERE recruiter_id IS NOT NULL AND created_at < ?"


@benchmark("reports_events")
def run(options: BenchOptions) -> list[Row]:
    url = ensure_dataset(options).url
    n = options.people
    run_isolated("bench.bench_reports_events:hand_events", url=url, by="event", repeat=1)
    targets = {
        "events": ("project_events", {"by": "event"}),
        "events_hand": ("hand_events", {"by": "event"}),
        "kinds": ("project_events", {"by": "kind"}),
        "kinds_hand": ("hand_events", {"by": "kind"}),
        "recruiters": ("project_recruiters", {}),
        "recruiters_numpy": ("hand_recruiters_numpy", {}),
        "recruiters_python": ("hand_recruiters_python", {}),
    }
    runs = {
        name: run_isolated(
            f"bench.bench_reports_events:{target}", url=url, repeat=options.repeat, **kwargs
        )
        for name, (target, kwargs) in targets.items()
    }
    window = ["--since", SINCE.date().isoformat(), "--until", ANCHOR.date().isoformat()]
    cli_events = _cli(options.repeat, url, "events", *window)
    cli_recruiters = _cli(options.repeat, url, "recruiters", *window)
    wall = _on_server(url)
    unit = f"{'wall' if wall else 'CPU'} s, both with start-up"
    hand_events_process = _process(options.repeat, f"hand_events({url!r}, 'event', 0)", wall)
    hand_recruiters_process = _process(options.repeat, f"hand_recruiters_numpy({url!r}, 0)", wall)
    _check(runs)
    return [
        _row("report events (per event)", n, runs["events"], runs["events_hand"],
             "one hand-written SQL statement"),
        _row("report events --by kind", n, runs["kinds"], runs["kinds_hand"],
             "one hand-written SQL statement"),
        _row("report recruiters (12 months)", n, runs["recruiters"], runs["recruiters_numpy"],
             "raw reads + hand numpy passes"),
        _row("report recruiters (12 months)", n, runs["recruiters"], runs["recruiters_python"],
             "raw reads + plain-Python walk up"),
        Row("ladder report events (whole process)", n, cli_events, hand_events_process,
            "the hand-written statement as a process", None, unit),
        Row("ladder report recruiters (whole process)", n, cli_recruiters,
            hand_recruiters_process, "the hand numpy passes as a process", None,
            unit),
    ]  # fmt: skip


def _row(operation: str, n: int, project: Measurement, limit: Measurement, what: str) -> Row:
    note = f"limit peak {limit.peak_mib:,.0f} MiB; {project.result['rows']} rows"
    return Row(
        operation,
        n,
        project.result["seconds"],
        limit.result["seconds"],
        what,
        project.peak_mib,
        note,
    )


def _check(runs: dict[str, Measurement]) -> None:
    """The project and the hand-written versions must agree before their times mean anything."""
    for project, hand in [
        ("events", "events_hand"),
        ("kinds", "kinds_hand"),
        ("recruiters", "recruiters_numpy"),
        ("recruiters", "recruiters_python"),
    ]:
        if runs[project].result["digest"] != runs[hand].result["digest"]:
            raise SystemExit(f"{project} and {hand} disagree: the benchmark would be meaningless")


def _cli(repeat: int, url: str, *args: str) -> float:
    start = "from cli.main import main; main()"
    argv = [sys.executable, "-c", start, "--db", url, "report", *args, "--format", "csv"]
    return _process_cpu(repeat, argv, {"LADDER_TZ": "UTC"}, _on_server(url))


def _process(repeat: int, call: str, wall: bool) -> float:
    """A fresh Python process making one call of this module."""
    code = f"from bench.bench_reports_events import *; {call}"
    return _process_cpu(repeat, [sys.executable, "-c", code], {}, wall)


def _process_cpu(repeat: int, argv: list[str], env: dict[str, str], wall: bool) -> float:
    """Median CPU seconds (user + system) of a whole child process, after a warming run
    (``wall``: its wall seconds, when the database server does the work elsewhere)."""
    run_command(argv, env=env)
    if wall:
        return statistics.median(run_command(argv, env=env) for _ in range(repeat))
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run_command(argv, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(times)


def _on_server(url: str) -> bool:
    return not url.startswith("sqlite")


def _timed(url: str, repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """Median CPU seconds of this process (load-independent on a shared machine: the
    queries run in-process, in SQLite; on PostgreSQL wall seconds), after one warming run
    (repeat 0: that run alone)."""
    clock = time.perf_counter if _on_server(url) else time.process_time
    times, result = [], None
    for _ in range(repeat + 1):
        start = clock()
        result = work()
        times.append(clock() - start)
    return statistics.median(times[1:] or times), result


# ---- targets, each run in a fresh process by run_isolated ----


def project_events(url: str, by: str, repeat: int) -> dict[str, Any]:
    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.reports.events import event_report
    from ladder.reports.window import Window
    from ladder.storage.engine import make_engine

    ladder = load_ladder(default_ladder_path())
    with make_engine(url).connect() as connection:
        seconds, rows = _timed(
            url, repeat, lambda: event_report(connection, ladder, Window(ANCHOR, SINCE), by=by)
        )
    digest = [_event_digest(row, by) for row in rows]
    return {"seconds": seconds, "rows": len(rows), "digest": sorted(digest)}


def _event_digest(row: dict[str, Any], by: str) -> list[Any]:
    key = row["kind"] if by == "kind" else row["event"]
    figures = ["accepted", "attended", "no_show", "walk_ins", "unknown"]
    return [str(key), *(row[f] for f in figures), row["first_timers"], row["climbed_after"]]


def hand_events(url: str, by: str, repeat: int) -> dict[str, Any]:
    from ladder.recruitment.edges import _time_param, fetch_rows
    from ladder.storage.engine import make_engine

    key = "e.kind" if by == "kind" else "e.id"
    sql = HAND_EVENTS.format(key=key)
    with make_engine(url).connect() as connection:
        params = [
            _time_param(connection, t) for t in (SINCE, ANCHOR, ANCHOR, ANCHOR, SINCE, ANCHOR)
        ]
        seconds, rows = _timed(url, repeat, lambda: fetch_rows(connection, sql, params))
    digest = [[str(r[0]), *(int(v or 0) for v in (*r[2:7], r[9], r[10]))] for r in rows]
    return {"seconds": seconds, "rows": len(rows), "digest": sorted(digest)}


def project_recruiters(url: str, repeat: int) -> dict[str, Any]:
    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.reports.periods import Every
    from ladder.reports.recruiters import recruiter_report
    from ladder.reports.window import Window
    from ladder.storage.engine import make_engine

    ladder = load_ladder(default_ladder_path())
    window = Window(ANCHOR, SINCE)
    with make_engine(url).connect() as connection:
        seconds, rows = _timed(
            url,
            repeat,
            lambda: recruiter_report(connection, ladder, window, Every.MONTH, UTC, limit=TOP),
        )
    digest = {row["id"]: row["reach_gained"] for row in rows}
    return {"seconds": seconds, "rows": len(rows), "digest": _top(digest)}


def _top(gained: dict[int, int]) -> list[list[int]]:
    """The first ``TOP`` by reach gained (ties by id)."""
    best = sorted(gained.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    return [[who, count] for who, count in best]


def _months() -> list[Any]:
    """The UTC starts of the window's months after the first, and the window's end."""
    from ladder.reports.periods import Every, periods_between

    last = (ANCHOR - timedelta(microseconds=1)).date()
    periods = periods_between(SINCE.date(), last, Every.MONTH)
    return [datetime.combine(p.start, datetime.min.time()) for p in periods[1:]] + [ANCHOR]


def hand_recruiters_numpy(url: str, repeat: int) -> dict[str, Any]:
    import numpy as np

    from ladder.recruitment.edges import _time_param, fetch_rows
    from ladder.storage.engine import make_engine

    ends = _months()

    def work(connection: Any) -> dict[int, int]:
        rows = fetch_rows(connection, EDGES)
        pairs = np.fromiter(itertools.chain.from_iterable(rows), np.int64, 2 * len(rows))
        pairs = pairs.reshape(-1, 2)
        merged = [row[0] for row in fetch_rows(connection, "SELECT merged_id FROM merges")]
        pairs = pairs[~np.isin(pairs[:, 0], np.array(merged, dtype=np.int64))]
        parent = np.full(int(pairs.max()) + 1, -1, dtype=np.int64)
        parent[pairs[:, 0]] = pairs[:, 1]
        cases = " ".join(f"WHEN created_at < ? THEN {i}" for i in range(len(ends)))
        sql = (
            f"SELECT id, CASE WHEN created_at < ? THEN -1 {cases} END FROM supporters "
            "WHERE recruiter_id IS NOT NULL AND created_at < ?"
        )
        moments = [SINCE, *ends, ANCHOR]
        joined_rows = fetch_rows(connection, sql, [_time_param(connection, t) for t in moments])
        joined_pairs = np.fromiter(
            itertools.chain.from_iterable(joined_rows), np.int64, 2 * len(joined_rows)
        ).reshape(-1, 2)
        month = np.full(parent.size, -2, dtype=np.int64)
        inside = joined_pairs[:, 0] < parent.size
        month[joined_pairs[inside, 0]] = joined_pairs[inside, 1]
        ancestor, depth = parent.copy(), (parent >= 0).astype(np.int64)
        active = np.flatnonzero(ancestor >= 0)
        while active.size:
            above = ancestor[active]
            depth[active], ancestor[active] = depth[active] + depth[above], ancestor[above]
            active = active[ancestor[active] >= 0]
        order = np.argsort(depth, kind="stable")
        bounds = np.searchsorted(depth[order], np.arange(int(depth.max()) + 2))
        total = np.zeros(parent.size, dtype=np.int64)
        for index in range(len(ends)):
            weight = (month == index).astype(np.int64)
            reach = np.zeros(parent.size, dtype=np.int64)
            for level in range(int(depth.max()), 0, -1):
                nodes = order[bounds[level] : bounds[level + 1]]
                np.add.at(reach, parent[nodes], reach[nodes] + weight[nodes])
            total += reach
        gainers = np.flatnonzero(total > 0)
        return dict(zip(gainers.tolist(), total[gainers].tolist(), strict=True))

    with make_engine(url).connect() as connection:
        seconds, gained = _timed(url, repeat, lambda: work(connection))
    return {"seconds": seconds, "rows": len(gained), "digest": _top(gained)}


def hand_recruiters_python(url: str, repeat: int) -> dict[str, Any]:
    from ladder.recruitment.edges import _time_param, fetch_rows
    from ladder.storage.engine import make_engine

    def work(connection: Any) -> dict[int, int]:
        merged = {row[0] for row in fetch_rows(connection, "SELECT merged_id FROM merges")}
        parent = {a: b for a, b in fetch_rows(connection, EDGES) if a not in merged}
        rows = fetch_rows(connection, JOINED, [_time_param(connection, ANCHOR)])
        since = _time_param(connection, SINCE)
        gained: dict[int, int] = {}
        for who, created in rows:
            if created < since or who not in parent:
                continue
            above = parent.get(who)
            while above is not None:
                gained[above] = gained.get(above, 0) + 1
                above = parent.get(above)
        return gained

    with make_engine(url).connect() as connection:
        seconds, gained = _timed(url, repeat, lambda: work(connection))
    return {"seconds": seconds, "rows": len(gained), "digest": _top(gained)}
