"""`ladder import osdi` / `ladder export osdi` as a user types them, on both databases.

The spec's own example documents (/work/shared/interop/osdi, copied from opensupporter/osdi-docs
with their provenance in SOURCES.md) are the test input: every one that describes a person,
event, attendance, tag or tagging lands in the database.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.factories import dump, person

EXAMPLES = Path(os.environ.get("LADDER_OSDI_EXAMPLES", "/work/shared/interop/osdi"))
if not EXAMPLES.is_dir():  # pragma: no cover - the examples live beside the repository
    pytest.skip("the OSDI example documents are not here", allow_module_level=True)

# what each example describes; files whose event (or tag) is only in the request's URL are
# imported with --event / --tag, as that URL would say
PEOPLE = [
    "people_collection.json",
    "person.json",
    "person_create_request.json",
    "person_create_response.json",
    "person_signup_helper_request.json",
    "person_signup_helper_response.json",
    "person_update_request.json",
    "person_update_response.json",
]
EVENTS = [
    "event.json",
    "event_create_request.json",
    "event_create_response.json",
    "event_update_request.json",
    "event_update_response.json",
    "events_collection.json",
]
ATTENDANCES = [
    "attendance.json",
    "attendance_create_request.json",
    "attendance_create_response.json",
    "attendance_create_ticketed_request.json",
    "attendance_create_ticketed_response.json",
    "attendance_ticketed.json",
    "attendance_update_response.json",
    "attendances_collection.json",
    "attendances_collection_ticketed.json",
    "record_attendance_helper_request.json",
    "record_attendance_helper_response.json",
    "record_attendance_helper_ticketed_request.json",
    "record_attendance_helper_ticketed_response.json",
]
TAGS = ["tag.json", "tag_create_request.json", "tag_create_response.json", "tags_collection.json"]
TAGGINGS = ["tagging.json", "tagging_create_request.json", "tagging_create_response.json",
            "taggings_collection.json"]  # fmt: skip
# attendance_update_request.json is {"status": "declined"} alone: a PUT whose person and event
# are only in its URL; it imports as nothing linked (test below)
OUT_OF_SCOPE = [
    "aep.json",
    "petition.json",
    "petitions_collection.json",
    "signature.json",
    "signature_create_request.json",
    "signature_create_response.json",
    "signatures_collection.json",
    "record_signature_helper_response.json",
]


def _count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _load(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _documents(name: str, collection: str) -> list[dict]:
    document = _load(name)
    return document["_embedded"][collection] if "_embedded" in document else [document]


def test_every_example_file_is_listed_once():
    listed = [*PEOPLE, *EVENTS, *ATTENDANCES, *TAGS, *TAGGINGS, *OUT_OF_SCOPE]
    assert len(listed) == len(set(listed))
    assert set(listed) | {
        "attendance_update_request.json",
        "record_signature_helper_request.json",
    } == {p.name for p in EXAMPLES.glob("*.json")}


@pytest.mark.parametrize("name", PEOPLE)
def test_each_example_person_imports(ladder_cli, engine, name):
    result = ladder_cli("import", "osdi", str(EXAMPLES / name))
    assert result.exit_code == 0, result.output
    document = _load(name)
    people = [document.get("person", document)] if "_embedded" not in document else (
        document["_embedded"]["osdi:people"]
    )  # fmt: skip
    assert f"people {len(people)} new" in result.stdout
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT first_name, last_name, email FROM supporters ORDER BY id")
        ).all()
        identifiers = set(
            connection.execute(text("SELECT namespace || ':' || value FROM supporter_identifiers"))
            .scalars()
            .all()
        )
    assert [(p.get("given_name"), p.get("family_name")) for p in people] == [s[:2] for s in stored]
    emails = [p["email_addresses"][0]["address"] for p in people if p.get("email_addresses")]
    assert emails == [s[2] for s in stored if s[2]]
    assert identifiers == {i for p in people for i in p.get("identifiers", [])}
    # a second import updates the same people: identifiers (or emails) find them
    again = ladder_cli("import", "osdi", str(EXAMPLES / name))
    assert f"people 0 new, 0 updated, {len(people)} unchanged" in again.stdout
    assert _count(engine, "supporters") == len(people)


def test_the_signup_helper_tags_the_person(ladder_cli, engine):
    result = ladder_cli("import", "osdi", str(EXAMPLES / "person_signup_helper_request.json"))
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        tags = connection.execute(
            text("SELECT t.name FROM tags t JOIN supporter_tags st ON st.tag_id = t.id ORDER BY 1")
        ).scalars()
        assert list(tags) == sorted(_load("person_signup_helper_request.json")["add_tags"])


def test_person_json_keeps_contacts_and_consent(ladder_cli, engine):
    assert ladder_cli("import", "osdi", str(EXAMPLES / "person.json")).exit_code == 0
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT first_name, last_name, email, phone, postcode, consent_email "
                "FROM supporters"
            )
        ).one()
    assert tuple(row) == ("John", "Smith", "johnsmith@mail.com", "+11234567890", "20009", True)


@pytest.mark.parametrize("name", EVENTS)
def test_each_example_event_imports(ladder_cli, engine, name):
    result = ladder_cli("import", "osdi", str(EXAMPLES / name))
    assert result.exit_code == 0, result.output
    events = _documents(name, "osdi:events")
    with engine.connect() as connection:
        titles = connection.execute(text("SELECT title FROM events ORDER BY id")).scalars().all()
    assert titles == [e.get("title") or e["name"] for e in events]
    # a second import finds the same events: by identifier, else by title and start
    again = ladder_cli("import", "osdi", str(EXAMPLES / name))
    assert again.exit_code == 0, again.output
    assert _count(engine, "events") == len(events)


def _context(tmp_path: Path, documents: list[dict]) -> Path:
    """People, events and tags that the example's links name: OSDI documents whose self href
    is that link and whose identifier is the link's last segment (as the linked system's
    own export would give them)."""
    people, events, tags = {}, {}, {}
    for document in documents:
        for relation, link in document.get("_links", {}).items():
            href = link["href"] if isinstance(link, dict) else None
            if not href:
                continue
            segment = href.rstrip("/").rsplit("/", 1)[-1]
            base = {
                "identifiers": [f"osdi_sample_system:{segment}"],
                "_links": {"self": {"href": href}},
            }
            if relation == "osdi:person":
                people[href] = {**base, "given_name": "Linked", "family_name": segment[:8]}
            elif relation == "osdi:event":
                events[href] = {
                    **base,
                    "title": f"Event {segment[:8]}",
                    "start_date": "2015-03-14T12:00:00Z",
                }
            elif relation == "osdi:tag":
                tags[href] = {**base, "name": f"tag {segment[:8]}"}
    people["fallback"] = {"given_name": "Fallback", "family_name": "Person"}
    events["fallback"] = {"title": "Fallback event", "start_date": "2015-03-14T12:00:00Z"}
    folder = tmp_path / "context"
    folder.mkdir()
    for name, key, found in (("p.json", "osdi:people", people), ("e.json", "osdi:events", events),
                             ("t.json", "osdi:tags", tags)):  # fmt: skip
        (folder / name).write_text(json.dumps({"_embedded": {key: list(found.values())}}))
    return folder


@pytest.mark.parametrize("name", ATTENDANCES)
def test_each_example_attendance_imports(ladder_cli, engine, tmp_path, name):
    document = _load(name)
    attendances = _documents(name, "osdi:attendances")
    assert ladder_cli("import", "osdi", str(_context(tmp_path, attendances))).exit_code == 0
    with engine.connect() as connection:
        fallback = connection.execute(
            text("SELECT id FROM events WHERE title = 'Fallback event'")
        ).scalar_one()
    result = ladder_cli("import", "osdi", str(EXAMPLES / name), "--event", str(fallback))
    assert result.exit_code == 0, result.output
    assert "name a person, event or tag" not in result.stdout
    assert _count(engine, "attendances") == len(attendances)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT rsvp, presence FROM attendances ORDER BY id")).all()
    for row, attendance in zip(rows, attendances, strict=True):
        status = attendance.get("status")
        assert row.rsvp == {"confirmed": "accepted", None: None}.get(status, status)
        attended = attendance.get("attended")
        assert row.presence == {True: "attended", False: "no_show", None: "unknown"}[attended]
    if "person" in document:  # the helper's person is the one who attends
        with engine.connect() as connection:
            who = connection.execute(
                text(
                    "SELECT s.given FROM (SELECT first_name AS given, id FROM supporters) s "
                    "JOIN attendances a ON a.supporter_id = s.id"
                )  # fmt: skip
            ).scalar_one()
        assert who == document["person"]["given_name"]


def test_an_attendance_update_alone_links_nobody_and_says_so(ladder_cli, engine):
    result = ladder_cli("import", "osdi", str(EXAMPLES / "attendance_update_request.json"))
    assert result.exit_code == 0, result.output
    assert (
        "1 taggings or attendances name a person, event or tag that is neither in these files "
        "nor in the database: skipped (import that record first)." in result.stdout
    )
    assert _count(engine, "attendances") == 0


@pytest.mark.parametrize("name", TAGS)
def test_each_example_tag_imports(ladder_cli, engine, name):
    result = ladder_cli("import", "osdi", str(EXAMPLES / name))
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM tags ORDER BY id")).scalars().all()
    assert names == [t["name"] for t in _documents(name, "osdi:tags")]


@pytest.mark.parametrize("name", TAGGINGS)
def test_each_example_tagging_imports(ladder_cli, engine, tmp_path, name):
    taggings = _documents(name, "osdi:taggings")
    assert ladder_cli("import", "osdi", str(_context(tmp_path, taggings))).exit_code == 0
    # the tag named only by the request's URL is given with --tag; links name the others
    both = [str(EXAMPLES / name), str(tmp_path / "context")]
    result = ladder_cli("import", "osdi", *both, "--tag", "from the URL")
    assert result.exit_code == 0, result.output
    assert "name a person, event or tag" not in result.stdout
    of_people = [t for t in taggings if "osdi:person" in t["_links"]]  # not of events
    assert _count(engine, "supporter_tags") == len(of_people)


@pytest.mark.parametrize("name", OUT_OF_SCOPE)
def test_documents_ladder_has_no_place_for_are_counted_not_refused(ladder_cli, engine, name):
    before = dump(engine)
    result = ladder_cli("import", "osdi", str(EXAMPLES / name))
    assert result.exit_code == 0, result.output
    assert "Not kept (ladder has no place for them): " in result.stdout
    assert dump(engine) == before


def test_two_versions_of_one_person_in_one_import_are_refused_naming_both(ladder_cli, engine):
    """The example folder holds a create request and a signup for the same email with other
    details: as in `people import`, one import keeps one version of a person."""
    before = dump(engine)
    result = ladder_cli("import", "osdi", str(EXAMPLES))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {EXAMPLES}/person_signup_helper_request.json: $.person: the same person as "
        f"{EXAMPLES}/person_create_request.json: $ (Labadie Edwin "
    ), result.stderr
    assert dump(engine) == before


# --- refusals: one line naming the file and the JSON path, nothing written ------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"_embedded": {"osdi:people": [{"given_name": "Awa"}, {"given_name": "Bo",'
            ' "email_addresses": [{"address": "not-an-email"}]}]}}',
            "$._embedded['osdi:people'][1].email_addresses: ",
        ),
        (
            '{"_embedded": {"osdi:people": [{"given_name": "Awa"}, {"given_name": "Bo",',
            "$._embedded['osdi:people'][1]: not valid JSON",
        ),
        (
            '{"_embedded": {"osdi:people": [{"identifiers": ["nocolon"], "given_name": "Awa"}]}}',
            "$._embedded['osdi:people'][0].identifiers[0]: an identifier is a "
            "'namespace:value' string",
        ),
        (
            '{"_embedded": {"osdi:people": [{"given_name": "Awa", "custom_fields": '
            '{"ladder_rung": "boss"}}]}}',
            "$._embedded['osdi:people'][0].custom_fields.ladder_rung: unknown rung 'boss'",
        ),
        (
            '{"_embedded": {"osdi:events": [{"title": "Rally", "start_date": "soon"}]}}',
            "$._embedded['osdi:events'][0].start_date: 'soon' is not a date and time",
        ),
        (
            '{"_embedded": {"osdi:people": [{"honorific_prefix": "Mx."}]}}',
            "$._embedded['osdi:people'][0]: no given_name, family_name, email address or phone",
        ),
    ],
)
def test_a_bad_document_is_refused_in_one_line_and_nothing_is_written(
    ladder_cli, engine, tmp_path, content, message
):
    good = tmp_path / "a-good.json"
    good.write_text('{"given_name": "Zoé", "email_addresses": [{"address": "zoe@example.org"}]}')
    bad = tmp_path / "people.json"
    bad.write_text(content)
    before = dump(engine)
    result = ladder_cli("import", "osdi", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}: {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(engine) == before


# --- identifiers: a re-import updates -------------------------------------------------------


AN_PERSON = {
    "identifiers": ["action_network:d91b4b2e-ae0e-4cd3-9ed7-d0ec501b0bc3"],
    "given_name": "Awa",
    "family_name": "Diallo",
    "email_addresses": [{"primary": True, "address": "awa@example.org", "status": "subscribed"}],
    "postal_addresses": [{"primary": True, "postal_code": "75011", "country": "FR"}],
    "custom_fields": {"volunteer": "true"},
}


def test_an_action_network_person_is_found_again_by_its_identifier(ladder_cli, engine, tmp_path):
    path = tmp_path / "an.json"
    path.write_text(json.dumps({"_embedded": {"osdi:people": [AN_PERSON]}}))
    assert ladder_cli("import", "osdi", str(path)).exit_code == 0
    moved = {**AN_PERSON, "email_addresses": [{"primary": True, "address": "awa.d@example.org",
                                               "status": "unsubscribed"}]}  # fmt: skip
    path.write_text(json.dumps({"_embedded": {"osdi:people": [moved]}}))
    result = ladder_cli("import", "osdi", str(path))
    assert result.exit_code == 0, result.output
    assert "people 0 new, 1 updated" in result.stdout
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT email, consent_email FROM supporters")).all()
        ids = connection.execute(text("SELECT namespace, value FROM supporter_identifiers")).all()
    assert [tuple(r) for r in rows] == [("awa.d@example.org", False)]
    assert [tuple(i) for i in ids] == [("action_network", "d91b4b2e-ae0e-4cd3-9ed7-d0ec501b0bc3")]


def test_an_identifier_of_another_person_is_refused(ladder_cli, engine, tmp_path):
    person(engine, first_name="Bo", last_name="Li", email="bo@example.org")
    path = tmp_path / "an.json"
    path.write_text(json.dumps(AN_PERSON))
    assert ladder_cli("import", "osdi", str(path)).exit_code == 0
    other = {**AN_PERSON, "given_name": "Bo", "family_name": "Li",
             "email_addresses": [{"address": "bo@example.org"}]}  # fmt: skip
    path.write_text(json.dumps(other))
    before = dump(engine)
    result = ladder_cli("import", "osdi", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: $.identifiers: action_network:d91b4b2e-ae0e-4cd3-9ed7-d0ec501b0bc3: "
        "#2 is Awa Diallo, not Bo Li: correct the id, or clear it to match by email or phone; "
        "nothing imported\n"
    )
    assert dump(engine) == before


# --- export --------------------------------------------------------------------------------


def test_export_writes_five_owner_only_collections_and_refuses_to_overwrite(
    ladder_cli, engine, tmp_path
):
    awa = person(
        engine, first_name="Awa", last_name="Diallo", email="awa@example.org", consent_email=True
    )
    person(engine, first_name="Bo", phone="+33612345678", recruiter_id=awa)
    out = tmp_path / "osdi"
    result = ladder_cli("export", "osdi", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Wrote 2 people, 0 tags, 0 taggings, 0 events, 0 attendances to "
    )
    assert "peak memory" in result.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == ["attendances.json", "events.json", "people.json", "taggings.json", "tags.json"]
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    people = json.loads((out / "people.json").read_text())["_embedded"]["osdi:people"]
    assert people[0]["identifiers"] == [f"ladder:{awa}"]
    assert people[0]["email_addresses"] == [
        {"primary": True, "address": "awa@example.org", "status": "subscribed"}
    ]
    assert people[1]["custom_fields"] == {
        "ladder_rung": "follow",
        "ladder_recruiter": f"ladder:{awa}",
    }
    assert people[1]["phone_numbers"][0]["status"] == "unsubscribed"
    again = ladder_cli("export", "osdi", str(out))
    assert again.exit_code == 1
    assert "already exists: pass --force to replace it" in again.stderr
    assert ladder_cli("export", "osdi", str(out), "--force").exit_code == 0


def test_import_osdi_help_has_an_example(ladder_cli):
    for command in (("import", "osdi"), ("export", "osdi"), ("import",), ("export",)):
        assert "Example: ladder " in ladder_cli(*command, "--help").stdout


def test_an_action_network_attendance_finds_its_person_and_event_by_identifier(
    ladder_cli, engine, tmp_path
):
    """Action Network links by URL: .../people/<uuid>, whose uuid is the stored identifier."""
    uuid_p, uuid_e = "c947bcd0-929e-11e3-a2e9-12313d316c29", "d91b4b2e-ae0e-4cd3-9ed7-d0ec501b0bc3"
    first = tmp_path / "first.json"
    first.write_text(json.dumps(AN_PERSON | {"identifiers": [f"action_network:{uuid_p}"]}))
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "identifiers": [f"action_network:{uuid_e}"],
                "title": "Porte-à-porte",
                "start_date": "2026-04-02T17:00:00Z",
                "location": {"venue": "Mairie", "postal_code": "75011"},
            }
        )
    )
    assert ladder_cli("import", "osdi", str(first), str(event)).exit_code == 0
    attendance = tmp_path / "attendance.json"
    attendance.write_text(
        json.dumps(
            {
                "identifiers": ["action_network:1efc3644-af25-4253-90b8-a0baf12dbd1e"],
                "status": "accepted",
                "_links": {
                    "osdi:person": {"href": f"https://actionnetwork.org/api/v2/people/{uuid_p}"},
                    "osdi:event": {"href": f"https://actionnetwork.org/api/v2/events/{uuid_e}"},
                },
            }
        )
    )
    result = ladder_cli("import", "osdi", str(attendance))
    assert result.exit_code == 0, result.output
    assert "attendances 1 new, 0 updated" in result.stdout
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT s.email, e.title, e.starts_at, a.rsvp, a.presence FROM attendances a "
                "JOIN supporters s ON s.id = a.supporter_id JOIN events e ON e.id = a.event_id"
            )
        ).one()
    assert (row.email, row.title, row.rsvp, row.presence) == (
        "awa@example.org", "Porte-à-porte", "accepted", "unknown"
    )  # fmt: skip
    assert str(row.starts_at).startswith("2026-04-02 17:00:00")
