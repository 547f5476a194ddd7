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

A PostgreSQL dataset is the SQLite dataset of the same people and seed (built first if missing:
the same generator's output), copied table by table with COPY into a schema made by the real
migrations, with the secondary indexes and foreign keys added after the rows (one pass each
instead of one check per row), the id sequences moved past the largest id, and ANALYZE of the
schema's own tables. 1M people: minutes, where generating on PostgreSQL took over 40 minutes.

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
META_DDL = f"CREATE TABLE {META_TABLE} (key VARCHAR(40) PRIMARY KEY, value TEXT)"


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
        url = f"sqlite:///{_sqlite_dataset(options)}"
    return Dataset(url, options.people, options.seed, ANCHOR)


def _sqlite_dataset(options: BenchOptions) -> Path:
    """The SQLite file of ``options.people`` and ``options.seed``, built if missing."""
    path = CACHE_DIR / f"movement-{options.people}-{options.seed}.db"
    with _locked(path.with_suffix(".lock")):
        _ensure_sqlite(options, path)
    return path


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
        source = _sqlite_dataset(options)  # the same rows, generated (or cached) on SQLite
        building = f"{schema}_building"
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {building} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {building}"))
        copy_to_postgresql(source, postgres_schema_url(options.postgres_url, building))
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
            connection.execute(text(META_DDL))
            connection.execute(
                text(f"INSERT INTO {META_TABLE} (key, value) VALUES (:key, :value)"),
                [{"key": k, "value": v} for k, v in meta.items()],
            )
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    print(f"built {label} in {seconds:.1f} s", file=sys.stderr, flush=True)
    return summary


def copy_to_postgresql(source: Path, url: str) -> dict[str, int]:
    """Copy every table of the SQLite dataset ``source`` into the empty PostgreSQL schema of
    ``url`` (created here by the real migrations); returns the rows copied per table.

    One transaction: the schema's foreign keys and secondary indexes are dropped, each table is
    emptied (whatever a migration put there is in ``source`` too) and filled by ``COPY ... WITH
    (FREEZE)`` in ``source``'s row order (frozen rows: no hint-bit writes on the first reads),
    then the indexes and foreign keys are made again from their own definitions (each in one
    pass, checking every row as the per-row checks would have) and every id sequence is moved
    past the largest id. Then ANALYZE of the schema's tables, by name."""
    from ladder.storage.engine import make_engine
    from ladder.storage.schema import initialise

    started = time.perf_counter()
    print(f"copying {source.name} into PostgreSQL ...", file=sys.stderr, flush=True)
    initialise(url)
    lite = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    engine = make_engine(url)
    counts: dict[str, int] = {}
    try:
        names = [
            name
            for (name,) in lite.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite%' AND name != 'alembic_version' ORDER BY name"
            )
        ]
        with engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
            if META_TABLE in names:
                connection.exec_driver_sql(META_DDL)
            later = _drop_indexes_and_foreign_keys(connection)
            connection.exec_driver_sql(f"TRUNCATE {', '.join(_quoted(n) for n in names)}")
            for name in names:
                counts[name] = _copy_table(lite, connection, name)
            for statement in later:
                connection.exec_driver_sql(statement)
            _reset_sequences(connection)
        with engine.begin() as connection:
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
            tables = ", ".join(f"{_quoted(schema)}.{_quoted(n)}" for n in names)
            connection.exec_driver_sql(f"ANALYZE {tables}")
    finally:
        engine.dispose()
        lite.close()
    seconds = time.perf_counter() - started
    print(f"copied {sum(counts.values()):,} rows in {seconds:.1f} s", file=sys.stderr, flush=True)
    return counts


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _drop_indexes_and_foreign_keys(connection: Any) -> list[str]:
    """Drop the current schema's foreign keys and its indexes that back no constraint; returns
    the statements that make them again (indexes first)."""
    indexes = connection.exec_driver_sql(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relnamespace = current_schema()::regnamespace "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
        "ORDER BY 1"
    ).all()
    keys = connection.exec_driver_sql(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype = 'f' "
        "AND connamespace = current_schema()::regnamespace ORDER BY 1, 2"
    ).all()
    for table, name, _definition in keys:
        connection.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _definition in indexes:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        for table, name, definition in keys
    ]


def _copy_table(lite: sqlite3.Connection, connection: Any, name: str) -> int:
    """COPY one table's rows from SQLite, in its row order; the columns must be the same."""
    columns = [
        column
        for (column,) in connection.exec_driver_sql(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %(t)s "
            "ORDER BY ordinal_position",
            {"t": name},
        )
    ]
    source = [row[1] for row in lite.execute(f"PRAGMA table_info({_quoted(name)})")]
    if sorted(columns) != sorted(source):
        raise RuntimeError(f"table {name}: columns {source} in SQLite, {columns} in PostgreSQL")
    listed = ", ".join(_quoted(c) for c in columns)
    rows = lite.execute(f"SELECT {listed} FROM {_quoted(name)} ORDER BY rowid")
    raw = connection.connection.driver_connection
    count = 0
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {_quoted(name)} ({listed}) FROM STDIN WITH (FREEZE)") as copy,
    ):
        while batch := rows.fetchmany(10_000):
            for row in batch:
                copy.write_row(row)
            count += len(batch)
    return count


def _reset_sequences(connection: Any) -> None:
    """Every sequence owned by a column of the schema: next value past the column's largest."""
    owned = connection.exec_driver_sql(
        "SELECT t.relname, a.attname, s.oid::regclass::text FROM pg_class s "
        "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
        "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
        "WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace"
    ).all()
    for table, column, sequence in owned:
        connection.exec_driver_sql(
            f"SELECT setval(%(s)s, COALESCE((SELECT max({_quoted(column)}) "
            f"FROM {_quoted(table)}), 0) + 1, false)",
            {"s": sequence},
        )


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
