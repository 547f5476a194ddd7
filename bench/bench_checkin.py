"""Check-in speed on the big dataset: a whole `ladder checkin` process against the floor of
`python -c "import sqlalchemy.orm"`, and one check-in inside the door loop (warm engine)."""

from __future__ import annotations

import sqlite3
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import delete, insert, select

from bench.datasets import ensure_dataset
from bench.harness import BenchOptions, Row, benchmark, run_command, timed
from ladder.clock import utcnow
from ladder.domain.ladderfile import default_ladder_path
from ladder.settings import Settings
from ladder.storage.models import (
    Action,
    Attendance,
    Event,
    EventIdentifier,
    Supporter,
    SupporterIdentifier,
)
from ladder.workspace import Workspace

TITLE = "bench: door check-in"
SHEET_KNOWN = 250
SHEET_NEW = 250
WALK_IN = "bench-walk-in-"


@benchmark("checkin")
def run(options: BenchOptions) -> list[Row]:
    dataset = ensure_dataset(options)
    workspace = Workspace(Settings(database_url=dataset.url, user="bench"), default_ladder_path())
    event_id, people = _prepare(workspace, count=20 + 200 + SHEET_KNOWN)
    try:
        process = _whole_process(dataset.url, event_id, people[:20], options.repeat)
        loop = _door_loop(workspace, event_id, people[20:220])
        sheet = _sheet_import(workspace, dataset.url, event_id, people[220:])
        _clean_attendances(workspace, event_id)
        export = _tool_export_import(workspace, dataset.url, event_id, people[220:])
    finally:
        _clean(workspace, event_id)
        workspace.close()
    return [process, loop, sheet, export]


def _prepare(workspace: Workspace, count: int) -> tuple[int, list[str]]:
    engine = workspace.engine
    with engine.begin() as connection:
        connection.execute(delete(Event).where(Event.title == TITLE))
        event_id = connection.execute(
            insert(Event)
            .values(
                title=TITLE,
                kind="fair",
                starts_at=utcnow(),
                status="confirmed",
                key_date=False,
                created_at=utcnow(),
            )
            .returning(Event.id)
        ).scalar_one()
        people = list(
            connection.execute(
                select(Supporter.email)
                .where(Supporter.email.is_not(None), Supporter.status == "active")
                .order_by(Supporter.id.desc())
                .limit(count)
            ).scalars()
        )
    return int(event_id), people


def _whole_process(url: str, event_id: int, people: list[str], repeat: int) -> Row:
    script = Path(sys.executable).with_name("ladder")
    ladder = [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]
    floor = statistics.median(
        run_command([sys.executable, "-c", "import sqlalchemy.orm"]) for _ in range(20)
    )
    times = [run_command([*ladder, "--db", url, "checkin", str(event_id), p]) for p in people]
    return Row(
        "ladder checkin (whole process, median of 20)",
        len(people),
        statistics.median(times),
        floor,
        'python -c "import sqlalchemy.orm"',
    )


def _door_loop(workspace: Workspace, event_id: int, people: list[str]) -> Row:
    from ladder.events.agenda import find_event
    from ladder.events.checkin import check_in
    from ladder.people.lookup import find_person

    engine, ladder = workspace.engine, workspace.ladder
    times, floors = [], []
    for email in people:
        start = time.perf_counter()
        with engine.begin() as connection:
            event = find_event(connection, str(event_id))
            person = find_person(connection, email)
            check_in(connection, ladder, event, person, "bench")
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        with engine.begin() as connection:
            connection.execute(select(Supporter.id).where(Supporter.email == email)).scalar()
        floors.append(time.perf_counter() - start)
    return Row(
        "check-in inside the door loop (median)",
        len(people),
        statistics.median(times),
        statistics.median(floors),
        "one indexed SELECT in a write transaction",
    )


def _sheet_import(workspace: Workspace, url: str, event_id: int, known: list[str]) -> Row:
    """A 500-row sheet: 250 known people (by email) and 250 walk-ins, ticked present."""
    from ladder.events.sheets import import_sheet
    from ladder.people.importing.importer import ImportOptions

    lines = ["present,first_name,last_name,email,brought_by"]
    lines += [f"x,,,{email}," for email in known]
    lines += [f"x,Walk,In{i},{WALK_IN}{i}@example.org,{known[0]}" for i in range(SHEET_NEW)]
    data = ("\n".join(lines) + "\n").encode()
    seconds, (report, _) = timed(
        lambda: import_sheet(
            workspace.engine, workspace.ladder, str(event_id), data, "sheet", ImportOptions(), "b"
        )
    )
    assert report.checkins.checked_in == len(known) + SHEET_NEW, report
    limit = _raw_sheet_limit(url, event_id, known)
    return Row(
        "import a 500-row sign-in sheet",
        len(known) + SHEET_NEW,
        seconds,
        limit,
        "raw sqlite3 executemany of the same people and attendances",
    )


