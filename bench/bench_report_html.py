"""`ladder report html` end to end against the hand-written aggregate queries it needs, in the
same run (issue #18's goal: at most 3x their sum, and under 10 s at 1M people on SQLite).

The window is the dataset's last 90 days (until its anchor). Rows (each measurement in a fresh
process, cold imports included; medians of --repeat runs, interleaved):

- ``ladder report html -o FILE`` as a whole process (start-up, imports and schema check
  included: the issue's "end to end") against the limit: the sum of the groups', the funnel's
  and cohorts', and the campaigns' aggregate queries written by hand as plain SQL (one
  statement each; the funnel's and cohorts' simplified, so a floor; the headline's figures,
  sums over the groups but for the recruits, from the groups' statements and one for the
  recruits, as the report reads them), the events report's hand-written statement (bench
  reports_events), plus the recruitment edges read raw and every recruiter's reach counted by
  a numpy parent-array pass (bench_graph's floor for the leaderboard), their imports left
  out, one statement after the other on one connection (the report reads two sections at
  once, in threads: see the CPU seconds);
- ``html_report`` called in-process, imports included, and after its imports;
- the limit's parts, for where the time goes;
- CPU seconds, which a loaded machine swells less than wall time: the whole process's (user
  and system, from the operating system) against the limit's (its parts' process time
  summed); the report's sections running in two threads add no CPU, so this row shows the
  work done, not the time two cores save.

    python -m bench report_html --people 100000
"""

from __future__ import annotations

import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.datasets import ensure_dataset
from bench.harness import BenchOptions, Measurement, Row, benchmark, run_command, run_isolated

DAYS = 90
COUNTED = "status <> 'erased' AND merged_into_id IS NULL"
ACTIVE_IDS = """
    SELECT supporter_id FROM actions WHERE occurred_at >= :since AND occurred_at < :until
    UNION
    SELECT a.supporter_id FROM attendances a JOIN events e ON e.id = a.event_id
    WHERE a.presence = 'attended' AND e.status <> 'cancelled'
      AND e.starts_at >= :since AND e.starts_at < :until"""
HELD = "e.status <> 'cancelled' AND e.starts_at >= :since AND e.starts_at < :until"
QUERIES = {
    # the headline's figures but the recruits' are sums over the groups: read once for both
    "headline and groups": [
        # grouped by an expression: one pass over the table, not a walk of the index on
        # (local_group_id, rung) with a lookup per row (2.6x slower at 1M on SQLite)
        f"""SELECT coalesce(local_group_id, 0), rung,
              sum(CASE WHEN created_at < :until THEN 1 ELSE 0 END),
              sum(CASE WHEN status = 'active' THEN 1 ELSE 0 END),
              sum(CASE WHEN status = 'lapsed' AND created_at < :until THEN 1 ELSE 0 END)
            FROM supporters WHERE {COUNTED} GROUP BY 1, 2""",
        f"""SELECT s.local_group_id, count(*) FROM supporters s
            JOIN ({ACTIVE_IDS}) x ON x.supporter_id = s.id
            WHERE s.{COUNTED} AND s.created_at < :until GROUP BY s.local_group_id""",
        f"""SELECT e.local_group_id, count(DISTINCT e.id),
              count(DISTINCT CASE WHEN e.key_date THEN e.id END),
              sum(CASE WHEN a.presence = 'attended' THEN 1 ELSE 0 END)
            FROM events e LEFT JOIN attendances a ON a.event_id = e.id
            WHERE {HELD} GROUP BY e.local_group_id""",
        f"""SELECT count(*), count(recruiter_id), count(DISTINCT recruiter_id) FROM supporters
            WHERE {COUNTED} AND created_at >= :since AND created_at < :until""",
    ],
    "funnel and cohorts": [
        # joins per day and state; level changes per day and move; each person's first change
        # (the rung they joined on); days from joining to each change (the cohorts' histogram)
        f"""SELECT {{day:created_at}}, rung, status, count(*) FROM supporters
            WHERE {COUNTED} AND created_at < :until GROUP BY 1, 2, 3""",
        f"""SELECT {{day:lc.changed_at}}, lc.from_rung, lc.to_rung, lc.from_status,
              lc.to_status, count(*)
            FROM level_changes lc JOIN supporters s ON s.id = lc.supporter_id
            WHERE s.{COUNTED} AND lc.changed_at < :until GROUP BY 1, 2, 3, 4, 5""",
        f"""SELECT {{day:s.created_at}}, s.rung, s.status, lc.from_rung, lc.from_status, count(*)
            FROM level_changes lc JOIN supporters s ON s.id = lc.supporter_id
            WHERE s.{COUNTED} AND lc.id IN (SELECT min(id) FROM level_changes
                                            GROUP BY supporter_id)
            GROUP BY 1, 2, 3, 4, 5""",
        f"""SELECT {{day:s.created_at}}, lc.to_rung, {{days:lc.changed_at,s.created_at}},
              count(*)
            FROM level_changes lc JOIN supporters s ON s.id = lc.supporter_id
            WHERE s.{COUNTED} AND lc.changed_at < :until AND lc.to_rung IS NOT NULL
            GROUP BY 1, 2, 3""",
    ],
    "campaigns": [
        """SELECT campaign_id, count(*),
              sum(CASE WHEN occurred_at >= :week THEN 1 ELSE 0 END),
              sum(CASE WHEN occurred_at >= :month THEN 1 ELSE 0 END)
            FROM actions WHERE campaign_id IS NOT NULL AND occurred_at < :until
            GROUP BY campaign_id""",
    ],
}


