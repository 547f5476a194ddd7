"""Seeding a movement (supporters with their actions, attendance and recruitment edges).

Rows "seed 100k" and "seed <people>": ``generate_movement`` into a fresh database (generation
and writing; the empty schema is made first, untimed) against the limit, measured in the same
run: the SAME rows, read back from the seeded database beforehand (untimed), inserted with raw
``sqlite3`` executemany into the same empty schema with the same PRAGMAs (WAL,
``synchronous=NORMAL``, ``cache_size=-262144``, foreign keys on), in one transaction. On
PostgreSQL the limit is psycopg 3 ``COPY`` of the same rows.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from bench.datasets import ANCHOR, LOCALE, postgres_schema_url
from bench.harness import CACHE_DIR, BenchOptions, Row, benchmark, run_isolated

WORK_DIR = CACHE_DIR / "seed-runs"
# Foreign-key order: the same order the generator writes in.
TABLES = [
    "local_groups",
    "partner_organisations",
    "tags",
    "campaigns",
    "campaign_goals",
    "action_kinds",
    "supporters",
    "supporter_tags",
    "events",
    "attendances",
    "actions",
    "level_changes",
]
PRAGMAS = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA cache_size = -262144",
    "PRAGMA foreign_keys = ON",
]


@benchmark("seed")
def seed_benchmark(options: BenchOptions) -> list[Row]:
    sizes = sorted({min(100_000, options.people), options.people})
    return [_measure(options, people) for people in sizes]


def _measure(options: BenchOptions, people: int) -> Row:
    projects, limits, peaks = [], [], []
    summary: dict[str, Any] = {}
    for _ in range(options.repeat):
        seeded, empty = _fresh_pair(options, people)
        project = run_isolated(
            "bench.bench_seed:seed_fresh", url=seeded, people=people, seed=options.seed
        )
        limit = run_isolated("bench.bench_seed:raw_insert", source=seeded, destination=empty)
        _drop(options, people)
        projects.append(project.result["seconds"])
        limits.append(limit.result["seconds"])
        peaks.append(project.peak_mib)
        summary = project.result["summary"]
    counts = summary["rows"]
    note = (
        f"{counts['actions']:,} actions, {summary['recruited']:,} edges, "
        f"{counts['attendances']:,} attendances"
    )
    limit_name = "raw sqlite3 executemany" if options.backend == "sqlite" else "psycopg COPY"
    return Row(
        f"seed {_short(people)}",
        people,
        statistics.median(projects),
        statistics.median(limits),
        f"{limit_name}, same rows",
        max(peaks),
        note,
    )


def _short(people: int) -> str:
    if people % 1_000_000 == 0:
        return f"{people // 1_000_000}M"
    if people % 1_000 == 0:
        return f"{people // 1_000}k"
    return f"{people:,}"


def _fresh_pair(options: BenchOptions, people: int) -> tuple[str, str]:
    """Two empty ladder databases (real migrations): one to seed, one for the raw insert."""
    from ladder.storage.schema import initialise

    if options.backend == "postgresql":
        urls = [_fresh_schema(options.postgres_url, f"bench_seedrun_{people}_{n}") for n in "ab"]
    else:
        shutil.rmtree(WORK_DIR, ignore_errors=True)
        WORK_DIR.mkdir(parents=True)
        urls = [f"sqlite:///{WORK_DIR / f'{n}-{people}.db'}" for n in ("seeded", "raw")]
    for url in urls:
        initialise(url)
    return urls[0], urls[1]


def _drop(options: BenchOptions, people: int) -> None:
    """Remove the two scratch databases (3 GB at 1M people)."""
    if options.backend != "postgresql":
        shutil.rmtree(WORK_DIR, ignore_errors=True)
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(options.postgres_url)
    with admin.begin() as connection:
        for n in "ab":
            connection.execute(text(f"DROP SCHEMA IF EXISTS bench_seedrun_{people}_{n} CASCADE"))
    admin.dispose()


def _fresh_schema(base_url: str, schema: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return postgres_schema_url(base_url, schema)


def seed_fresh(url: str, people: int, seed: int) -> dict[str, Any]:
    """In the child: generate and write a movement; times generate_movement only."""
    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.storage.engine import make_engine
    from seeds.movement import generate_movement

    engine = make_engine(url)
    ladder = load_ladder(default_ladder_path())
    started = time.perf_counter()
    summary = generate_movement(engine, ladder, people, seed, LOCALE, ANCHOR)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "summary": summary}


def raw_insert(source: str, destination: str) -> dict[str, Any]:
    """In the child: read every row of ``source`` (untimed), insert into ``destination`` (timed)."""
    if source.startswith("sqlite"):
        return _raw_sqlite(_sqlite_path(source), _sqlite_path(destination))
    return _raw_postgresql(source, destination)


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _raw_sqlite(source: Path, target: Path) -> dict[str, Any]:
    reader = sqlite3.connect(source)
    tables = {name: _read(reader, name) for name in TABLES}
    reader.close()
    writer = sqlite3.connect(target, isolation_level=None)
    for pragma in PRAGMAS:
        writer.execute(pragma)
    writer.execute("DELETE FROM action_kinds")  # `ladder init` synced them; insert the same
    started = time.perf_counter()
    writer.execute("BEGIN IMMEDIATE")
    for name, (columns, rows) in tables.items():
        marks = ", ".join("?" for _ in columns)
        writer.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", rows)
    writer.execute("COMMIT")
    seconds = time.perf_counter() - started
    writer.close()
    return {"seconds": seconds, "rows": sum(len(rows) for _, rows in tables.values())}


def _read(connection: Any, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    cursor = connection.cursor()
    order = "supporter_id, tag_id" if table == "supporter_tags" else "id"
    cursor.execute(f"SELECT * FROM {table} ORDER BY {order}")
    columns = [d[0] for d in cursor.description]
    return columns, cursor.fetchall()


def _raw_postgresql(source: str, target: str) -> dict[str, Any]:
    import psycopg

    def connect(url: str) -> Any:
        from sqlalchemy.engine import make_url

        parsed = make_url(url).set(drivername="postgresql")
        return psycopg.connect(parsed.render_as_string(hide_password=False))

    with connect(source) as reader:
        tables = {name: _read(reader, name) for name in TABLES}
    with connect(target) as writer:
        writer.execute("DELETE FROM action_kinds")
        started = time.perf_counter()
        with writer.cursor() as cursor:
            for name, (columns, rows) in tables.items():
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        writer.commit()
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": sum(len(rows) for _, rows in tables.values())}
