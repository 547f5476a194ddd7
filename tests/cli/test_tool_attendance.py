"""Attendance exports of other tools (Mobilize, Action Network) imported without --map."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.domain.vocabulary import Presence, Rsvp
from ladder.events.tool_files import import_attendance, outcome, read_attended, read_status
from ladder.people.importing.importer import ImportOptions
from ladder.storage.models import (
    Action,
    Attendance,
    EventIdentifier,
    Supporter,
    SupporterIdentifier,
)
from tests.factories import add_event, add_person, dump, write

pytestmark = pytest.mark.usefixtures("known_both_ways")

# The Mobilize SQL mirror's `participations` view, columns as documented in
# https://github.com/mobilizeamerica/api/blob/master/sql_data_dictionary/README.md#participations
MOBILIZE = (
    "id,created_date,user_id,user__given_name,user__family_name,user__email_address,"
    "user__phone_number,user__postal_code,event_id,timeslot_id,status,attended\n"
)
# An Action Network attendee export: its person columns and OSDI's status and attended.
ACTION_NETWORK = "uuid,first_name,last_name,email,zip_code,can2_phone,status,attended\n"


def _mobilize_row(pid, user, first, last, event, status, attended, slot=900):
    email = f"{first.lower()}@example.org"
    cells = [pid, "2026-03-01", user, first, last, email, "", "98800", event, slot, status]
    return ",".join(str(c) for c in [*cells, attended]) + "\n"


def _attendances(engine, event):
    query = (
        select(Supporter.first_name, Attendance.rsvp, Attendance.presence)
        .join(Supporter, Supporter.id == Attendance.supporter_id)
        .where(Attendance.event_id == event)
    )
    with engine.connect() as connection:
        return {first: (rsvp, presence) for first, rsvp, presence in connection.execute(query)}


def _identifiers(engine):
    with engine.connect() as connection:
        people = connection.execute(
            select(SupporterIdentifier.namespace, SupporterIdentifier.value, Supporter.first_name)
            .join(Supporter, Supporter.id == SupporterIdentifier.supporter_id)
            .order_by(SupporterIdentifier.value)
        ).all()
        events = connection.execute(
            select(EventIdentifier.namespace, EventIdentifier.value, EventIdentifier.event_id)
        ).all()
    return [tuple(p) for p in people], [tuple(e) for e in events]


@pytest.mark.parametrize(
    ("status", "attended", "expected"),
    [
        (s, a, e)
        for (s, a), e in zip(
            itertools.product(["REGISTERED", "CONFIRMED", "CANCELLED", ""], ["true", "false", ""]),
            [
                ("accepted", "attended"),
                ("accepted", "no_show"),
                ("accepted", "unknown"),
                ("accepted", "attended"),
                ("accepted", "no_show"),
                ("accepted", "unknown"),
                ("declined", "attended"),
                ("declined", "unknown"),  # cancelled and absent: not a no-show
                ("declined", "unknown"),
                (None, "attended"),
                (None, "unknown"),  # no RSVP and absent: not a no-show
                (None, "unknown"),
            ],
            strict=True,
        )
    ],
)
def test_status_and_attended_become_rsvp_and_three_state_presence(status, attended, expected):
    rsvp, presence = outcome(read_status(status), read_attended(attended))
    assert (rsvp, presence) == expected


def test_tool_values_read_as_the_tools_write_them():
    assert read_status("Needs Action") is None
    assert read_status("canceled") == Rsvp.DECLINED
    assert read_status(" tentative ") == Rsvp.TENTATIVE
    assert read_attended("TRUE") is True and read_attended("f") is False
    assert read_attended("  ") is None
    with pytest.raises(ValueError, match="'waitlist' is not an RSVP status"):
        read_status("waitlist")
    with pytest.raises(ValueError, match="'perhaps' is not true, false or blank"):
        read_attended("perhaps")


def test_a_mobilize_participation_export_imports_without_map(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Phone bank")
    # a person whose ladder id is the participation's id: the `id` column must not match her
    add_person(engine, "Zoé", "Cœur", email="zoe@example.org")
    rows = [
        _mobilize_row(1, 501, "Awa", "Diallo", 77, "CONFIRMED", "true"),
        _mobilize_row(2, 502, "Jean", "Wamytan", 77, "REGISTERED", "false"),
        _mobilize_row(3, 503, "Chloe", "Gope", 77, "CANCELLED", ""),
        _mobilize_row(4, 504, "Leo", "Kaouma", 77, "REGISTERED", ""),
    ]
    path = write(tmp_path, "participations.csv", MOBILIZE + "".join(rows))
    result = ladder_cli("attendance", "import", str(event), path)
    assert result.exit_code == 0, result.output
    assert "user_id -> tool_id" in result.stdout
    assert "event_id -> event, status -> rsvp_status, attended -> attended" in result.stdout
    assert "ignored: id, created_date, timeslot_id" in result.stdout
    assert "Created 4, updated 0, unchanged 0." in result.stdout
    assert f"Mobilize export for #{event} Phone bank" in result.stdout
    assert (
        "RSVPs recorded 4; checked in 1 (already 0); no-shows 1; attendance left unknown 2."
        in result.stdout
    )
    assert _attendances(engine, event) == {
        "Awa": ("accepted", "attended"),
        "Jean": ("accepted", "no_show"),
        "Chloe": ("declined", "unknown"),
        "Leo": ("accepted", "unknown"),
    }
    people, events = _identifiers(engine)
    assert people == [
        ("mobilize", "501", "Awa"),
        ("mobilize", "502", "Jean"),
        ("mobilize", "503", "Chloe"),
        ("mobilize", "504", "Leo"),
    ]
    assert events == [("mobilize", "77", event)]
    with engine.connect() as connection:
        kinds = connection.execute(select(Action.external_id)).scalars().all()
    assert len(kinds) == 1  # the check-in's attendance action, as at the door


def test_every_status_and_attended_combination_through_the_command(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Assemblée")
    combos = list(
        itertools.product(["REGISTERED", "CONFIRMED", "CANCELLED"], ["true", "false", ""])
    )
    names = [f"P{i}" for i in range(len(combos))]
    body = "".join(
        _mobilize_row(i, 600 + i, names[i], "Test", 77, status, attended)
        for i, (status, attended) in enumerate(combos)
    )
    result = ladder_cli(
        "attendance", "import", str(event), write(tmp_path, "m.csv", MOBILIZE + body)
    )
    assert result.exit_code == 0, result.output
    expected = {
        names[i]: outcome(read_status(status), read_attended(attended))
        for i, (status, attended) in enumerate(combos)
    }
    assert _attendances(engine, event) == {k: (r.value, p.value) for k, (r, p) in expected.items()}


def test_an_action_network_attendee_export_imports_without_map(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Town hall")
    body = (
        "c1a2-11,Awa,Diallo,awa@example.org,98800,0612345678,accepted,true\n"
        "c1a2-12,Jean,Wamytan,jean@example.org,98800,,tentative,\n"
        "c1a2-13,Chloe,Gope,chloe@example.org,98800,,declined,false\n"
    )
    path = write(tmp_path, "attendees.csv", ACTION_NETWORK + body)
    result = ladder_cli("attendance", "import", str(event), path)
    assert result.exit_code == 0, result.output
    assert "Action Network export for" in result.stdout
    assert _attendances(engine, event) == {
        "Awa": ("accepted", "attended"),
        "Jean": ("tentative", "unknown"),
        "Chloe": ("declined", "unknown"),
    }
    with engine.connect() as connection:
        phone = connection.execute(
            select(Supporter.phone).where(Supporter.first_name == "Awa")
        ).scalar()
    assert phone is not None  # can2_phone is the phone
    people, events = _identifiers(engine)
    assert [p[:2] for p in people] == [("action_network", f"c1a2-{i}") for i in (11, 12, 13)]
    assert events == []  # the file has no event column: nothing to remember


def test_several_events_need_an_event_map_and_are_remembered(ladder_cli, engine, tmp_path):
    first, second = add_event(engine, "Canvass 1"), add_event(engine, "Canvass 2")
    body = (
        _mobilize_row(1, 501, "Awa", "Diallo", 77, "CONFIRMED", "true")
        + _mobilize_row(2, 501, "Awa", "Diallo", 78, "CONFIRMED", "true", slot=901)
        + _mobilize_row(3, 502, "Jean", "Wamytan", 78, "REGISTERED", "false", slot=901)
    )
    path = write(tmp_path, "two.csv", MOBILIZE + body)
    result = ladder_cli(
        "attendance", "import", path, "--event-map", f"77={first}", "--event-map", f"78={second}"
    )
    assert result.exit_code == 0, result.output
    assert "Created 2, updated 0, unchanged 0, repeated rows 1." in result.stdout
    assert _attendances(engine, first) == {"Awa": ("accepted", "attended")}
    assert _attendances(engine, second) == {
        "Awa": ("accepted", "attended"),
        "Jean": ("accepted", "no_show"),
    }
    _people, events = _identifiers(engine)
    assert sorted(events) == [("mobilize", "77", first), ("mobilize", "78", second)]

    # the next export from Mobilize finds both events without --event-map
    later = write(
        tmp_path,
        "later.csv",
        MOBILIZE + _mobilize_row(4, 503, "Chloe", "Gope", 78, "REGISTERED", "true", slot=901),
    )
    result = ladder_cli("attendance", "import", later)
    assert result.exit_code == 0, result.output
    assert _attendances(engine, second)["Chloe"] == ("accepted", "attended")


def test_event_is_refused_for_a_file_of_several_events(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Canvass")
    body = _mobilize_row(1, 501, "Awa", "Diallo", 77, "CONFIRMED", "true") + _mobilize_row(
        2, 502, "Jean", "Wamytan", 78, "CONFIRMED", "true"
    )
    before = dump(engine)
    result = ladder_cli(
        "attendance", "import", str(event), write(tmp_path, "t.csv", MOBILIZE + body)
    )
    assert result.exit_code == 2
    assert (
        "the file names 2 events (77, 78): EVENT is for a file of one event; map each instead, "
        "e.g. --event-map 77=EVENT --event-map 78=EVENT" in result.output
    )
    assert dump(engine) == before


def test_rows_of_an_unmapped_event_are_refused_and_nothing_is_written(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Canvass")
    body = _mobilize_row(1, 501, "Awa", "Diallo", 77, "CONFIRMED", "true") + _mobilize_row(
        2, 502, "Jean", "Wamytan", 78, "CONFIRMED", "true"
    )
    path = write(tmp_path, "t.csv", MOBILIZE + body)
    before = dump(engine)
    result = ladder_cli("attendance", "import", path, "--event-map", f"77={event}")
    assert result.exit_code == 1
    assert (
        "  line 3, column 'event_id': event 78 is not mapped to a ladder event: "
        "add --event-map 78=EVENT" in result.stderr
    )
    assert "nothing was imported" in result.stderr
    assert dump(engine) == before

    result = ladder_cli(
        "attendance", "import", path, "--event-map", f"77={event}", "--skip-invalid"
    )
    assert result.exit_code == 0, result.output
    assert _attendances(engine, event) == {"Awa": ("accepted", "attended")}
    assert "rejected 1" in result.stdout


def test_a_bad_status_is_refused_with_its_line_and_column(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Canvass")
    body = _mobilize_row(1, 501, "Awa", "Diallo", 77, "WAITLISTED", "true")
    before = dump(engine)
    result = ladder_cli(
        "attendance", "import", str(event), write(tmp_path, "t.csv", MOBILIZE + body)
    )
    assert result.exit_code == 1
    assert (
        "  line 2, column 'status': 'WAITLISTED' is not an RSVP status: use registered, "
        "confirmed or cancelled (or accepted, tentative, declined)" in result.stderr
    )
    assert dump(engine) == before


def test_importing_the_same_export_again_changes_nothing(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Phone bank")
    body = (
        _mobilize_row(1, 501, "Awa", "Diallo", 77, "CONFIRMED", "true")
        + _mobilize_row(2, 502, "Jean", "Wamytan", 77, "REGISTERED", "false")
        + _mobilize_row(3, 503, "Chloe", "Gope", 77, "CANCELLED", "")
    )
    path = write(tmp_path, "p.csv", MOBILIZE + body)
    assert ladder_cli("attendance", "import", str(event), path).exit_code == 0
    before = dump(engine)
    result = ladder_cli("attendance", "import", str(event), path)
    assert result.exit_code == 0, result.output
    assert "Created 0, updated 0, unchanged 3." in result.stdout
    assert "RSVPs recorded 0; checked in 0 (already 1); no-shows 0" in result.stdout
    assert dump(engine) == before
    # and without EVENT: the event id was remembered
    assert ladder_cli("attendance", "import", path).exit_code == 0
    assert dump(engine) == before


def test_the_tools_person_id_finds_the_same_person_after_an_email_change(
    ladder_cli, engine, tmp_path
):
    event = add_event(engine, "Phone bank")
    path = write(
        tmp_path, "a.csv", MOBILIZE + _mobilize_row(1, 501, "Awa", "Diallo", 77, "CONFIRMED", "")
    )
    assert ladder_cli("attendance", "import", str(event), path).exit_code == 0
    changed = (
        MOBILIZE + "2,2026-03-02,501,Awa,Diallo,awa.new@example.org,,98800,77,900,CONFIRMED,true\n"
    )
    result = ladder_cli("attendance", "import", write(tmp_path, "b.csv", changed))
    assert result.exit_code == 0, result.output
    assert "Created 0, updated 1, unchanged 0." in result.stdout
    with engine.connect() as connection:
        emails = connection.execute(select(Supporter.email)).scalars().all()
    assert emails == ["awa.new@example.org"]
    assert _attendances(engine, event) == {"Awa": ("accepted", "attended")}


def test_a_check_in_at_the_door_is_not_undone_by_a_file(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Phone bank")
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    assert ladder_cli("checkin", str(event), str(awa)).exit_code == 0
    path = write(
        tmp_path,
        "a.csv",
        MOBILIZE + _mobilize_row(1, 501, "Awa", "Diallo", 77, "CONFIRMED", "false"),
    )
    result = ladder_cli("attendance", "import", str(event), path)
    assert result.exit_code == 0, result.output
    assert "1 row(s) say not attended for people already checked in here" in result.stdout
    assert _attendances(engine, event) == {"Awa": ("accepted", Presence.ATTENDED.value)}


def test_a_sign_in_sheet_with_an_attended_column_is_still_a_sheet(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Fête")
    path = write(
        tmp_path,
        "s.csv",
        "attended,first_name,last_name,email\nx,Awa,Diallo,a@example.org\n,Jean,W,j@example.org\n",
    )
    result = ladder_cli("attendance", "import", str(event), path)
    assert result.exit_code == 0, result.output
    assert "Skipped 1 row(s) not ticked present." in result.stdout
    assert _attendances(engine, event) == {"Awa": (None, "attended")}


def test_the_tools_id_names_the_same_person_after_a_change_of_name(ladder_cli, engine, tmp_path):
    """The tool's id and the email both say it is Awa: her new last name is taken, nobody new
    is created (the people importer matches on the tool's id first, as for `people import`)."""
    event = add_event(engine, "Phone bank")
    first = MOBILIZE + _mobilize_row(1, 501, "Awa", "Diallo", 77, "CONFIRMED", "")
    path = write(tmp_path, "a.csv", first)
    assert ladder_cli("attendance", "import", str(event), path).exit_code == 0
    renamed = "2,2026-03-02,501,Awa,Martin,awa@example.org,,98800,77,900,CONFIRMED,true\n"
    result = ladder_cli("attendance", "import", write(tmp_path, "b.csv", MOBILIZE + renamed))
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        people = connection.execute(select(Supporter.first_name, Supporter.last_name)).all()
    assert [tuple(p) for p in people] == [("Awa", "Martin")]
    assert _attendances(engine, event) == {"Awa": ("accepted", "attended")}


STATUSES = ["REGISTERED", "CONFIRMED", "CANCELLED", "tentative", "needs action", ""]
ATTENDED_VALUES = ["true", "false", ""]


def _reference(rows):
    """Plain Python: per person, the best RSVP said, and attended if any row says so."""
    rank = {"accepted": 3, "tentative": 2, "declined": 1}
    said = {
        "REGISTERED": "accepted",
        "CONFIRMED": "accepted",
        "CANCELLED": "declined",
        "tentative": "tentative",
    }
    result = {}
    for person, status, attended in rows:
        rsvp, came = result.get(person, (None, None))
        new = said.get(status)
        if new and (rsvp is None or rank[new] > rank[rsvp]):
            rsvp = new
        if attended == "true" or came == "true":
            came = "true"
        elif attended == "false":
            came = "false"
        result[person] = (rsvp, came)
    return {
        f"P{person}": (
            rsvp,
            "attended"
            if came == "true"
            else "no_show"
            if came == "false" and rsvp == "accepted"
            else "unknown",
        )
        for person, (rsvp, came) in result.items()
        if (rsvp, came) != (None, None)
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.sampled_from(STATUSES), st.sampled_from(ATTENDED_VALUES)),
        min_size=1,
        max_size=12,
    )
)
def test_several_timeslots_of_one_event_agree_with_a_plain_reference(engine, rows):
    """A person on several rows (Mobilize timeslots of one event) is one attendance."""
    event = add_event(engine, f"Phone bank {len(rows)} {rows!r}"[:200])
    body = "".join(
        _mobilize_row(i, f"{event}-{p}", f"P{p}", "Test", 1000 + event, s, a, slot=900 + i).replace(
            f"p{p}@", f"p{p}.{event}@"
        )
        for i, (p, s, a) in enumerate(rows)
    )
    report, _table = import_attendance(
        engine,
        load_ladder(default_ladder_path()),
        str(event),
        (MOBILIZE + body).encode(),
        "export.csv",
        ImportOptions(),
        "test",
    )
    assert report.people.written, report.people.rejected
    assert _attendances(engine, event) == _reference(rows)
