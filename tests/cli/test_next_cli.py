"""`ladder next` and `ladder invite --from-next` as a user types them; both databases agree."""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.invitations.suggest import COLUMNS, NextRequest, suggest
from ladder.settings import Settings
from ladder.storage.engine import make_engine
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.models import Base, Contact
from ladder.storage.schema import alembic_config
from ladder.workspace import Workspace
from tests.conftest import POSTGRES_URL, require_postgres
from tests.next_helpers import NOW, acted, add_group, attended, fair_ahead, person


@pytest.fixture
def lyon(ladder_cli) -> tuple[int, list[int]]:
    """An event in Lyon and three followers there; returns (event id, their ids)."""
    engine = make_engine(ladder_cli.db_url)
    sync_action_kinds(engine, load_ladder(default_ladder_path()))
    group = add_group(engine, "Lyon")
    people = [
        person(engine, "Lyonnais", name, local_group_id=group) for name in ("Ana", "Bo", "Cy")
    ]
    acted(engine, people[1], "mass_action", 1, 2)
    event = fair_ahead(engine, group)
    engine.dispose()
    return event, people


def test_csv_is_ready_for_a_mail_merge(ladder_cli, lyon):
    event, people = lyon
    result = ladder_cli("next", "--event", str(event), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(COLUMNS)
    assert [int(r["id"]) for r in rows] == [people[1], people[0], people[2]]
    assert rows[0]["email"] == "lyonnais.bo@example.org" and "reaches attend" in rows[0]["reason"]


def test_record_invites_them_and_the_next_list_moves_on(ladder_cli, lyon):
    event, people = lyon
    first = ladder_cli(
        "next", "--event", str(event), "--limit", "1", "--record", "--format", "json"
    )
    assert first.exit_code == 0, first.output
    assert [r["id"] for r in json.loads(first.stdout)] == [people[1]]
    assert "1 person invited to #" in first.stderr
    second = ladder_cli("next", "--event", str(event), "--format", "json")
    assert [r["id"] for r in json.loads(second.stdout)] == [people[0], people[2]]


def test_invite_from_next_invites_the_list(ladder_cli, lyon):
    event, people = lyon
    result = ladder_cli("invite", str(event), "--from-next", "--limit", "2", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "2 people invited" in result.stderr
    engine = make_engine(ladder_cli.db_url)
    with engine.connect() as connection:
        asked = connection.execute(select(Contact.supporter_id).order_by(Contact.supporter_id))
        assert list(asked.scalars()) == sorted(people[:2])
    engine.dispose()


def test_invite_refuses_filters_without_from_next_and_people_with_it(ladder_cli, lyon):
    event, people = lyon
    mixed = ladder_cli("invite", str(event), str(people[0]), "--from-next")
    assert mixed.exit_code == 2 and "do not name PEOPLE too" in mixed.stderr
    filtered = ladder_cli("invite", str(event), str(people[0]), "--group", "Lyon")
    assert filtered.exit_code == 2 and "go with --from-next" in filtered.stderr


def test_explain_shows_each_part_and_the_total(ladder_cli, lyon):
    event, people = lyon
    result = ladder_cli("next", "--event", str(event), "--explain", str(people[1]))
    assert result.exit_code == 0, result.output
    for part in ("closeness", "recency", "frequency", "proximity", "recruiter", "score:"):
        assert part in result.stdout
    assert (
        "Would be listed: 1 more attend-level action within 90 days reaches attend" in result.stdout
    )


def test_a_bad_rung_is_one_line_and_exit_2(ladder_cli, lyon):
    result = ladder_cli("next", "--rung", "mayor")
    assert result.exit_code == 2
    assert "unknown rung 'mayor'" in result.stderr and "Traceback" not in result.output


def test_an_unknown_event_is_one_line_and_exit_1(ladder_cli, lyon):
    result = ladder_cli("next", "--event", "Fête de la lune")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error: no event matches 'Fête de la lune'")


@pytest.fixture
def both() -> Iterator[list[Workspace]]:
    """The same empty ladder database on SQLite and on PostgreSQL."""
    require_postgres()
    import tempfile

    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    with tempfile.TemporaryDirectory() as folder:
        urls = [
            f"sqlite:///{folder}/ladder.db",
            f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}",
        ]
        spaces = []
        for url in urls:
            engine = make_engine(url)
            Base.metadata.create_all(engine)
            with engine.begin() as connection:
                command.stamp(alembic_config(connection), "head")
            engine.dispose()
            spaces.append(Workspace(Settings(database_url=url, user="t"), default_ladder_path()))
        yield spaces
        for space in spaces:
            space.close()
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.mark.postgres
def test_both_databases_give_the_same_list(both):
    for space in both:
        _random_movement(space, random.Random(7))
    lists = [
        [(s.id, s.score, s.reason) for s in suggest(ws.engine, ws.ladder, request, "t").suggestions]
        for request in (NextRequest(as_of=NOW, limit=40), NextRequest(group="Rennes", as_of=NOW))
        for ws in both
    ]
    assert lists[0] == lists[1] and lists[2] == lists[3]
    assert len(lists[0]) == 40 and len({score for _, score, _ in lists[0]}) < 40  # ties exist


def _random_movement(ws: Workspace, rng: random.Random) -> None:
    engine = ws.engine
    groups = [add_group(engine, name) for name in ("Rennes", "Brest", "Vannes")]
    for index in range(60):
        who = person(
            engine,
            "Breton",
            f"N{index}",
            local_group_id=rng.choice(groups),
            rung=rng.choice(["follow", "follow", "attend", "mobilise"]),
        )
        days = [rng.randrange(1, 200) for _ in range(rng.randrange(0, 4))]
        if days:
            acted(engine, who, rng.choice(["like", "mass_action", "recruit"]), *days)
        if rng.random() < 0.3:
            attended(engine, who, rng.randrange(1, 120))


def test_an_empty_postcode_prefix_is_refused(ladder_cli, lyon):
    result = ladder_cli("next", "--near", " ")
    assert result.exit_code == 2
    assert "--near: give the start of a postcode" in result.stderr
