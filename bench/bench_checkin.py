"""Check-in speed on the big dataset: a whole `ladder checkin` process against the floor of
`python -c "import sqlalchemy.orm"`, and one check-in inside the door loop (warm engine)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import delete, insert, select

from bench.datasets import ensure_dataset
from bench.harness import BenchOptions, Row, benchmark, run_command
from ladder.clock import utcnow
from ladder.settings import Settings
from ladder.storage.models import Action, Attendance, Event, Supporter
from ladder.workspace import Workspace
from seeds import default_ladder_path

TITLE = "bench: door check-in"


@benchmark("checkin")
def run(options: BenchOptions) -> list[Row]:
    dataset = ensure_dataset(options)
    workspace = Workspace(Settings(database_url=dataset.url, user="bench"), default_ladder_path())
    event_id, people = _prepare(workspace, count=20 + 200)
    try:
        process = _whole_process(dataset.url, event_id, people[:20], options.repeat)
        loop = _door_loop(workspace, event_id, people[20:])
    finally:
        _clean(workspace, event_id)
        workspace.close()
    return [process, loop]


def _prepare(workspace: Workspace, count: int) -> tuple[int, list[int]]:
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
    from ladder.services.checkin import check_in
    from ladder.services.events import find_event
    from ladder.services.lookup import find_person

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


def _clean(workspace: Workspace, event_id: int) -> None:
    with workspace.engine.begin() as connection:
        connection.execute(delete(Action).where(Action.event_id == event_id))
        connection.execute(delete(Attendance).where(Attendance.event_id == event_id))
        connection.execute(delete(Event).where(Event.id == event_id))
