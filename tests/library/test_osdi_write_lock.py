"""`ladder import osdi` holds SQLite's write lock only to write, as `people import` does: it plans
on a read snapshot, and plans again under the lock when someone committed meanwhile (so a
person added at the door during the planning is matched, not doubled). Ordering, not seconds."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event, func, select

from ladder.events.checkin import check_in_by_ref
from ladder.interop import osdi_import
from ladder.interop.osdi_import import import_osdi
from ladder.people.edit import PersonFields
from ladder.people.edit import add_person as add_by_hand
from ladder.storage.models import Attendance, Supporter
from tests.factories import add_event, add_person
from tests.library.test_write_lock import _count, _door

PEOPLE = [
    {"given_name": f"Per{i}", "family_name": "Son", "email_addresses": [{"address": f"p{i}@x.org"}]}
    for i in range(30)
]


def _file(tmp_path):
    path = tmp_path / "people.json"
    path.write_text(json.dumps({"_embedded": {"osdi:people": PEOPLE}}))
    return [path]


def test_a_check_in_completes_while_an_osdi_import_plans(workspace, tmp_path, monkeypatch):
    engine = workspace.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock: one transaction, tables locked")
    add_event(engine, "Night march")
    comer = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    door = _door(engine)  # on SQLite: no wait at all on a held write lock
    log: list[str] = []

    def planned() -> None:
        check_in_by_ref(door, workspace.ladder, "Night march", f"#{comer}", "door")
        log.append("checked in")

    monkeypatch.setattr(osdi_import, "_after_planning", planned)

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("BEGIN"):
            log.append(statement)

    try:
        report = import_osdi(engine, workspace.ladder, _file(tmp_path))
    finally:
        door.dispose()
    assert log == ["BEGIN", "checked in", "BEGIN IMMEDIATE"]  # snapshot, the door, the lock
    assert report.written
    assert _count(engine, select(func.count()).select_from(Attendance)) == 1
    assert _count(engine, select(func.count()).select_from(Supporter)) == 31


def test_a_person_added_during_planning_is_matched_not_doubled(workspace, tmp_path, monkeypatch):
    if workspace.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans and writes in one transaction: nothing comes in between")
    engine = workspace.engine

    def someone_adds_per0() -> None:
        fields = PersonFields(first_name="Per0", last_name="Son", email="p0@x.org")
        add_by_hand(engine, workspace.ladder.first_rung, fields, by="test")

    monkeypatch.setattr(osdi_import, "_after_planning", someone_adds_per0)
    report = import_osdi(engine, workspace.ladder, _file(tmp_path))
    assert report.written
    with engine.connect() as connection:
        emails = connection.execute(select(Supporter.email)).scalars().all()
    assert sorted(emails) == sorted(p["email_addresses"][0]["address"] for p in PEOPLE)