@benchmark("report_html")
def run(options: BenchOptions) -> list[Row]:
    dataset = ensure_dataset(options)
    until = dataset.anchor
    since = until - timedelta(days=DAYS)
    args = {"url": dataset.url, "since": since.isoformat(), "until": until.isoformat()}
    run_isolated("bench.bench_report_html:limit", **args)  # warm the file cache
    runs: dict[str, list[Measurement]] = {"project": [], "limit": []}
    cli: list[float] = []
    cli_cpu: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "report.html"
        argv = [sys.executable, "-c", "from cli.main import main; main()", "--db", dataset.url,
                "report", "html", "--since", f"{since:%Y-%m-%d}", "--until", f"{until:%Y-%m-%d}",
                "--lang", "en", "-o", str(target), "--force"]  # fmt: skip
        for _ in range(options.repeat):
            runs["project"].append(run_isolated("bench.bench_report_html:project", **args))
            runs["limit"].append(run_isolated("bench.bench_report_html:limit", **args))
            before = _children_cpu()
            cli.append(run_command(argv, env={"LADDER_TZ": "UTC"}))
            cli_cpu.append(_children_cpu() - before)
        size = target.stat().st_size
    project = _median(runs["project"])
    limits = [sum(m.result["parts"].values()) for m in runs["limit"]]
    floor = statistics.median(limits)
    parts = _median(runs["limit"]).result["parts"]
    floor_cpu = statistics.median(m.result["cpu"] for m in runs["limit"])
    work = statistics.median(m.result["work_s"] for m in runs["project"])
    n = options.people
    where = f"{options.backend}, last {DAYS} days"
    what = "sum of the hand-written queries"
    return [
        Row("ladder report html -o FILE (whole process)", n, statistics.median(cli), floor, what,
            None, f"goal <= 3x and < 10 s; {where}; {size:,} bytes; start-up included"),
        Row("report html in-process, imports included", n, project.seconds, floor, what,
            project.peak_mib, "matplotlib, jinja2, sqlalchemy, ladder imported in the call"),
        Row("report html in-process, after imports", n, work, floor, what, None,
            "queries, leaderboard, charts, page"),
        Row("ladder report html -o FILE, CPU seconds", n, statistics.median(cli_cpu), floor_cpu,
            "the limit's CPU seconds", None, "whole process, user + system"),
        *[
            Row(f"  limit part: {name}", n, seconds, floor, "the whole limit", None)
            for name, seconds in parts.items()
        ],
    ]  # fmt: skip


