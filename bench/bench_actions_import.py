"""``actions import``: petition exports, against the raw inserts of the same rows.

Rows:

- "actions import <n> signatures, people known": a petition export (French Excel-style: ``;``,
  ``Prénom;Nom;Courriel;Signé le;Référence``, dates ``31/10/2026 18:30``) of n rows, one per
  person already in the base (n people, inserted raw beforehand, untimed). The project: the
  whole ``import_actions`` service (read, validate, match, stage, insert, rules for everyone
  touched) in a child process, peak memory its max RSS. The limit, in the same run: plain
  ``sqlite3`` executemany of the same action rows (already resolved to people ids) into a copy
  of the same base, same PRAGMAs, one transaction.
- "actions import 37,758 signatures, half new (--create-people)": Child Focus's petition size;
  half the signers are in the base. The limit: raw executemany of the same new people and of
  the same actions (rules not included in the limit; they are in the project's time).

``--people`` sets n for the first row (default 100,000; the issue asks 1,000,000).
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import CACHE_DIR, BenchOptions, Row, benchmark, run_isolated
from ladder.actions.importing import import_actions
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.people.importing.importer import ImportOptions
from ladder.storage.engine import make_engine

PRAGMAS = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA cache_size = -262144",
    "PRAGMA foreign_keys = ON",
]
CHILD_FOCUS = 37_758
START = datetime(2026, 6, 1, 8, 0)
NOW = datetime(2026, 11, 30, 12, 0)
HEADER = ["Prénom", "Nom", "Courriel", "Signé le", "Référence"]


@benchmark("actions-import")
def actions_import_benchmark(options: BenchOptions) -> list[Row]:
    if options.backend != "sqlite":
        return []  # measured on SQLite (the limit is raw sqlite3)
    rows = []
    for label, people, signatures, known in (
        (f"actions import {options.people:,} signatures, people known", options.people,
         options.people, options.people),
        (f"actions import {CHILD_FOCUS:,} signatures, half new (--create-people)", CHILD_FOCUS,
         CHILD_FOCUS, CHILD_FOCUS // 2),
    ):  # fmt: skip
        base = _base(known)
        path = _csv(signatures)
        projects, limits, peaks, cpus = [], [], [], []
        for _ in range(options.repeat):
            project_db = _copy(base, "project")
            got = run_isolated(
                "bench.bench_actions_import:import_file",
                url=f"sqlite:///{project_db}",
                path=str(path),
                create=known < signatures,
            )
            limit_db = _copy(base, "limit")
            limit = run_isolated(
                "bench.bench_actions_import:raw_insert",
                database=str(limit_db),
                signatures=signatures,
                known=known,
            )
            projects.append(got.seconds)
            limits.append(limit.result)
            peaks.append(got.peak_mib)
            cpus.append(got.result["cpu"])
            assert got.result["added"] == signatures, got.result
        rows.append(
            Row(label, signatures, statistics.median(projects), statistics.median(limits),
                "sqlite3 executemany", max(peaks),
                f"added {got.result['added']}, created {got.result['created']}, "
                f"climbed {got.result['climbed']}; project CPU {statistics.median(cpus):.2f} s, "
                f"load {os.getloadavg()[0]:.1f}")
        )  # fmt: skip
        del people
    return rows


def _email(i: int) -> str:
    return f"signataire.{i}@example.org"


def _signed(i: int) -> datetime:
    return START + timedelta(seconds=(i * 7919) % (150 * 86_400))


def _csv(signatures: int) -> Path:
    path = CACHE_DIR / f"petition-{signatures}.csv"
    if path.exists():
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    with building.open("w", encoding="cp1252", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(signatures):
            when = _signed(i)
            writer.writerow(["Zoé", f"Émile{i}", _email(i), f"{when:%d/%m/%Y %H:%M}", f"sig-{i}"])
    building.rename(path)
    return path


def _base(known: int) -> Path:
    """A base with ``known`` people (ids 1..known), built once, copied for each run."""
    path = CACHE_DIR / f"actions-import-base-{known}.db"
    if path.exists():
        return path
    from ladder.storage.schema import initialise

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    initialise(f"sqlite:///{building}")
    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.storage.engine import make_engine
    from ladder.storage.kinds import sync_action_kinds

    engine = make_engine(f"sqlite:///{building}")
    sync_action_kinds(engine, load_ladder(default_ladder_path()))
    engine.dispose()
    connection = sqlite3.connect(building, isolation_level=None)
    stamp = "2026-01-01 00:00:00.000000"
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO supporters (id, first_name, last_name, email, consent_email, consent_sms,"
        " consent_photo, source, created_at, rung, rung_since, rung_set_manually, status,"
        " status_since) VALUES (?, 'Zoé', ?, ?, 0, 0, 0, 'bench', ?, 'follow', ?, 0, 'active', ?)",
        ((i + 1, f"Émile{i}", _email(i), stamp, stamp, stamp) for i in range(known)),
    )
    connection.execute("COMMIT")
    connection.close()
    building.rename(path)
    return path


def _copy(base: Path, name: str) -> Path:
    target = CACHE_DIR / f"actions-import-{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, target)
    return target


def import_file(url: str, path: str, create: bool) -> dict[str, Any]:
    """The project: the whole `actions import` service (run in a child process; the library
    is imported before the clock starts, as the limit's Python starts before its clock)."""
    from zoneinfo import ZoneInfo

    cpu = time.process_time()
    engine = make_engine(url)
    options = ImportOptions(create_people=create)
    report, _table = import_actions(
        engine,
        load_ladder(default_ladder_path()),
        Path(path).read_bytes(),
        path,
        options,
        ZoneInfo("Europe/Paris"),
        "bench",
        kind="petition",
        now=NOW,
    )
    engine.dispose()
    assert not report.people.rejected, report.people.rejected[:3]
    return {
        "added": report.added,
        "created": report.people.created,
        "climbed": len(report.climbed),
        "cpu": time.process_time() - cpu,
    }


def raw_insert(database: str, signatures: int, known: int) -> float:
    """The limit: the new people and the action rows, resolved beforehand (untimed), inserted
    raw in one transaction; returns the seconds of the inserts alone."""
    from zoneinfo import ZoneInfo

    from ladder.clock import to_utc

    zone = ZoneInfo("Europe/Paris")
    stamp = "2026-11-30 12:00:00.000000"
    connection = sqlite3.connect(database, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(pragma)
    kind = connection.execute("SELECT id FROM action_kinds WHERE name = 'petition'").fetchone()[0]
    people = [
        (i + 1, "Zoé", f"Émile{i}", _email(i), 0, 0, 0, "import", stamp, "follow", stamp, 0,
         "active", stamp)
        for i in range(known, signatures)
    ]  # fmt: skip
    actions = [
        (i + 1, kind, f"{to_utc(_signed(i), zone):%Y-%m-%d %H:%M:%S}.000000", None, "bench",
         f"sig-{i}", stamp)
        for i in range(signatures)
    ]  # fmt: skip
    start = time.perf_counter()
    connection.execute("BEGIN")
    if people:
        connection.executemany(
            "INSERT INTO supporters (id, first_name, last_name, email, consent_email, "
            "consent_sms, consent_photo, source, created_at, rung, rung_since, "
            "rung_set_manually, status, status_since) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            people,
        )
    connection.executemany(
        "INSERT INTO actions (supporter_id, action_kind_id, occurred_at, campaign_id, logged_by,"
        " external_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        actions,
    )
    connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    connection.close()
    return seconds
