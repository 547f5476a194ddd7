"""`ladder people show` says how many actions it left out, and `--all` shows every one."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from ladder.storage.models import Action, ActionKind
from tests.factories import add_person

START = datetime(2026, 1, 1, 9, 0)


@pytest.fixture
def busy(engine):
    """Someone with 25 actions, one a day."""
    person = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    with engine.begin() as connection:
        kind = connection.execute(select(ActionKind.id).where(ActionKind.name == "like")).scalar()
        connection.execute(
            insert(Action),
            [
                {
                    "supporter_id": person,
                    "action_kind_id": kind,
                    "occurred_at": START + timedelta(days=n),
                    "created_at": START,
                }
                for n in range(25)
            ],
        )
    return person


def _action_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("2026-")]


def test_show_says_how_many_actions_it_left_out(ladder_cli, busy):
    result = ladder_cli("people", "show", "awa@example.org")
    assert result.exit_code == 0, result.output
    assert "20 of 25 actions: --all shows every one" in result.stdout
    assert len(_action_lines(result.stdout)) == 20
    assert _action_lines(result.stdout)[0].startswith("2026-01-25 09:00:00  like")


def test_show_all_lists_every_action(ladder_cli, busy):
    result = ladder_cli("people", "show", "awa@example.org", "--all")
    assert result.exit_code == 0, result.output
    assert len(_action_lines(result.stdout)) == 25
    assert "--all shows every one" not in result.stdout
    assert "Actions (25):" in result.stdout


def test_show_json_counts_every_action_and_lists_them_with_all(ladder_cli, busy):
    shown = json.loads(ladder_cli("people", "show", str(busy), "--format", "json").stdout)
    assert (shown["action_total"], len(shown["actions"])) == (25, 20)
    every = json.loads(ladder_cli("people", "show", str(busy), "--all", "--format", "json").stdout)
    assert (every["action_total"], len(every["actions"])) == (25, 25)


def test_a_person_with_few_actions_gets_no_note(ladder_cli, engine):
    add_person(engine, "Jean", "Wamytan", email="jean@example.nc")
    result = ladder_cli("people", "show", "jean@example.nc")
    assert "--all" not in result.stdout
    assert "Actions (0):" in result.stdout
