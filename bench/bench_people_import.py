"""Importing people from a CSV file: ``people import`` into an empty database, then again.

Rows "import <n> people (first)" and "import <n> people (again)": the project's whole import
(read, detect, validate with pydantic, match, resolve recruiters, write) of a deterministic
French Excel-style file (``;``, accents, 70% with a recruiter, some named later in the file)
against the limit measured in the same run: plain ``sqlite3`` executemany of the SAME rows,
already parsed and normalised (untimed), into the same empty schema with the same PRAGMAs
(WAL, ``synchronous=NORMAL``, ``cache_size=-262144``, foreign keys on, ``secure_delete``: the
project's every connection zeroes what a change frees, ladder/storage/engine.py), in one
transaction.
On PostgreSQL the limit is psycopg 3 ``COPY`` of the same rows. The second import of the same
file must change nothing and is compared with the same limit.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from bench.harness import CACHE_DIR, BenchOptions, Row, benchmark, run_isolated
from ladder.people.importing.write import INSERT_COLUMNS

HEADER = ["Prénom", "Nom", "Courriel", "Téléphone", "Code postal", "Tags", "Parrain"]
BLOCK = 1_000  # rows are written block by block in reverse: some recruiters come later
PG_SCHEMA = "bench_people_import"
PRAGMAS = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA cache_size = -262144",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",  # as every ladder connection (privacy): 1.5x on this insert
]
# the limit inserts exactly the columns the import writes, in the same order
LIMIT_COLUMNS = INSERT_COLUMNS


@benchmark("people-import")
def people_import_benchmark(options: BenchOptions) -> list[Row]:
    path = ensure_csv(options.people, options.seed)
    tool_path = ensure_tool_csv(path)
    firsts, agains, limits = [], [], []
    tool_firsts, tool_agains = [], []
    peaks: dict[str, list[float]] = {"first": [], "again": [], "tool first": [], "tool again": []}
    changed = 0
    for _ in range(options.repeat):
        tool_url = _fresh_database(options, "tool")
        tool_first = run_isolated(
            "bench.bench_people_import:import_file", url=tool_url, path=str(tool_path)
        )
        tool_again = run_isolated(
            "bench.bench_people_import:import_file", url=tool_url, path=str(tool_path)
        )
        tool_firsts.append(tool_first.seconds)
        tool_agains.append(tool_again.seconds)
        peaks["tool first"].append(tool_first.peak_mib)
        peaks["tool again"].append(tool_again.peak_mib)
        url = _fresh_database(options, "project")
        first = run_isolated("bench.bench_people_import:import_file", url=url, path=str(path))
        again = run_isolated("bench.bench_people_import:import_file", url=url, path=str(path))
        limit_url = _fresh_database(options, "limit")
        limit = run_isolated("bench.bench_people_import:raw_insert", url=limit_url, path=str(path))
        firsts.append(first.seconds)
        agains.append(again.seconds)
        limits.append(limit.result)
        peaks["first"].append(first.peak_mib)
        peaks["again"].append(again.peak_mib)
        changed = max(changed, again.result["created"] + again.result["updated"])
    limit_s = statistics.median(limits)
    limit_name = "psycopg COPY" if options.backend == "postgresql" else "sqlite3 executemany"
    n = options.people
    peak = {name: max(values) for name, values in peaks.items()}  # each row its own process
    return [
        Row(f"import {n:,} people (first)", n, statistics.median(firsts), limit_s, limit_name,
            peak["first"], f"{options.backend}; parse + validate + write"),
        Row(f"import {n:,} people (again)", n, statistics.median(agains), limit_s, limit_name,
            peak["again"], f"{options.backend}; rows changed: {changed}"),
        Row(f"import {n:,} people, NationBuilder export (first)", n,
            statistics.median(tool_firsts), limit_s, limit_name, peak["tool first"],
            f"{options.backend}; layout detected, nationbuilder ids written"),
        Row(f"import {n:,} people, NationBuilder export (again)", n,
            statistics.median(tool_agains), limit_s, limit_name, peak["tool again"],
            f"{options.backend}; matched by nationbuilder_id"),
    ]  # fmt: skip


TOOL_HEADER = [
    "nationbuilder_id", "first_name", "last_name", "email", "mobile_number", "primary_zip",
    "tag_list", "recruiter_name_or_email", "email_opt_in",
]  # fmt: skip


def ensure_tool_csv(path: Path) -> Path:
    """The same people as a NationBuilder people export (its documented columns, a
    nationbuilder_id each): the layout is detected, the ids kept (ladder/tabular/headers.toml)."""
    tool_path = path.with_name(f"{path.stem}-nationbuilder.csv")
    if tool_path.exists():
        return tool_path
    building = tool_path.with_suffix(".building")
    with (
        path.open(encoding="utf-8", newline="") as source,
        building.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.reader(source, delimiter=";")
        next(reader)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(TOOL_HEADER)
        for i, row in enumerate(reader):
            writer.writerow([f"{1_000_000 + i}", *row, "Y" if i % 3 else "N"])
    building.rename(tool_path)
    return tool_path


def ensure_csv(people: int, seed: int) -> Path:
    """A deterministic people file (built once, then reused from bench/.cache/)."""
    path = CACHE_DIR / f"people-{people}-{seed}.csv"
    if path.exists():
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    with building.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for block_start in range(0, people, BLOCK):
            block = range(block_start, min(block_start + BLOCK, people))
            writer.writerows(_person(i, seed) for i in reversed(block))
    building.rename(path)
    return path


def _person(i: int, seed: int) -> list[str]:
    firsts, lasts, postcodes = _pools(seed)
    rng = random.Random(seed * 1_000_003 + i)
    first, last = rng.choice(firsts), rng.choice(lasts)
    recruiter = ""
    if i > 0 and rng.random() < 0.7:
        j = rng.randrange(max(0, i - 5_000), i)  # an earlier rank: no cycles
        recruiter = _email(j, seed)
    return [
        first,
        last,
        _email(i, seed),
        f"06 {i // 1_000_000 % 100:02d} {i // 10_000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d}",
        rng.choice(postcodes),
        "bénévole" if rng.random() < 0.1 else "",
        recruiter,
    ]


def _email(i: int, seed: int) -> str:
    firsts, lasts, _ = _pools(seed)
    rng = random.Random(seed * 1_000_003 + i)
    first, last = rng.choice(firsts), rng.choice(lasts)
    from ladder.domain.names import fold

    return f"{fold(first).replace(' ', '-')}.{fold(last).replace(' ', '-')}.{i}@example.org"


_POOLS: dict[int, tuple[list[str], list[str], list[str]]] = {}


def _pools(seed: int) -> tuple[list[str], list[str], list[str]]:
    if seed not in _POOLS:
        from faker import Faker

        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        _POOLS[seed] = (
            [fake.first_name() for _ in range(400)],
            [fake.last_name() for _ in range(400)],
            [fake.postcode() for _ in range(300)],
        )
    return _POOLS[seed]


def _fresh_database(options: BenchOptions, name: str) -> str:
    from ladder.storage.schema import initialise

    if options.backend == "postgresql":
        from sqlalchemy import create_engine, text

        from bench.datasets import postgres_schema_url

        schema = f"{PG_SCHEMA}_{name}"
        admin = create_engine(options.postgres_url)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        url = postgres_schema_url(options.postgres_url, schema)
    else:
        path = CACHE_DIR / f"people-import-{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    initialise(url)
    return url


def import_file(url: str, path: str) -> dict[str, Any]:
    """The project: the whole `people import` service on a file (run in a child process)."""
    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.people.importing.importer import ImportOptions, import_people
    from ladder.storage.engine import make_engine

    engine = make_engine(url)
    data = Path(path).read_bytes()
    report, _table = import_people(
        engine, load_ladder(default_ladder_path()), data, path, ImportOptions()
    )
    engine.dispose()
    assert not report.rejected, report.rejected[:3]
    return {"created": report.created, "updated": report.updated}


def raw_insert(url: str, path: str) -> float:
    """The limit: the same rows, parsed and normalised beforehand, inserted raw; returns the
    seconds of the insert alone."""
    postgres = url.startswith("postgresql")
    rows = _parsed_rows(path, sqlite_stamps=not postgres)
    if postgres:
        return _copy_postgresql(url, rows)
    database = url.removeprefix("sqlite:///")
    connection = sqlite3.connect(database, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(pragma)
    names = ", ".join(LIMIT_COLUMNS)
    marks = ", ".join("?" for _ in LIMIT_COLUMNS)
    start = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(f"INSERT INTO supporters ({names}) VALUES ({marks})", rows)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


def _copy_postgresql(url: str, rows: list[tuple[Any, ...]]) -> float:
    import psycopg
    from sqlalchemy.engine import make_url

    sa_url = make_url(url)
    dsn = sa_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        start = time.perf_counter()
        with cursor.copy(f"COPY supporters ({', '.join(LIMIT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        connection.commit()
        return time.perf_counter() - start


def _parsed_rows(path: str, sqlite_stamps: bool) -> list[tuple[Any, ...]]:
    """The rows the project writes: parsed and validated with its own reader (untimed)."""
    from datetime import datetime

    from ladder.people.importing.rows import PEOPLE_ALIASES, validate_rows
    from ladder.people.importing.write import recruiters_first
    from ladder.tabular.csvfile import read_csv

    table = read_csv(Path(path).read_bytes(), path, PEOPLE_ALIASES)
    valid = [r for r in validate_rows(table) if isinstance(r, dict)]
    ids = {row["email"]: i for i, row in enumerate(valid, start=1)}
    recruiters = {
        -i: -ids[r["recruited_by"]] for i, r in enumerate(valid, 1) if r.get("recruited_by")
    }
    order = [-key for key in recruiters_first({-i: None for i in ids.values()}, recruiters)]
    now: Any = datetime(2026, 11, 1)
    if sqlite_stamps:  # the project formats its one timestamp once too
        now = now.isoformat(" ")
    rows = [
        (
            i, row.get("first_name"), row.get("last_name"), row.get("email"), row.get("phone"),
            row.get("postcode"), None, False, False, False, ids.get(row.get("recruited_by")),
            "import", now, None, "follow", now, False, "active", now,
        )
        for i, row in enumerate(valid, start=1)
    ]  # fmt: skip
    return [rows[i - 1] for i in order]  # recruiters first, as the project writes them