def _dialect(sql: str, dialect: str) -> str:
    """``{day:x}`` as the date of x, ``{days:a,b}`` as whole days from b to a."""
    if dialect == "postgresql":
        day, days = "CAST({} AS DATE)", "CAST(floor(EXTRACT(EPOCH FROM ({} - {})) / 86400) AS INT)"
    else:
        day, days = "date({})", "CAST(julianday({}) - julianday({}) AS INTEGER)"
    sql = re.sub(r"\{day:([^}]+)\}", lambda m: day.format(m.group(1)), sql)
    return re.sub(r"\{days:([^,}]+),([^}]+)\}", lambda m: days.format(*m.groups()), sql)


def _children_cpu() -> float:
    """User and system seconds of the children waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _median(done: list[Measurement]) -> Measurement:
    return sorted(done, key=lambda m: m.seconds)[len(done) // 2]


# ---- targets, each run in a fresh process by run_isolated ----------------------------------


def project(url: str, since: str, until: str) -> dict[str, Any]:
    """The report as the command makes it; the harness times the whole call (imports in it),
    ``work_s`` the part after the imports."""
    from datetime import UTC

    import matplotlib.backends.backend_svg  # noqa: F401 (imported here to time it apart)

    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.reports.window import Window
    from ladder.storage.engine import make_engine, reading
    from web.html_report.page import html_report

    start = time.perf_counter()
    engine = make_engine(url)
    window = Window(datetime.fromisoformat(until), datetime.fromisoformat(since))
    with reading(engine) as connection:
        page = html_report(connection, load_ladder(default_ladder_path()), window, UTC, "en")
    engine.dispose()
    return {"bytes": len(page.encode("utf-8")), "work_s": time.perf_counter() - start}


def limit(url: str, since: str, until: str) -> dict[str, Any]:
    """Seconds of each part of the limit (``parts``); the limit is their sum (imports left
    out); ``cpu``: the process time they took."""
    from sqlalchemy import DateTime, bindparam, text

    from bench.bench_graph import limit_numpy_reach
    from bench.bench_reports_events import HAND_EVENTS
    from ladder.recruitment.edges import _time_param, fetch_rows
    from ladder.storage.engine import make_engine

    end = datetime.fromisoformat(until)
    values = {
        "since": datetime.fromisoformat(since),
        "until": end,
        "week": end - timedelta(days=7),
        "month": end - timedelta(days=30),
    }
    engine = make_engine(url)
    parts: dict[str, float] = {}
    cpu = 0.0
    with engine.connect() as connection:
        for name, statements in QUERIES.items():
            start, cpu_start = time.perf_counter(), time.process_time()
            for sql in statements:
                sql = _dialect(sql, engine.dialect.name)
                names = [key for key in values if f":{key}" in sql]
                query = text(sql).bindparams(*[bindparam(k, type_=DateTime()) for k in names])
                connection.execute(query, {k: values[k] for k in names}).all()
            parts[name] = time.perf_counter() - start
            cpu += time.process_time() - cpu_start
        start, cpu_start = time.perf_counter(), time.process_time()
        begin = values["since"]  # the parameters of bench reports_events' statement, in order
        times = [_time_param(connection, t) for t in (begin, end, end, end, begin, end)]
        fetch_rows(connection, HAND_EVENTS.format(key="e.kind"), times)
        parts["events by kind (bench reports_events' SQL)"] = time.perf_counter() - start
        cpu += time.process_time() - cpu_start
    engine.dispose()
    start, cpu_start = time.perf_counter(), time.process_time()
    limit_numpy_reach(url)
    parts["recruiters (edges + numpy reach)"] = time.perf_counter() - start
    cpu += time.process_time() - cpu_start
    return {"parts": parts, "cpu": cpu}
