"""The consent ledger's writers on both databases: the cached flags are always the latest
record, imports re-run add nothing, and nobody whose latest record is no is ever offered for
contact (`ladder next`, `people list --for`): a property over random consent histories."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, literal, select, union_all

from ladder.errors import InputError
from ladder.invitations.suggest import NextRequest, suggest
from ladder.people.listing import PeopleFilter, list_people
from ladder.privacy import consent
from ladder.privacy.consent import (
    CHANNELS,
    history,
    record_consent,
    record_consents,
    record_many,
)
from ladder.storage.models import ConsentRecord, Supporter
from ladder.workspace import Workspace
from tests.factories import dump
from tests.next_helpers import LONG_AGO, NOW
from tests.next_helpers import person as candidate

DAY0 = LONG_AGO + timedelta(days=10)  # after the people joined (and said yes, some)
EXAMPLES = itertools.count()


def flags(engine, person_id):
    with engine.connect() as connection:
        row = connection.execute(
            select(Supporter.consent_email, Supporter.consent_sms, Supporter.consent_photo).where(
                Supporter.id == person_id
            )
        ).one()
    return dict(zip(CHANNELS, map(bool, row), strict=True))


def records(engine, person_id=None):
    query = select(func.count()).select_from(ConsentRecord)
    if person_id is not None:
        query = query.where(ConsentRecord.supporter_id == person_id)
    with engine.connect() as connection:
        return connection.execute(query).scalar_one()


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    assert workspace.engine is not None
    return workspace


def test_one_persons_statements_are_all_kept_and_the_latest_is_the_state(ws):
    awa = candidate(ws.engine, "Awa", "Diallo", consent_email=False)
    with ws.engine.begin() as connection:
        record_consent(connection, awa, {"email": True}, source="fête", by="léa", at=DAY0)
        record_consent(connection, awa, {"email": True, "sms": False}, source="stand", by="léa")
        record_consent(connection, awa, {"email": False}, source="phone call", by="léa")
    assert flags(ws.engine, awa) == {"email": False, "sms": False, "photo": False}
    with ws.engine.connect() as connection:
        said = [(r["channel"], r["given"], r["source"]) for r in history(connection, awa)]
    # a yes on top of a yes is a second statement, kept as evidence
    assert said == [
        ("email", True, "fête"),
        ("email", True, "stand"),
        ("sms", False, "stand"),
        ("email", False, "phone call"),
    ]


def test_a_backdated_statement_does_not_override_a_later_one(ws):
    awa = candidate(ws.engine, "Awa", "Diallo", consent_email=False)
    with ws.engine.begin() as connection:
        record_consent(connection, awa, {"sms": True}, source="form", at=DAY0 + timedelta(days=2))
        record_consent(connection, awa, {"sms": False}, source="old paper", at=DAY0)
    assert flags(ws.engine, awa)["sms"] is True


def test_a_bad_channel_writes_nothing(ws):
    awa = candidate(ws.engine, "Awa", "Diallo")
    before = dump(ws.engine)
    fax = pytest.raises(InputError, match="unknown consent channel 'fax'")
    with fax, ws.engine.begin() as connection:
        record_consent(connection, awa, {"email": True, "fax": True}, source="x")
    fax = pytest.raises(InputError, match="unknown consent channel 'fax'")
    with fax, ws.engine.begin() as connection:
        record_many(connection, [(awa, "email", True), (awa, "fax", True)], source="x")
    assert dump(ws.engine) == before


def test_the_set_writer_adds_only_what_differs_from_the_latest_record(ws):
    yes = candidate(ws.engine, "Olga", "Oui")  # a first record: email yes
    fresh = candidate(ws.engine, "Nina", "Neuve", consent_email=False)  # no record yet
    statements = [(yes, "email", True), (fresh, "email", False), (fresh, "sms", True)]
    with ws.engine.begin() as connection:
        assert record_many(connection, statements, source="people import a.csv") == 2
    assert flags(ws.engine, fresh) == {"email": False, "sms": True, "photo": False}
    assert records(ws.engine, yes) == 1  # yes on top of yes: nothing new
    before = dump(ws.engine)
    with ws.engine.begin() as connection:  # the same file again
        assert record_many(connection, statements, source="people import a.csv") == 0
    assert dump(ws.engine) == before
    with ws.engine.begin() as connection:  # a SELECT of statements: one INSERT per channel
        chosen = union_all(
            select(
                Supporter.id.label("supporter_id"),
                literal("email").label("channel"),
                literal(False).label("given"),
            ).where(Supporter.id == yes),
            select(
                Supporter.id.label("supporter_id"),
                literal("sms").label("channel"),
                literal(True).label("given"),
            ).where(Supporter.id == fresh),
        )
        assert record_consents(connection, select(chosen.subquery()), source="osdi import") == 1
    assert flags(ws.engine, yes)["email"] is False
    assert flags(ws.engine, fresh)["sms"] is True


# -- the property --------------------------------------------------------------------------

statement = st.tuples(
    st.integers(0, 2),  # which person
    st.sampled_from(CHANNELS),
    st.booleans(),
    st.integers(0, 5),  # the day it was said (backdated statements happen: a paper form)
    st.sampled_from(["one", "set"]),  # people consent / an import
)


@settings(
    max_examples=12,  # about 4 s a database; hypothesis keeps what failed
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    consented=st.lists(st.booleans(), min_size=3, max_size=3),
    statements=st.lists(statement, max_size=14),
)
def test_the_flags_are_the_latest_record_and_a_latest_no_is_never_contacted(
    ws, consented, statements
):
    with ws.engine.begin() as connection:  # each example on people of its own
        connection.execute(Supporter.__table__.update().values(status="erased"))
    example = next(EXAMPLES)
    people = [
        candidate(ws.engine, f"P{i}", f"Test{example}", consent_email=yes, phone=f"+336123{i:05d}")
        for i, yes in enumerate(consented)
    ]
    # the reference: every record as (day, order written, given), per person and channel
    ledger: dict[tuple[int, str], list[tuple[datetime, int, bool]]] = {
        (p, "email"): [(LONG_AGO, -1, True)]  # the factory's record for a yes flag
        for p, yes in zip(people, consented, strict=True)
        if yes
    }
    for order, (who, channel, yes, day, writer) in enumerate(statements):
        person_id, at = people[who], DAY0 + timedelta(days=day)
        kept = ledger.setdefault((person_id, channel), [])
        with ws.engine.begin() as connection:
            if writer == "one":
                record_consent(connection, person_id, {channel: yes}, source="s", at=at)
                kept.append((at, order, yes))
            else:
                written = record_many(connection, [(person_id, channel, yes)], source="i", at=at)
                latest = max(kept)[2] if kept else None
                assert written == (0 if latest == yes else 1)
                if latest != yes:
                    kept.append((at, order, yes))

    def latest(person_id: int, channel: str) -> bool:
        kept = ledger.get((person_id, channel))
        return max(kept)[2] if kept else False

    for person_id in people:
        assert flags(ws.engine, person_id) == {c: latest(person_id, c) for c in CHANNELS}
    yes_email = {p for p in people if latest(p, "email")}
    yes_sms = {p for p in people if latest(p, "sms")}
    with ws.engine.connect() as connection:
        listed = {
            r["id"] for r in list_people(connection, ws.ladder, PeopleFilter(for_channel="email"))
        }
        texted = {
            r["id"] for r in list_people(connection, ws.ladder, PeopleFilter(for_channel="sms"))
        }
    assert listed == yes_email and texted == yes_sms
    offered = suggest(ws.engine, ws.ladder, NextRequest(as_of=NOW), "test").suggestions
    assert {s.id for s in offered} == yes_email
    by_sms = suggest(ws.engine, ws.ladder, NextRequest(as_of=NOW, channel="sms"), "t").suggestions
    assert {s.id for s in by_sms} == yes_sms


def test_only_the_people_whose_flags_may_change_have_their_row_rewritten(ws, monkeypatch):
    """After a set of statements, the cache UPDATE visits the people a new record may change
    (flag different from it, or older records that may be later): a new person imported with
    their flags already written as their row states is not rewritten (on PostgreSQL a
    rewrite puts a new row version into every index: 3.4 s of a 100k-row import)."""
    same = candidate(ws.engine, "Sam", "Same", consent_email=False)  # says no again: no record
    agrees = candidate(ws.engine, "Ada", "Agrees", consent_email=False, consent_sms=True)
    differs = candidate(ws.engine, "Dan", "Differs", consent_email=False)
    older = candidate(ws.engine, "Olga", "Older")  # a record already: email yes
    statements = [
        (agrees, "sms", True),  # flag already yes, no record yet: not rewritten
        (differs, "sms", True),
        (older, "email", False),
        (same, "email", False),
    ]
    with ws.engine.begin() as connection:
        # as the people importer writes a new person: the flags first, the records after
        connection.execute(delete(ConsentRecord).where(ConsentRecord.supporter_id == agrees))
        before = connection.execute(select(func.coalesce(func.max(ConsentRecord.id), 0)))
        before = before.scalar_one()
        refreshed: list[set[int]] = []

        def refresh(connection, people):  # the cache UPDATE, told whom to visit
            refreshed.append(set(connection.execute(people).scalars()))
            original(connection, people)

        original = consent.refresh
        monkeypatch.setattr(consent, "refresh", refresh)
        assert record_many(connection, statements, source="people import a.csv") == 4
    assert refreshed == [{differs, older}]
    assert flags(ws.engine, agrees)["sms"] is True and flags(ws.engine, differs)["sms"] is True
    assert flags(ws.engine, older)["email"] is False
