"""Organisers manage the calendar; after the event, close it; print a sign-in sheet."""

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import select

from ladder.storage.models import Attendance, Event
from tests.factories import add_event, add_group, add_person


def test_add_then_list_then_show_an_event(ladder_cli, engine):
    add_group(engine, "Nouméa")
    added = ladder_cli(
        "events",
        "add",
        "--title",
        "Journée étudiante",
        "--kind",
        "student-day",
        "--start",
        "2026-10-05 10:00",
        "--end",
        "2026-10-05 17:00",
        "--group",
        "Nouméa",
        "--capacity",
        "80",
    )
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("Added event #")
    listed = json.loads(ladder_cli("events", "list", "--format", "json").stdout)
    assert [(e["title"], e["group"], e["capacity"]) for e in listed] == [
        ("Journée étudiante", "Nouméa", 80)
    ]
    shown = ladder_cli("events", "show", "Journée")
    assert shown.exit_code == 0, shown.output
    assert "student-day" in shown.stdout
    assert "Nobody invited" in shown.stdout


def test_list_filters_by_date_range_group_and_kind(ladder_cli, engine):
    group = add_group(engine, "Dumbéa")
    add_event(engine, "Old fair", starts_in=timedelta(days=-200), kind="fair")
    add_event(engine, "School visit", starts_in=timedelta(days=-5), kind="school")
    add_event(engine, "Dumbéa fair", starts_in=timedelta(days=-3), local_group_id=group)

    def titles(*options):
        result = ladder_cli("events", "list", "--format", "json", *options)
        assert result.exit_code == 0, result.output
        return sorted(e["title"] for e in json.loads(result.stdout))

    assert titles() == ["Dumbéa fair", "Old fair", "School visit"]
    assert titles("--kind", "school") == ["School visit"]
    assert titles("--group", "Dumbéa") == ["Dumbéa fair"]
    assert len(titles("--from", "2000-01-01")) == 3
    assert titles("--to", "2000-01-01") == []


def test_an_event_that_ends_before_it_starts_is_refused(ladder_cli, engine):
    result = ladder_cli(
        "events",
        "add",
        "--title",
        "Backwards",
        "--start",
        "2026-10-05 10:00",
        "--end",
        "2026-10-05 09:00",
    )
    assert result.exit_code == 1
    assert "ends (2026-10-05 09:00) before it starts" in result.stderr
    with engine.connect() as connection:
        assert connection.execute(select(Event)).all() == []


def test_a_group_is_found_without_accents_and_a_typo_gets_a_suggestion(ladder_cli, engine):
    add_group(engine, "Nouméa")
    start = ("--start", "2026-10-05 10:00")
    found = ladder_cli("events", "add", "--title", "Fair", *start, "--group", "noumea")
    assert found.exit_code == 0, found.output
    typo = ladder_cli("events", "add", "--title", "Fair", *start, "--group", "Nouma")
    assert typo.exit_code == 1
    assert typo.stderr.strip() == "Error: unknown group 'Nouma' (did you mean Nouméa?)"
    listed = ladder_cli("events", "list", "--group", "NOUMÉA", "--format", "csv")
    assert listed.stdout.count("Fair") == 1


def test_cancelling_an_event_by_edit(ladder_cli, engine):
    event = add_event(engine, "Concert solidaire")
    result = ladder_cli("events", "edit", str(event), "--status", "cancelled")
    assert result.exit_code == 0, result.output
    refused = ladder_cli("checkin", str(event), "1")
    assert refused.exit_code == 1
    assert "is cancelled" in refused.stderr


def test_closing_marks_accepted_absentees_no_show_and_leaves_the_rest_unknown(ladder_cli, engine):
    event = add_event(engine, "Marche pour la prévention")
    came = add_person(engine, "Awa", "Diallo")
    absent = add_person(engine, "Bruno", "Tein")
    unsure = add_person(engine, "Chloé", "Gope")
    for person, answer in ((came, "accepted"), (absent, "accepted"), (unsure, "tentative")):
        assert ladder_cli("rsvp", str(event), str(person), "--status", answer).exit_code == 0
    assert ladder_cli("checkin", str(event), str(came)).exit_code == 0
    closed = ladder_cli("attendance", "close", str(event))
    assert closed.exit_code == 0, closed.output
    assert "1 marked no-show" in closed.stdout
    with engine.connect() as connection:
        presence = dict(
            connection.execute(select(Attendance.supporter_id, Attendance.presence)).all()
        )
    assert presence == {came: "attended", absent: "no_show", unsure: "unknown"}
    again = ladder_cli("attendance", "close", str(event))
    assert "0 marked no-show" in again.stdout


def test_a_future_event_cannot_be_closed(ladder_cli, engine):
    event = add_event(engine, "Next week", starts_in=timedelta(days=7))
    result = ladder_cli("attendance", "close", str(event))
    assert result.exit_code == 1
    assert "has not started yet" in result.stderr


def test_the_sign_in_sheet_lists_rsvps_then_blank_rows(ladder_cli, engine):
    event = add_event(engine, "Forum", starts_in=timedelta(hours=2))
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org", consent_email=True)
    declined = add_person(engine, "Zoé", "Naisseline")
    ladder_cli("rsvp", str(event), str(awa), "--status", "accepted")
    ladder_cli("rsvp", str(event), str(declined), "--status", "declined")
    result = ladder_cli("events", "sheet", str(event), "--format", "csv", "--blank", "3")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4
    assert (rows[0]["first_name"], rows[0]["email"], rows[0]["consent_email"]) == (
        "Awa",
        "awa@example.org",
        "yes",
    )
    assert all(not any(r.values()) for r in rows[1:])
    page = ladder_cli("events", "sheet", str(event))
    assert page.stdout.startswith("<!doctype html>")
    assert "<td>Awa</td>" in page.stdout
    assert "Naisseline" not in page.stdout
