"""A volunteer at the door: check-in by any name, idempotent, refusals that change nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ladder.errors import AmbiguousError, ConflictError, NotFoundError
from ladder.events.checkin import check_in_by_ref
from ladder.events.rsvp import invite, set_rsvp
from ladder.storage.models import Action, Attendance, Supporter
from tests.factories import add_event, add_person


def _count(engine, model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    with engine.connect() as connection:
        return connection.execute(query).scalar_one()


@pytest.fixture
def fete(engine):
    return add_event(engine, "Fête de la Lagune")


@pytest.fixture
def awa(engine):
    return add_person(engine, "Awa", "Diallo", email="awa@example.org", phone="+687751234")


def test_checking_in_by_email_records_one_attendance_and_one_action(workspace, fete, awa):
    result = check_in_by_ref(
        workspace.engine, workspace.ladder, str(fete), "awa@example.org", "Léa"
    )
    assert not result.already
    assert (result.person.name, result.checked_in_by, result.moves) == ("Awa Diallo", "Léa", [])
    with workspace.engine.connect() as connection:
        row = connection.execute(select(Attendance)).one()
        action = connection.execute(select(Action)).one()
    assert (row.presence, row.checked_in_by, row.walk_in) == ("attended", "Léa", True)
    assert (action.supporter_id, action.event_id, action.logged_by) == (awa, fete, "Léa")


def test_a_second_check_in_changes_nothing_and_says_so(workspace, fete, awa):
    engine, ladder = workspace.engine, workspace.ladder
    check_in_by_ref(engine, ladder, str(fete), str(awa), "Léa")
    again = check_in_by_ref(engine, ladder, str(fete), "+687 75 12 34", "Marc")
    assert again.already
    assert (again.checked_in_by, again.moves) == ("Léa", [])
    assert _count(engine, Attendance) == 1
    assert _count(engine, Action) == 1


def test_an_invited_person_who_comes_is_not_a_walk_in(workspace, fete, awa):
    invite(workspace.engine, str(fete), ["awa@example.org"], "Léa")
    check_in_by_ref(workspace.engine, workspace.ladder, str(fete), "awa@example.org", "Léa")
    with workspace.engine.connect() as connection:
        row = connection.execute(select(Attendance)).one()
    assert (row.presence, row.walk_in, row.invited_by) == ("attended", False, "Léa")


def test_check_in_by_a_name_fragment_that_matches_two_people_lists_them(workspace, fete):
    add_person(workspace.engine, "Jean", "Wamytan")
    add_person(workspace.engine, "Jeanne", "Kasarhérou")
    with pytest.raises(AmbiguousError) as caught:
        check_in_by_ref(workspace.engine, workspace.ladder, str(fete), "jean", "Léa")
    assert len(caught.value.candidates) == 2
    assert _count(workspace.engine, Attendance) == 0


@pytest.mark.parametrize(
    ("starts_in", "status", "message"),
    [
        (timedelta(hours=-2), "cancelled", "is cancelled: nobody can check in"),
        (timedelta(days=3), "confirmed", "is more than a day ahead"),
    ],
)
def test_refused_check_ins_change_nothing(workspace, awa, starts_in, status, message):
    event = add_event(workspace.engine, "Marche blanche", starts_in=starts_in, status=status)
    with pytest.raises(ConflictError, match=message):
        check_in_by_ref(workspace.engine, workspace.ladder, str(event), str(awa), "Léa")
    assert _count(workspace.engine, Attendance) == 0
    assert _count(workspace.engine, Action) == 0


def test_an_event_starting_within_a_day_accepts_check_ins(workspace, awa):
    event = add_event(workspace.engine, "Soirée débat", starts_in=timedelta(hours=20))
    result = check_in_by_ref(workspace.engine, workspace.ladder, str(event), str(awa), "L")
    assert not result.already
    with workspace.engine.connect() as connection:
        presence = connection.execute(
            select(Attendance.presence).where(
                Attendance.event_id == event, Attendance.supporter_id == awa
            )
        ).scalar_one()
    assert presence == "attended"


def test_unknown_event_or_person_is_not_found_and_changes_nothing(workspace, fete, awa):
    with pytest.raises(NotFoundError, match="no event matches '999'"):
        check_in_by_ref(workspace.engine, workspace.ladder, "999", str(awa), "Léa")
    with pytest.raises(NotFoundError, match="no person matches"):
        check_in_by_ref(workspace.engine, workspace.ladder, str(fete), "zoe@example.org", "Léa")
    assert _count(workspace.engine, Attendance) == 0


def test_rsvp_then_change_of_mind(workspace, fete, awa):
    set_rsvp(workspace.engine, str(fete), str(awa), "accepted", by="test")
    set_rsvp(workspace.engine, str(fete), str(awa), "declined", by="test")
    with workspace.engine.connect() as connection:
        row = connection.execute(select(Attendance)).one()
    assert (row.rsvp, row.presence) == ("declined", "unknown")


def test_inviting_twice_reports_who_was_already_invited(workspace, fete, awa):
    bruno = add_person(workspace.engine, "Bruno", "Tein", email="bruno@example.org")
    _, first, _ = invite(workspace.engine, str(fete), [str(awa)], "Léa")
    _, second, already = invite(workspace.engine, str(fete), [str(awa), str(bruno)], "Léa")
    assert [p.id for p in first] == [awa]
    assert [p.id for p in second] == [bruno]
    assert [p.id for p in already] == [awa]


def test_inviting_an_unknown_person_invites_nobody(workspace, fete, awa):
    with pytest.raises(NotFoundError):
        invite(workspace.engine, str(fete), [str(awa), "ghost@example.org"], "Léa")
    assert _count(workspace.engine, Attendance) == 0


def test_checkin_cli_says_what_happened(ladder_cli, engine):
    event = add_event(engine, "Forum des associations")
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    first = ladder_cli("checkin", str(event), "awa@example.org")
    second = ladder_cli("checkin", str(event), "awa@example.org")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("Checked in Awa Diallo")
    assert "already checked in" in second.stdout
    missing = ladder_cli("checkin", str(event), "nobody@example.org")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("Error: no person matches")


def test_the_door_loop_checks_in_people_typed_one_after_another(ladder_cli, engine, monkeypatch):
    event = add_event(engine, "Forum des associations")
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    add_person(engine, "Jean", "Wamytan")
    add_person(engine, "Jeanne", "Kasarhérou")
    monkeypatch.setattr("cli.checkin.interactive", lambda: True)
    result = ladder_cli("checkin", str(event), input="awa@example.org\njean\n2\nnobody\n\n\n")
    assert result.exit_code == 0, result.output
    assert "Checked in Awa Diallo" in result.stdout
    assert "1. " in result.stdout and "2. " in result.stdout
    assert "nobody matches 'nobody'" in result.stderr
    assert "2 checked in this session." in result.stdout
    assert _count(engine, Attendance, presence="attended") == 2


def test_a_walk_in_signs_up_and_is_checked_in_in_one_step(ladder_cli, engine):
    event = add_event(engine, "Journée étudiante")
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    result = ladder_cli(
        "checkin",
        str(event),
        "--new",
        "--first-name",
        "Léo",
        "--last-name",
        "Kaouma",
        "--email",
        "leo@example.nc",
        "--recruited-by",
        "awa@example.org",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Checked in Léo Kaouma")
    with engine.connect() as connection:
        leo = connection.execute(select(Supporter).where(Supporter.email == "leo@example.nc")).one()
        row = connection.execute(select(Attendance)).one()
    assert (leo.recruiter_id, leo.source) == (awa, "walk-in")
    assert (row.supporter_id, row.walk_in, row.brought_by_id) == (leo.id, True, awa)


def test_a_walk_in_at_a_cancelled_event_is_not_created(ladder_cli, engine):
    event = add_event(engine, "Annulé", status="cancelled")
    result = ladder_cli("checkin", str(event), "--new", "--first-name", "Léo")
    assert result.exit_code == 1
    assert "is cancelled" in result.stderr
    assert _count(engine, Supporter) == 0


def test_a_walk_in_with_someone_elses_email_is_refused_and_nothing_changes(ladder_cli, engine):
    event = add_event(engine, "Forum")
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    result = ladder_cli(
        "checkin", str(event), "--new", "--first-name", "Fatou", "--email", "AWA@example.org"
    )
    assert result.exit_code == 1
    assert "awa@example.org already belongs to #" in result.stderr
    assert _count(engine, Supporter) == 1
    assert _count(engine, Attendance) == 0


def test_person_details_without_new_are_misuse(ladder_cli, engine):
    event = add_event(engine, "Forum")
    result = ladder_cli("checkin", str(event), "1", "--first-name", "Léo")
    assert result.exit_code == 2
    assert "person details go with --new" in result.stderr


def test_a_check_in_that_completes_a_rule_promotes_the_person_at_once(ladder_cli, engine):
    earlier = add_event(engine, "Fête de la Lagune", starts_in=timedelta(days=-20))
    tonight = add_event(engine, "Forum des associations")
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    first = ladder_cli("checkin", str(earlier), "awa@example.org", "--late")
    assert first.exit_code == 0, first.output
    assert "Promoted" not in first.stdout
    second = ladder_cli("checkin", str(tonight), "awa@example.org")
    assert second.exit_code == 0, second.output
    assert "Promoted from follow to attend (rule shows-up)." in second.stdout
    with engine.connect() as connection:
        rung = connection.execute(select(Supporter.rung).where(Supporter.id == awa)).scalar()
    assert rung == "attend"
