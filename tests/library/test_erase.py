"""Erasure: every value that could name the person goes, from the rows and from the bytes of
the database files; the anonymous node keeps every count."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from ladder.campaigns.progress import campaign_progress
from ladder.clock import utcnow
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.errors import NotFoundError
from ladder.privacy import erasure as erasure_module
from ladder.privacy.erasure import erase_person
from ladder.recruitment.leaderboard import top_recruiters
from ladder.reports.overview import busiest_events
from ladder.storage.engine import sqlite_path
from ladder.storage.models import (
    Action,
    AuditEntry,
    AuditPerson,
    ConsentRecord,
    LevelChange,
    Merge,
    Supporter,
)
from tests import erase_world as w
from tests.factories import dump

LADDER = load_ladder(default_ladder_path())


def _counts(engine: Engine) -> dict[str, object]:
    """What erasure must not move: reach, attendance and campaign totals."""
    as_of = utcnow() + timedelta(minutes=1)
    with engine.connect() as connection:
        leaderboard = [
            {k: v for k, v in row.items() if k != "name"}
            for row in top_recruiters(connection, LADDER, limit=None)
        ]
        attendance = connection.execute(
            text(
                "SELECT event_id, presence, count(*), sum(CASE WHEN walk_in THEN 1 ELSE 0 END) "
                "FROM attendances GROUP BY event_id, presence ORDER BY event_id, presence"
            )
        ).all()
        busiest = busiest_events(connection, as_of)
        campaigns = campaign_progress(connection, LADDER, as_of)
        actions = connection.execute(
            select(Action.campaign_id, Action.action_kind_id, Action.occurred_at, func.count())
            .group_by(Action.campaign_id, Action.action_kind_id, Action.occurred_at)
            .order_by(Action.occurred_at)
        ).all()
    return {
        "leaderboard": leaderboard,
        "attendance": [tuple(r) for r in attendance],
        "busiest": busiest,
        "campaigns": campaigns,
        "actions": [tuple(r) for r in actions],
    }


def test_no_value_that_could_name_her_is_left_in_any_row(engine):
    world = w.build_world(engine)
    before = repr(dump(engine))
    assert all(secret in before for secret in w.SECRETS)  # the world holds them all
    person, erasure = erase_person(engine, w.EMAIL, "camille")
    assert person.id == world.target
    after = repr(dump(engine))
    assert [s for s in w.SECRETS if s in after] == []
    assert (erasure.people, erasure.merged_records) == (1, 1)
    assert erasure.rows["supporter_identifiers"] == 1
    assert erasure.rows["supporter_tags"] == 1
    assert erasure.rows["consent_records"] == 2


def test_the_anonymous_node_keeps_its_id_rung_recruiter_and_what_hangs_off_it(engine):
    world = w.build_world(engine)
    with engine.connect() as connection:
        rung = connection.scalar(select(Supporter.rung).where(Supporter.id == world.target))
    erase_person(engine, str(world.target), "camille")
    with engine.connect() as connection:
        node = connection.execute(select(Supporter).where(Supporter.id == world.target)).one()
        merged = connection.execute(select(Supporter).where(Supporter.id == world.merged)).one()
        recruits = connection.scalars(
            select(Supporter.id).where(Supporter.recruiter_id == world.target)
        ).all()
        consents = connection.execute(
            select(ConsentRecord.channel, ConsentRecord.given, ConsentRecord.source)
            .where(ConsentRecord.supporter_id == world.target)
            .order_by(ConsentRecord.channel)
        ).all()
        externals = connection.scalars(
            select(Action.external_id).where(Action.supporter_id == world.target)
        ).all()
        status_change = connection.execute(
            select(LevelChange.to_status, LevelChange.changed_by)
            .where(LevelChange.supporter_id == world.target)
            .order_by(LevelChange.id.desc())
        ).first()
    assert (node.status, node.rung, node.recruiter_id) == ("erased", rung, world.recruiter)
    assert (node.first_name, node.last_name, node.email, node.phone, node.postcode) == (None,) * 5
    assert (merged.first_name, merged.last_name, merged.status) == (None, None, "erased")
    assert sorted(recruits) == sorted(world.recruits)
    assert consents == [("email", True, None), ("sms", True, None)]
    assert sorted(e for e in externals if e) == [f"attendance:{world.events[0]}:{world.target}"]
    assert tuple(status_change) == ("erased", "camille")


def test_recruiter_reach_attendance_and_campaign_totals_do_not_move(engine):
    world = w.build_world(engine)
    before = _counts(engine)
    assert any(r["id"] == world.target and r["reach"] == 3 for r in before["leaderboard"])
    assert before["campaigns"] and before["attendance"]
    erase_person(engine, str(world.target), "camille")
    assert _counts(engine) == before


def test_kept_evidence_holds_numbers_only(engine):
    world = w.build_world(engine)
    erase_person(engine, str(world.target), "camille")
    with engine.connect() as connection:
        evidence = connection.scalars(
            select(LevelChange.evidence).where(
                LevelChange.supporter_id == world.target, LevelChange.evidence.is_not(None)
            )
        ).all()
        details = connection.scalars(
            select(Merge.details).where(Merge.kept_id == world.target)
        ).all()
    assert evidence, "the rule promotion's evidence is there to check"

    def leaves(value: object) -> list[object]:
        if isinstance(value, dict):
            return [x for v in value.values() for x in leaves(v)]
        if isinstance(value, list):
            return [x for v in value for x in leaves(v)]
        return [value]

    assert all(isinstance(x, int) for e in evidence for x in leaves(e))
    assert [sorted(d) for d in details] == [["moved"]]
    assert all(isinstance(x, int) for d in details for x in leaves(d))


def test_the_audit_entry_names_the_records_and_counts_without_a_value(engine):
    world = w.build_world(engine)
    erase_person(engine, str(world.target), "camille")
    with engine.connect() as connection:
        entry = connection.execute(
            select(AuditEntry).where(AuditEntry.command == "people erase")
        ).one()
        people = connection.scalars(
            select(AuditPerson.supporter_id).where(AuditPerson.entry_id == entry.id)
        ).all()
    assert (entry.actor, entry.people) == ("camille", 2)
    assert sorted(people) == sorted([world.target, world.merged])
    assert entry.detail["people"] == 1 and entry.detail["supporter_tags"] == 1
    text_of_entry = json.dumps([entry.fields, entry.detail])
    assert [s for s in w.SECRETS if s in text_of_entry] == []


@pytest.mark.parametrize("ref", ["nobody@example.org", "999999"])
def test_an_unknown_person_is_refused_and_nothing_is_written(engine, ref):
    w.build_world(engine, fillers=4)
    before = dump(engine)
    with pytest.raises(NotFoundError, match="no person matches"):
        erase_person(engine, ref, "camille")
    assert dump(engine) == before


def test_an_erased_or_merged_away_person_is_refused_and_nothing_is_written(engine):
    world = w.build_world(engine, fillers=4)
    erase_person(engine, str(world.target), "camille")
    before = dump(engine)
    with pytest.raises(NotFoundError, match="was erased"):
        erase_person(engine, str(world.target), "camille")
    with pytest.raises(NotFoundError, match="merged into|was erased"):
        erase_person(engine, str(world.merged), "camille")
    assert dump(engine) == before


# --- the bytes --------------------------------------------------------------------------


def _files_holding(path: Path, values: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-journal")):
        if file.exists():
            data = file.read_bytes()
            hits = [v for v in values if v.encode() in data]
            if hits:
                found[file.name] = hits
    return found


def _sqlite_file(engine: Engine) -> Path:
    if engine.dialect.name != "sqlite":
        pytest.skip("the SQLite file's bytes (PostgreSQL: see the pageinspect test)")
    path = sqlite_path(str(engine.url))
    assert path is not None
    return path


def test_no_byte_of_her_is_left_in_the_sqlite_file_or_its_wal(engine):
    path = _sqlite_file(engine)
    world = w.build_world(engine)
    assert _files_holding(path, w.BYTES)  # before: the file and its WAL hold them
    _, erasure = erase_person(engine, str(world.target), "camille")
    assert erasure.wal_truncated is True
    assert _files_holding(path, w.BYTES) == {}  # the engine is still open: the WAL exists
    assert Path(f"{path}-wal").stat().st_size == 0


def test_without_secure_delete_the_grep_finds_her_freed_bytes(engine, monkeypatch):
    """The control: the byte-level test can fail (SQLite leaves freed cells as they were)."""
    path = _sqlite_file(engine)
    world = w.build_world(engine)
    real = erasure_module._secure_delete
    monkeypatch.setattr(erasure_module, "_secure_delete", lambda c, on: real(c, False))
    with engine.connect() as connection:  # this connection wrote the world: off there too
        connection.connection.driver_connection.execute("PRAGMA secure_delete = 0")
    erase_person(engine, str(world.target), "camille")
    assert _files_holding(path, w.BYTES)


def test_a_reader_holding_a_snapshot_leaves_the_wal_untruncated_and_it_is_said(engine, monkeypatch):
    path = _sqlite_file(engine)
    world = w.build_world(engine, fillers=4)
    monkeypatch.setattr(erasure_module, "CHECKPOINT_WAIT_MS", 50)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM supporters").fetchone()
        _, erasure = erase_person(engine, str(world.target), "camille")
    finally:
        reader.close()
    assert erasure.wal_truncated is False


# --- PostgreSQL: no live or dead tuple ------------------------------------------------------


def _pageinspect(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's pages (SQLite: see the file tests)")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public"))
    except Exception as exc:  # not installed, or not a superuser
        pytest.skip(f"pageinspect is not available: {str(exc).splitlines()[0]}")


def _tuples_holding(engine: Engine, values: tuple[str, ...]) -> dict[str, list[str]]:
    """Every heap tuple (live or dead) and every btree entry of the schema's tables, their
    indexes and TOAST tables, read from the pages with pageinspect after a CHECKPOINT."""
    found: dict[str, list[str]] = {}
    with engine.begin() as connection:
        connection.execute(text("CHECKPOINT"))
        relations = connection.execute(
            text(
                "SELECT c.oid, c.relname, c.relkind, am.amname, "
                "pg_relation_size(c.oid) / current_setting('block_size')::int "
                "FROM pg_class c LEFT JOIN pg_am am ON am.oid = c.relam "
                "WHERE c.relkind IN ('r', 'i', 't') AND (c.relnamespace = "
                "current_schema()::regnamespace OR c.oid IN (SELECT reltoastrelid FROM "
                "pg_class WHERE relnamespace = current_schema()::regnamespace) OR "
                "c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT "
                "reltoastrelid FROM pg_class WHERE relnamespace = "
                "current_schema()::regnamespace)))"
            )
        ).all()
        for oid, name, kind, method, blocks in relations:
            items: list[bytes] = []
            for block in range(blocks):
                if kind in ("r", "t"):
                    items += [
                        bytes(d)
                        for (d,) in connection.execute(
                            text(
                                "SELECT t_data FROM public.heap_page_items("
                                "public.get_raw_page(CAST(:oid AS regclass)::text, :b)) "
                                "WHERE t_data IS NOT NULL"
                            ),
                            {"oid": oid, "b": block},
                        )
                    ]
                elif method == "btree" and block > 0:
                    items += [
                        bytes.fromhex(d.replace(" ", ""))
                        for (d,) in connection.execute(
                            text(
                                "SELECT data FROM public.bt_page_items("
                                "CAST(:oid AS regclass)::text, :b) WHERE data IS NOT NULL"
                            ),
                            {"oid": oid, "b": block},
                        )
                    ]
            hits = [v for v in values if any(v.encode() in item for item in items)]
            if hits:
                found[name] = hits
    return found


def test_no_live_or_dead_tuple_or_index_entry_holds_her_on_postgresql(engine):
    _pageinspect(engine)
    world = w.build_world(engine)
    assert _tuples_holding(engine, w.BYTES)  # the probe sees them before
    _, erasure = erase_person(engine, str(world.target), "camille")
    assert "supporters" in erasure.vacuumed and erasure.waited_for == 0
    assert _tuples_holding(engine, w.BYTES) == {}


def test_an_erased_representative_leaves_the_organisations_counts_and_loses_her_role(engine):
    from ladder.orgs.manage import list_orgs
    from ladder.orgs.show import events_attended, org_people

    world = w.build_world(engine)

    def counts() -> tuple[object, ...]:
        with engine.connect() as connection:
            listed = [r for r in list_orgs(connection) if r["id"] == world.organisation]
            came = events_attended(connection, world.organisation)
            roles = {r["id"]: r["role"] for r in org_people(connection, world.organisation)}
        return listed[0]["people"], [(e["id"], e["people"]) for e in came], roles

    people, came, roles = counts()
    # she and recruits[0] came to both fairs; the sibling only said yes
    assert (people, sorted(came)) == (3, sorted((e, 2) for e in world.events))
    assert roles[world.target] == w.ROLE
    erase_person(engine, str(world.target), "camille")
    after_people, after_came, after_roles = counts()
    assert (after_people, after_came) == (people, came)
    assert after_roles == {**roles, world.target: None}
