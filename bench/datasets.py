"""Cached benchmark datasets: a generated movement of N supporters, built once and reused.

    dataset = ensure_dataset(options)   # Dataset(url, people, seed, anchor)

SQLite: ``bench/.cache/movement-{people}-{seed}.db``. PostgreSQL: schema ``bench_{people}_{seed}``
of ``options.postgres_url`` (the URL selects it with ``?options=-csearch_path%3D<schema>``).
The anchor (the dataset's "today") is fixed, so a cached dataset stays valid: pass it as
``--as-of`` to anything that looks at "now". A dataset is complete when its ``bench_meta`` table
(created by the bench only) names the current GENERATOR_VERSION; otherwise it is rebuilt.

Several processes may ask at once: the build runs under an exclusive ``fcntl.flock`` on
``bench/.cache/<name>.lock``, into a temporary file or schema that is renamed when complete, so
nobody ever sees a half-built dataset.

Build ahead of time: ``python -m bench.datasets --people 1000000 [--backend postgresql]``.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.harness import CACHE_DIR, BenchOptions

ANCHOR = datetime(2026, 11, 1)
LOCALE = "fr_FR"
GENERATOR_VERSION = "2"  # bump when seeds/ changes what it writes: caches are then rebuilt
META_TABLE = "bench_meta"


@dataclass(frozen=True)
class Dataset:
    url: str
    people: int
    seed: int
    anchor: datetime


def ensure_dataset(options: BenchOptions) -> Dataset:
    """The cached movement for ``options.people`` and ``options.seed``, built if missing."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    if options.backend == "postgresql":
        name = schema_name(options.people, options.seed)
        with _locked(CACHE_DIR / f"{name}.lock"):
            url = _ensure_postgresql(options, name)
    else:
        name = f"movement-{options.people}-{options.seed}"
        with _locked(CACHE_DIR / f"{name}.lock"):
            url = _ensure_sqlite(options, CACHE_DIR / f"{name}.db")
    return Dataset(url, options.people, options.seed, ANCHOR)


def schema_name(people: int, seed: int) -> str:
    return f"bench_{people}_{seed}"


def postgres_schema_url(base_url: str, schema: str) -> str:
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"


def read_meta(url: str) -> dict[str, str]:
    """The bench_meta rows of a dataset (empty when it has none)."""
    from sqlalchemy import inspect, text

    from ladder.storage.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table(META_TABLE):
                return {}
            rows = connection.execute(text(f"SELECT key, value FROM {META_TABLE}"))
            return {key: value for key, value in rows}
    finally:
        engine.dispose()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _complete(meta: dict[str, str]) -> bool:
    return meta.get("generator_version") == GENERATOR_VERSION and meta.get(
        "anchor"
    ) == ANCHOR.isoformat(sep=" ")


def _ensure_sqlite(options: BenchOptions, path: Path) -> str:
    url = f"sqlite:///{path}"
    if path.exists() and _complete(_sqlite_meta(path)):
        return _upgraded(url)
    building = path.with_name(f"{path.stem}.building-{os.getpid()}.db")
    _remove_sqlite_files(building)
    _build(f"sqlite:///{building}", options)
    _checkpoint(building)
    _remove_sqlite_files(path)  # a stale dataset's -wal must not meet the new file
    os.replace(building, path)
    return url


def _upgraded(url: str) -> str:
    """A cached dataset brought to the latest schema (a new migration adds columns or tables
    to it in seconds, where a rebuild takes minutes); the generated rows are unchanged."""
    from ladder.storage.schema import upgrade

    upgrade(url)
    return url


def _sqlite_meta(path: Path) -> dict[str, str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(f"SELECT key, value FROM {META_TABLE}").fetchall()
    except sqlite3.Error:
        return {}
    finally:
        connection.close()
    return dict(rows)


def _checkpoint(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _ensure_postgresql(options: BenchOptions, schema: str) -> str:
    from sqlalchemy import create_engine, text

    url = postgres_schema_url(options.postgres_url, schema)
    admin = create_engine(options.postgres_url)
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT count(*) FROM information_schema.schemata WHERE schema_name = :s"),
                {"s": schema},
            )
        if exists and _complete(read_meta(url)):
            return _upgraded(url)
        building = f"{schema}_building"
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {building} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {building}"))
        _build(postgres_schema_url(options.postgres_url, building), options)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"ALTER SCHEMA {building} RENAME TO {schema}"))
        return url
    finally:
        admin.dispose()


def _build(url: str, options: BenchOptions) -> dict[str, Any]:
    """Create the schema with the real migrations, generate the movement, record bench_meta."""
    from sqlalchemy import text

    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.storage.engine import make_engine
    from ladder.storage.schema import initialise
    from seeds.movement import generate_movement

    started = time.perf_counter()
    label = f"dataset {options.people:,} people, seed {options.seed} ({options.backend})"
    print(f"building {label} ...", file=sys.stderr, flush=True)
    initialise(url)
    engine = make_engine(url)
    try:
        summary = generate_movement(
            engine,
            load_ladder(default_ladder_path()),
            people=options.people,
            seed=options.seed,
            locale=LOCALE,
            anchor=ANCHOR,
        )
        meta = {
            "generator_version": GENERATOR_VERSION,
            "anchor": ANCHOR.isoformat(sep=" "),
            "people": str(options.people),
            "seed": str(options.seed),
            "locale": LOCALE,
            "summary": json.dumps(summary),
        }
        with engine.begin() as connection:
            connection.execute(
                text(f"CREATE TABLE {META_TABLE} (key VARCHAR(40) PRIMARY KEY, value TEXT)")
            )
            connection.execute(
                text(f"INSERT INTO {META_TABLE} (key, value) VALUES (:key, :value)"),
                [{"key": k, "value": v} for k, v in meta.items()],
            )
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    print(f"built {label} in {seconds:.1f} s", file=sys.stderr, flush=True)
    return summary


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import DEFAULT_POSTGRES

    parser = argparse.ArgumentParser(prog="python -m bench.datasets", description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("LADDER_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    args = parser.parse_args(argv)
    options = BenchOptions(args.people, args.backend, 1, args.seed, args.postgres_url)
    dataset = ensure_dataset(options)
    print(json.dumps({**dataset.__dict__, "anchor": dataset.anchor.isoformat(sep=" ")}))
    print(read_meta(dataset.url).get("summary", ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
