"""Every manual change writes one audit entry (who, which command, which field names, which
people), never a value typed; `ladder audit` lists and filters them. Both databases."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from ladder.clock import utcnow
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.models import AuditEntry, AuditPerson, Supporter
from tests.factories import add_event, dump, person, write
from tests.rules_reference import AttendanceRow, EventRow, Person, World, load_world

# what the tests type: none of it may reach the audit tables
NAME, SURNAME = "Zéphyrine", "Quatrefages"
EMAIL, PHONE, POSTCODE = "zephyrine.q@example.org", "06 12 34 56 78", "69007"
VALUES = [NAME, SURNAME, EMAIL, PHONE, "+33612345678", "612345678", POSTCODE, "zephyrine"]


def entries(engine) -> list[dict[str, Any]]:
    """Every audit entry, oldest first, with the ids of the people it touched."""
    with engine.connect() as connection:
        rows = connection.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all()
        people = connection.execute(select(AuditPerson.__table__)).all()
    found = []
    for row in rows:
        entry = dict(row._mapping)
        for key in ("fields", "detail"):
            if isinstance(entry[key], str):
                entry[key] = json.loads(entry[key])
        entry["fields"] = entry["fields"] or []  # stored NULL when no field is named
        entry["ids"] = sorted(p.supporter_id for p in people if p.entry_id == entry["id"])
        found.append(entry)
    return found


def last_entry(engine) -> dict[str, Any]:
    return entries(engine)[-1]


def assert_no_value(engine, values: list[str] = VALUES) -> None:
    """No typed value anywhere in audit_entries or audit_people (every row serialized)."""
    tables = dump(engine)
    serialized = json.dumps(
        [tables["audit_entries"], tables["audit_people"]], default=str, ensure_ascii=False
    ).lower()
    for value in values:
        assert value.lower() not in serialized, value


def run(ladder_cli, *args: str, input: str | None = None):
    result = ladder_cli("--as", "marie", *args, input=input)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def zephyrine(engine) -> int:
    return person(engine, first_name=NAME, last_name=SURNAME, email=EMAIL, phone="+33612345678")


def test_people_add_records_field_names_and_the_new_id(ladder_cli, engine):
    run(
        ladder_cli,
        "people", "add", "--first-name", NAME, "--last-name", SURNAME, "--email", EMAIL,
        "--phone", PHONE, "--postcode", POSTCODE,
    )  # fmt: skip
    with engine.connect() as connection:
        new = connection.execute(select(Supporter.id).where(Supporter.email == EMAIL)).scalar()
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"], entry["ids"]) == ("marie", "people add", [new])
    assert entry["fields"] == ["email", "first_name", "last_name", "phone", "postcode"]
    assert entry["people"] == 1
    assert_no_value(engine)


def test_people_edit_records_the_names_of_the_fields_changed_never_their_values(
    ladder_cli, engine, zephyrine
):
    run(ladder_cli, "people", "edit", str(zephyrine), "--phone", "07 11 22 33 44",
        "--postcode", POSTCODE, "--first-name", "Zéphyrine-Anne")  # fmt: skip
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"], entry["ids"]) == ("marie", "people edit", [zephyrine])
    assert entry["fields"] == ["first_name", "phone", "postcode"]
    assert_no_value(engine, [*VALUES, "711223344", "Anne"])


def test_a_refused_edit_leaves_no_entry(ladder_cli, engine, zephyrine):
    before = dump(engine)
    result = ladder_cli(
        "--as", "marie", "people", "edit", str(zephyrine), "--email", "not-an-email"
    )
    assert result.exit_code != 0
    assert dump(engine) == before


@pytest.mark.parametrize(
    ("args", "command", "fields"),
    [
        (["people", "tag", "{p}", "volunteer"], "people tag", ["tags"]),
        (["people", "set-rung", "{p}", "mobilise", "--reason", "runs the group"],
         "people set-rung", ["rung"]),
        (["people", "set-recruiter", "{p}", "{r}"], "people set-recruiter", ["recruiter"]),
        (["people", "clear-recruiter", "{p}"], "people clear-recruiter", ["recruiter"]),
        (["actions", "log", "{p}", "petition"], "actions log", []),
    ],
)  # fmt: skip
def test_one_person_changes(ladder_cli, engine, zephyrine, args, command, fields):
    recruiter = person(engine, first_name="Jean", last_name="Wamytan")
    typed = [a.format(p=EMAIL, r=str(recruiter)) for a in args]
    run(ladder_cli, *typed)
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"], entry["ids"]) == ("marie", command, [zephyrine])
    assert entry["fields"] == fields
    assert_no_value(engine)


def test_untag_and_merge(ladder_cli, engine, zephyrine):
    run(ladder_cli, "people", "tag", str(zephyrine), "volunteer")
    run(ladder_cli, "people", "untag", str(zephyrine), "volunteer")
    entry = last_entry(engine)
    assert (entry["command"], entry["fields"], entry["ids"]) == (
        "people untag",
        ["tags"],
        [zephyrine],
    )
    other = person(engine, first_name=NAME, last_name=SURNAME, email="z.q@example.org")
    run(ladder_cli, "people", "merge", str(zephyrine), str(other))
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"]) == ("marie", "people merge")
    assert entry["ids"] == sorted([zephyrine, other])
    assert (entry["detail"]["kept"], entry["detail"]["merged"]) == (zephyrine, other)
    assert_no_value(engine, [*VALUES, "z.q@example.org"])


def test_people_import_is_one_entry_with_counts_and_everyone_it_wrote(
    ladder_cli, engine, zephyrine, tmp_path
):
    person(engine, first_name="Jean", last_name="Wamytan", email="jean@example.nc")
    csv = write(
        tmp_path,
        "people.csv",
        "first_name,last_name,email,postcode\n"
        f"{NAME},{SURNAME},{EMAIL},{POSTCODE}\n"  # known: gains a postcode
        "Jean,Wamytan,jean@example.nc,\n"  # known, unchanged
        "Léo,Kaouma,leo@example.nc,\n",  # new
    )
    run(ladder_cli, "people", "import", csv)
    with engine.connect() as connection:
        leo = connection.execute(text("SELECT id FROM supporters WHERE email = 'leo@example.nc'"))
        leo_id = leo.scalar_one()
    people_entries = [e for e in entries(engine) if e["command"] == "people import"]
    assert len(people_entries) == 1
    entry = people_entries[0]
    assert entry["actor"] == "marie"
    assert entry["ids"] == sorted([zephyrine, leo_id])  # not the unchanged one
    assert (entry["detail"]["created"], entry["detail"]["updated"]) == (1, 1)
    assert entry["people"] == len(entry["ids"])
    assert_no_value(engine, [*VALUES, "Kaouma", "leo@example.nc", "Wamytan"])


def test_actions_import_names_the_people_who_got_an_action(ladder_cli, engine, zephyrine, tmp_path):
    csv = write(tmp_path, "actions.csv", f"email,kind,date\n{EMAIL},petition,2026-01-10\n")
    run(ladder_cli, "actions", "import", csv)
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"], entry["ids"]) == (
        "marie",
        "actions import",
        [zephyrine],
    )
    assert entry["detail"]["added"] == 1
    assert_no_value(engine)


def test_attendance_import_checkin_walk_in_rsvp_invite_close(
    ladder_cli, engine, zephyrine, tmp_path
):
    event = add_event(engine, "Forum", starts_in=timedelta(hours=-2))
    sheet = write(tmp_path, "sheet.csv", f"first_name,last_name,email\n{NAME},{SURNAME},{EMAIL}\n")
    run(ladder_cli, "attendance", "import", str(event), sheet)
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"], entry["ids"]) == (
        "marie",
        "attendance import",
        [zephyrine],
    )
    assert entry["detail"]["event"] == event

    later = add_event(engine, "Fête", starts_in=timedelta(days=3))
    jean = person(engine, first_name="Jean", last_name="Wamytan")
    run(ladder_cli, "rsvp", str(later), str(zephyrine), "--status", "accepted")
    entry = last_entry(engine)
    assert (entry["command"], entry["fields"], entry["ids"]) == ("rsvp", ["rsvp"], [zephyrine])
    run(ladder_cli, "invite", str(later), str(jean), str(zephyrine))
    entry = last_entry(engine)
    assert (entry["command"], entry["ids"]) == ("invite", sorted([jean, zephyrine]))

    now = add_event(engine, "Marche", starts_in=timedelta(minutes=-10))
    run(ladder_cli, "rsvp", str(now), str(jean), "--status", "accepted")
    run(ladder_cli, "checkin", str(now), str(zephyrine))
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"], entry["ids"]) == ("marie", "checkin", [zephyrine])
    run(
        ladder_cli, "checkin", str(now), "--new", "--first-name", "Léo", "--email", "leo@example.nc"
    )
    entry = last_entry(engine)
    assert entry["command"] == "checkin walk-in"
    assert entry["fields"] == ["email", "first_name", "presence"]
    run(ladder_cli, "attendance", "close", str(now))
    entry = last_entry(engine)
    assert (entry["command"], entry["ids"], entry["detail"]["no_show"]) == (
        "attendance close",
        [jean],
        1,
    )
    assert_no_value(engine, [*VALUES, "leo@example.nc", "Léo"])


def test_events_and_campaigns(ladder_cli, engine, zephyrine):
    run(ladder_cli, "events", "add", "--title", "Forum", "--start", "2026-12-05 10:00")
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"], entry["ids"]) == ("marie", "events add", [])
    event = entry["detail"]["event"]
    assert {"title", "starts_at"} <= set(entry["fields"])
    run(ladder_cli, "events", "edit", str(event), "--host", EMAIL, "--capacity", "40")
    entry = last_entry(engine)
    assert (entry["command"], entry["ids"], entry["detail"]) == (
        "events edit",
        [zephyrine],
        {"event": event},
    )
    assert entry["fields"] == ["capacity", "host_id"]
    run(ladder_cli, "campaigns", "add", "Pétition", "--goal", "100", "--kind", "petition")
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"]) == ("marie", "campaigns add")
    run(ladder_cli, "campaigns", "edit", "Pétition", "--goal", "200")
    entry = last_entry(engine)
    assert (entry["command"], entry["fields"]) == ("campaigns edit", ["goal"])
    assert_no_value(engine)


def test_import_osdi_is_one_entry(ladder_cli, engine, zephyrine, tmp_path):
    document = {
        "given_name": NAME,
        "family_name": SURNAME,
        "email_addresses": [{"address": EMAIL, "primary": True}],
    }
    other = {"given_name": "Léo", "email_addresses": [{"address": "leo@example.nc"}]}
    path = tmp_path / "people.json"
    path.write_text(json.dumps({"_embedded": {"osdi:people": [document, other]}}))
    run(ladder_cli, "import", "osdi", str(path))
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"]) == ("marie", "import osdi")
    assert zephyrine in entry["ids"] and len(entry["ids"]) == 2
    assert_no_value(engine, [*VALUES, "leo@example.nc"])


def test_promote_is_one_entry_naming_who_moved(ladder_cli, engine):
    now = utcnow().replace(microsecond=0)
    sync_action_kinds(engine, load_ladder(default_ladder_path()))
    load_world(
        engine,
        World(
            people=[
                Person(1, "Awa", "follow", now - timedelta(days=400), now - timedelta(days=400))
            ],
            events=[EventRow(1, now - timedelta(days=10)), EventRow(2, now - timedelta(days=20))],
            attendances=[AttendanceRow(1, 1, 1, "attended"), AttendanceRow(2, 2, 1, "attended")],
        ),
    )
    run(ladder_cli, "promote")
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"], entry["ids"]) == ("marie", "promote", [1])
    assert entry["detail"] == {"level_changes": 1}
    run(ladder_cli, "promote")  # nobody left to move: no entry
    assert len([e for e in entries(engine) if e["command"] == "promote"]) == 1


def test_rename_rung_is_one_entry_naming_who_moved(ladder_cli, engine):
    old = [person(engine, first_name=f"P{n}", last_name="X", rung="show-up") for n in range(3)]
    person(engine, first_name="Other", last_name="X")  # on follow: not moved
    run(ladder_cli, "ladder", "rename-rung", "show-up", "attend")
    entry = last_entry(engine)
    assert (entry["actor"], entry["command"], entry["ids"]) == ("marie", "ladder rename-rung", old)
    assert (entry["fields"], entry["detail"], entry["people"]) == (["rung"], {"people": 3}, 3)


def test_the_actor_defaults_to_ladder_user(ladder_cli, engine, zephyrine):
    result = ladder_cli("people", "tag", str(zephyrine), "volunteer")
    assert result.exit_code == 0, result.output
    assert last_entry(engine)["actor"] == "test-volunteer"  # $LADDER_USER in the test CLI


# `ladder audit` ----------------------------------------------------------------------------


def _listed(ladder_cli, *args: str) -> list[dict[str, Any]]:
    result = ladder_cli("audit", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_audit_lists_newest_first_and_filters(ladder_cli, engine, zephyrine):
    jean = person(engine, first_name="Jean", last_name="Wamytan", email="jean@example.nc")
    run(ladder_cli, "people", "tag", str(zephyrine), "volunteer")
    run(ladder_cli, "people", "edit", str(jean), "--postcode", "98800")
    run(ladder_cli, "people", "edit", str(zephyrine), "--postcode", "98800")
    every = _listed(ladder_cli)
    assert [e["command"] for e in every] == ["people edit", "people edit", "people tag"]
    assert every[0]["fields"] == ["postcode"] and every[0]["actor"] == "marie"
    about = _listed(ladder_cli, "--person", EMAIL)
    assert [e["id"] for e in about] == [every[0]["id"], every[2]["id"]]
    assert [e["id"] for e in _listed(ladder_cli, "--command", "TAG")] == [every[2]["id"]]
    assert len(_listed(ladder_cli, "--limit", "2")) == 2
    tomorrow = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%d")
    assert _listed(ladder_cli, "--since", tomorrow) == []
    assert len(_listed(ladder_cli, "--since", "1d")) == 3
    table = ladder_cli("audit")
    assert table.exit_code == 0 and "people tag" in table.stdout
    csv = ladder_cli("audit", "--format", "csv", "--person", str(jean))
    assert csv.stdout.splitlines()[0] == "id,at,actor,command,fields,people,detail"
    assert len(csv.stdout.splitlines()) == 2


def test_audit_of_an_unknown_person_is_one_line(ladder_cli):
    result = ladder_cli("audit", "--person", "nobody@example.org")
    assert result.exit_code != 0
    assert "no person matches" in result.output and len(result.output.strip().splitlines()) == 1


def test_audit_shows_times_in_the_movement_zone(ladder_cli, engine, zephyrine):
    run(ladder_cli, "people", "tag", str(zephyrine), "volunteer")
    result = ladder_cli("audit", "--format", "json")
    assert json.loads(result.stdout)[0]["at"].endswith("+00:00")  # LADDER_TZ=UTC in tests
