"""An import holds SQLite's write lock only to write: the door checks people in meanwhile.

The import reads, validates and plans on a read snapshot; the write lock is taken after the
plan is made, and the plan is checked again under it: when someone else committed a change
the plan depends on (the same email added by someone else), the import plans again, so
nothing is lost and nobody is doubled. Ordering is asserted, never seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine, event, func, select, update

from ladder.events.checkin import check_in_by_ref
from ladder.people.importing import importer
from ladder.people.importing.importer import import_people
from ladder.storage.engine import make_engine
from ladder.storage.models import Attendance, Supporter
from ladder.workspace import Workspace
from tests.factories import add_event, add_person

LINES = 10_001  # the progress callback fires every 10,000 lines read


def _door(engine: Engine) -> Engine:
    """Another process's engine: on SQLite it fails at once (no wait) on a held write lock."""
    door = make_engine(engine.url.render_as_string(hide_password=False))
    if door.dialect.name == "sqlite":
        event.listen(door, "connect", lambda dbapi, _r: dbapi.execute("PRAGMA busy_timeout = 0"))
    return door


def _csv(rows: int, extra: str = "") -> bytes:
    lines = ["first_name,last_name,email"]
    lines += [f"Per{i},Son{i},p{i}@example.org" for i in range(rows)]
    if extra:
        lines.append(extra)
    return ("\n".join(lines) + "\n").encode()


def _count(engine: Engine, query: object) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)  # type: ignore[call-overload]


