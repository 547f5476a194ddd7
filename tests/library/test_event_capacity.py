"""An event's capacity limits acceptances; people who come anyway are still checked in."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ladder.errors import ConflictError
from ladder.events.checkin import check_in_by_ref
from ladder.events.rsvp import set_rsvp
from ladder.storage.models import Attendance
from tests.factories import add_event, add_person, dump


@pytest.fixture
def four(engine):
    return [add_person(engine, name, "Wéa", email=f"{name}@example.org") for name in "ABCD"]


def _accepted(engine, event):
    query = select(func.count()).where(Attendance.event_id == event, Attendance.rsvp == "accepted")
    with engine.connect() as connection:
        return connection.execute(query).scalar_one()


def test_a_fourth_acceptance_on_a_capacity_three_event_is_refused(ladder_cli, engine, four):
    event = add_event(engine, "Atelier pancartes", starts_in=timedelta(days=2), capacity=3)
    for person in four[:3]:
        result = ladder_cli("rsvp", str(event), str(person), "--status", "accepted")
        assert result.exit_code == 0, result.output
    before = dump(engine)
    refused = ladder_cli("rsvp", str(event), str(four[3]), "--status", "accepted")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"Error: #{event} Atelier pancartes (")
    assert refused.stderr.rstrip().endswith("is full: its capacity is 3 and 3 have accepted")
    assert len(refused.stderr.strip().splitlines()) == 1
    assert dump(engine) == before
    assert _accepted(engine, event) == 3


def test_accepting_again_or_declining_is_not_refused_when_full(workspace, four):
    engine = workspace.engine
    event = add_event(engine, "Atelier", starts_in=timedelta(days=2), capacity=3)
    for person in four[:3]:
        set_rsvp(engine, str(event), str(person), "accepted", by="test")
    set_rsvp(engine, str(event), str(four[0]), "accepted", by="test")  # the same answer twice
    set_rsvp(engine, str(event), str(four[3]), "tentative", by="test")
    set_rsvp(engine, str(event), str(four[1]), "declined", by="test")  # a place frees up
    set_rsvp(engine, str(event), str(four[3]), "accepted", by="test")
    assert _accepted(engine, event) == 3


def test_someone_who_comes_to_a_full_event_anyway_is_checked_in(workspace, four):
    engine = workspace.engine
    event = add_event(engine, "Atelier", starts_in=timedelta(hours=-1), capacity=3)
    for person in four[:3]:
        set_rsvp(engine, str(event), str(person), "accepted", by="test")
    result = check_in_by_ref(engine, workspace.ladder, str(event), str(four[3]), "Léa")
    assert not result.already
    with engine.connect() as connection:
        presence = connection.execute(
            select(Attendance.presence).where(Attendance.supporter_id == four[3])
        ).scalar_one()
    assert presence == "attended"


def test_acceptances_racing_for_the_last_places_never_exceed_the_capacity(workspace, engine):
    people = [add_person(engine, f"P{i}", "Racer", email=f"p{i}@example.org") for i in range(12)]
    event = add_event(engine, "Atelier", starts_in=timedelta(days=2), capacity=3)
    start = threading.Barrier(len(people))
    outcomes: list[str] = []

    def accept(person: int) -> None:
        start.wait()
        try:
            set_rsvp(workspace.engine, str(event), str(person), "accepted", by="test")
            outcomes.append("accepted")
        except ConflictError:
            outcomes.append("full")

    threads = [threading.Thread(target=accept, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] * 3 + ["full"] * 9
    assert _accepted(engine, event) == 3
