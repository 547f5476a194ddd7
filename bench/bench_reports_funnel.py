"""`ladder report funnel` and `ladder report cohorts` on the demo dataset, against hand-written
SQL doing the same work, in the same run.

Rows (the issue's goal: each report at most 1.5x its hand-written query, at 1M supporters):

- the library call (``funnel`` by month over the whole history; ``cohorts`` by month within
  30, 90 and 180 days), warm, median of ``--repeat`` calls in one fresh process;
- the same report as a whole ``ladder report ...`` process (start-up, options, schema check,
  output as CSV), median of ``--repeat`` runs;

each against the same two statements written by hand as raw SQL (joins per day and state; the
ordered level history with the blanks filled, read once for the first changes and the changes
per day and move, or for cohorts the first changes and the histogram of whole days), executed
and fetched without folding, warm, median. The
zone is UTC on both sides (a local date is then the stored time's date); both end at the
dataset's anchor. The notes give CPU seconds too (load-independent on SQLite, where the
database works in the measured process) and say whether the hand query's final counts agree
with the report's last row.

    python -m bench reports_funnel --people 100000 [--backend postgresql]
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.datasets import ensure_dataset
from bench.harness import BenchOptions, Row, benchmark, run_command, run_isolated

WITHIN = [30, 90, 180]


@benchmark("reports_funnel")
def run(options: BenchOptions) -> list[Row]:
    dataset = ensure_dataset(options)
    args = {"url": dataset.url, "until": dataset.anchor.isoformat(), "repeat": options.repeat}
    rows = []
    for report in ("funnel", "cohorts"):
        measured = run_isolated("bench.bench_reports_funnel:compare", report=report, **args)
        result = measured.result
        runs = [_cli_run(dataset.url, report, dataset.anchor) for _ in range(options.repeat)]
        cli, cli_cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        same = result["project_check"] == result["hand_check"]
        rows += [
            Row(
                f"report {report} by month ({options.backend})",
                dataset.people,
                result["project"],
                result["hand"],
                "the same 2 statements, raw SQL",
                measured.peak_mib,
                f"warm, interleaved, median of {options.repeat}; CPU {result['project_cpu']:.2f} s "
                f"vs {result['hand_cpu']:.2f} s; same final counts: {same}",
            ),
            Row(
                f"ladder report {report} (whole process, {options.backend})",
                dataset.people,
                cli,
                result["hand"],
                "the same 2 statements, raw SQL",
                None,
                f"cold process: start-up, schema check, CSV output; CPU {cli_cpu:.2f} s",
            ),
        ]
    return rows


def _cli_run(url: str, report: str, until: datetime) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one whole ``ladder report`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run_command(_ladder_argv(url, report, until), env={"LADDER_TZ": "UTC"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _ladder_argv(url: str, report: str, until: datetime) -> list[str]:
    start = "from cli.main import main; main()"
    return [
        sys.executable, "-c", start, "--db", url, "report", report,
        "--until", f"{until:%Y-%m-%d}", "--format", "csv",
    ]  # fmt: skip


# ---- targets, each run in a fresh process by run_isolated -----------------------------------


def compare(url: str, until: str, repeat: int, report: str) -> dict[str, Any]:
    """The project's call and the hand-written SQL, alternately, ``repeat`` times each after
    one warm-up of each; the medians and what each counted."""
    from ladder.storage.engine import make_engine

    engine = make_engine(url)
    end = datetime.fromisoformat(until)
    sides = {"project": _project(report, end), "hand": _hand(report, end, engine.dialect.name)}
    times: dict[str, list[float]] = {name: [] for name in sides}
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    found: dict[str, Any] = {}
    with engine.connect() as connection:
        for turn in range(repeat + 1):
            for name, work in sides.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                found[name] = work(connection)
                if turn:  # the first turn warms the cache
                    times[name].append(time.perf_counter() - start)
                    cpu[name].append(time.process_time() - start_cpu)
    engine.dispose()
    return {
        "project": statistics.median(times["project"]),
        "hand": statistics.median(times["hand"]),
        "project_cpu": statistics.median(cpu["project"]),
        "hand_cpu": statistics.median(cpu["hand"]),
        "project_check": found["project"],
        "hand_check": found["hand"],
    }


def _project(report: str, until: datetime) -> Callable[[Any], list[int]]:
    """The library call; the final counts it gives (funnel) or the people it counts."""
    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.reports.cohorts import cohorts
    from ladder.reports.funnel import funnel
    from ladder.reports.periods import Every
    from ladder.reports.window import Window

    ladder = load_ladder(default_ladder_path())
    window = Window(until)

    def run_funnel(connection: Any) -> list[int]:
        last = funnel(connection, ladder, window, Every.MONTH, UTC)[-1]
        return [last[k] for k in ["people", *ladder.rung_names, "lapsed"]]

    def run_cohorts(connection: Any) -> list[int]:
        return [sum(row["people"] for row in cohorts(connection, ladder, window, UTC, WITHIN))]

    return run_funnel if report == "funnel" else run_cohorts


def _hand(report: str, until: datetime, dialect: str) -> Callable[[Any], list[int]]:
    """The same aggregates as raw SQL, fetched; the same checks, by a plain sum."""
    from sqlalchemy import DateTime, bindparam, text

    sql = _sql(dialect)
    names = ["funnel_joins", "funnel_history"]
    if report == "cohorts":
        names = ["sizes", "cohort_history"]
    statements = [
        text(sql[name]).bindparams(bindparam("until", type_=DateTime())) for name in names
    ]

    def work(connection: Any) -> list[int]:
        results = [connection.execute(s, {"until": until}).all() for s in statements]
        if report == "cohorts":
            return [sum(row[-1] for row in results[0])]
        states: Counter[tuple[str, str]] = Counter()
        for _day, rung, status, n in results[0]:
            states[(rung, status)] += n
        for _part, _day, rung, status, to_rung, to_status, n in results[1]:
            # part 0: (state today, state joined in); part 1: (state before, state after)
            states[(rung, status)] -= n
            states[(to_rung, to_status)] += n
        active = [states[(rung, "active")] for rung in ("follow", "attend", "mobilise")]
        lapsed = sum(n for (_, status), n in states.items() if status == "lapsed")
        return [sum(states.values()), *active, lapsed]

    return work


def _sql(dialect: str) -> dict[str, str]:
    if dialect == "postgresql":
        day, greatest = "CAST({} AS DATE)", "greatest"
        days = "CAST(floor(EXTRACT(EPOCH FROM (o.at - o.created_at)) / 86400) AS INTEGER)"
    else:
        day, greatest = "date({})", "max"
        days = "CAST(julianday(o.at) - julianday(o.created_at) AS INTEGER)"
    counted = "s.status <> 'erased' AND s.merged_into_id IS NULL"
    ordered = f"""
