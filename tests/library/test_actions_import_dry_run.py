"""``actions import --dry-run`` plans on a read snapshot: no write lock (the door checks people
in meanwhile), nothing written, and the counts the import itself then reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, text

from ladder.actions import importing
from ladder.actions.importing import import_actions
from ladder.events.checkin import check_in_by_ref
from ladder.people.importing.importer import ImportOptions
from ladder.storage.engine import make_engine
from tests.factories import add_event, add_person, dump

NOW = datetime(2026, 11, 30, 12, 0)
EMAILS = [f"p{i}@example.org" for i in range(4)]  # p0, p1 known; the others new
KINDS = ["petition", "mass_action"]

rows = st.lists(
    st.tuples(
        st.sampled_from(EMAILS),
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=5),  # days before NOW
        st.one_of(st.none(), st.sampled_from(["s1", "s2", "s3"])),
    ),
    max_size=10,
)


def _csv(part: list[tuple[str, str, int, str | None]]) -> bytes:
    lines = ["email,date,kind,id"]
    for email, kind, days, external in part:
        when = NOW - timedelta(days=days)
        lines.append(f"{email},{when:%d/%m/%Y} 10:00,{kind},{external or ''}")
    return ("\n".join(lines) + "\n").encode()


def _door(engine: Engine) -> Engine:
    """Another process's engine: on SQLite it fails at once (no wait) on a held write lock."""
    door = make_engine(engine.url.render_as_string(hide_password=False))
    if door.dialect.name == "sqlite":
        event.listen(door, "connect", lambda dbapi, _r: dbapi.execute("PRAGMA busy_timeout = 0"))
    return door


def _import(workspace, data: bytes, dry_run: bool, skip_invalid: bool = False):
    options = ImportOptions(create_people=True, dry_run=dry_run, skip_invalid=skip_invalid)
    report, _ = import_actions(
        workspace.engine, workspace.ladder, data, "f.csv", options, UTC, "test", now=NOW
    )
    return report


def test_a_check_in_completes_while_a_dry_run_stages_its_actions(workspace, monkeypatch):
    engine = workspace.engine
    add_event(engine, "Night march")
    comer = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    add_person(engine, "P0", None, email=EMAILS[0])
    door = _door(engine)
    log: list[str] = []
    checked = importing._ActionWriter._checked

    def staged_then_door(self, connection, by_line, sqlite):
        found = checked(self, connection, by_line, sqlite)  # the temporary table is full
        check_in_by_ref(door, workspace.ladder, "Night march", f"#{comer}", "door")
        log.append("checked in")
        return found

    monkeypatch.setattr(importing._ActionWriter, "_checked", staged_then_door)
    data = _csv([(EMAILS[0], "petition", 1, "s1"), (EMAILS[2], "petition", 2, None)])
    try:
        before = dump(engine)
        report = _import(workspace, data, dry_run=True)
    finally:
        door.dispose()
    assert log == ["checked in"]
    assert (report.added, report.people.created, report.people.written) == (2, 1, False)
    after = dump(engine)
    changed = {name for name in after if after[name] != before[name]}
    changed_by_door = {"attendances", "actions", "supporters", "audit_entries", "audit_people"}
    assert changed == changed_by_door  # the door's check-in (and its audit entry) only
    assert [row[1] for row in after["actions"]] == [comer]
    assert len(after["supporters"]) == len(before["supporters"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=rows, second=rows, skip=st.booleans())
def test_a_dry_run_counts_what_the_import_does_and_writes_nothing(workspace, first, second, skip):
    engine = workspace.engine
    with engine.begin() as connection:
        for table in ("level_changes", "actions", "supporters"):
            connection.execute(text(f"DELETE FROM {table}"))
    for email in EMAILS[:2]:
        add_person(engine, email.split("@")[0], None, email=email)
    _import(workspace, _csv(first), dry_run=False, skip_invalid=True)  # what is there already
    before = dump(engine)
    dry = _import(workspace, _csv(second), dry_run=True, skip_invalid=skip)
    assert dump(engine) == before
    done = _import(workspace, _csv(second), dry_run=False, skip_invalid=skip)

    def counts(report):
        people = report.people
        return (
            report.added,
            report.already,
            report.repeated,
            people.created,
            people.updated,
            people.unchanged,
            people.rejected,
        )

    assert counts(dry) == counts(done)
    assert not dry.people.written and not dry.moves
