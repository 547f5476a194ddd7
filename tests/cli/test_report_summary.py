"""`ladder report summary`: every headline figure on a small known world, counted by hand
(both databases), narrowed by --since and --group; erased and merged people left out."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import insert, select, update

from ladder.storage.models import Action, ActionKind, Attendance, Supporter
from tests.factories import add_event, add_group, at, dump, person

UNTIL = ["--until", "2026-03-01"]


@pytest.fixture
def world(engine):
    """People (group, joined, rung, status, recruiter):

    - ana   North 2025-06-01 attend   active; an action on 2026-02-01; came to e2
    - bea   North 2026-01-15 follow   active, recruited by ana; came to e1
    - cal   South 2026-02-01 mobilise active, recruited by ana; accepted e2, presence unknown
    - dee   South 2025-09-01 follow   lapsed; an action 2025-10-01; came to e4, and to the
      cancelled e3
    - eve   North 2026-01-20 erased, recruited by bea; an action 2026-02-02; came to e1
    - fay   North 2026-02-05 attend, recruited by cal, merged into bea
    - gil   North 2026-03-10 follow   active, recruited by ana (after --until)

    Events: e1 North 2026-02-10; e2 South 2026-02-20 key date; e3 North 2026-02-15
    cancelled; e4 North 2025-11-01.
    """
    north, south = add_group(engine, "North"), add_group(engine, "South")

    def joined(name, group, when, rung="follow", **values):
        return person(
            engine,
            first_name=name,
            local_group_id=group,
            created_at=at(when),
            rung=rung,
            **values,
        )

    ana = joined("Ana", north, "2025-06-01 10:00", "attend")
    bea = joined("Bea", north, "2026-01-15 10:00", recruiter_id=ana)
    cal = joined("Cal", south, "2026-02-01 10:00", "mobilise", recruiter_id=ana)
    dee = joined("Dee", south, "2025-09-01 10:00", status="lapsed")
    eve = joined("Eve", north, "2026-01-20 10:00", status="erased", recruiter_id=bea)
    fay = joined("Fay", north, "2026-02-05 10:00", "attend", recruiter_id=cal)
    joined("Gil", north, "2026-03-10 10:00", recruiter_id=ana)
    e1 = add_event(engine, "One", starts_at=at("2026-02-10 18:00"), local_group_id=north)
    e2 = add_event(
        engine, "Two", starts_at=at("2026-02-20 10:00"), local_group_id=south, key_date=True
    )
    e3 = add_event(
        engine,
        "Three",
        starts_at=at("2026-02-15 10:00"),
        local_group_id=north,
        status="cancelled",
    )
    e4 = add_event(engine, "Four", starts_at=at("2025-11-01 10:00"), local_group_id=north)

    def at_event(event, who, presence="attended", rsvp="accepted"):
        return {"event_id": event, "supporter_id": who, "presence": presence, "rsvp": rsvp}

    with engine.begin() as connection:
        kind = connection.scalar(select(ActionKind.id).where(ActionKind.name == "petition"))
        connection.execute(
            insert(Action),
            [
                {"supporter_id": who, "action_kind_id": kind, "occurred_at": at(when),
                 "created_at": at(when)}
                for who, when in [
                    (ana, "2026-02-01 10:00"),
                    (dee, "2025-10-01 10:00"),
                    (eve, "2026-02-02 10:00"),
                ]
            ],
        )  # fmt: skip
        connection.execute(
            insert(Attendance),
            [
                at_event(e1, bea),
                at_event(e1, eve),
                at_event(e1, dee, presence="no_show"),
                at_event(e2, ana),
                at_event(e2, cal, presence="unknown"),
                at_event(e3, dee),
                at_event(e4, dee),
            ],
        )
        connection.execute(update(Supporter).where(Supporter.id == fay).values(merged_into_id=bea))


def _figures(ladder_cli, *options: str) -> dict[str, int]:
    result = ladder_cli("report", "summary", "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return {row["figure"]: row["value"] for row in json.loads(result.output)}


def test_every_figure_over_the_whole_past(ladder_cli, world):
    assert _figures(ladder_cli, *UNTIL) == {
        "people": 4,  # ana bea cal dee: not eve (erased), fay (merged), gil (later)
        "engaged": 3,  # ana (action, e2), bea (e1), dee (action, e4); cal never came
        "rung:follow": 2,  # bea and gil, active today
        "rung:attend": 1,  # ana; not fay (merged)
        "rung:mobilise": 1,  # cal
        "lapsed": 1,  # dee
        "events_held": 3,  # e1 e2 e4; not e3 (cancelled)
        "key_date_events": 1,  # e2
        "attended": 4,  # e1: bea, eve (erased, still a presence); e2: ana; e4: dee
        "new_people": 4,
        "recruited": 2,  # bea, cal
        "recruiters": 1,  # ana
    }


def test_since_narrows_activity_events_and_new_people(ladder_cli, world):
    assert _figures(ladder_cli, "--since", "2026-01-01", *UNTIL) == {
        "people": 4,
        "engaged": 2,  # ana, bea; dee's presence at the cancelled e3 is no event held
        "rung:follow": 2,
        "rung:attend": 1,
        "rung:mobilise": 1,
        "lapsed": 1,
        "events_held": 2,  # e1 e2
        "key_date_events": 1,
        "attended": 3,
        "new_people": 2,  # bea, cal: not eve (erased) nor fay (merged)
        "recruited": 2,
        "recruiters": 1,  # ana: bea (eve's) and cal (fay's) do not count
    }


def test_a_group_narrows_people_and_events(ladder_cli, world):
    options = ("--since", "2026-01-01", *UNTIL, "--group", "north")
    assert _figures(ladder_cli, *options) == {
        "people": 2,  # ana, bea
        "engaged": 2,
        "rung:follow": 2,  # bea, gil
        "rung:attend": 1,
        "rung:mobilise": 0,
        "lapsed": 0,
        "events_held": 1,  # e1
        "key_date_events": 0,
        "attended": 2,
        "new_people": 1,  # bea
        "recruited": 1,
        "recruiters": 1,
    }


def test_csv_has_the_same_keys_and_values_as_json(ladder_cli, world):
    as_json = json.loads(ladder_cli("report", "summary", "--format", "json", *UNTIL).output)
    as_csv = ladder_cli("report", "summary", "--format", "csv", *UNTIL).output
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [list(row) for row in rows] == [list(row) for row in as_json]
    assert [(r["figure"], int(r["value"])) for r in rows] == [
        (r["figure"], r["value"]) for r in as_json
    ]


def test_an_unknown_group_or_a_reversed_window_is_one_line_and_changes_nothing(
    ladder_cli, world, engine
):
    before = dump(engine)
    unknown = ladder_cli("report", "summary", "--group", "Atlantis")
    assert unknown.exit_code != 0
    assert len(unknown.output.strip().splitlines()) == 1
    reversed_window = ladder_cli(
        "report", "summary", "--since", "2026-03-01", "--until", "2026-01-01"
    )
    assert reversed_window.exit_code == 2
    assert "--since must be before" in reversed_window.output
    assert dump(engine) == before
