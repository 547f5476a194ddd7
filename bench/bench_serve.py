"""The web face's speed on the big dataset, against a real `ladder serve` on 127.0.0.1:
a volunteer's check-in through HTTP (median, p95) against the same use case called
in-process (the limit), search-as-you-type through HTTP against the same search in-process,
and the requests per second one worker sustains for check-ins from 4 concurrent clients."""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from sqlalchemy import delete, func, insert, select

from bench.datasets import ensure_dataset
from bench.harness import BenchOptions, Row, benchmark
from ladder.access.links import create_link
from ladder.clock import utcnow
from ladder.domain.ladderfile import default_ladder_path
from ladder.events import volunteer
from ladder.settings import Settings
from ladder.storage.models import (
    Action,
    Attendance,
    AuditEntry,
    AuditPerson,
    CheckinLink,
    Event,
    Supporter,
)
from ladder.workspace import Workspace

TITLE = "bench: web check-in"
CHECKINS = 200  # each way (HTTP, in-process)
CONCURRENT = 4
CONCURRENT_EACH = 100
SEARCHES = 200
INVITED = 300  # people of the event, so the search has some to put first


@benchmark("serve")
def run(options: BenchOptions) -> list[Row]:
    import httpx

    dataset = ensure_dataset(options)
    workspace = Workspace(Settings(database_url=dataset.url, user="bench"), default_ladder_path())
    engine, ladder = workspace.engine, workspace.ladder
    event_id, people, typed = _prepare(workspace)
    secret = create_link(engine, event_id, "bench")
    http_people = people[:CHECKINS]
    local_people = people[CHECKINS : 2 * CHECKINS]
    loaded_people = people[2 * CHECKINS :]
    rows: list[Row] = []
    try:
        with _serve(dataset.url) as base, httpx.Client(base_url=base, timeout=60) as client:
            path = f"/checkin/{secret}"
            json = {"Accept": "application/json"}
            client.get(f"{path}/status.json")  # warm: the first request builds the app's caches

            def http_check_in(person_id: int) -> None:
                answer = client.post(f"{path}/in", data={"person": str(person_id)}, headers=json)
                assert answer.status_code == 200, answer.text

            over_http = _times(http_check_in, http_people)
            in_process = _times(
                lambda p: volunteer.check_in_person(engine, ladder, event_id, p), local_people
            )
            rows += _pair(
                "volunteer check-in",
                over_http,
                in_process,
                "same use case in-process (check-in and counter)",
            )

            def http_search(text: str) -> None:
                answer = client.get(f"{path}/search.json", params={"q": text})
                assert answer.status_code == 200, answer.text

            searched = _times(http_search, typed)
            searched_here = _times(lambda t: volunteer.search(engine, event_id, t), typed)
            rows += _pair("search as you type", searched, searched_here, "same search in-process")
            rows.append(_throughput(base, path, loaded_people, in_process))
    finally:
        _clean(workspace, event_id)
        workspace.close()
    return rows


def _times(action: Callable, items: list) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        action(item)
        times.append(time.perf_counter() - start)
    return times


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def _pair(what: str, project: list[float], limit: list[float], limit_name: str) -> list[Row]:
    n = len(project)
    return [
        Row(f"{what} through HTTP (median)", n, statistics.median(project),
            statistics.median(limit), f"{limit_name} (median)"),
        Row(f"{what} through HTTP (p95)", n, _p95(project), _p95(limit),
            f"{limit_name} (p95)", note="goal: under 0.050 s"),
    ]  # fmt: skip


def _throughput(base: str, path: str, people: list[int], in_process: list[float]) -> Row:
    """Check-ins from CONCURRENT clients at once: seconds per request, and requests/second."""
    import httpx

    shares = [people[k::CONCURRENT] for k in range(CONCURRENT)]

    def client(share: list[int]) -> int:
        done = 0
        with httpx.Client(base_url=base, timeout=60) as http:
            for person_id in share:
                answer = http.post(
                    f"{path}/in",
                    data={"person": str(person_id)},
                    headers={"Accept": "application/json"},
                )
                done += answer.status_code == 200
        return done

    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENT) as pool:
        done = sum(pool.map(client, shares))
    elapsed = time.perf_counter() - start
    return Row(
        f"check-ins by {CONCURRENT} concurrent clients, one worker (per request)",
        done,
        elapsed / max(done, 1),
        statistics.median(in_process),
        "one in-process check-in (median)",
        note=f"{done / elapsed:.0f} requests/s sustained",
    )


def _prepare(workspace: Workspace) -> tuple[int, list[int], list[str]]:
    """A bench event with some invited people; people to check in; what volunteers type."""
    engine = workspace.engine
    need = 2 * CHECKINS + CONCURRENT * CONCURRENT_EACH
    now = utcnow()
    with engine.begin() as connection:
        old = select(Event.id).where(Event.title == TITLE).scalar_subquery()
        connection.execute(delete(Action).where(Action.event_id.in_(select(old))))
        connection.execute(delete(Event).where(Event.title == TITLE))
        event_id = connection.execute(
            insert(Event)
            .values(title=TITLE, kind="fair", starts_at=now, status="confirmed",
                    key_date=False, created_at=now)
            .returning(Event.id)
        ).scalar_one()  # fmt: skip
        live = (
            select(Supporter.id, Supporter.last_name)
            .where(Supporter.status == "active", Supporter.merged_into_id.is_(None))
            .order_by(Supporter.id.desc())
            .limit(need + INVITED)
        )
        found = connection.execute(live).all()
        invited = [row.id for row in found[need:]]
        connection.execute(
            insert(Attendance),
            [
                {"event_id": event_id, "supporter_id": i, "invited_at": now, "rsvp": "accepted"}
                for i in invited
            ],
        )
        names = [
            n
            for n in connection.execute(
                select(Supporter.last_name)
                .where(Supporter.last_name.is_not(None))
                .order_by(func.random())
                .limit(SEARCHES)
            ).scalars()
            if len(n) >= 3
        ]
    chooser = random.Random(1)
    typed = [name[: chooser.choice((2, 3, 4))].lower() for name in names]
    return int(event_id), [row.id for row in found[:need]], typed


def _clean(workspace: Workspace, event_id: int) -> None:
    actor = volunteer.link_actor(event_id)
    with workspace.engine.begin() as connection:
        entries = select(AuditEntry.id).where(AuditEntry.actor == actor)
        connection.execute(delete(AuditPerson).where(AuditPerson.entry_id.in_(entries)))
        connection.execute(delete(AuditEntry).where(AuditEntry.actor == actor))
        connection.execute(delete(Action).where(Action.event_id == event_id))
        connection.execute(delete(Attendance).where(Attendance.event_id == event_id))
        connection.execute(delete(CheckinLink).where(CheckinLink.event_id == event_id))
        connection.execute(delete(Event).where(Event.id == event_id))


@contextmanager
def _serve(url: str) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "cli.main", "--db", url, "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--rate", "1000000"],
        env={**os.environ, "LADDER_USER": "bench"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None and base in server.stdout.readline()
        for _ in range(400):
            try:
                urllib.request.urlopen(f"{base}/static/checkin.css", timeout=2).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.05)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
