"""`ladder people erase` as a user runs it: the question, the refusals, and what an erased
person is afterwards (never listed, matched or asked; their old email makes a new person)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ladder.storage.models import Supporter
from tests import erase_world as w
from tests.factories import dump, write


@pytest.fixture
def world(engine):
    return w.build_world(engine, fillers=4)


def test_with_yes_the_person_is_erased_and_the_user_is_told_what_went(ladder_cli, world):
    result = ladder_cli("people", "erase", w.EMAIL, "--reason", "email of 28 Nov", "--yes")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"Erased #{world.target}: kept as an anonymous node")
    assert "with 1 record(s) merged into them" in result.stdout
    assert "supporter tags 1" in result.stdout
    assert "storage:" in result.stdout
    assert [s for s in w.SECRETS if s in result.output] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.org", "--reason", "x", "--yes"], "no person matches"),
        ([w.EMAIL, "--reason", "x"], "add --yes"),  # not a terminal, no --yes
        ([w.EMAIL, "--reason", "   ", "--yes"], "may not be empty"),
        ([w.EMAIL, "--yes"], "Missing option '--reason'"),
        ([w.EMAIL, "--reason", "a\x1b[31m", "--yes"], "control character"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(ladder_cli, engine, world, args, message):
    before = dump(engine)
    result = ladder_cli("people", "erase", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error:")
    assert dump(engine) == before


def test_an_erased_person_cannot_be_erased_again(ladder_cli, engine, world):
    assert ladder_cli("people", "erase", str(world.target), "--reason", "x", "--yes").exit_code == 0
    before = dump(engine)
    result = ladder_cli("people", "erase", str(world.target), "--reason", "x", "--yes")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: #{world.target} was erased: their details are gone"
    assert dump(engine) == before


def test_at_a_terminal_the_question_is_asked_and_no_keeps_everything(
    ladder_cli, engine, world, monkeypatch
):
    monkeypatch.setattr("cli.people.erase.interactive", lambda: True)
    before = dump(engine)
    result = ladder_cli("people", "erase", w.EMAIL, "--reason", "asked", input="n\n")
    assert result.exit_code == 0, result.output
    assert f"Erase #{world.target} {w.FIRST} {w.LAST}" in result.stdout
    assert "Nothing erased." in result.stdout
    assert dump(engine) == before
    result = ladder_cli("people", "erase", w.EMAIL, "--reason", "asked", input="y\n")
    assert result.exit_code == 0, result.output
    assert f"Erased #{world.target}" in result.stdout


def test_erased_people_are_never_listed_and_their_old_email_makes_a_new_person(
    ladder_cli, engine, world, tmp_path
):
    assert ladder_cli("people", "erase", w.EMAIL, "--reason", "x", "--yes").exit_code == 0
    listed = ladder_cli("people", "list", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    assert str(world.target) not in [line.split(",")[0] for line in listed.stdout.splitlines()]
    asked = ladder_cli("next", "--format", "csv", "--limit", "10000")
    assert asked.exit_code == 0, asked.output
    assert str(world.target) not in [line.split(",")[0] for line in asked.stdout.splitlines()]
    for ref in (w.EMAIL, w.PHONE, w.LAST):
        assert ladder_cli("people", "show", ref).exit_code == 1
    path = write(tmp_path, "again.csv", f"first_name,last_name,email\nZoe,Q,{w.EMAIL}\n")
    imported = ladder_cli("people", "import", path)
    assert imported.exit_code == 0, imported.output
    assert "Created 1" in imported.stdout
    with engine.connect() as connection:
        newcomer = connection.scalar(select(Supporter.id).where(Supporter.email == w.EMAIL))
        erased = connection.scalar(select(Supporter.status).where(Supporter.id == world.target))
    assert newcomer is not None and newcomer != world.target
    assert erased == "erased"


def test_help_has_an_example(ladder_cli):
    result = ladder_cli("people", "erase", "--help")
    assert result.exit_code == 0
    assert "Example: ladder people erase" in result.stdout
