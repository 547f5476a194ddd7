"""Invitations, RSVPs and check-ins for a closed or long-past event need --late; a paper
sheet is typed in after the event, so it needs --late only once the event is closed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from ladder.clock import utcnow
from ladder.errors import ConflictError
from ladder.events.checkin import check_in_by_ref
from ladder.events.rsvp import invite, set_rsvp
from ladder.storage.models import Attendance
from tests.factories import add_event, add_person, dump

LONG_AGO = timedelta(days=-3)


@pytest.fixture
def awa(engine):
    return add_person(engine, "Awa", "Diallo", email="awa@example.org")


def _commands(event, awa):
    return [
        ("invite", str(event), str(awa)),
        ("rsvp", str(event), str(awa), "--status", "accepted"),
        ("checkin", str(event), str(awa)),
    ]


def test_invite_rsvp_and_check_in_on_a_long_past_event_are_refused(ladder_cli, engine, awa):
    event = add_event(engine, "Fête de la Lagune", starts_in=LONG_AGO)
    ladder_cli("events", "list")  # the first command fills in the ladder's action kinds
    before = dump(engine)
    for args in _commands(event, awa):
        result = ladder_cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith(f"Error: #{event} Fête de la Lagune ("), args
        assert result.stderr.rstrip().endswith(
            "ended more than 24 hours ago: add --late to record it anyway"
        ), args
        assert len(result.stderr.strip().splitlines()) == 1
    assert dump(engine) == before


def test_invite_rsvp_and_check_in_on_a_closed_event_are_refused(ladder_cli, engine, awa):
    event = add_event(engine, "Marche blanche", starts_in=timedelta(hours=-2))
    assert ladder_cli("attendance", "close", str(event)).exit_code == 0
    before = dump(engine)
    for args in _commands(event, awa):
        result = ladder_cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "is closed: add --late to record it anyway" in result.stderr, args
        assert len(result.stderr.strip().splitlines()) == 1
    assert dump(engine) == before


@pytest.mark.parametrize("closed", [False, True])
def test_late_records_them_anyway(ladder_cli, engine, awa, closed):
    event = add_event(engine, "Fête de la Lagune", starts_in=LONG_AGO)
    if closed:
        assert ladder_cli("attendance", "close", str(event)).exit_code == 0
    for args in _commands(event, awa):
        result = ladder_cli(*args, "--late")
        assert result.exit_code == 0, (args, result.output)
    with engine.connect() as connection:
        row = connection.execute(select(Attendance)).one()
    assert (row.rsvp, row.presence, row.invited_by) == ("accepted", "attended", "test-volunteer")


def test_an_event_that_ended_less_than_a_day_ago_still_takes_check_ins(workspace, awa):
    engine = workspace.engine
    no_end = add_event(engine, "Soirée", starts_in=timedelta(hours=-30))
    with pytest.raises(ConflictError, match="ended more than 24 hours ago"):
        check_in_by_ref(engine, workspace.ladder, str(no_end), str(awa), "Léa")
    ended = utcnow() - timedelta(hours=2)
    festival = add_event(engine, "Festival", starts_in=timedelta(hours=-30), ends_at=ended)
    assert not check_in_by_ref(engine, workspace.ladder, str(festival), str(awa), "Léa").already


def test_the_library_refuses_late_answers_unless_told(workspace, awa):
    engine = workspace.engine
    event = add_event(engine, "Fête", starts_in=LONG_AGO)
    with pytest.raises(ConflictError, match="--late"):
        set_rsvp(engine, str(event), str(awa), "accepted", by="test")
    with pytest.raises(ConflictError, match="--late"):
        invite(engine, str(event), [str(awa)], "Léa")
    set_rsvp(engine, str(event), str(awa), "accepted", late=True, by="test")
    invite(engine, str(event), [str(awa)], "Léa", late=True)


def _sheet(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("present;first_name;last_name;email\nx;Awa;Diallo;awa@example.org\n")
    return str(path)


def test_a_sheet_for_a_past_event_is_imported_without_late(ladder_cli, engine, awa, tmp_path):
    event = add_event(engine, "Fête de la Lagune", starts_in=timedelta(days=-10))
    result = ladder_cli("attendance", "import", str(event), _sheet(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Checked in 1" in result.stdout


def test_a_sheet_for_a_closed_event_needs_late(ladder_cli, engine, awa, tmp_path):
    event = add_event(engine, "Fête de la Lagune", starts_in=timedelta(days=-10))
    assert ladder_cli("attendance", "close", str(event)).exit_code == 0
    before = dump(engine)
    refused = ladder_cli("attendance", "import", str(event), _sheet(tmp_path))
    assert refused.exit_code == 1
    assert "is closed: add --late to record it anyway" in refused.stderr
    assert dump(engine) == before
    late = ladder_cli("attendance", "import", str(event), _sheet(tmp_path), "--late")
    assert late.exit_code == 0, late.output
    with engine.connect() as connection:
        assert connection.execute(select(Attendance.presence)).scalar_one() == "attended"
