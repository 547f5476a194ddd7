"""Erasure and the retention sweep on the cached dataset (SQLite), each on a fresh copy of it.

Both commit (the byte-level scrub needs a committed erasure), so every run works on its own
copy of the dataset file (the copy is not timed); each is a fresh process.

- ``people erase`` of one person (``ladder.privacy.erasure.erase_person``: lookup, the
  statements, the audit entry, secure_delete and the WAL checkpoint (TRUNCATE) after the
  commit), median over ``--repeat`` people each in its own process, against the 1 s goal;
- what a ``VACUUM`` of the whole file would cost (not done: the byte-level test shows
  secure_delete and the checkpoint leave no byte; this is the price of the alternative);
- ``privacy sweep`` erasing about 10% of the people (those inactive for ``SWEEP_PERIOD``
  before the dataset's anchor: 100k of 1M) against a hand-written set of statements doing the
  same row changes (the same inactivity query into a temporary table, then one UPDATE or
  DELETE per table; no audit, no status level change, secure_delete off, no checkpoint):
  goal at most 3x.

    python -m bench privacy --people 1000000
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.datasets import ensure_dataset
from bench.harness import CACHE_DIR, BenchOptions, Row, benchmark, run_isolated

SWEEP_PERIOD = "232d"  # about 10% of the generated movement before its anchor


@benchmark("privacy")
def run(options: BenchOptions) -> list[Row]:
    if options.backend != "sqlite":
        print("privacy: SQLite only (each run needs its own copy of the dataset)", file=sys.stderr)
        return []
    dataset = ensure_dataset(options)
    source = Path(dataset.url.removeprefix("sqlite:///"))
    anchor = dataset.anchor.isoformat()
    repeat = max(1, options.repeat)
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as folder:
        copy = Path(folder) / "privacy.db"
        erase = []
        shutil.copyfile(source, copy)
        for index in range(repeat):  # one copy: each run erases another person
            erase.append(run_isolated("bench.bench_privacy:erase_one", path=str(copy), nth=index))
        vacuum = run_isolated("bench.bench_privacy:vacuum_file", path=str(copy))
        project, limit = [], []
        for _ in range(repeat):
            shutil.copyfile(source, copy)
            project.append(
                run_isolated("bench.bench_privacy:project_sweep", path=str(copy), as_of=anchor)
            )
            shutil.copyfile(source, copy)
            limit.append(
                run_isolated("bench.bench_privacy:hand_written_sweep", path=str(copy), as_of=anchor)
            )
    one = statistics.median(m.result["seconds"] for m in erase)
    swept = _median(project)
    written = _median(limit)
    return [
        Row(
            "people erase, one person (SQLite, incl. secure_delete + WAL checkpoint)",
            dataset.people,
            one,
            1.0,
            "goal: 1 s",
            max(m.peak_mib for m in erase),
            f"median of {repeat} people; checkpoint "
            f"{statistics.median(m.result['checkpoint'] for m in erase) * 1000:.0f} ms",
        ),
        Row(
            "VACUUM of the whole file (the alternative, not done)",
            dataset.people,
            vacuum.result,
            one,
            "people erase",
            vacuum.peak_mib,
            "secure_delete + checkpoint make it unneeded (tests/library/test_erase.py)",
        ),
        Row(
            f"privacy sweep --inactive-for {SWEEP_PERIOD} (SQLite)",
            dataset.people,
            swept.result["seconds"],
            written.result["seconds"],
            "hand-written UPDATEs, same rows",
            swept.peak_mib,
            f"{swept.result['erased']:,} erased; by hand {written.result['erased']:,}; "
            "goal at most 3x",
        ),
    ]


def _median(measurements: list[Any]) -> Any:
    ordered = sorted(measurements, key=lambda m: m.result["seconds"])
    return ordered[len(ordered) // 2]


def erase_one(path: str, nth: int) -> dict[str, float]:
    """Erase the nth live person with an email (spread over the file), timed in the child."""
    from sqlalchemy import text

    from ladder.privacy import erasure
    from ladder.storage.engine import make_engine

    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        total = connection.scalar(text("SELECT max(id) FROM supporters"))
        person = connection.scalar(
            text(
                "SELECT id FROM supporters WHERE id >= :at AND email IS NOT NULL "
                "AND status <> 'erased' AND merged_into_id IS NULL ORDER BY id LIMIT 1"
            ),
            {"at": int((total or 1) * ((0.1 + 0.37 * nth) % 1))},
        )
    checkpoint: list[float] = []
    real_scrub = erasure.scrub_storage

    def timed_scrub(connection: Any, result: Any) -> None:
        start = time.perf_counter()
        real_scrub(connection, result)
        checkpoint.append(time.perf_counter() - start)

    erasure.scrub_storage = timed_scrub  # type: ignore[assignment]
    start = time.perf_counter()
    erasure.erase_person(engine, str(person), "bench")
    seconds = time.perf_counter() - start
    engine.dispose()
    return {"seconds": seconds, "checkpoint": checkpoint[0]}


def vacuum_file(path: str) -> float:
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    start = time.perf_counter()
    connection.execute("VACUUM")
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


def project_sweep(path: str, as_of: str) -> dict[str, float]:
    from ladder.privacy.sweep import parse_period, sweep
    from ladder.storage.engine import make_engine

    engine = make_engine(f"sqlite:///{path}")
    start = time.perf_counter()
    report = sweep(engine, parse_period(SWEEP_PERIOD), "bench", now=datetime.fromisoformat(as_of))
    seconds = time.perf_counter() - start
    engine.dispose()
    return {"seconds": seconds, "erased": report.inactive}


def hand_written_sweep(path: str, as_of: str) -> dict[str, float]:
    """The same inactive people, the same row changes, as plain statements in one transaction."""
    import sqlite3

    from ladder.privacy.sweep import _ACTIVE_SINCE, parse_period

    cutoff = parse_period(SWEEP_PERIOD).before(datetime.fromisoformat(as_of))
    quiet = " AND ".join(f"NOT EXISTS ({probe})" for probe in _ACTIVE_SINCE)
    gone = "SELECT id FROM gone"
    statements = [
        "CREATE TEMP TABLE gone (id INTEGER PRIMARY KEY)",
        "INSERT INTO gone SELECT s.id FROM supporters s WHERE s.status <> 'erased' "
        f"AND s.merged_into_id IS NULL AND s.created_at < :cutoff AND {quiet}",
        "INSERT INTO gone SELECT id FROM supporters WHERE id IN (SELECT merged_id FROM merges) "
        "AND merged_into_id IN (SELECT id FROM gone)",
        "UPDATE supporters SET first_name = NULL, last_name = NULL, email = NULL, phone = NULL, "
        "postcode = NULL, source = NULL, status = 'erased', status_since = :now, "
        f"updated_at = :now, lapse_condition_since = NULL WHERE id IN ({gone})",
        "UPDATE actions SET note = NULL, external_id = CASE WHEN external_id LIKE "
        f"'attendance:%' THEN external_id END WHERE supporter_id IN ({gone}) "
        "AND (note IS NOT NULL OR external_id NOT LIKE 'attendance:%')",
        f"UPDATE level_changes SET reason = NULL WHERE supporter_id IN ({gone}) "
        "AND reason IS NOT NULL",
        "UPDATE consent_records SET source = NULL, wording = NULL, evidence = NULL "
        f"WHERE supporter_id IN ({gone})",
        f"DELETE FROM supporter_identifiers WHERE supporter_id IN ({gone})",
        f"DELETE FROM supporter_tags WHERE supporter_id IN ({gone})",
        "UPDATE merges SET details = json_remove(details, '$.merged') "
        f"WHERE kept_id IN ({gone}) OR merged_id IN ({gone})",
    ]
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA secure_delete = 0")
    connection.execute("PRAGMA cache_size = -262144")
    stored = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy writes a DateTime in SQLite
    params = {
        "cutoff": cutoff.strftime(stored),
        "now": datetime.fromisoformat(as_of).strftime(stored),
    }
    start = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    erased = 0
    for sql in statements:
        connection.execute(sql, {k: v for k, v in params.items() if f":{k}" in sql})
        if not erased and sql.startswith("INSERT INTO gone"):
            erased = connection.execute("SELECT count(*) FROM gone").fetchone()[0]
    connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    connection.close()
    return {"seconds": seconds, "erased": erased}
