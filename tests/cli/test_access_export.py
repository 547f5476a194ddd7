"""`ladder people export PERSON -o FILE.json`: the access export holds every row that names
the person, checked table by table against the schema (a table added later with a foreign
key to supporters fails here until the rich person below has a row in it and the export
holds it). Both databases."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Table, insert, or_, select

from ladder.clock import utcnow
from ladder.storage.models import (
    AuditPerson,
    Base,
    ConsentRecord,
    Contact,
    SupporterIdentifier,
)
from tests.factories import add_event, dump, person, write

EMAIL = "zephyrine.q@example.org"


def run(ladder_cli, *args: str):
    result = ladder_cli("--as", "marie", *args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def rich(ladder_cli, engine, tmp_path) -> int:
    """Someone every table that can name a person names: actions, attendances (RSVP,
    invitation, check-in, someone they brought), contacts, level changes, consent records,
    tags, identifiers, an organisation they represent, a recruiter and recruits, a merge, an
    event they host, audit entries."""
    recruiter = person(engine, first_name="Jean", last_name="Wamytan")
    me = person(engine, first_name="Zéphyrine", last_name="Quatrefages", email=EMAIL)
    twin = person(engine, first_name="Zéphyrine", last_name="Quatrefages", email="z.q@example.org")
    recruits = [person(engine, first_name=f"Recrue{n}", last_name="X") for n in range(2)]
    for n in recruits:
        run(ladder_cli, "people", "set-recruiter", str(n), str(me))
    run(ladder_cli, "people", "set-recruiter", str(me), str(recruiter))
    run(ladder_cli, "people", "edit", str(me), "--phone", "06 12 34 56 78")
    run(ladder_cli, "people", "tag", str(me), "volunteer", "speaker")
    for n in range(25):  # more than `people show` lists
        at = (utcnow() - timedelta(days=n + 1)).strftime("%Y-%m-%d %H:%M")
        run(ladder_cli, "actions", "log", str(me), "petition", "--at", at)
    run(ladder_cli, "actions", "log", str(twin), "like")  # moves to me on merge
    past = add_event(engine, "Forum", starts_in=timedelta(minutes=-30))
    later = add_event(engine, "Fête", starts_in=timedelta(days=5), host_id=me)
    run(ladder_cli, "rsvp", str(later), str(me), "--status", "accepted")
    run(ladder_cli, "invite", str(past), str(me))
    run(ladder_cli, "checkin", str(past), str(me))
    run(ladder_cli, "checkin", str(past), "--new", "--first-name", "Léo", "--recruited-by", EMAIL)
    run(ladder_cli, "people", "set-rung", str(me), "mobilise", "--reason", "runs the group")
    run(ladder_cli, "orgs", "add", "Mairie de Nouméa", "--kind", "city")
    run(ladder_cli, "people", "affiliate", str(me), "Mairie de Nouméa", "--role", "adjointe")
    run(ladder_cli, "people", "merge", str(me), str(twin))
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            insert(Contact).values(
                supporter_id=me, channel="email", event_id=later, contacted_at=now
            )
        )
        connection.execute(
            insert(ConsentRecord),
            [
                {"supporter_id": me, "channel": "email", "given": True, "source": "form",
                 "wording": "v2", "evidence": "ticked the box", "recorded_at": now},
                {"supporter_id": me, "channel": "sms", "given": False, "source": None,
                 "wording": None, "evidence": None, "recorded_at": now},
            ],
        )  # fmt: skip
        connection.execute(
            insert(SupporterIdentifier).values(
                supporter_id=me, namespace="nationbuilder", value="nb-77", created_at=now
            )
        )
    sheet = write(tmp_path, "noise.csv", "first_name,email\nAutre,autre@example.org\n")
    run(ladder_cli, "people", "import", sheet)  # someone else: not in the export
    return me


def naming_columns() -> dict[Table, list[str]]:
    """From the models: each table with a foreign key to supporters.id, and those columns."""
    supporters = Base.metadata.tables["supporters"]
    found = {}
    for table in Base.metadata.sorted_tables:
        columns = [fk.parent.name for fk in table.foreign_keys if fk.column.table is supporters]
        if columns:
            found[table] = columns
    return found


def _key(table: Table, row: Any) -> tuple:
    return tuple(row[c.name] for c in table.primary_key.columns)


def test_the_export_holds_every_row_that_names_the_person(ladder_cli, engine, rich, tmp_path):
    output = tmp_path / "zephyrine.json"
    result = run(ladder_cli, "people", "export", EMAIL, "-o", str(output))
    assert "Wrote everything held about" in result.stdout
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    document = json.loads(output.read_text("utf-8"))
    assert (document["format"], document["version"]) == ("ladder-access-export", 1)
    assert document["exported_by"] == "marie"
    assert document["person"]["id"] == rich and document["person"]["email"] == EMAIL
    assert document["person"]["tags"] == ["speaker", "volunteer"]
    with engine.connect() as connection:
        for table, columns in naming_columns().items():
            query = select(table).where(or_(*(table.c[c] == rich for c in columns)))
            expected = {_key(table, r._mapping) for r in connection.execute(query)}
            assert expected, f"the rich person has no row in {table.name}: give them one"
            if table.name == "supporters":  # their recruits (by id) and records merged in
                rows = [{"id": i} for i in document["recruits"]] + document["merged_records"]
            else:
                rows = document["records"][table.name]
            assert {_key(table, r) for r in rows} == expected, table.name
        audited = connection.execute(
            select(AuditPerson.entry_id).where(AuditPerson.supporter_id == rich)
        ).scalars()
        assert sorted(audited) == [e["id"] for e in document["audit"]]
    assert len(document["records"]["actions"]) == 27  # 25 logged, 1 merged in, 1 check-in
    assert document["records"]["actions"][0]["action_kind"] == "petition"
    assert document["audit"][-1]["command"] == "people export"  # the export itself
    evidence = [r["evidence"] for r in document["records"]["consent_records"]]
    assert "ticked the box" in evidence
    assert all(r["supporter_id"] == rich for r in document["records"]["level_changes"])
    affiliation = document["records"]["affiliations"]
    assert [(a["organisation"], a["role"]) for a in affiliation] == [
        ("Mairie de Nouméa", "adjointe")
    ]


def test_the_export_is_audited_and_refuses_to_overwrite(ladder_cli, engine, tmp_path):
    me = person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")
    output = tmp_path / "awa.json"
    run(ladder_cli, "people", "export", str(me), "-o", str(output))
    entries = json.loads(ladder_cli("audit", "--format", "json").stdout)
    assert [(e["command"], e["actor"], e["people"]) for e in entries] == [
        ("people export", "marie", 1)
    ]
    before = dump(engine)
    again = ladder_cli("people", "export", str(me), "-o", str(output))
    assert again.exit_code != 0 and "--force" in again.output
    assert dump(engine) == before
    run(ladder_cli, "people", "export", str(me), "-o", str(output), "--force")


def test_an_unknown_person_is_one_line_and_nothing_written(ladder_cli, engine, tmp_path):
    before = dump(engine)
    result = ladder_cli("people", "export", "nobody@example.org", "-o", str(tmp_path / "x.json"))
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1 and "no person matches" in result.output
    assert dump(engine) == before
    assert not (tmp_path / "x.json").exists()


def test_a_file_that_cannot_be_written_leaves_no_audit_entry(ladder_cli, engine, tmp_path):
    me = person(engine, first_name="Awa", last_name="Diallo")
    before = dump(engine)
    result = ladder_cli("people", "export", str(me), "-o", str(tmp_path / "missing" / "x.json"))
    assert result.exit_code != 0
    assert dump(engine) == before


def test_people_show_json_with_all_lists_every_action(ladder_cli, engine):
    me = person(engine, first_name="Awa", last_name="Diallo")
    for n in range(23):
        at = (utcnow() - timedelta(days=n + 1)).strftime("%Y-%m-%d %H:%M")
        run(ladder_cli, "actions", "log", str(me), "petition", "--at", at)
    shown = json.loads(run(ladder_cli, "people", "show", str(me), "--format", "json").stdout)
    every = json.loads(
        run(ladder_cli, "people", "show", str(me), "--format", "json", "--all").stdout
    )
    assert (len(shown["actions"]), len(every["actions"])) == (20, 23)
