"""`ladder checkin EVENT` at a terminal: the door loop, driven through CliRunner's input.

It lists the people of this event first, says so when a pick is wrong and asks again, and
signs up walk-ins who are not in the database yet.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from ladder.clock import utcnow
from ladder.storage.models import Attendance, Supporter
from tests.factories import add_event, add_person, dump


@pytest.fixture
def door(ladder_cli, engine, monkeypatch):
    monkeypatch.setattr("cli.checkin.interactive", lambda: True)
    event = add_event(engine, "Forum des associations")

    def run(*typed: str, args: tuple[str, ...] = ()):
        return ladder_cli("checkin", str(event), *args, input="".join(f"{t}\n" for t in typed))

    run.event = event
    return run


def _listed(stdout: str) -> list[str]:
    """The names of the numbered candidates, in the order shown."""
    return re.findall(r"^  \d\. #\d+ (\S+ \S+)", stdout, flags=re.MULTILINE)


def test_the_door_loop_lists_the_people_of_this_event_first(door, engine):
    relations = {
        "Jean Abel": {},
        "Jean Bako": {"invited_at": utcnow(), "invited_by": "Léa"},
        "Jean Cawa": {"rsvp": "accepted"},
        "Jean Dui": {"rsvp": "tentative"},
        "Jean Eno": {"presence": "attended", "checked_in_at": utcnow()},
        "Jean Fote": {"rsvp": "declined"},
    }
    ids = {name: add_person(engine, *name.split()) for name in relations}
    with engine.begin() as connection:
        for name, values in relations.items():
            if values:
                row = {"event_id": door.event, "supporter_id": ids[name], "presence": "unknown"}
                connection.execute(insert(Attendance).values(**{**row, **values}))
    result = door("jean", "", "")
    assert result.exit_code == 0, result.output
    assert _listed(result.stdout) == [
        "Jean Eno",
        "Jean Cawa",
        "Jean Dui",
        "Jean Bako",
        "Jean Abel",
        "Jean Fote",
    ]
    assert "Jean Eno" in result.stdout and "checked in" in result.stdout


def test_a_wrong_pick_says_so_and_asks_again(door, engine):
    add_person(engine, "Jean", "Wamytan")
    jeanne = add_person(engine, "Jeanne", "Kasarhérou")
    result = door("jean", "7", "deux", "1", "")
    assert result.exit_code == 0, result.output
    assert "no choice 7: type a number from 1 to 2, n for someone new, or nothing to skip" in (
        result.stderr
    )
    assert "no choice 'deux'" in result.stderr
    assert "Checked in Jeanne Kasarhérou" in result.stdout
    with engine.connect() as connection:
        assert connection.execute(select(Attendance.supporter_id)).scalars().all() == [jeanne]


def test_a_walk_in_nobody_knows_signs_up_from_the_loop(door, engine):
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    result = door("Léo Kaouma", "y", "", "", "leo@example.nc", "awa@example.org", "")
    assert result.exit_code == 0, result.output
    assert "nobody matches 'Léo Kaouma'" in result.stderr
    assert "Checked in Léo Kaouma" in result.stdout
    assert "1 checked in this session." in result.stdout
    with engine.connect() as connection:
        leo = connection.execute(select(Supporter).where(Supporter.email == "leo@example.nc")).one()
        row = connection.execute(select(Attendance)).one()
    assert (leo.first_name, leo.last_name, leo.recruiter_id, leo.source) == (
        "Léo",
        "Kaouma",
        awa,
        "walk-in",
    )
    assert (row.supporter_id, row.walk_in, row.brought_by_id, row.presence) == (
        leo.id,
        True,
        awa,
        "attended",
    )


def test_a_walk_in_who_shares_a_name_signs_up_from_the_list(door, engine):
    add_person(engine, "Jean", "Wamytan")
    add_person(engine, "Jean", "Kasarhérou")
    result = door("jean", "n", "Jean", "Tjibaou", "+687 75 11 22", "", "")
    assert result.exit_code == 0, result.output
    assert "  n. someone new" in result.stdout
    assert "Checked in Jean Tjibaou" in result.stdout
    with engine.connect() as connection:
        new = connection.execute(select(Supporter).where(Supporter.last_name == "Tjibaou")).one()
        row = connection.execute(select(Attendance)).one()
    assert (new.phone, new.recruiter_id, row.supporter_id) == ("+687751122", None, new.id)


def test_a_refused_walk_in_writes_nothing_and_the_loop_goes_on(door, engine, ladder_cli):
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    ladder_cli("events", "list")  # the first command fills in the ladder's action kinds
    before = dump(engine)
    result = door("Léo", "y", "", "", "awa@example.org", "", "")
    assert result.exit_code == 0, result.output
    assert "awa@example.org already belongs to #" in result.stderr
    assert "0 checked in this session." in result.stdout
    assert dump(engine) == before


def test_the_loop_on_a_long_past_event_needs_late(door, engine, ladder_cli):
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    old = add_event(engine, "Fête", starts_in=timedelta(days=-3))
    refused = ladder_cli("checkin", str(old), input="awa@example.org\n\n")
    assert refused.exit_code == 1
    assert "ended more than 24 hours ago: add --late" in refused.stderr
    late = ladder_cli("checkin", str(old), "--late", input="awa@example.org\n\n")
    assert late.exit_code == 0, late.output
    assert "1 checked in this session." in late.stdout


def test_a_merged_record_typed_at_the_door_points_to_the_kept_one(door, engine, ladder_cli):
    keep = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    other = add_person(engine, "Awa", "Diallo", email="awa.d@example.org")
    assert ladder_cli("people", "merge", str(keep), str(other)).exit_code == 0
    result = door(f"#{other}", "awa", "")
    assert result.exit_code == 0, result.output
    assert f"was merged into #{keep}: use #{keep}" in result.stderr
    assert f"Checked in Awa Diallo (#{keep})" in result.stdout
    with engine.connect() as connection:
        assert connection.execute(select(Attendance.supporter_id)).scalars().all() == [keep]
