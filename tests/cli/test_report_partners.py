"""`ladder report events --by org` (which partners came) and `--org` (count one partner's
people) on a hand-counted world, both databases; bad combinations refused in one line."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import insert

from ladder.clock import utcnow
from ladder.orgs.affiliations import affiliate
from ladder.orgs.manage import OrgInput, add_org
from ladder.storage.models import Attendance
from tests.factories import add_event, dump, person


@pytest.fixture
def network(engine):
    """Two partners: a member town (Ana, Ben) and a non-member school (Cleo); Dan represents
    nobody. The forum (co-organised by the town) had Ana, Cleo and Dan; the workshop had Ana
    and Ben (Ben absent); a cancelled meeting had Ben."""
    town = add_org(engine, OrgInput(name="Ville de Nouméa", kind="city", member=True), by="t")
    add_org(engine, OrgInput(name="Lycée Lapérouse", kind="school", member=False), by="t")
    add_org(engine, OrgInput(name="Silent partner"), by="t")
    ana, ben, cleo, dan = (
        person(engine, first_name=n, last_name="X", email=f"{n}@example.org")
        for n in ("ana", "ben", "cleo", "dan")
    )
    for who, org in ((ana, "Ville de Nouméa"), (ben, "Ville de Nouméa"), (cleo, "lycee laperouse")):
        affiliate(engine, f"#{who}", org, by="t")
    forum = add_event(engine, "Forum", timedelta(days=-10), kind="meeting", partner_id=town.id)
    workshop = add_event(engine, "Atelier", timedelta(days=-3), kind="workshop")
    cancelled = add_event(engine, "Annulé", timedelta(days=-2), status="cancelled")
    rows = [
        (forum, ana, "attended"), (forum, cleo, "attended"), (forum, dan, "attended"),
        (workshop, ana, "attended"), (workshop, ben, "no_show"), (cancelled, ben, "attended"),
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(
            insert(Attendance),
            [
                {
                    "event_id": e,
                    "supporter_id": p,
                    "presence": presence,
                    "rsvp": "accepted",
                    "invited_at": utcnow(),
                }
                for e, p, presence in rows
            ],  # fmt: skip
        )
    return {"forum": forum, "workshop": workshop}


def _json(ladder_cli, *args):
    result = ladder_cli("report", "events", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_by_org_says_which_partners_came_members_or_not(ladder_cli, network):
    rows = _json(ladder_cli, "--by", "org")
    assert rows == [
        {"organisation": "Ville de Nouméa", "kind": "city", "member": "yes", "people": 2,
         "came": 1, "presences": 2, "events": 2, "partnered": 1},
        {"organisation": "Lycée Lapérouse", "kind": "school", "member": "no", "people": 1,
         "came": 1, "presences": 1, "events": 1, "partnered": 0},
        {"organisation": "Silent partner", "kind": None, "member": None, "people": 0,
         "came": 0, "presences": 0, "events": 0, "partnered": 0},
    ]  # fmt: skip
    meetings = _json(ladder_cli, "--by", "org", "--kind", "meeting")
    assert [(r["organisation"], r["presences"], r["partnered"]) for r in meetings] == [
        ("Lycée Lapérouse", 1, 0),  # most presences first, then by name
        ("Ville de Nouméa", 1, 1),
        ("Silent partner", 0, 0),
    ]


def test_org_counts_only_that_partners_people(ladder_cli, network):
    everyone = {r["title"]: r for r in _json(ladder_cli)}
    town = {r["title"]: r for r in _json(ladder_cli, "--org", "ville de noumea")}
    assert (everyone["Forum"]["attended"], town["Forum"]["attended"]) == (3, 1)
    assert (town["Atelier"]["accepted"], town["Atelier"]["no_show"]) == (2, 1)
    assert town["Atelier"]["show_rate"] == 0.5
    assert set(town) == set(everyone)  # the same events, fewer people counted


def test_bad_org_choices_are_one_line_and_change_nothing(ladder_cli, engine, network):
    before = dump(engine)
    unknown = ladder_cli("report", "events", "--org", "Ville de Nomea")
    assert unknown.exit_code == 1
    assert unknown.output.strip().splitlines() == [
        "Error: unknown organisation 'Ville de Nomea' (did you mean Ville de Nouméa?)"
    ]
    both = ladder_cli("report", "events", "--by", "org", "--org", "Ville de Nouméa")
    assert both.exit_code == 2
    assert "use it with --by event or kind" in both.output
    kind = ladder_cli("report", "events", "--by", "org", "--kind", "picnic")
    assert kind.exit_code == 2 and "no event is of kind 'picnic'" in kind.output
    assert dump(engine) == before