def _tool_export_import(workspace: Workspace, url: str, event_id: int, known: list[str]) -> Row:
    """A 500-row Mobilize participation export (#15): 250 known people (by email) and 250 new,
    confirmed and attended, with their Mobilize user ids kept."""
    from ladder.events.tool_files import import_attendance
    from ladder.people.importing.importer import ImportOptions

    lines = [
        "id,user_id,user__given_name,user__family_name,user__email_address,event_id,status,attended"
    ]
    lines += [f"{i},bench-{i},,,{email},77,CONFIRMED,true" for i, email in enumerate(known)]
    lines += [
        f"{SHEET_KNOWN + i},bench-n{i},Walk,M{i},{WALK_IN}m{i}@example.org,77,CONFIRMED,true"
        for i in range(SHEET_NEW)
    ]
    data = ("\n".join(lines) + "\n").encode()
    seconds, (report, _) = timed(
        lambda: import_attendance(
            workspace.engine,
            workspace.ladder,
            str(event_id),
            data,
            "export",
            ImportOptions(),
            "b",
        )
    )
    assert report.counts.checkins.checked_in == len(known) + SHEET_NEW, report
    limit = _raw_sheet_limit(url, event_id, known)
    return Row(
        "import a 500-row Mobilize participation export",
        len(known) + SHEET_NEW,
        seconds,
        limit,
        "raw sqlite3 executemany of the same people and attendances",
    )


def _clean_attendances(workspace: Workspace, event_id: int) -> None:
    with workspace.engine.begin() as connection:
        connection.execute(delete(Action).where(Action.event_id == event_id))
        connection.execute(delete(Attendance).where(Attendance.event_id == event_id))


def _raw_sheet_limit(url: str, event_id: int, known: list[str]) -> float:
    """The same writes by hand: look up the known, insert the new people and attendances."""
    from ladder.storage.engine import sqlite_path

    path = sqlite_path(url)
    if path is None or not url.startswith("sqlite"):
        return float("nan")
    connection = sqlite3.connect(path)
    now = utcnow().isoformat(" ")
    start = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    marks = ",".join("?" * len(known))
    ids = [
        r[0]
        for r in connection.execute(f"SELECT id FROM supporters WHERE email IN ({marks})", known)
    ]
    top = connection.execute("SELECT max(id) FROM supporters").fetchone()[0]
    new = [
        (
            top + 1 + i,
            "Walk",
            f"Raw{i}",
            f"{WALK_IN}raw{i}@example.org",
            "follow",
            now,
            now,
            "active",
            0,
            0,
            0,
            0,
        )
        for i in range(SHEET_NEW)
    ]
    connection.executemany(
        "INSERT INTO supporters (id, first_name, last_name, email, rung, rung_since, created_at,"
        " status, consent_email, consent_sms, consent_photo, rung_set_manually)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        new,
    )
    everyone = ids + [row[0] for row in new]
    connection.executemany(
        "INSERT INTO attendances (event_id, supporter_id, presence, checked_in_at, walk_in)"
        " VALUES (?, ?, 'attended', ?, 1) ON CONFLICT DO NOTHING",
        [(event_id, i, now) for i in everyone],
    )
    connection.rollback()
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


def _clean(workspace: Workspace, event_id: int) -> None:
    with workspace.engine.begin() as connection:
        connection.execute(delete(Action).where(Action.event_id == event_id))
        connection.execute(delete(Attendance).where(Attendance.event_id == event_id))
        connection.execute(
            delete(SupporterIdentifier).where(SupporterIdentifier.value.like("bench-%"))
        )
        connection.execute(delete(EventIdentifier).where(EventIdentifier.event_id == event_id))
        connection.execute(delete(Event).where(Event.id == event_id))
        connection.execute(delete(Supporter).where(Supporter.email.like(f"{WALK_IN}%")))
