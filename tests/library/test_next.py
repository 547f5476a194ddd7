"""`ladder next` ranking on both databases: order, reasons, every exclusion, recording."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import literal, select, update

from ladder.errors import ConflictError, MisuseError
from ladder.invitations.explain import explain
from ladder.invitations.suggest import NextRequest, suggest
from ladder.rules import progress_of, progress_of_many
from ladder.storage.models import Attendance, Contact, Supporter
from ladder.storage.sqlfunc import half_up
from ladder.workspace import Workspace
from tests.factories import dump
from tests.next_helpers import (
    NOW,
    acted,
    add_group,
    attendance,
    attended,
    contacted,
    fair_ahead,
    person,
    tagged,
)


def ask(ws: Workspace, record: bool = False, **options: object) -> list[tuple[int, str]]:
    request = NextRequest(as_of=NOW, **options)  # type: ignore[arg-type]
    found = suggest(ws.engine, ws.ladder, request, "test-organiser", record)
    return [(s.id, s.name) for s in found.suggestions]


def ids(ws: Workspace, **options: object) -> list[int]:
    return [i for i, _ in ask(ws, **options)]


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    assert workspace.engine is not None  # opening it creates the action kinds
    return workspace


def test_the_closest_to_attend_comes_first_with_what_is_missing_in_words(ws):
    lyon = add_group(ws.engine, "Lyon Croix-Rousse")
    far = person(ws.engine, "Gaspard", "Lointain", local_group_id=lyon)
    near = person(ws.engine, "Awa", "Presque", local_group_id=lyon)
    acted(ws.engine, far, "petition", 5)
    attended(ws.engine, near, 5)  # one of the two events that make someone attend
    acted(ws.engine, near, "petition", 5)
    found = suggest(ws.engine, ws.ladder, NextRequest(group="Lyon Croix-Rousse", as_of=NOW), "me")
    first, second = found.suggestions
    assert (first.id, second.id) == (near, far)
    assert first.reason.startswith("1 more event attended within 90 days reaches attend")
    assert "active 5 days ago" in first.reason and "same group" in first.reason
    assert first.score > second.score
    assert first.parts["closeness"] == pytest.approx(0.5)


def test_the_reasons_of_a_mixed_list_are_each_persons_own_progress(ws):
    follower, attender = person(ws.engine, "Flo", "Suit"), person(ws.engine, "Ali", "Vient")
    with ws.engine.begin() as connection:
        connection.execute(update(Supporter).where(Supporter.id == attender).values(rung="attend"))
    attended(ws.engine, follower, 5)
    acted(ws.engine, attender, "host_event", 3)
    acted(ws.engine, attender, "recruit", 4)
    people = {follower: "follow", attender: "attend"}
    with ws.engine.connect() as connection:
        together = progress_of_many(connection, ws.ladder, people, NOW)
        alone = {i: progress_of(connection, ws.ladder, i, rung, NOW) for i, rung in people.items()}
    assert together == alone
    assert {r.promote_to for r in together[attender]} == {"mobilise"}
    found = suggest(ws.engine, ws.ladder, NextRequest(as_of=NOW), "me").suggestions
    reasons = {s.id: s.reason for s in found}
    assert reasons[follower].startswith("1 more event attended within 90 days reaches attend")
    assert "reaches mobilise" in reasons[attender]


def test_each_reason_says_what_the_engine_says_the_person_misses(ws):
    """The ranking's own counts, condition by condition, give each reason: the same words as
    the rules engine's explanation of that person's progress (progress_of_many)."""
    people = {}
    for i, (kind, days) in enumerate(
        [("petition", [5]), ("mass_action", [3, 4]), ("photos", [2, 3, 40]), ("like", [])]
    ):
        who = person(ws.engine, "Suit", f"N{i}")
        if days:
            acted(ws.engine, who, kind, *days)
        people[who] = "follow"
    for i, kinds in enumerate([["host_event"], ["recruit", "share_toolkit"], []]):
        who = person(ws.engine, "Vient", f"N{i}")
        with ws.engine.begin() as connection:
            connection.execute(update(Supporter).where(Supporter.id == who).values(rung="attend"))
        for kind in kinds:
            acted(ws.engine, who, kind, 4)
        people[who] = "attend"
    attended(ws.engine, next(iter(people)), 6)
    request = NextRequest(as_of=NOW, limit=50)
    found = suggest(ws.engine, ws.ladder, request, "me")
    assert {s.id for s in found.suggestions} == set(people)
    with ws.engine.connect() as connection:
        progress = progress_of_many(connection, ws.ladder, people, NOW)
    for s in found.suggestions:
        towards = [r for r in progress[s.id] if r.promote_to == s.target_rung]
        climb = s.reason.split("; ")[0]
        if any(r.holds for r in towards):
            assert climb == f"already qualifies for {s.target_rung}"
        else:  # an any-rule names its smallest shortfall, or all of them
            shortfalls = [c.missing for c in towards[0].conditions if c.depth == 1 and c.missing]
            assert climb in [
                f"{m} reaches {s.target_rung}" for m in [*shortfalls, towards[0].missing]
            ]


def test_equal_people_are_listed_by_id(ws):
    twins = [person(ws.engine, "Jumeau", f"N{i}") for i in range(4)]
    for twin in twins:
        acted(ws.engine, twin, "like", 3)
    assert ids(ws) == sorted(twins)


def test_recent_and_frequent_people_rank_above_quiet_ones(ws):
    quiet = person(ws.engine, "Quentin", "Silencieux")
    busy = person(ws.engine, "Babette", "Active")
    acted(ws.engine, quiet, "like", 150)
    acted(ws.engine, busy, "like", 1, 2, 3, 4)
    assert ids(ws) == [busy, quiet]


def test_a_recruiter_high_on_the_ladder_lifts_their_recruit(ws):
    mobiliser = person(ws.engine, "Mona", "Mobilise", rung="mobilise")
    recruit = person(ws.engine, "Rémi", "Recrue", recruiter_id=mobiliser)
    alone = person(ws.engine, "Alain", "Seul")
    assert ids(ws, rung="attend") == [recruit, alone]


@pytest.mark.parametrize(("value", "whole"), [(0.5, 1), (2.5, 3), (842.5, 843), (842.49, 842)])
def test_scores_round_halves_up_alike_on_both_databases(ws, value, whole):
    # PostgreSQL's round() of a double takes 2.5 to 2: two tied people would swap places
    with ws.engine.connect() as connection:
        assert connection.execute(select(half_up(literal(value)))).scalar_one() == whole


def test_erased_people_are_never_listed(ws):
    kept = person(ws.engine, "Karim", "Reste")
    person(ws.engine, "Ernest", "Efface", status="erased")
    assert ids(ws) == [kept]


def test_merged_records_are_never_listed(ws):
    kept = person(ws.engine, "Karim", "Reste")
    person(ws.engine, "Karim", "Doublon", merged_into_id=kept)
    assert ids(ws) == [kept]


def test_people_without_email_consent_or_address_are_left_out_of_an_email_list(ws):
    kept = person(ws.engine, "Olga", "Oui")
    person(ws.engine, "Nina", "Non", consent_email=False)
    person(ws.engine, "Sans", "Adresse", email=None)
    assert ids(ws, channel="email") == [kept]


def test_an_sms_list_needs_sms_consent_and_a_phone(ws):
    texter = person(ws.engine, "Théo", "Texto", consent_sms=True, phone="+33612345678")
    person(ws.engine, "Paul", "Sansphone", consent_sms=True)
    person(ws.engine, "Emma", "Mailonly", phone="+33612345679")
    assert ids(ws, channel="sms") == [texter]


def test_people_contacted_within_the_fatigue_window_are_left_out(ws):
    rested = person(ws.engine, "Rose", "Reposee")
    tired = person(ws.engine, "Tom", "Sollicite")
    contacted(ws.engine, rested, 20)  # the default window is 14 days
    contacted(ws.engine, tired, 3)
    assert ids(ws) == [rested]


def test_people_invited_to_any_event_within_the_fatigue_window_are_left_out(ws):
    invited = person(ws.engine, "Ines", "Invitee")
    other = person(ws.engine, "Odile", "Autre")
    event = fair_ahead(ws.engine, None)
    attendance(ws.engine, event, invited, invited_at=NOW - timedelta(days=2))
    assert ids(ws) == [other]


def test_people_who_declined_lately_are_left_out_for_the_decline_window(ws):
    declined_lately = person(ws.engine, "Denis", "Decline")
    declined_long_ago = person(ws.engine, "Diane", "Ancienne")
    old = fair_ahead(ws.engine, None, days=-100)
    recent = fair_ahead(ws.engine, None, days=-20)
    attendance(
        ws.engine, recent, declined_lately, rsvp="declined", rsvp_at=NOW - timedelta(days=20)
    )
    attendance(
        ws.engine, old, declined_long_ago, rsvp="declined", rsvp_at=NOW - timedelta(days=100)
    )
    assert ids(ws) == [declined_long_ago]


def test_an_event_list_leaves_out_the_invited_the_answered_and_the_checked_in(ws):
    group = add_group(ws.engine, "Nantes")
    event = fair_ahead(ws.engine, group)
    fresh = person(ws.engine, "Fanny", "Nouvelle", local_group_id=group)
    for name, values in [
        ("Invitee", {"invited_at": NOW - timedelta(days=30)}),
        ("Repondu", {"rsvp": "accepted"}),
        ("Present", {"presence": "attended"}),
    ]:
        attendance(
            ws.engine, event, person(ws.engine, "Deja", name, local_group_id=group), **values
        )
    assert ids(ws, event=str(event)) == [fresh]


def test_an_event_list_is_its_group_and_the_postcodes_near_it_below_attend(ws):
    nantes, brest = add_group(ws.engine, "Nantes"), add_group(ws.engine, "Brest")
    event = fair_ahead(ws.engine, nantes, postcode="44000")
    member = person(ws.engine, "Gaelle", "Groupe", local_group_id=nantes)
    neighbour = person(ws.engine, "Victor", "Voisin", local_group_id=brest, postcode="44010")
    person(ws.engine, "Bruno", "Loin", local_group_id=brest, postcode="29200")
    person(ws.engine, "Alice", "Dejaattend", local_group_id=nantes, rung="attend")
    assert ids(ws, event=str(event)) == [member, neighbour]  # same group scores above nearby


def test_one_kept_statement_serves_every_group_and_event_with_its_own_values(ws):
    nantes, brest = add_group(ws.engine, "Nantes"), add_group(ws.engine, "Brest")
    in_nantes = person(ws.engine, "Nina", "Nantes", local_group_id=nantes, postcode="44000")
    in_brest = person(ws.engine, "Bob", "Brest", local_group_id=brest, postcode="29200")
    near_brest = person(ws.engine, "Nils", "Voisin", postcode="29210")
    fair_nantes = fair_ahead(ws.engine, nantes, postcode="44000")
    fair_brest = fair_ahead(ws.engine, brest, postcode="29200")
    for _ in range(2):  # the second round runs the statements kept from the first
        assert ids(ws, group="Nantes") == [in_nantes]
        assert ids(ws, group="Brest") == [in_brest]
        assert ids(ws, event=str(fair_nantes)) == [in_nantes]
        assert ids(ws, event=str(fair_brest)) == [in_brest, near_brest]
        assert len(ids(ws, group="Brest", limit=1)) == 1


def test_a_key_date_event_also_suits_people_at_attend(ws):
    group = add_group(ws.engine, "Nantes")
    event = fair_ahead(ws.engine, group, key_date=True)
    follower = person(ws.engine, "Flo", "Suit", local_group_id=group)
    attender = person(ws.engine, "Ali", "Vient", local_group_id=group, rung="attend")
    assert sorted(ids(ws, event=str(event))) == sorted([follower, attender])


def test_tag_and_postcode_filters_narrow_the_list(ws):
    cyclist = person(ws.engine, "Cyril", "Velo", postcode="69004")
    tagged(ws.engine, cyclist, "vélo")
    other = person(ws.engine, "Pia", "Pieton", postcode="69004")
    person(ws.engine, "Marc", "Marseille", postcode="13001")
    assert ids(ws, tag="vélo") == [cyclist]
    assert ids(ws, near="690") == [cyclist, other]


def test_lapsed_people_may_be_asked_back(ws):
    lapsed = person(ws.engine, "Lea", "Partie", status="lapsed")
    found = suggest(ws.engine, ws.ladder, NextRequest(as_of=NOW), "me").suggestions
    assert [s.id for s in found] == [lapsed]
    assert found[0].reason.startswith("lapsed")


def test_recording_writes_the_asks_so_the_next_list_skips_them(ws):
    group = add_group(ws.engine, "Nantes")
    event = fair_ahead(ws.engine, group)
    people = [person(ws.engine, "Invite", f"N{i}", local_group_id=group) for i in range(3)]
    first = ids(ws, event=str(event), limit=2)
    ask(ws, record=True, event=str(event), limit=2)
    with ws.engine.connect() as connection:
        recorded = connection.execute(select(Contact.supporter_id, Contact.event_id)).all()
        invited = connection.execute(
            select(Attendance.supporter_id).where(Attendance.invited_at.is_not(None))
        ).scalars()
        assert sorted(recorded) == sorted((i, event) for i in first)
        assert sorted(invited) == sorted(first)
    assert ids(ws, event=str(event)) == [i for i in people if i not in first]
    assert ids(ws) == [i for i in people if i not in first]  # the fatigue window applies


def test_a_cancelled_or_past_event_is_refused_and_nothing_is_written(ws):
    person(ws.engine, "Awa", "Diallo")
    cancelled = fair_ahead(ws.engine, None, status="cancelled")
    past = fair_ahead(ws.engine, None, days=-1)
    before = dump(ws.engine)
    with pytest.raises(ConflictError, match="is cancelled: nobody can be invited"):
        ask(ws, record=True, event=str(cancelled))
    with pytest.raises(ConflictError, match="has already started"):
        ask(ws, record=True, event=str(past))
    assert dump(ws.engine) == before


def test_an_unknown_rung_or_the_first_rung_is_misuse(ws):
    with pytest.raises(MisuseError, match="unknown rung 'mayor'"):
        ask(ws, rung="mayor")
    with pytest.raises(MisuseError, match="everyone starts on follow"):
        ask(ws, rung="follow")


def test_explain_adds_up_to_the_listed_score_and_names_the_exclusions(ws):
    awa = person(ws.engine, "Awa", "Diallo")
    acted(ws.engine, awa, "mass_action", 2)
    listed = suggest(ws.engine, ws.ladder, NextRequest(as_of=NOW), "me").suggestions[0]
    shown = explain(ws.engine, ws.ladder, NextRequest(as_of=NOW), str(awa))
    assert shown.excluded == [] and shown.score == listed.score
    assert sum(line.contribution for line in shown.lines) == pytest.approx(shown.score, abs=1e-3)
    with ws.engine.begin() as connection:
        connection.execute(update(Supporter).values(consent_email=False))
    contacted(ws.engine, awa, 1)
    shown = explain(ws.engine, ws.ladder, NextRequest(as_of=NOW), str(awa))
    assert shown.excluded == ["no consent to email", "contacted within 14 days"]