WITH c AS (
  SELECT lc.id, lc.supporter_id, lc.changed_at, s.created_at, s.rung AS now_rung,
         s.status AS now_status, lc.from_rung, lc.to_rung, lc.from_status, lc.to_status,
         count(lc.to_rung) OVER w AS rs, count(lc.to_status) OVER w AS ss
  FROM level_changes lc JOIN supporters s ON s.id = lc.supporter_id
  WHERE {counted}
  WINDOW w AS (PARTITION BY lc.supporter_id ORDER BY lc.changed_at, lc.id)
), f AS (
  SELECT id, supporter_id, changed_at, created_at, now_rung, now_status,
    coalesce(max(CASE WHEN rs = 1 AND to_rung IS NOT NULL THEN coalesce(from_rung, to_rung) END)
      OVER (PARTITION BY supporter_id), now_rung) AS jr,
    coalesce(max(CASE WHEN ss = 1 AND to_status IS NOT NULL
      THEN coalesce(from_status, to_status) END) OVER (PARTITION BY supporter_id),
      now_status) AS js,
    max(to_rung) OVER (PARTITION BY supporter_id, rs) AS ra,
    max(to_status) OVER (PARTITION BY supporter_id, ss) AS sa
  FROM c
), o AS (
  SELECT supporter_id, created_at, now_rung, now_status, row_number() OVER w AS k,
    {greatest}(changed_at, created_at) AS at,
    lag(coalesce(ra, jr), 1, jr) OVER w AS prev_rung,
    lag(coalesce(sa, js), 1, js) OVER w AS prev_status,
    coalesce(ra, jr) AS to_rung, coalesce(sa, js) AS to_status
  FROM f WINDOW w AS (PARTITION BY supporter_id ORDER BY changed_at, id)
)"""
    rank = "CASE {} WHEN 'follow' THEN 0 WHEN 'attend' THEN 1 WHEN 'mobilise' THEN 2 ELSE -1 END"
    return {
        "funnel_joins": f"""SELECT {day.format("s.created_at")}, s.rung, s.status, count(*)
            FROM supporters s WHERE {counted} AND s.created_at < :until GROUP BY 1, 2, 3""",
        "funnel_history": f"""{ordered}
            SELECT 0, {day.format("created_at")}, now_rung, now_status, prev_rung, prev_status,
              count(*) FROM o WHERE k = 1 AND created_at < :until GROUP BY 2, 3, 4, 5, 6
            UNION ALL
            SELECT 1, {day.format("at")}, prev_rung, prev_status, to_rung, to_status, count(*)
              FROM o WHERE at < :until GROUP BY 2, 3, 4, 5, 6""",
        "sizes": f"""SELECT {day.format("s.created_at")}, {rank.format("s.rung")}, count(*)
            FROM supporters s
            WHERE {counted} AND s.created_at < :until GROUP BY 1, 2""",
        "cohort_history": f"""{ordered}, ranks AS (SELECT 1 AS r UNION ALL SELECT 2),
            p AS (SELECT o.supporter_id, o.created_at, ranks.r,
                    min(CASE WHEN {rank.format("o.to_rung")} >= ranks.r AND o.at < :until
                        THEN {days} END) AS days
                  FROM o CROSS JOIN ranks WHERE o.created_at < :until
                  GROUP BY o.supporter_id, o.created_at, ranks.r
                  HAVING max(CASE WHEN o.k = 1 THEN {rank.format("o.prev_rung")} ELSE -1 END)
                    < ranks.r)
            SELECT 0, {day.format("created_at")}, {rank.format("now_rung")},
              {rank.format("prev_rung")}, count(*) FROM o WHERE k = 1 AND created_at < :until
              GROUP BY 2, 3, 4
            UNION ALL
            SELECT 1, {day.format("created_at")}, r, days, count(*) FROM p
            WHERE days IS NOT NULL GROUP BY 2, 3, 4""",
    }