def _during_planning(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> list[str]:
    """Run ``action`` once the import's plan is made, before it writes; returns the log."""
    log: list[str] = []

    def planned() -> None:
        log.append("planned")
        if log.count("planned") == 1:
            action()
            log.append("door done")

    monkeypatch.setattr(importer, "_after_planning", planned)
    return log


def test_a_check_in_completes_while_an_import_reads_and_validates(workspace: Workspace):
    engine = workspace.engine
    add_event(engine, "Night march")
    comer = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    door = _door(engine)
    log: list[str] = []

    class HalfWay:  # the import is half way through validating its file
        def start(self, label: str, total: int) -> None:
            pass

        def advance(self, steps: int = 1) -> None:
            if not log:
                check_in_by_ref(door, workspace.ladder, "Night march", f"#{comer}", "door")
                log.append("checked in")

        def finish(self) -> None:
            pass

    try:
        report, _ = import_people(engine, workspace.ladder, _csv(LINES), "big.csv", None, HalfWay())
    finally:
        door.dispose()
    assert log == ["checked in"]
    assert report.written and report.created == LINES
    assert _count(engine, select(func.count()).select_from(Attendance)) == 1
    assert _count(engine, select(func.count()).select_from(Supporter)) == LINES + 1


def test_the_write_lock_is_taken_after_the_plan_is_made(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
):
    if workspace.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock")
    log = _during_planning(monkeypatch, lambda: None)

    @event.listens_for(workspace.engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("BEGIN"):
            log.append(statement)

    import_people(workspace.engine, workspace.ladder, _csv(50), "small.csv")
    assert log == ["BEGIN", "planned", "door done", "BEGIN IMMEDIATE"]


def test_a_check_in_during_planning_does_not_make_the_import_plan_again(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, known_both_ways: str
):
    engine = workspace.engine
    add_event(engine, "Night march")
    comer = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    door = _door(engine)

    def check_in() -> None:
        check_in_by_ref(door, workspace.ladder, "Night march", f"#{comer}", "door")

    log = _during_planning(monkeypatch, check_in)
    try:
        report, _ = import_people(engine, workspace.ladder, _csv(50), "small.csv")
    finally:
        door.dispose()
    assert log == ["planned", "door done"]  # planned once: the check-in changed nothing it read
    assert report.written and report.created == 50
    assert _count(engine, select(func.count()).select_from(Attendance)) == 1


def test_the_same_email_added_during_planning_is_neither_lost_nor_doubled(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, known_both_ways: str
):
    engine = workspace.engine
    door = _door(engine)

    def someone_adds_her() -> None:
        add_person(door, "Léa", "Martin", email="lea@example.org", phone="+33600000000")

    log = _during_planning(monkeypatch, someone_adds_her)
    data = _csv(20, "Léa,Martin,lea@example.org")
    try:
        report, _ = import_people(engine, workspace.ladder, data, "small.csv")
    finally:
        door.dispose()
    assert log == ["planned", "door done", "planned"]  # the plan was made again
    assert (report.created, report.updated + report.unchanged) == (20, 1)
    with engine.connect() as connection:
        leas = connection.execute(
            select(Supporter.first_name, Supporter.phone).where(
                Supporter.email == "lea@example.org"
            )
        ).all()
    assert [tuple(r) for r in leas] == [("Léa", "+33600000000")]  # hers, kept, once


def test_an_import_that_keeps_meeting_changes_plans_under_the_lock_at_last(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
):
    engine = workspace.engine
    door = _door(engine)
    added: list[int] = []

    def planned() -> None:  # someone adds the next person of the file after every plan
        i = len(added)
        added.append(add_person(door, f"Per{i}", f"Son{i}", email=f"p{i}@example.org"))

    monkeypatch.setattr(importer, "_after_planning", planned)
    monkeypatch.setattr(importer, "SNAPSHOT_TRIES", 2)
    try:
        report, _ = import_people(engine, workspace.ladder, _csv(3), "small.csv")
    finally:
        door.dispose()
    assert len(added) == 2  # two plans on a snapshot, the third under the lock (no hook)
    assert report.written and (report.created, report.unchanged) == (1, 2)
    assert _count(engine, select(func.count()).select_from(Supporter)) == 3


# promote: on SQLite the rules are evaluated on a read snapshot, the write lock is held only
# to apply them (PostgreSQL, with no database-wide lock, runs them in one transaction)


def _sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock: promote is one transaction")


def _regulars(engine: Engine) -> None:
    """Awa came to two fairs this spring (the default ladder's 'shows-up' rule holds)."""
    from tests.library.test_rules_engine import regulars_world
    from tests.rules_reference import load_world

    load_world(engine, regulars_world())


def test_a_check_in_completes_while_promote_evaluates_the_rules(workspace: Workspace):
    from ladder.rules import engine as rules_engine
    from tests.library.test_rules_engine import T

    engine = workspace.engine
    _sqlite_only(engine)
    _regulars(engine)
    add_event(engine, "Night march")
    comer = add_person(engine, "Zoé", "Door", email="zoe@example.org")
    door = _door(engine)
    log: list[str] = []

    def first_rule(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not log and "attendances" in statement:  # promote is evaluating its first rule
            log.append("evaluating")
            check_in_by_ref(door, workspace.ladder, "Night march", f"#{comer}", "door")
            log.append("checked in")

    event.listen(engine, "before_cursor_execute", first_rule)
    try:
        report = rules_engine.promote(engine, workspace.ladder, T)
    finally:
        event.remove(engine, "before_cursor_execute", first_rule)
        door.dispose()
    assert log == ["evaluating", "checked in"]
    assert [(c.rule_id, c.people) for c in report.changes] == [("shows-up", 1)]
    assert _count(engine, select(func.count()).select_from(Attendance)) == 7  # 6 + the door's


@pytest.mark.parametrize("share", [0, 100], ids=["only who could move", "whole base"])
def test_a_rung_set_by_hand_during_promote_is_not_overwritten(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, share: int
):
    from ladder.rules import engine as rules_engine
    from ladder.rules import set_rung
    from tests.library.test_rules_engine import T, changes, state

    engine = workspace.engine
    _sqlite_only(engine)
    _regulars(engine)
    door = _door(engine)

    def organiser_pins_awa() -> None:  # Awa would be promoted: an organiser keeps her on follow
        with door.begin() as connection:
            set_rung(connection, workspace.ladder, 1, "follow", "not yet", "organiser", T)

    monkeypatch.setattr(rules_engine, "_after_evaluating", organiser_pins_awa)
    monkeypatch.setattr(rules_engine, "RESTRICTED_RUN_SHARE", share)
    try:
        report = rules_engine.promote(engine, workspace.ladder, T)
    finally:
        door.dispose()
    assert report.changes == []
    assert state(engine, 1) == ("follow", "active")
    assert [(c.rule_id, c.changed_by) for c in changes(engine, 1)] == [(None, "organiser")]


def test_who_comes_to_qualify_while_promote_evaluates_is_promoted_too(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
):
    """Too many could move for a restricted run (a small base): the whole base runs under the
    lock, reusing who the snapshot said could move only if nobody wrote since. Here the door
    records Bastien's second fair meanwhile: he is promoted with Awa."""
    from ladder.rules import engine as rules_engine
    from tests.library.test_rules_engine import T, state

    engine = workspace.engine
    _sqlite_only(engine)
    _regulars(engine)
    door = _door(engine)

    def bastien_was_there() -> None:  # his no-show at the second fair is corrected
        with door.begin() as connection:
            connection.execute(
                update(Attendance).where(Attendance.id == 4).values(presence="attended")
            )

    monkeypatch.setattr(rules_engine, "_after_evaluating", bastien_was_there)
    try:
        report = rules_engine.promote(engine, workspace.ladder, T)
    finally:
        door.dispose()
    assert [(c.rule_id, c.people) for c in report.changes] == [("shows-up", 2)]
    assert state(engine, 1) == state(engine, 2) == ("attend", "active")


def test_promote_takes_the_write_lock_after_evaluating(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
):
    from ladder.rules import engine as rules_engine
    from tests.library.test_rules_engine import T

    _sqlite_only(workspace.engine)
    _regulars(workspace.engine)
    log: list[str] = []
    monkeypatch.setattr(rules_engine, "_after_evaluating", lambda: log.append("evaluated"))

    @event.listens_for(workspace.engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("BEGIN"):
            log.append(statement)

    rules_engine.promote(workspace.engine, workspace.ladder, T)
    assert log == ["BEGIN", "evaluated", "BEGIN IMMEDIATE"]
    log.clear()
    rules_engine.promote(workspace.engine, workspace.ladder, T)  # nobody left to move
    assert log == ["BEGIN", "evaluated"]  # no write lock at all


@pytest.mark.slow  # a property against the reference
def test_the_run_restricted_to_who_could_move_agrees_with_the_reference(
    synced: Engine, monkeypatch: pytest.MonkeyPatch
):
    """The rules-agreement property, with promote always taking its SQLite path: evaluate on
    a snapshot, then run the rules only for the people who could move (and the recruiters
    their moves reach), however many they are."""
    from ladder.rules import engine as rules_engine
    from tests.library.test_rules_agreement import (
        test_the_sql_engine_and_the_reference_agree_on_who_moves as agree,
    )

    if synced.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock: promote is one transaction")
    monkeypatch.setattr(rules_engine, "RESTRICTED_RUN_SHARE", 0)
    agree(synced=synced)


def test_a_check_in_completes_while_a_sign_in_sheet_is_planned(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
):
    from ladder.events.sheets import import_sheet
    from ladder.people.importing.importer import ImportOptions

    engine = workspace.engine
    add_event(engine, "Night march")
    add_event(engine, "Fair")
    comer = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    door = _door(engine)

    def check_in() -> None:
        check_in_by_ref(door, workspace.ladder, "Night march", f"#{comer}", "door")

    log = _during_planning(monkeypatch, check_in)
    sheet = b"first_name,last_name,email,present\nLea,Martin,lea@example.org,x\nBo,Li,,\n"
    try:
        report, _ = import_sheet(
            engine, workspace.ladder, "Fair", sheet, "sheet.csv", ImportOptions(), "volunteer"
        )
    finally:
        door.dispose()
    assert log == ["planned", "door done"]
    assert (report.people.created, report.skipped) == (1, 1)
    assert _count(engine, select(func.count()).select_from(Attendance)) == 2


def test_who_a_rule_moves_before_counts_for_the_next_rule_the_snapshot_found_nobody_for(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
):
    """The whole base runs under the lock with who the snapshot read could move: Léa, lapsed
    when it read, is reactivated, then 'shows-up' (for which the snapshot found nobody) holds
    for her. The run must not skip it for its empty list: she moved before it."""
    from ladder.rules import engine as rules_engine
    from tests.library.test_rules_engine import T, changes, fair, person, state
    from tests.rules_reference import AttendanceRow, World, load_world

    engine = workspace.engine
    _sqlite_only(engine)
    lea = person(1, "Léa", status="lapsed", status_since=T - timedelta(days=50))
    world = World(
        people=[lea, person(2, "Hugo", rung="attend")],
        events=[fair(1, 10), fair(2, 20), fair(3, 30, host_id=2)],
        attendances=[AttendanceRow(1, 1, 1, "attended"), AttendanceRow(2, 2, 1, "attended")],
    )
    load_world(engine, world)
    # Léa's reactivation alone stays a restricted run; with Hugo's move, the whole base runs
    monkeypatch.setattr(rules_engine, "RESTRICTED_RUN_SHARE", 2)
    report = rules_engine.promote(engine, workspace.ladder, T)
    assert [(c.rule_id, c.people) for c in report.changes] == [
        ("reactivation", 1),
        ("shows-up", 1),
        ("mobilises-others", 1),
    ]
    assert [c.rule_id for c in changes(engine, 1)] == ["reactivation", "shows-up"]
    assert state(engine, 1) == ("attend", "active")
    assert state(engine, 2) == ("mobilise", "active")
