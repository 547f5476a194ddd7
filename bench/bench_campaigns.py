"""`ladder campaigns show` on a campaign of 1,000,000 actions (SQLite), against the issue's
200 ms goal and against one hand-written ``count(*)`` of the same actions.

The database is built once into ``bench/.cache/campaign-{people}-{actions}.db`` with raw
``sqlite3`` executemany (``--people`` supporters, ``actions=N`` petition actions in one
campaign over the last year, half as many other actions outside it). Rows, warm, median of
``--repeat`` runs in one fresh process each:

- the whole progress (counts, pace, projection, joined, climbed) against the 200 ms goal;
- its counts alone (``count``, ``pace_7d``, ``pace_30d``) against one hand-written count;
- joined and climbed alone (one grouped read of the first action stored on each person,
  migration 0006, and one probe of the level changes per person counted).

    python -m bench campaigns --people 300000
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import CACHE_DIR, BenchOptions, Row, benchmark, run_isolated

AS_OF = datetime(2026, 11, 1)
CAMPAIGN = "bench: petition"
VERSION = 2  # 2: each person's first action stored (migration 0006)


@benchmark("campaigns")
def run(options: BenchOptions) -> list[Row]:
    if options.backend != "sqlite":
        raise SystemExit("bench campaigns measures SQLite only (the issue's goal is for SQLite)")
    actions = int(options.extra.get("actions", 1_000_000))
    path = _ensure(options.people, actions, options.seed)
    args = {"path": str(path), "repeat": options.repeat}
    whole = run_isolated("bench.bench_campaigns:progress", part="all", **args)
    counts = run_isolated("bench.bench_campaigns:progress", part="counts", **args)
    joined = run_isolated("bench.bench_campaigns:progress", part="joined", **args)
    raw = run_isolated("bench.bench_campaigns:hand_count", **args)
    return [
        Row(
            "campaigns show: whole progress (warm, median)",
            actions,
            whole.result,
            0.200,
            "goal: 200 ms",
            whole.peak_mib,
            f"{options.people:,} people",
        ),
        Row(
            "campaign counts and pace only",
            actions,
            counts.result,
            raw.result,
            "one hand-written count(*)",
            counts.peak_mib,
        ),
        Row(
            "joined and climbed only",
            actions,
            joined.result,
            0.200,
            "goal: 200 ms",
            joined.peak_mib,
            "stored first actions",
        ),
    ]


def progress(path: str, repeat: int, part: str) -> float:
    """Median seconds of ``campaign_progress`` (or one of its parts), warm."""
    from ladder.campaigns import progress as module
    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.storage.engine import make_engine

    engine = make_engine(f"sqlite:///{path}")
    ladder = load_ladder(default_ladder_path())
    times = []
    with engine.connect() as connection:
        goals = module._goals(connection, None)
        kinds: dict[str, int] = dict(
            connection.exec_driver_sql("SELECT name, id FROM action_kinds").all()
        )
        ids = [g.campaign_id for g in goals]
        work: dict[str, Any] = {
            "all": lambda: module.campaign_progress(connection, ladder, AS_OF, zone=UTC),
            "counts": lambda: module._action_counts(connection, goals, kinds, AS_OF),
            "joined": lambda: module._joined(connection, ladder, ids, AS_OF),
        }
        for _ in range(repeat + 1):  # the first run warms the cache
            start = time.perf_counter()
            work[part]()
            times.append(time.perf_counter() - start)
    engine.dispose()
    return statistics.median(times[1:])


def hand_count(path: str, repeat: int) -> float:
    connection = sqlite3.connect(path)
    sql = "SELECT count(*) FROM actions WHERE campaign_id = 1 AND occurred_at <= ?"
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        connection.execute(sql, (AS_OF.isoformat(" "),)).fetchone()
        times.append(time.perf_counter() - start)
    connection.close()
    return statistics.median(times[1:])


def _ensure(people: int, actions: int, seed: int) -> Path:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"campaign-{people}-{actions}-{seed}-{VERSION}.db"
    if path.exists():
        return path
    from ladder.storage.schema import initialise

    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    initialise(f"sqlite:///{building}")
    _fill(building, people, actions, seed)
    building.rename(path)
    return path


def _fill(path: Path, people: int, actions: int, seed: int) -> None:
    rng = random.Random(seed)
    stamp = AS_OF.isoformat(" ")
    db = sqlite3.connect(path)
    kinds = dict(db.execute("SELECT name, id FROM action_kinds"))
    if not kinds:
        names = ("petition", "like")
        db.executemany("INSERT INTO action_kinds (name) VALUES (?)", [(n,) for n in names])
        kinds = dict(db.execute("SELECT name, id FROM action_kinds"))
    db.execute("INSERT INTO campaigns (id, name, created_at) VALUES (1, ?, ?)", (CAMPAIGN, stamp))
    db.execute(
        "INSERT INTO campaign_goals (campaign_id, metric, target) VALUES (1, ?, ?)",
        ("actions:petition", 2 * actions),
    )
    db.executemany(
        "INSERT INTO supporters (id, first_name, rung, rung_since, created_at, status, "
        "consent_email, consent_sms, consent_photo, rung_set_manually) "
        "VALUES (?, 'x', 'follow', ?, ?, 'active', 0, 0, 0, 0)",
        ((i, stamp, stamp) for i in range(1, people + 1)),
    )

    def rows() -> Any:
        year = 365 * 86400
        for n in range(actions + actions // 2):
            inside = n < actions
            when = AS_OF - timedelta(seconds=rng.randrange(year if inside else 2 * year))
            kind = kinds["petition"] if inside else kinds["like"]
            yield (
                rng.randrange(1, people + 1),
                kind,
                when.isoformat(" "),
                1 if inside else None,
                stamp,
            )

    db.executemany(
        "INSERT INTO actions (supporter_id, action_kind_id, occurred_at, campaign_id, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        rows(),
    )
    db.commit()
    from ladder.storage.firsts import everyone_sql

    db.execute(everyone_sql())  # as every write of actions keeps them
    db.commit()
    db.execute("ANALYZE")
    db.close()
