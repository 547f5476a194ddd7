"""A schema upgrade from the first migration keeps every row of a base full of data.

The base is written with plain SQL at revision 0001 (people with their contact details and
consents, recruiters, groups, tags, a campaign and its goal, a partner, events, attendance,
actions, rung history with evidence), then `ladder db upgrade` brings it to the latest
schema: every row of every table is still there with its values, and ladder reads it. On
SQLite the upgrade first copies the database next to itself; on PostgreSQL it refuses until
the user says they ran pg_dump (--no-backup).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from ladder.storage.engine import make_engine, sqlite_path
from ladder.storage.schema import head_revision, upgrade_to
from tests.factories import dump

T = "'2026-03-01 18:00:00'"
ROWS = [
    "INSERT INTO local_groups (id, name, town, created_at) VALUES"
    f" (1, 'Lyon Nord', 'Lyon', {T}), (2, 'Saint-Étienne', NULL, {T})",
    "INSERT INTO tags (id, name) VALUES (1, 'volunteer'), (2, 'bénévole')",
    "INSERT INTO action_kinds (id, name, label, rung) VALUES"
    " (1, 'petition', 'Signed a petition', 'follow'), (2, 'event_attendance', NULL, 'attend'),"
    " (3, 'host_event', 'Hosted an event', 'mobilise')",
    "INSERT INTO campaigns (id, name, description, starts_on, ends_on, created_at) VALUES"
    f" (1, 'Climat 2026', 'Le grand printemps', '2026-01-01', '2026-12-31', {T})",
    "INSERT INTO campaign_goals (id, campaign_id, metric, label, target) VALUES"
    " (1, 1, 'petition', 'Signatures', 25000)",
    "INSERT INTO partner_organisations"
    " (id, name, kind, contact_email, local_group_id, notes, created_at) VALUES"
    f" (1, 'Amis de la Terre', 'ngo', 'contact@adlt.example', 1, 'since 2019', {T})",
    "INSERT INTO supporters (id, first_name, last_name, email, phone, postcode, local_group_id,"
    " consent_email, consent_sms, consent_photo, source, created_at, updated_at, rung,"
    " rung_since, rung_set_manually, status, status_since, lapse_condition_since,"
    " recruiter_id, merged_into_id) VALUES"
    f" (1, 'Awa', 'Diallo', 'awa@example.org', '+33600000001', '69001', 1, TRUE, TRUE, FALSE,"
    f"  'import', {T}, {T}, 'mobilise', {T}, FALSE, 'active', {T}, NULL, NULL, NULL),"
    f" (2, 'Jean', 'Müller', 'jean@example.org', NULL, '69002', 1, TRUE, FALSE, TRUE,"
    f"  'web', {T}, NULL, 'attend', {T}, TRUE, 'active', {T}, NULL, 1, NULL),"
    f" (3, 'Léa', NULL, NULL, '+33600000003', NULL, 2, FALSE, TRUE, FALSE,"
    f"  NULL, {T}, NULL, 'follow', {T}, FALSE, 'lapsed', {T}, {T}, 2, NULL),"
    f" (4, 'Léa', 'Martin', NULL, NULL, NULL, NULL, FALSE, FALSE, FALSE,"
    f"  NULL, {T}, NULL, 'follow', {T}, FALSE, 'active', NULL, NULL, NULL, 3)",
    "INSERT INTO supporter_tags (supporter_id, tag_id) VALUES (1, 1), (1, 2), (2, 1)",
    "INSERT INTO events (id, title, kind, starts_at, ends_at, place, postcode, local_group_id,"
    " campaign_id, host_id, partner_id, capacity, key_date, status, external_id, closed_at,"
    " created_at) VALUES"
    f" (1, 'Marche pour le climat', 'march', {T}, '2026-03-01 21:00:00', 'Place Bellecour',"
    f"  '69002', 1, 1, 1, 1, 500, TRUE, 'confirmed', 'ext-1', '2026-03-02 09:00:00', {T}),"
    f" (2, 'Atelier', 'training', '2026-04-01 18:00:00', NULL, NULL, NULL, 2, NULL, NULL,"
    f"  NULL, NULL, FALSE, 'tentative', NULL, NULL, {T})",
    "INSERT INTO attendances (id, event_id, supporter_id, invited_at, invited_by, rsvp,"
    " rsvp_at, presence, checked_in_at, checked_in_by, walk_in, brought_by_id) VALUES"
    f" (1, 1, 2, {T}, 'awa', 'accepted', {T}, 'attended', {T}, 'door', FALSE, NULL),"
    f" (2, 1, 3, NULL, NULL, NULL, NULL, 'attended', {T}, 'door', TRUE, 2),"
    f" (3, 2, 2, {T}, 'awa', 'declined', {T}, 'unknown', NULL, NULL, FALSE, NULL)",
    "INSERT INTO actions (id, supporter_id, action_kind_id, occurred_at, event_id,"
    " campaign_id, logged_by, external_id, created_at) VALUES"
    f" (1, 1, 1, {T}, NULL, 1, 'web', 'sig-1', {T}),"
    f" (2, 2, 2, {T}, 1, 1, 'door', NULL, {T}),"
    f" (3, 1, 3, {T}, 1, NULL, NULL, NULL, {T})",
    "INSERT INTO level_changes (id, supporter_id, from_rung, to_rung, from_status, to_status,"
    " changed_at, rule_id, changed_by, reason, evidence) VALUES"
    f" (1, 1, 'follow', 'attend', 'active', 'active', {T}, 'two-events', NULL, NULL,"
    """  '{"attended_events": 2, "attendance_ids": [1, 2]}'),"""
    f" (2, 1, 'attend', 'mobilise', 'active', 'active', {T}, NULL, 'organiser',"
    "  'leads the Lyon group', NULL),"
    f" (3, 3, 'follow', 'follow', 'active', 'lapsed', {T}, 'quiet', NULL, NULL,"
    """  '{"no_activity_days": 180}')""",
]


def _full_base_at_0001(db_url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = make_engine(db_url)
    upgrade_to(engine, "0001")
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("supporters", "events", "attendances", "actions", "level_changes"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT max(id) FROM {table}))"
                    )
                )
    before = dump(engine)
    engine.dispose()
    return before


def test_an_upgrade_from_the_first_schema_keeps_every_row(bare_cli, db_url):
    before = _full_base_at_0001(db_url)
    assert sum(len(rows) for rows in before.values()) > 25
    sqlite = db_url.startswith("sqlite")

    if not sqlite:
        refused = bare_cli("db", "upgrade")
        assert refused.exit_code == 1
        assert "back the database up before upgrading it: pg_dump" in refused.stderr
        assert "--no-backup" in refused.stderr
    upgraded = bare_cli("db", "upgrade") if sqlite else bare_cli("db", "upgrade", "--no-backup")
    assert upgraded.exit_code == 0, upgraded.output
    assert f"from schema 0001 to {head_revision()}" in upgraded.stdout

    engine = make_engine(db_url)
    after = dump(engine)
    engine.dispose()
    for table, rows in before.items():
        if table != "alembic_version":  # later migrations add columns at the end, empty
            assert len(after[table]) == len(rows), table
            pairs = list(zip(after[table], rows, strict=True))
            assert [row[: len(old)] for row, old in pairs] == rows, table
            extra = [row[len(old) :] for row, old in pairs]
            if table == "supporters":  # 0006 fills in each person's first action, last
                extra = [columns[:-2] for columns in extra]
            assert all(v is None for columns in extra for v in columns), table
    assert after["alembic_version"] == [(head_revision(),)]
    signed = datetime(2026, 3, 1, 18, 0)  # Awa's two actions tie: the one with a campaign
    firsts = {row[0]: tuple(row[-2:]) for row in after["supporters"]}
    assert firsts == {1: (signed, 1), 2: (signed, 1), 3: (None, None), 4: (None, None)}
    ledger = {"consent_records"}
    added = {"merges", "contacts", "supporter_identifiers", "event_identifiers"} | {
        "audit_entries", "audit_people", "api_tokens", "checkin_links", "affiliations",
    }  # fmt: skip
    assert set(after) - set(before) == added | ledger  # tables of later migrations, empty
    assert all(after[table] == [] for table in added)
    engine = make_engine(db_url)  # each yes flag became the first record of the consent ledger
    with engine.connect() as connection:
        flags = {
            (i, channel)
            for i, email, sms, photo in connection.execute(
                text("SELECT id, consent_email, consent_sms, consent_photo FROM supporters")
            )
            for channel, given in (("email", email), ("sms", sms), ("photo", photo))
            if given
        }
        records = connection.execute(
            text("SELECT supporter_id, channel, given, source FROM consent_records")
        ).all()
    engine.dispose()
    assert flags and {(i, c) for i, c, _, _ in records} == flags and len(records) == len(flags)
    assert {(bool(g), s) for _, _, g, s in records} == {(True, "before the consent ledger")}

    shown = bare_cli("people", "show", "#2")
    assert shown.exit_code == 0, shown.output
    assert "Müller" in shown.stdout and "Awa Diallo" in shown.stdout  # the recruiter
    listed = bare_cli("people", "list", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    assert "jean@example.org" in listed.stdout


def test_a_sqlite_upgrade_copies_the_database_first_and_says_where(bare_cli, db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL: refused until pg_dump was run (the test above)")
    before = _full_base_at_0001(db_url)
    database = sqlite_path(db_url)
    assert database is not None
    upgraded = bare_cli("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    copies = sorted(database.parent.glob(f"{database.stem}-before-upgrade-*.db"))
    assert len(copies) == 1
    assert f"Backed up {database} to {copies[0]} first." in upgraded.stdout
    assert copies[0].stat().st_mode & 0o777 == 0o600
    copy = make_engine(f"sqlite:///{copies[0]}")
    assert dump(copy) == before  # the base as it was, at 0001
    copy.dispose()

    again = bare_cli("db", "upgrade")  # nothing pending: no second copy
    assert again.exit_code == 0
    assert "Backed up" not in again.stdout
    assert len(list(database.parent.glob(f"{database.stem}-before-upgrade-*.db"))) == 1


def test_no_backup_upgrades_without_a_copy(bare_cli, db_url, tmp_path: Path):
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL: --no-backup is tested above")
    _full_base_at_0001(db_url)
    database = sqlite_path(db_url)
    assert database is not None
    upgraded = bare_cli("db", "upgrade", "--no-backup")
    assert upgraded.exit_code == 0, upgraded.output
    assert "Backed up" not in upgraded.stdout
    assert list(database.parent.glob("*-before-upgrade-*")) == []
