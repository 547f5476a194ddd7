"""`ladder people consent`, and every other way consent is given or refused, through the
ledger, on both databases: each writes records with its source, `people show` lists them,
`people list --consent/--for` and `ladder next` follow the latest record."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from ladder.storage.models import AuditEntry, AuditPerson, ConsentRecord, Supporter
from tests.factories import add_event, dump, person

AWA = {"first_name": "Awa", "last_name": "Diallo", "email": "awa@example.org"}


def ledger(engine, person_id=None):
    """(person, channel, given, source, wording, by) of every record, in order written."""
    query = select(
        ConsentRecord.supporter_id,
        ConsentRecord.channel,
        ConsentRecord.given,
        ConsentRecord.source,
        ConsentRecord.wording,
        ConsentRecord.recorded_by,
    ).order_by(ConsentRecord.id)
    if person_id is not None:
        query = query.where(ConsentRecord.supporter_id == person_id)
    with engine.connect() as connection:
        return [(r[0], r[1], bool(r[2]), *r[3:]) for r in connection.execute(query)]


def flags(engine, email):
    with engine.connect() as connection:
        row = connection.execute(
            select(
                Supporter.id,
                Supporter.consent_email,
                Supporter.consent_sms,
                Supporter.consent_photo,
            ).where(Supporter.email == email)
        ).one()
    return row[0], (bool(row[1]), bool(row[2]), bool(row[3]))


def test_people_consent_records_each_channel_and_the_audit_names_only_the_channels(
    ladder_cli, engine
):
    awa = person(engine, **AWA, consent_email=True)  # one record: email yes
    result = ladder_cli(
        "--as",
        "léa",
        "people",
        "consent",
        "awa@example.org",
        "--email",
        "non",
        "--sms",
        "yes",
        "--source",
        "fête de la Lagune",
        "--wording",
        "v3",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Recorded for #1 Awa Diallo: email no, sms yes. Consent now: email no, sms yes, photo no.\n"
    )
    assert ledger(engine, awa)[1:] == [
        (awa, "email", False, "fête de la Lagune", "v3", "léa"),
        (awa, "sms", True, "fête de la Lagune", "v3", "léa"),
    ]
    assert flags(engine, "awa@example.org") == (awa, (False, True, False))
    with engine.connect() as connection:
        entry = connection.execute(select(AuditEntry)).one()
        touched = connection.execute(select(AuditPerson.supporter_id)).scalars().all()
    assert (entry.actor, entry.command, entry.fields, entry.people) == (
        "léa",
        "people consent",
        ["consent_email", "consent_sms"],
        1,
    )
    assert touched == [awa]
    assert "Awa" not in str(entry.detail) and "awa@" not in str(entry.detail)
    again = ladder_cli("people", "consent", str(awa), "--sms", "yes")  # a yes on a yes: kept
    assert again.exit_code == 0, again.output
    assert ledger(engine, awa)[-1] == (awa, "sms", True, "people consent", None, "test-volunteer")
    assert len(ledger(engine, awa)) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["awa@example.org", "--email", "maybe"], "Error: --email 'maybe': say yes or no"),
        (
            ["awa@example.org"],
            "Error: give at least one of --email, --sms, --photo, with yes or no",
        ),
        (
            ["nobody@example.org", "--email", "yes"],
            "Error: no person matches 'nobody@example.org': give an id, email or phone",
        ),
        (["#2", "--email", "yes"], "Error: #2 was erased: their details are gone"),
        (
            ["awa@example.org", "--sms", "no", "--source", "stand\x1b[31m"],
            "Error: --source: a control character (U+001B) at character 6: remove it",
        ),
        (
            ["awa@example.org", "--sms", "no", "--wording", "v" * 61],
            "Error: --wording: 61 characters, more than the 60 allowed: shorten it",
        ),
    ],
)
def test_a_refused_statement_is_one_line_and_writes_nothing(ladder_cli, engine, args, message):
    person(engine, **AWA)
    person(engine, first_name=None, last_name=None, status="erased")
    before = dump(engine)
    result = ladder_cli("people", "consent", *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [message]
    assert dump(engine) == before


def test_people_add_and_edit_consents_are_records(ladder_cli, engine):
    added = ladder_cli(
        "people", "add", "--first-name", "Awa", "--email", "awa@example.org", "--consent-email"
    )
    assert added.exit_code == 0, added.output
    edited = ladder_cli("people", "edit", "awa@example.org", "--no-consent-email", "--consent-sms")
    assert edited.exit_code == 0, edited.output
    awa, state = flags(engine, "awa@example.org")
    assert state == (False, True, False)
    assert ledger(engine) == [
        (awa, "email", True, "people add", None, "test-volunteer"),
        (awa, "email", False, "people edit", None, "test-volunteer"),
        (awa, "sms", True, "people edit", None, "test-volunteer"),
    ]


def test_people_import_writes_the_files_statements_once(ladder_cli, engine, tmp_path):
    known = person(engine, **AWA, consent_email=True)  # said yes before the ledger
    quiet = person(engine, first_name="Jean", last_name="W", email="jean@example.nc")
    path = tmp_path / "adherents.csv"
    path.write_text(
        "email,prénom,accepte les e-mails,accepte les SMS\n"
        "awa@example.org,Awa,oui,non\n"
        "jean@example.nc,Jean,non,\n"
        "chloe@example.nc,Chloé,oui,oui\n",
        encoding="utf-8",
    )
    result = ladder_cli("people", "import", str(path))
    assert result.exit_code == 0, result.output
    chloe, state = flags(engine, "chloe@example.nc")
    assert state == (True, True, False)
    source = f"people import {path}"
    assert sorted(r for r in ledger(engine) if r[3] == source) == sorted(
        [
            (known, "sms", False, source, None, "test-volunteer"),  # email yes again: nothing
            (quiet, "email", False, source, None, "test-volunteer"),  # a first no is kept
            (chloe, "email", True, source, None, "test-volunteer"),
            (chloe, "sms", True, source, None, "test-volunteer"),
        ]
    )
    before = dump(engine)
    again = ladder_cli("people", "import", str(path))
    assert again.exit_code == 0, again.output
    assert dump(engine)["consent_records"] == before["consent_records"]  # nothing piles up
    path.write_text("email,accepte les e-mails\nawa@example.org,non\n", encoding="utf-8")
    assert ladder_cli("people", "import", str(path)).exit_code == 0
    assert flags(engine, "awa@example.org") == (known, (False, False, False))
    assert ledger(engine, known)[-1] == (known, "email", False, source, None, "test-volunteer")


def test_actions_import_creates_people_with_their_consent_records(ladder_cli, engine, tmp_path):
    path = tmp_path / "petition.csv"
    path.write_text(
        "prénom,nom,email,newsletter,date\nChloé,Gope,chloe@example.nc,oui,2026-10-31\n",
        encoding="utf-8",
    )
    result = ladder_cli("actions", "import", str(path), "--kind", "petition", "--create-people")
    assert result.exit_code == 0, result.output
    chloe, state = flags(engine, "chloe@example.nc")
    assert state == (True, False, False)
    assert ledger(engine) == [
        (chloe, "email", True, f"actions import {path}", None, "test-volunteer")
    ]


def test_a_sign_in_sheets_walk_ins_bring_their_consent(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Fête de la Lagune")
    path = tmp_path / "sheet.csv"
    path.write_text(
        "present;prénom;nom;courriel;consent_email\nx;Chloé;Gope;chloe@example.nc;oui\n",
        encoding="utf-8",
    )
    result = ladder_cli("attendance", "import", str(event), str(path))
    assert result.exit_code == 0, result.output
    chloe, state = flags(engine, "chloe@example.nc")
    assert state == (True, False, False)
    assert ledger(engine) == [
        (chloe, "email", True, f"attendance import {path}", None, "test-volunteer")
    ]


def test_a_walk_in_at_the_door_says_yes_or_no_at_the_event(ladder_cli, engine):
    event = add_event(engine, "Journée étudiante")
    result = ladder_cli(
        "checkin",
        str(event),
        "--new",
        "--first-name",
        "Léo",
        "--email",
        "leo@example.nc",
        "--consent-email",
        "--no-consent-photo",
    )
    assert result.exit_code == 0, result.output
    leo, state = flags(engine, "leo@example.nc")
    assert state == (True, False, False)
    where = f"check-in at event #{event}"
    assert ledger(engine) == [
        (leo, "email", True, where, None, "test-volunteer"),
        (leo, "photo", False, where, None, "test-volunteer"),
    ]


def test_an_osdi_import_records_the_statuses_it_reads(ladder_cli, engine, tmp_path):
    document = {
        "given_name": "Chloé",
        "family_name": "Gope",
        "email_addresses": [
            {"primary": True, "address": "chloe@example.nc", "status": "subscribed"}
        ],
        "phone_numbers": [{"primary": True, "number": "+687751234", "status": "unsubscribed"}],
    }
    path = tmp_path / "person.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = ladder_cli("import", "osdi", str(path))
    assert result.exit_code == 0, result.output
    chloe, state = flags(engine, "chloe@example.nc")
    assert state == (True, False, False)
    assert ledger(engine) == [
        (chloe, "email", True, "osdi import", None, None),
        (chloe, "sms", False, "osdi import", None, None),
    ]
    before = dump(engine)
    assert ladder_cli("import", "osdi", str(path)).exit_code == 0
    assert dump(engine)["consent_records"] == before["consent_records"]


def test_people_show_lists_the_consent_history(ladder_cli, engine):
    awa = person(engine, **AWA)
    ladder_cli("people", "consent", str(awa), "--email", "yes", "--wording", "v2")
    ladder_cli("people", "consent", str(awa), "--email", "no", "--source", "phone call")
    table = ladder_cli("people", "show", str(awa))
    assert table.exit_code == 0, table.output
    history = table.stdout.split("Consent history:\n")[1].splitlines()
    assert history[0].split() == ["recorded_at", "channel", "given", "source", "wording", "by"]
    assert history[2].split()[2:] == ["email", "yes", "people", "consent", "v2", "test-volunteer"]
    assert history[3].split()[2:] == ["email", "no", "phone", "call", "test-volunteer"]
    shown = json.loads(ladder_cli("people", "show", str(awa), "--format", "json").stdout)
    assert [(r["channel"], r["given"], r["source"], r["wording"]) for r in shown["consent"]] == [
        ("email", True, "people consent", "v2"),
        ("email", False, "phone call", None),
    ]
    assert shown["person"]["consent_email"] is False


def test_contact_lists_hold_only_a_latest_yes_with_the_address(ladder_cli, engine):
    yes = person(engine, **AWA, consent_email=True, phone="+33612345678")
    person(engine, first_name="Nina", email="nina@example.org", consent_email=True)
    person(engine, first_name="Sans", consent_email=True, consent_sms=True)  # no address
    person(engine, first_name="Eva", email="eva@example.org", consent_email=True, status="erased")
    person(
        engine, first_name="Max", email="max@example.org", consent_email=True, merged_into_id=yes
    )
    assert ladder_cli("people", "consent", "nina@example.org", "--email", "no").exit_code == 0
    assert ladder_cli("people", "consent", str(yes), "--sms", "yes").exit_code == 0
    mail = ladder_cli("people", "list", "--for", "email", "--format", "csv")
    assert mail.exit_code == 0, mail.output
    rows = list(csv.DictReader(io.StringIO(mail.stdout)))
    assert [(r["id"], r["email"]) for r in rows] == [(str(yes), "awa@example.org")]
    texts = ladder_cli("people", "list", "--for", "sms", "--format", "json")
    assert [r["id"] for r in json.loads(texts.stdout)] == [yes]
    consenting = ladder_cli("people", "list", "--consent", "email", "--format", "json")
    assert [r["first_name"] for r in json.loads(consenting.stdout)] == ["Awa", "Sans"]
    bad = ladder_cli("people", "list", "--for", "fax")
    assert bad.exit_code == 2 and "'fax' is not one of 'email', 'sms'" in bad.stderr


def test_ladder_next_leaves_out_someone_who_said_no(ladder_cli, engine):
    awa = person(engine, **AWA, consent_email=True)
    person(engine, first_name="Olga", email="olga@example.org", consent_email=True)
    before = ladder_cli("next", "--format", "json")
    assert before.exit_code == 0, before.output
    assert awa in [r["id"] for r in json.loads(before.stdout)]
    assert ladder_cli("people", "consent", str(awa), "--email", "no").exit_code == 0
    after = json.loads(ladder_cli("next", "--format", "json").stdout)
    assert awa not in [r["id"] for r in after] and len(after) == 1


def test_a_merge_keeps_both_histories_and_the_latest_statement_wins(ladder_cli, engine):
    keep = person(engine, **AWA, consent_email=True)
    other = person(engine, first_name="Awa", last_name="Diallo", email="awa.d@example.org")
    assert ladder_cli("people", "consent", str(other), "--email", "no").exit_code == 0
    result = ladder_cli("people", "merge", str(keep), str(other))
    assert result.exit_code == 0, result.output
    assert "consent records 1" in result.stdout
    assert [r[:3] for r in ledger(engine)] == [(keep, "email", True), (keep, "email", False)]
    assert flags(engine, "awa@example.org") == (keep, (False, False, False))
