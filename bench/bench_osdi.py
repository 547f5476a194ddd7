"""OSDI both ways: ``ladder import osdi`` against ``people import`` of the same people, and
``ladder export osdi`` (time and peak memory).

Rows:

* "import osdi <n> people (first)": the people of bench_people_import's CSV file, written as
  one Action Network-style ``osdi:people`` collection (an ``action_network:<uuid>`` identifier,
  given/family name, primary email and phone, postal code, the recruiter as a custom field,
  the tag as ``add_tags``), imported into an empty database. The limit is ``people import`` of
  the CSV file itself into another empty database, in the same run: the issue asks for at most
  2x (ratio <= 2.00).
* "import osdi <n> people (again)": the same file again (nothing changes) against the same limit.
* "export osdi <n> people": the five collections of that database. The limit is a raw
  ``sqlite3`` (or psycopg) read of the same supporter columns, each row dumped with ``json``
  to a file: one statement, no shaping. Peak memory is the child's max RSS (issue: under 500
  MiB at 1M).
"""

from __future__ import annotations

import csv
import json
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from bench.bench_people_import import _fresh_database, ensure_csv
from bench.harness import CACHE_DIR, BenchOptions, Row, benchmark, run_isolated


@benchmark("osdi")
def osdi_benchmark(options: BenchOptions) -> list[Row]:
    csv_path = ensure_csv(options.people, options.seed)
    json_path = ensure_osdi(csv_path)
    firsts, agains, limits, exports, export_limits, peaks, export_peaks = [], [], [], [], [], [], []
    for _ in range(options.repeat):
        limit_url = _fresh_database(options, "limit")
        limit = run_isolated(
            "bench.bench_people_import:import_file", url=limit_url, path=str(csv_path)
        )
        url = _fresh_database(options, "project")
        first = run_isolated("bench.bench_osdi:import_osdi_file", url=url, path=str(json_path))
        again = run_isolated("bench.bench_osdi:import_osdi_file", url=url, path=str(json_path))
        out = CACHE_DIR / "osdi-export"
        export = run_isolated("bench.bench_osdi:export_folder", url=url, out=str(out))
        raw = run_isolated("bench.bench_osdi:raw_export", url=url, out=str(out / "raw.jsonl"))
        firsts.append(first.seconds)
        agains.append(again.seconds)
        limits.append(limit.seconds)
        exports.append(export.seconds)
        export_limits.append(raw.result)
        peaks.append(max(first.peak_mib, again.peak_mib))
        export_peaks.append(export.peak_mib)
        assert first.result["created"] == options.people, first.result
        assert again.result["created"] + again.result["updated"] == 0, again.result
    n = options.people
    limit_s = statistics.median(limits)
    raw_name = "psycopg read + json" if options.backend == "postgresql" else "sqlite3 read + json"
    return [
        Row(f"import osdi {n:,} people (first)", n, statistics.median(firsts), limit_s,
            "people import (CSV)", max(peaks), f"{options.backend}; issue: ratio <= 2.00"),
        Row(f"import osdi {n:,} people (again)", n, statistics.median(agains), limit_s,
            "people import (CSV)", max(peaks), f"{options.backend}; nothing changes"),
        Row(f"export osdi {n:,} people", n, statistics.median(exports),
            statistics.median(export_limits), raw_name, max(export_peaks),
            f"{options.backend}; 5 collections; issue: peak < 500 MiB"),
    ]  # fmt: skip


def ensure_osdi(csv_path: Path) -> Path:
    """The CSV file's people as one OSDI collection (built once, reused from bench/.cache/)."""
    path = csv_path.with_suffix(".osdi.json")
    if path.exists():
        return path
    building = path.with_suffix(".building")
    namespace = uuid.UUID("00000000-0000-0000-0000-000000000051")
    with csv_path.open(encoding="utf-8", newline="") as source, building.open("w") as out:
        reader = csv.reader(source, delimiter=";")
        next(reader)
        out.write('{"_embedded": {"osdi:people": [')
        for i, (first, last, email, phone, postcode, tags, recruiter) in enumerate(reader):
            document: dict[str, Any] = {
                "identifiers": [f"action_network:{uuid.uuid5(namespace, email)}"],
                "given_name": first,
                "family_name": last,
                "email_addresses": [{"primary": True, "address": email, "status": "subscribed"}],
                "phone_numbers": [{"primary": True, "number": phone, "number_type": "Mobile"}],
                "postal_addresses": [{"primary": True, "postal_code": postcode, "country": "FR"}],
            }
            if recruiter:
                document["custom_fields"] = {"ladder_recruiter": recruiter}
            if tags:
                document["add_tags"] = [tags]
            out.write(("," if i else "") + "\n" + json.dumps(document, ensure_ascii=False))
        out.write("\n]}}\n")
    building.rename(path)
    return path


def import_osdi_file(url: str, path: str) -> dict[str, Any]:
    """The project: the whole `import osdi` service on the file (run in a child process)."""
    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.interop.osdi_import import import_osdi
    from ladder.storage.engine import make_engine

    engine = make_engine(url)
    report = import_osdi(engine, load_ladder(default_ladder_path()), [Path(path)])
    engine.dispose()
    return {"created": report.created, "updated": report.updated}


def export_folder(url: str, out: str) -> dict[str, int]:
    from ladder.interop.osdi_export import export_osdi
    from ladder.storage.engine import make_engine

    folder = Path(out)
    folder.mkdir(exist_ok=True)
    engine = make_engine(url)
    report = export_osdi(engine, folder)
    engine.dispose()
    return report.counts


def raw_export(url: str, out: str) -> float:
    """The limit: one SELECT of the people's columns, each row written as JSON; returns the
    seconds of that alone."""
    columns = (
        "id, first_name, last_name, email, phone, postcode, consent_email, consent_sms, "
        "consent_photo, created_at, updated_at, rung, recruiter_id"
    )
    if url.startswith("postgresql"):
        import psycopg
        from sqlalchemy.engine import make_url

        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        connection: Any = psycopg.connect(dsn)
        cursor = connection.cursor(name="raw_export")
    else:
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        cursor = connection.cursor()
    start = time.perf_counter()
    with open(out, "w", encoding="utf-8") as file:
        cursor.execute(f"SELECT {columns} FROM supporters ORDER BY id")
        while batch := cursor.fetchmany(10_000):
            for row in batch:
                file.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - start
    connection.close()
    return seconds
