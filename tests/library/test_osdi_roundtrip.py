"""Property: `export osdi` imported into an empty database gives the same movement back.

"The same" is everything OSDI carries for ladder: each person's names, email, phone, postcode,
the three consents, rung, recruiter (by who they are) and tags, and other tools' identifiers;
each event's title, kind, times, place, postcode, capacity, status, key-date flag and
identifiers; each attendance's event, person, RSVP (and its time) and presence. Not carried:
database ids and the import's own timestamps (created_at, updated_at, rung_since), the
lapsed/erased status, local groups, walk-in and check-in details, actions, history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.interop.osdi_export import export_osdi
from ladder.interop.osdi_import import import_osdi
from ladder.storage.models import Base

pytestmark = pytest.mark.slow  # a hundred movements, each exported and imported

START = datetime(2026, 3, 8, 18, 0)
NAME = (
    st.text(st.sampled_from(list("AaÉéçZk-' ")), min_size=1, max_size=8).map(str.strip).filter(bool)
)
RUNGS = ["follow", "attend", "mobilise"]
COLUMNS = ("first_name", "last_name", "email", "phone", "postcode", "consent_email",
           "consent_sms", "consent_photo", "rung")  # fmt: skip
TAGS = ["bénévole", "porte-à-porte", "Lyon", "presse"]


@st.composite
def movements(draw):
    count = draw(st.integers(1, 6))
    people = []
    for i in range(count):
        email = draw(st.one_of(st.none(), st.just(f"p{i}@example.org")))
        phone = f"+3361234{i:04d}" if email is None or draw(st.booleans()) else None
        people.append(
            {
                "first_name": draw(st.one_of(st.none(), NAME)),
                "last_name": draw(NAME),
                "email": email,
                "phone": phone,
                "postcode": draw(st.sampled_from([None, "75011", "98800", "LS1 4AP"])),
                "consent_email": draw(st.booleans()),
                "consent_sms": draw(st.booleans()),
                "consent_photo": draw(st.booleans()),
                "rung": draw(st.sampled_from(RUNGS)),
                "recruiter": draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None,
                "tags": draw(st.sets(st.sampled_from(TAGS), max_size=2)),
                "identifier": draw(st.one_of(st.none(), st.just(f"an-{i}-{draw(st.uuids())}"))),
            }
        )
    events = []
    for i in range(draw(st.integers(0, 3))):
        starts = START + timedelta(days=draw(st.integers(-30, 30)))
        events.append(
            {
                "title": draw(NAME) + f" {i}",
                "kind": draw(st.sampled_from(["meeting", "school", "action"])),
                "starts_at": starts,
                "ends_at": draw(st.one_of(st.none(), st.just(starts + timedelta(hours=2)))),
                "place": draw(st.one_of(st.none(), NAME)),
                "postcode": draw(st.sampled_from([None, "69001"])),
                "capacity": draw(st.one_of(st.none(), st.integers(0, 200))),
                "status": draw(st.sampled_from(["confirmed", "tentative", "cancelled"])),
                "key_date": draw(st.booleans()),
                "identifier": draw(st.one_of(st.none(), st.just(f"ev-{i}"))),
            }
        )
    attendances = {}
    for e in range(len(events)):
        for p in draw(st.sets(st.integers(0, count - 1), max_size=3)):
            rsvp = draw(st.sampled_from([None, "accepted", "tentative", "declined"]))
            attendances[(e, p)] = {
                "rsvp": rsvp,
                "rsvp_at": None
                if rsvp is None
                else START - timedelta(hours=draw(st.integers(1, 99))),
                "presence": draw(st.sampled_from(["attended", "no_show", "unknown"])),
            }
    return people, events, attendances


def _wipe(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE supporters SET recruiter_id = NULL, merged_into_id = NULL"))
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "action_kinds":
                connection.execute(table.delete())


def _build(engine: Engine, people, events, attendances) -> None:
    with engine.begin() as connection:
        ids: list[int] = []
        tag_ids: dict[str, int] = {}
        for person in people:
            values = {k: person[k] for k in COLUMNS}
            values["recruiter_id"] = (
                None if person["recruiter"] is None else ids[person["recruiter"]]
            )
            pid = connection.execute(
                text(
                    "INSERT INTO supporters (first_name, last_name, email, phone, postcode, "
                    "consent_email, consent_sms, consent_photo, rung, recruiter_id, created_at, "
                    "rung_since, rung_set_manually, status) VALUES (:first_name, :last_name, "
                    ":email, :phone, :postcode, :consent_email, :consent_sms, :consent_photo, "
                    ":rung, :recruiter_id, :now, :now, false, 'active') RETURNING id"
                ),
                {**values, "now": START},
            ).scalar_one()
            ids.append(pid)
            for tag in person["tags"]:
                if tag not in tag_ids:
                    tag_ids[tag] = connection.execute(
                        text("INSERT INTO tags (name) VALUES (:t) RETURNING id"), {"t": tag}
                    ).scalar_one()
                connection.execute(
                    text("INSERT INTO supporter_tags (supporter_id, tag_id) VALUES (:p, :t)"),
                    {"p": pid, "t": tag_ids[tag]},
                )
            if person["identifier"]:
                connection.execute(
                    text(
                        "INSERT INTO supporter_identifiers (supporter_id, namespace, value, "
                        "created_at) VALUES (:p, 'action_network', :v, :now)"
                    ),  # fmt: skip
                    {"p": pid, "v": person["identifier"], "now": START},
                )
        event_ids = []
        for event in events:
            values = {k: v for k, v in event.items() if k != "identifier"}
            eid = connection.execute(
                text(
                    "INSERT INTO events (title, kind, starts_at, ends_at, place, postcode, "
                    "capacity, status, key_date, created_at) VALUES (:title, :kind, :starts_at, "
                    ":ends_at, :place, :postcode, :capacity, :status, :key_date, :now) RETURNING id"
                ),
                {**values, "now": START},
            ).scalar_one()
            event_ids.append(eid)
            if event["identifier"]:
                connection.execute(
                    text(
                        "INSERT INTO event_identifiers (event_id, namespace, value, created_at) "
                        "VALUES (:e, 'mobilize', :v, :now)"
                    ),  # fmt: skip
                    {"e": eid, "v": event["identifier"], "now": START},
                )
        for (e, p), values in attendances.items():
            connection.execute(
                text(
                    "INSERT INTO attendances (event_id, supporter_id, rsvp, rsvp_at, presence, "
                    "walk_in) VALUES (:e, :p, :rsvp, :rsvp_at, :presence, false)"
                ),  # fmt: skip
                {"e": event_ids[e], "p": ids[p], **values},
            )


def snapshot(engine: Engine) -> dict[str, object]:
    """The movement with every id replaced by who or what it names."""
    with engine.connect() as c:
        who = {
            row[0]: tuple(row[1:])
            for row in c.execute(
                text("SELECT id, first_name, last_name, email, phone FROM supporters")
            )
        }
        people = _sorted(
            (who[r[0]], tuple(r[1:-1]), who.get(r[-1]))
            for r in c.execute(
                text(
                    "SELECT id, postcode, consent_email, consent_sms, consent_photo, rung, "
                    "recruiter_id FROM supporters"
                )  # fmt: skip
            )
        )
        people = [
            (p[0], tuple(bool(x) if isinstance(x, int) else x for x in p[1]), p[2]) for p in people
        ]
        tags = _sorted(
            (who[s], name)
            for s, name in c.execute(
                text(
                    "SELECT st.supporter_id, t.name FROM supporter_tags st "
                    "JOIN tags t ON t.id = st.tag_id"
                )
            )
        )
        identifiers = _sorted(
            (who[s], ns, v)
            for s, ns, v in c.execute(
                text("SELECT supporter_id, namespace, value FROM supporter_identifiers")
            )
        )
        what = {}
        events = []
        for row in c.execute(
            text(
                "SELECT id, title, kind, starts_at, ends_at, place, postcode, capacity, status, "
                "key_date FROM events"
            )  # fmt: skip
        ):
            values = tuple(_time(v) for v in row[1:-1]) + (bool(row[-1]),)
            what[row[0]] = values[:2] + values[2:3]
            events.append(values)
        event_ids = _sorted(
            (what[e], ns, v)
            for e, ns, v in c.execute(
                text("SELECT event_id, namespace, value FROM event_identifiers")
            )
        )
        attendances = _sorted(
            (what[e], who[s], rsvp, _time(at), presence)
            for e, s, rsvp, at, presence in c.execute(
                text("SELECT event_id, supporter_id, rsvp, rsvp_at, presence FROM attendances")
            )
        )
    return {
        "people": people,
        "tags": tags,
        "identifiers": identifiers,
        "events": _sorted(events),
        "event identifiers": event_ids,
        "attendances": attendances,
    }


def _sorted(items) -> list:
    return sorted(items, key=repr)


def _time(value: object) -> object:
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        return datetime.fromisoformat(value)
    return value


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(movements())
def test_an_export_imported_into_an_empty_database_gives_the_same_movement(
    engine, tmp_path_factory, movement
):
    ladder = load_ladder(default_ladder_path())
    _wipe(engine)
    _build(engine, *movement)
    before = snapshot(engine)
    folder: Path = tmp_path_factory.mktemp("osdi")
    export_osdi(engine, folder)
    _wipe(engine)
    report = import_osdi(engine, ladder, [folder])
    assert report.unlinked == 0
    assert snapshot(engine) == before
    # and importing it again changes nothing
    again = import_osdi(engine, ladder, [folder])
    assert (again.created, again.updated, again.events_created, again.events_updated) == (
        0,
        0,
        0,
        0,
    )
    assert snapshot(engine) == before
