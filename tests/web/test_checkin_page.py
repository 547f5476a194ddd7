"""The check-in page through the ASGI app (httpx), on SQLite and PostgreSQL: every route, with
and without JavaScript's JSON, bad links, another event's people, hostile searches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, update

from ladder.access.links import create_link, revoke_links
from ladder.clock import utcnow
from ladder.storage.models import Attendance, AuditEntry, AuditPerson, CheckinLink, Supporter
from ladder.workspace import Workspace
from tests.factories import add_event, dump, person
from web.app import ServeOptions, create_app


@dataclass
class Door:
    client: TestClient
    engine: Engine
    event: int
    other_event: int
    base: str
    awa: int  # accepted for this event
    bob: int  # nobody to this event
    cleo: int  # checked in at the other event only

    def form(self, path: str, data: dict[str, str], json: bool = False, **headers: str):
        if json:
            headers["Accept"] = "application/json"
        return self.client.post(
            f"{self.base}{path}", data=data, headers=headers, follow_redirects=False
        )


def _accept(engine: Engine, event: int, supporter: int, **values: object) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(Attendance).values(event_id=event, supporter_id=supporter, **values)
        )


@pytest.fixture
def door(workspace: Workspace, engine: Engine) -> Iterator[Door]:
    event = add_event(engine, "Forum des associations")
    other = add_event(engine, "Another event")
    awa = person(
        engine, first_name="Awa", last_name="Diallo", email="awa@example.org", phone="+33612345678"
    )
    bob = person(engine, first_name="Bob", last_name="Awanui", email="bob@example.org")
    cleo = person(engine, first_name="Cléo", last_name="Martin", email="cleo@example.org")
    _accept(engine, event, awa, rsvp="accepted", invited_at=utcnow())
    _accept(engine, other, cleo, presence="attended", checked_in_at=utcnow())
    secret = create_link(engine, event, "organiser")
    app = create_app(workspace, ServeOptions(rate_per_minute=10_000))
    with TestClient(app) as client:
        yield Door(client, engine, event, other, f"/checkin/{secret}", awa, bob, cleo)


def _attendance(engine: Engine, event: int, supporter: int):
    with engine.connect() as connection:
        return connection.execute(
            select(Attendance.presence, Attendance.checked_in_by).where(
                Attendance.event_id == event, Attendance.supporter_id == supporter
            )
        ).first()


def _audit(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(AuditEntry.actor, AuditEntry.command, AuditEntry.detail, AuditEntry.fields)
                .where(AuditEntry.actor.like("link:%"))
                .order_by(AuditEntry.id)
            )
        ]


def _audited_people(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(AuditPerson.supporter_id)
                .join(AuditEntry, AuditEntry.id == AuditPerson.entry_id)
                .where(AuditEntry.actor.like("link:%"))
                .order_by(AuditPerson.entry_id, AuditPerson.supporter_id)
            ).scalars()
        )


def test_the_page_shows_the_event_and_the_counter(door: Door) -> None:
    answer = door.client.get(door.base)
    assert answer.status_code == 200
    assert "Forum des associations" in answer.text
    assert "checked in: 0 of 1 accepted" in answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    status = door.client.get(f"{door.base}/status.json").json()
    assert (status["checked_in"], status["accepted"]) == (0, 1)


def test_french_browsers_get_french(door: Door) -> None:
    answer = door.client.get(door.base, headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"})
    assert "présents : 0 sur 1 inscrits" in answer.text
    assert '<html lang="fr">' in answer.text
    english = door.client.get(door.base, headers={"Accept-Language": "de,en;q=0.5"})
    assert '<html lang="en">' in english.text


def test_search_lists_this_events_people_first_masked(door: Door) -> None:
    found = door.client.get(f"{door.base}/search.json", params={"q": "aw"}).json()["results"]
    assert [p["id"] for p in found] == [door.awa, door.bob]  # Awa accepted: first
    assert found[0]["relation"] == "accepted"
    assert found[0]["email"] == "a•••@example.org"
    assert found[0]["phone"] == "•• •• •• 56 78"
    page = door.client.get(door.base, params={"q": "aw"})
    assert "a•••@example.org" in page.text and "Awa Diallo" in page.text
    for leak in ("awa@example.org", "612345678", "bob@example.org"):
        assert leak not in page.text
        assert leak not in str(found)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("awa di", ["awa"]),  # first name, then last name
        ("DIALLO", ["awa"]),
        ("iallo", ["awa"]),  # inside a name: this event's people only
        ("wanui", []),  # Bob is nobody to this event: names by their start
        ("awan", ["bob"]),
        ("bob@example.org", ["bob"]),
        ("06 12 34 56 78", ["awa"]),
        ("cl", ["cleo"]),
        ("Cléo M", ["cleo"]),
    ],
)
def test_search_matches_names_emails_and_phones(door: Door, typed: str, expected) -> None:
    found = door.client.get(f"{door.base}/search.json", params={"q": typed}).json()["results"]
    assert [p["id"] for p in found] == [getattr(door, name) for name in expected]


def test_merged_and_erased_people_are_not_offered(door: Door) -> None:
    with door.engine.begin() as connection:
        connection.execute(
            update(Supporter).where(Supporter.id == door.bob).values(merged_into_id=door.awa)
        )
    found = door.client.get(f"{door.base}/search.json", params={"q": "aw"}).json()["results"]
    assert [p["id"] for p in found] == [door.awa]


def test_search_needs_two_characters_and_no_record_ids(door: Door) -> None:
    one = door.client.get(f"{door.base}/search.json", params={"q": "a"}).json()["results"]
    assert one == []
    for typed in (str(door.cleo), f"#{door.cleo}"):
        found = door.client.get(f"{door.base}/search.json", params={"q": typed}).json()
        assert found["results"] == []


@pytest.mark.parametrize(
    "typed",
    [
        "' OR 1=1 --",
        "%",
        "__",
        "a'); DROP TABLE supporters; --",
        "<script>alert(1)</script>",
        "\x00\x01",
        "é" * 500,
    ],
)
def test_hostile_searches_answer_plainly(door: Door, typed: str) -> None:
    before = dump(door.engine)
    for answer in (
        door.client.get(f"{door.base}/search.json", params={"q": typed}),
        door.client.get(door.base, params={"q": typed}),
    ):
        assert answer.status_code == 200
        lowered = answer.text.lower()
        for leak in ("traceback", "select ", "sqlalchemy", "operationalerror", "<script>alert"):
            assert leak not in lowered
    found = door.client.get(f"{door.base}/search.json", params={"q": typed}).json()["results"]
    assert found == []  # "%" and "__" are literal characters, not wildcards
    assert dump(door.engine) == before


def test_check_in_without_javascript_redirects_and_is_audited(door: Door) -> None:
    answer = door.form("/in", {"person": str(door.bob), "event": str(door.event), "q": "aw"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"{door.base}?done={door.bob}")
    page = door.client.get(answer.headers["location"])
    assert "Bob Awanui is checked in." in page.text
    assert 'action="' + door.base + '/undo"' in page.text
    assert "checked in: 1 of 1 accepted" in page.text
    actor = f"link:event #{door.event}"
    assert tuple(_attendance(door.engine, door.event, door.bob)) == ("attended", actor)
    assert _audit(door.engine) == [(actor, "checkin", {"event": door.event}, ["presence"])]
    assert _audited_people(door.engine) == [door.bob]


def test_checking_in_twice_is_one_attendance(door: Door) -> None:
    first = door.form("/in", {"person": str(door.awa)}, json=True).json()
    again = door.form("/in", {"person": str(door.awa)}, json=True).json()
    assert (first["state"], again["state"]) == ("checked_in", "already")
    assert again["message"] == "Awa Diallo was already checked in."
    assert (first["checked_in"], again["checked_in"]) == (1, 1)  # the counter after the tap
    assert first["counter"] == again["counter"] == "checked in: 1 of 1 accepted"
    with door.engine.connect() as connection:
        rows = connection.execute(
            select(Attendance.id).where(Attendance.supporter_id == door.awa)
        ).all()
    assert len(rows) == 1
    assert len(_audit(door.engine)) == 1  # a repeat writes nothing


def test_undo_takes_back_the_links_check_in(door: Door) -> None:
    door.form("/in", {"person": str(door.bob)}, json=True)
    door.form("/in", {"person": str(door.awa)}, json=True)
    answer = door.form("/undo", {"person": str(door.bob), "event": str(door.event)})
    assert answer.status_code == 303
    assert "Check-in undone." in door.client.get(answer.headers["location"]).text
    assert _attendance(door.engine, door.event, door.bob) is None  # only the check-in made it
    undone = door.form("/undo", {"person": str(door.awa)}, json=True).json()
    assert undone["checked_in"] == 0
    awa = _attendance(door.engine, door.event, door.awa)  # invited and accepted before
    assert tuple(awa) == ("unknown", None)
    assert [entry[1] for entry in _audit(door.engine)] == [
        "checkin",
        "checkin",
        "checkin undo",
        "checkin undo",
    ]


def test_another_events_person_or_event_is_refused(door: Door) -> None:
    before = dump(door.engine)
    # Cléo was checked in at the other event: not this link's check-in to undo
    refused = door.form("/undo", {"person": str(door.cleo)}, json=True)
    assert refused.status_code == 404
    assert "through this link" in refused.json()["error"]
    for path in ("/in", "/undo"):
        answer = door.form(path, {"person": str(door.awa), "event": str(door.other_event)})
        assert answer.status_code == 403
    # a typed id in the page's URL shows nobody's name
    page = door.client.get(door.base, params={"done": str(door.cleo)})
    assert "Cléo" not in page.text
    assert dump(door.engine) == before


def test_a_check_in_made_elsewhere_is_not_undone(door: Door, workspace: Workspace) -> None:
    with door.engine.begin() as connection:
        connection.execute(
            update(Attendance)
            .where(Attendance.supporter_id == door.awa)
            .values(presence="attended", checked_in_by="someone at a laptop")
        )
    before = dump(door.engine)
    assert door.form("/undo", {"person": str(door.awa)}).status_code == 404
    assert dump(door.engine) == before


def test_walk_in_creates_and_checks_in(door: Door) -> None:
    answer = door.form(
        "/walk-in",
        {
            "first_name": "Léo",
            "last_name": "Kaouma",
            "contact": "leo@example.nc",
            "postcode": "98800",
            "brought_by": "awa@example.org",
            "consent_email": "yes",
            "event": str(door.event),
        },
    )
    assert answer.status_code == 303
    assert "Léo Kaouma is checked in." in door.client.get(answer.headers["location"]).text
    with door.engine.connect() as connection:
        leo = connection.execute(
            select(
                Supporter.id,
                Supporter.recruiter_id,
                Supporter.consent_email,
                Supporter.consent_sms,
                Supporter.consent_photo,
            ).where(Supporter.email == "leo@example.nc")
        ).one()
    assert tuple(leo)[1:] == (door.awa, True, False, False)  # unticked boxes stay no
    assert _attendance(door.engine, door.event, leo.id).presence == "attended"
    (entry,) = _audit(door.engine)
    assert entry[1] == "checkin walk-in" and entry[2] == {"event": door.event, "new": 1}
    assert "leo@example.nc" not in str(entry) and "Kaouma" not in str(entry)


def test_walk_in_of_someone_known_checks_them_in(door: Door) -> None:
    people_before = _details(door.engine)
    data = {"first_name": "Bob", "last_name": "Awanui", "contact": "bob@example.org"}
    done = door.form("/walk-in", data, json=True).json()
    assert done["state"] == "known" and done["person"] == door.bob
    assert _details(door.engine) == people_before  # nobody added, nobody's details changed
    assert _attendance(door.engine, door.event, door.bob).presence == "attended"
    before = dump(door.engine)
    again = door.form("/walk-in", data, json=True).json()  # the same walk-in, twice
    assert again["state"] == "known"
    assert dump(door.engine) == before  # nothing written, not even an audit entry


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"first_name": "", "last_name": "", "contact": "x@example.org"}, "first or last name"),
        ({"first_name": "Zoé", "contact": ""}, "email or a phone"),
        ({"first_name": "Zoé", "contact": "not-an-email@"}, "Email or phone"),
        ({"first_name": "Zoé", "contact": "z@example.org", "brought_by": "nobody@x.org"}, "no"),
    ],
)
def test_a_bad_walk_in_writes_nothing_and_keeps_the_form(door: Door, data, says) -> None:
    before = dump(door.engine)
    answer = door.form("/walk-in", data)
    assert answer.status_code in (400, 404)
    assert says in answer.text
    assert f'value="{data["first_name"]}"' in answer.text  # what was typed is still there
    as_json = door.form("/walk-in", data, json=True)
    assert as_json.status_code in (400, 404) and "error" in as_json.json()
    assert dump(door.engine) == before


def test_bad_person_values_are_one_line_errors(door: Door) -> None:
    before = dump(door.engine)
    for value in ("", "abc", "99999999999999999999999", "-1", "1 OR 1=1", "²", "١٢"):
        answer = door.form("/in", {"person": value}, json=True)
        assert answer.status_code == 400, value
        assert set(answer.json()) == {"error"}
    missing = door.form("/in", {"person": "987654"}, json=True)
    assert missing.status_code == 404
    assert door.client.get(door.base, params={"done": "²"}).status_code == 200
    assert dump(door.engine) == before


@pytest.mark.parametrize("how", ["unknown", "revoked", "expired", "malformed", "token"])
def test_bad_links_are_refused_everywhere(door: Door, how: str) -> None:
    engine = door.engine
    secret = door.base.removeprefix("/checkin/")
    if how == "unknown":
        secret = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    elif how == "revoked":
        revoke_links(engine, door.event, "organiser")
    elif how == "expired":
        with engine.begin() as connection:
            connection.execute(
                update(CheckinLink).values(expires_at=utcnow() - timedelta(minutes=1))
            )
    elif how == "malformed":
        secret = "not-a-link"
    else:
        secret = "ldr_0123abcd_" + "x" * 43  # an API token's shape is not a link
    before = dump(engine)
    base = f"/checkin/{secret}"
    page = door.client.get(base)
    assert page.status_code == 403
    assert "text/html" in page.headers["content-type"]
    assert "This check-in link cannot be used" in page.text
    assert "Forum des associations" not in page.text
    for answer in (
        door.client.get(f"{base}/search.json", params={"q": "aw"}),
        door.client.get(f"{base}/status.json"),
        door.client.post(f"{base}/in", data={"person": str(door.awa)}),
        door.client.post(f"{base}/undo", data={"person": str(door.awa)}),
        door.client.post(f"{base}/walk-in", data={"first_name": "X", "contact": "x@example.org"}),
    ):
        assert answer.status_code == 403
        assert "Awa" not in answer.text
    assert dump(engine) == before


def test_a_new_link_shuts_out_the_old_one(door: Door) -> None:
    create_link(door.engine, door.event, "organiser")
    assert door.client.get(door.base).status_code == 403


def test_a_closed_event_refuses_check_ins_in_one_line(door: Door) -> None:
    from ladder.storage.models import Event

    with door.engine.begin() as connection:
        connection.execute(update(Event).where(Event.id == door.event).values(closed_at=utcnow()))
    before = dump(door.engine)
    answer = door.form("/in", {"person": str(door.awa)})
    assert answer.status_code == 409
    assert "is closed" in answer.text
    assert dump(door.engine) == before


def test_the_rate_limit_answers_429_with_retry_after(workspace: Workspace, engine: Engine) -> None:
    event = add_event(engine, "Small")
    secret = create_link(engine, event, "organiser")
    other = create_link(engine, add_event(engine, "Other"), "organiser")
    app = create_app(workspace, ServeOptions(rate_per_minute=3))
    with TestClient(app) as client:
        codes = [client.get(f"/checkin/{secret}/status.json").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get(f"/checkin/{secret}")
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "too many requests" in limited.json()["error"]
        assert client.get(f"/checkin/{other}/status.json").status_code == 200  # its own budget


def test_the_script_is_served_locally_and_loads_nothing_else(door: Door) -> None:
    script = door.client.get("/static/checkin.js")
    assert script.status_code == 200
    assert "search.json" in script.text
    assert not re.search(r"https?://", script.text)
    page = door.client.get(door.base)
    assert re.findall(r'src="([^"]+)"', page.text) == ["/static/checkin.js"]
    assert not re.search(r'(src|href)="https?://', page.text)
    assert door.client.get("/static/checkin.css").status_code == 200


def _details(engine):
    """Everyone's details and consents (a check-in moves the stored first action, not these)."""
    with engine.connect() as connection:
        return connection.execute(
            select(
                Supporter.id, Supporter.first_name, Supporter.last_name, Supporter.email,
                Supporter.phone, Supporter.postcode, Supporter.consent_email,
                Supporter.consent_sms, Supporter.consent_photo, Supporter.recruiter_id,
            ).order_by(Supporter.id)
        ).all()  # fmt: skip
