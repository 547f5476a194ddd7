"""One rule says who is already known (same email, else same phone and name): import, `people
add` and walk-ins at the door all use it (ladder.domain.names.same_person)."""

from sqlalchemy import func, select

from ladder.domain.names import (
    EMAIL_OF_ANOTHER,
    SAME_EMAIL,
    SAME_PHONE_AND_NAME,
    Identity,
    same_person,
)
from ladder.storage.models import Attendance, Supporter
from tests.factories import add_event, dump, people_rows, person

PHONE = "+33612345678"


def _count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_rule_is_same_email_else_same_phone_and_agreeing_names():
    jean = Identity("Jean", "Dupont", "jean@example.org", PHONE)
    assert same_person(jean, Identity("JEAN", None, "jean@example.org", None)) == SAME_EMAIL
    assert same_person(jean, Identity("Marie", "Dupont", "jean@example.org")) == EMAIL_OF_ANOTHER
    assert same_person(jean, Identity("Jean", "Dupont", None, PHONE)) == SAME_PHONE_AND_NAME
    assert same_person(jean, Identity("Marie", "Dupont", None, PHONE)) is None  # a family
    assert same_person(jean, Identity("Jean", "Dupont")) is None  # a name alone is not enough


def test_people_add_with_a_known_phone_and_name_is_refused_naming_the_person(ladder_cli, engine):
    jean = person(engine, first_name="Jean", last_name="Dupont", phone=PHONE)
    before = dump(engine)

    result = ladder_cli(
        "people",
        "add",
        "--first-name",
        "Jean",
        "--last-name",
        "Dupont",
        "--phone",
        "06 12 34 56 78",
    )

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: #{jean} has that phone and name: use `ladder people edit {jean}`\n"
    )
    assert dump(engine) == before


def test_people_add_with_a_known_phone_and_another_name_adds_a_family_member(ladder_cli, engine):
    jean = person(engine, first_name="Jean", last_name="Dupont", phone=PHONE)

    result = ladder_cli(
        "people", "add", "--first-name", "Marie", "--last-name", "Dupont", "--phone", PHONE
    )

    assert result.exit_code == 0, result.output
    assert "has the same phone" in result.stdout
    assert [row[:3] for row in people_rows(engine)] == [
        (jean, "Jean", "Dupont"),
        (jean + 1, "Marie", "Dupont"),
    ]


def test_a_walk_in_with_a_known_phone_and_name_checks_that_person_in(ladder_cli, engine):
    event = add_event(engine, "Forum")
    jean = person(engine, first_name="Jean", last_name="Dupont", phone=PHONE)

    result = ladder_cli(
        "checkin", str(event), "--new", "--first-name", "Jean", "--last-name", "Dupont",
        "--phone", PHONE,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert f"Checked in Jean Dupont (#{jean})" in result.stdout
    assert f"#{jean} Jean Dupont has that phone and name: checked in" in result.stdout
    assert _count(engine, Supporter) == 1
    with engine.connect() as connection:
        rows = connection.execute(select(Attendance.supporter_id, Attendance.presence)).all()
    assert [tuple(r) for r in rows] == [(jean, "attended")]


def test_a_walk_in_with_a_known_email_checks_that_person_in(ladder_cli, engine):
    event = add_event(engine, "Forum")
    awa = person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")

    result = ladder_cli("checkin", str(event), "--new", "--email", "AWA@example.org")

    assert result.exit_code == 0, result.output
    assert f"#{awa} Awa Diallo has that email: checked in" in result.stdout
    assert _count(engine, Supporter) == 1
    assert _count(engine, Attendance) == 1


def test_a_walk_in_with_a_known_phone_shared_by_two_namesakes_is_refused(ladder_cli, engine):
    event = add_event(engine, "Forum")
    first = person(engine, first_name="Jean", last_name="Dupont", phone=PHONE)
    second = person(engine, first_name="Jean", last_name="Dupont", phone=PHONE)
    before = dump(engine)

    result = ladder_cli(
        "checkin", str(event), "--new", "--first-name", "Jean", "--last-name", "Dupont",
        "--phone", PHONE,
    )  # fmt: skip

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: #{first}, #{second} have that phone and name: check one of them in by id\n"
    )
    assert dump(engine) == before
    assert _count(engine, Attendance) == 0
