"""Load: 4 concurrent clients x 250 check-ins through a real `ladder serve` on 127.0.0.1 give
exactly 1,000 attendances and no error, on SQLite (writers queue on the busy timeout under the
server's thread pool) and on PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Engine, func, insert, select

from ladder.access.links import create_link
from ladder.clock import utcnow
from ladder.storage.models import Action, Attendance, AuditEntry, Supporter
from tests.factories import add_event
from tests.web.server import ladder_serve

CLIENTS = 4
EACH = 250


def _people(engine: Engine, count: int) -> list[int]:
    now = utcnow()
    rows = [
        {
            "first_name": f"Load{i}",
            "last_name": "Tester",
            "email": f"load{i}@example.org",
            "rung": "follow",
            "rung_since": now,
            "created_at": now,
            "status": "active",
        }
        for i in range(count)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Supporter), rows)
        return list(
            connection.execute(
                select(Supporter.id).where(Supporter.last_name == "Tester").order_by(Supporter.id)
            ).scalars()
        )


@pytest.mark.slow
def test_four_clients_check_in_a_thousand_people(db_url: str, engine: Engine) -> None:
    event = add_event(engine, "Mass action")
    people = _people(engine, CLIENTS * EACH)
    secret = create_link(engine, event, "organiser")
    with ladder_serve(db_url, "--rate", "1000000") as base:

        def client(share: list[int]) -> list[str]:
            errors = []
            with httpx.Client(base_url=base, timeout=60) as http:
                for person_id in share:
                    answer = http.post(
                        f"/checkin/{secret}/in",
                        data={"person": str(person_id)},
                        headers={"Accept": "application/json"},
                    )
                    if answer.status_code != 200 or answer.json()["state"] != "checked_in":
                        errors.append(f"{person_id}: {answer.status_code} {answer.text[:200]}")
            return errors

        shares = [people[k * EACH : (k + 1) * EACH] for k in range(CLIENTS)]
        with ThreadPoolExecutor(CLIENTS) as pool:
            errors = [e for found in pool.map(client, shares) for e in found]
    assert errors == []
    with engine.connect() as connection:
        attended = connection.execute(
            select(func.count()).where(
                Attendance.event_id == event, Attendance.presence == "attended"
            )
        ).scalar()
        actions = connection.execute(
            select(func.count()).select_from(Action).where(Action.event_id == event)
        ).scalar()
        audited = connection.execute(
            select(func.count()).where(AuditEntry.actor == f"link:event #{event}")
        ).scalar()
    assert (attended, actions, audited) == (1000, 1000, 1000)
