"""Each person's stored first action (``supporters.first_action_at``, ``first_campaign_id``)
stays equal to a plain-Python reading of their actions, whatever sequence of action writes
ran: ``actions log``, ``actions import``, a sign-in sheet's check-ins, ``people merge``; and
migration 0006's backfill computes the same thing."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

import ladder.storage
from ladder.actions.importing import import_actions
from ladder.actions.log import log_action
from ladder.campaigns.manage import CampaignInput, add_campaign
from ladder.events.agenda import find_event
from ladder.events.checkin import check_in_many
from ladder.people.importing.importer import ImportOptions
from ladder.people.merge import merge_people
from ladder.storage.firsts import refresh_first_actions
from ladder.storage.models import Action, Event, Supporter
from tests.factories import add_event, add_person

NOW = datetime(2026, 11, 30, 12, 0)
PEOPLE = 4
CAMPAIGNS = ["Pétition", "Marche"]

_when = st.integers(min_value=0, max_value=20 * 24)  # hours before NOW (ties happen)
_campaign = st.one_of(st.none(), st.integers(0, len(CAMPAIGNS) - 1))
_person = st.integers(0, PEOPLE - 1)
_write = st.one_of(
    st.tuples(st.just("log"), _person, _when, _campaign),
    st.tuples(st.just("import"), st.lists(st.tuples(_person, _when, _campaign), max_size=6)),
    st.tuples(st.just("checkin"), st.lists(_person, min_size=1, max_size=4, unique=True)),
    st.tuples(st.just("merge"), _person, _person),
)


class Reference:
    """The actions as plain Python: (person, time, campaign id); merges move them."""

    def __init__(self, people: list[int]) -> None:
        self.live = list(people)
        self.actions: list[tuple[int, datetime, int | None]] = []
        self.petition_at: set[tuple[int, datetime]] = set()  # (person, time) of petitions

    def petitions(self) -> set[tuple[int, datetime]]:
        """An import leaves out a row whose person already has a petition at that time
        (logged, imported, or an earlier line of the same file: the first line wins)."""
        return self.petition_at

    def first(self, person: int) -> tuple[datetime | None, int | None]:
        times = [when for who, when, _c in self.actions if who == person]
        if not times:
            return None, None
        first = min(times)
        campaigns = [c for who, when, c in self.actions if who == person and when == first]
        named = [c for c in campaigns if c is not None]
        return first, min(named) if named else None


def _stored(engine) -> dict[int, tuple[datetime | None, int | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(Supporter.id, Supporter.first_action_at, Supporter.first_campaign_id)
        )
        return {who: (when, campaign) for who, when, campaign in rows}


def _reset(workspace) -> tuple[list[int], list[int]]:
    engine = workspace.engine
    with engine.begin() as connection:
        for table in (
            "level_changes",
            "attendances",
            "actions",
            "merges",
            "events",
            "campaign_goals",
            "supporters",
            "campaigns",
        ):
            connection.execute(text(f"DELETE FROM {table}"))
    people = [add_person(engine, f"P{n}", "X", email=f"p{n}@example.org") for n in range(PEOPLE)]
    campaigns = [
        add_campaign(engine, workspace.ladder, CampaignInput(name, 10), by="test").id
        for name in CAMPAIGNS
    ]
    return people, campaigns


def _apply(workspace, reference: Reference, people: list[int], campaigns: list[int], op) -> None:
    engine, ladder = workspace.engine, workspace.ladder
    live = reference.live
    pick = lambda n: live[n % len(live)]  # noqa: E731 (a live person for a drawn number)
    if op[0] == "log":
        _, who, hours, campaign = op
        at = NOW - timedelta(hours=hours)
        name = None if campaign is None else CAMPAIGNS[campaign]
        log_action(engine, ladder, f"#{pick(who)}", "petition", "t", at=at, campaign=name, now=NOW)
        cid = None if campaign is None else campaigns[campaign]
        reference.actions.append((pick(who), at, cid))
        reference.petition_at.add((pick(who), at))
    elif op[0] == "import":
        lines = ["email,date,campaign"]
        for who, hours, campaign in op[1]:
            at = NOW - timedelta(hours=hours)
            index = people.index(pick(who))
            name = "" if campaign is None else CAMPAIGNS[campaign]
            lines.append(f"p{index}@example.org,{at:%d/%m/%Y %H:%M},{name}")
            cid = None if campaign is None else campaigns[campaign]
            if (pick(who), at) not in reference.petitions():  # an import adds a person's
                reference.actions.append((pick(who), at, cid))  # petition at a time once
                reference.petition_at.add((pick(who), at))
        data = ("\n".join(lines) + "\n").encode()
        options = ImportOptions(create_people=False)
        report, _ = import_actions(
            engine, ladder, data, "f.csv", options, UTC, "t", kind="petition", now=NOW
        )
        assert not report.people.rejected, report.people.rejected
    elif op[0] == "checkin":
        event_id = add_event(engine, "Réunion", starts_in=timedelta(hours=-1 - len(op[1])))
        chosen = sorted({pick(who) for who in op[1]})
        with engine.begin() as connection:
            event = find_event(connection, str(event_id))
            check_in_many(connection, ladder, event, chosen, "t")
            starts = connection.execute(
                select(Event.starts_at).where(Event.id == event_id)
            ).scalar_one()
        reference.actions += [(who, starts, None) for who in chosen]
    else:
        _, keep, other = op
        keep, other = pick(keep), pick(other)
        if keep == other:
            return
        merge_people(engine, ladder, f"#{keep}", f"#{other}", "t")
        reference.actions = [
            (keep if who == other else who, when, c) for who, when, c in reference.actions
        ]
        reference.petition_at = {
            (keep if who == other else who, when) for who, when in reference.petition_at
        }
        live.remove(other)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=st.lists(_write, min_size=1, max_size=6))
def test_every_action_write_keeps_each_persons_first_action(workspace, writes):
    engine = workspace.engine
    people, campaigns = _reset(workspace)
    reference = Reference(people)
    for op in writes:
        _apply(workspace, reference, people, campaigns, op)
        stored = _stored(engine)
        assert stored == {who: reference.first(who) for who in people}, op


def test_the_backfill_computes_what_the_writes_kept(workspace):
    """Migration 0006's UPDATE (here: its statement for everyone) on actions written
    directly, without keeping the column, gives the same as the reference."""
    engine = workspace.engine
    people, campaigns = _reset(workspace)
    rows = [
        (people[0], NOW - timedelta(hours=5), None),
        (people[0], NOW - timedelta(hours=5), campaigns[1]),  # a tie: the campaign wins
        (people[0], NOW - timedelta(hours=2), campaigns[0]),
        (people[1], NOW - timedelta(hours=9), None),
        (people[1], NOW - timedelta(hours=1), campaigns[0]),
        (people[2], NOW - timedelta(hours=3), campaigns[1]),
        (people[2], NOW - timedelta(hours=3), campaigns[0]),  # a tie: the smaller id wins
    ]
    with engine.begin() as connection:
        kind = connection.execute(text("SELECT min(id) FROM action_kinds")).scalar_one()
        connection.execute(
            Action.__table__.insert(),
            [
                {
                    "supporter_id": who,
                    "action_kind_id": kind,
                    "occurred_at": when,
                    "campaign_id": cid,
                    "created_at": NOW,
                }
                for who, when, cid in rows
            ],
        )
    assert set(_stored(engine).values()) == {(None, None)}
    with engine.begin() as connection:
        connection.execute(text(_migration_0006().BACKFILL))
    reference = Reference(people)
    reference.actions = rows
    assert _stored(engine) == {who: reference.first(who) for who in people}
    assert _stored(engine)[people[0]] == (NOW - timedelta(hours=5), campaigns[1])
    assert _stored(engine)[people[2]] == (NOW - timedelta(hours=3), min(campaigns))
    assert _stored(engine)[people[3]] == (None, None)
    with engine.begin() as connection:  # the library's statement agrees
        connection.execute(text("UPDATE supporters SET first_action_at = NULL"))
        refresh_first_actions(connection, None)
    assert _stored(engine) == {who: reference.first(who) for who in people}


def _migration_0006():
    path = Path(ladder.storage.__file__).parent / "migrations/versions/0006_first_action.py"
    spec = importlib.util.spec_from_file_location("migration_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_same_when_an_import_builds_the_index_of_first_actions_again(workspace, monkeypatch):
    """A big import (SQLite) drops the index on the first actions and builds it again after
    its update: forced here for every import, the stored first actions are the same."""
    from ladder.storage import firsts

    monkeypatch.setattr(firsts, "REBUILD_SHARE", 10**9)  # any new action is many
    monkeypatch.setattr(firsts, "REBUILD_FLOOR", -1)
    test_every_action_write_keeps_each_persons_first_action(workspace)
    with workspace.engine.connect() as connection:  # and the index is there again
        names = {i["name"] for i in inspect(connection).get_indexes("supporters")}
    assert "ix_supporters_first_campaign" in names


@pytest.mark.parametrize("imported", [None, 1])
def test_one_new_action_tying_with_the_stored_first_action_keeps_the_smaller_campaign(
    workspace, imported
):
    """A person's one new action at the time of their stored first action (another kind):
    the campaign is the smallest of all their actions at that time, the older ones too."""
    engine, ladder = workspace.engine, workspace.ladder
    people, campaigns = _reset(workspace)
    at = NOW - timedelta(hours=5)
    log_action(engine, ladder, f"#{people[0]}", "mass_action", "t", at=at, campaign=CAMPAIGNS[0],
               now=NOW)  # fmt: skip
    name = "" if imported is None else CAMPAIGNS[imported]
    data = f"email,date,campaign\np0@example.org,{at:%d/%m/%Y %H:%M},{name}\n".encode()
    report, _ = import_actions(
        engine, ladder, data, "f.csv", ImportOptions(create_people=False), UTC, "t",
        kind="petition", now=NOW,
    )  # fmt: skip
    assert report.added == 1
    assert _stored(engine)[people[0]] == (at, min(campaigns))
