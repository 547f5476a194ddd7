"""`ladder privacy sweep` as a user runs it: dry run, the question, the refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ladder.clock import utcnow
from ladder.storage.models import Supporter
from tests.factories import add_person, dump


@pytest.fixture
def quiet(engine) -> list[int]:
    """Two people who joined five years ago and did nothing since; one who just joined."""
    old = utcnow() - timedelta(days=5 * 365)
    add_person(engine, "New", "Comer", email="new@example.org")
    return [
        add_person(engine, f"Quiet{i}", "Person", created_at=old, rung_since=old) for i in range(2)
    ]


def _erased(engine) -> list[int]:
    with engine.connect() as connection:
        query = select(Supporter.id).where(Supporter.status == "erased").order_by(Supporter.id)
        return list(connection.scalars(query))


def test_a_dry_run_says_how_many_and_writes_nothing(ladder_cli, engine, quiet):
    before = dump(engine)
    result = ladder_cli("privacy", "sweep", "--inactive-for", "3y", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Would erase 2 people with no activity since ")
    assert "(3 years)" in result.stdout
    assert dump(engine) == before


def test_with_yes_they_are_erased_and_counted(ladder_cli, engine, quiet):
    result = ladder_cli("privacy", "sweep", "--inactive-for", "36m", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Erased 2 people with no activity since ")
    assert _erased(engine) == quiet


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--inactive-for", "3y"], "add --yes"),  # not a terminal
        (["--inactive-for", "3 years", "--yes"], "not a period"),
        (["--inactive-for", "0y", "--yes"], "no time at all"),
        (["--yes"], "Missing option '--inactive-for'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(ladder_cli, engine, quiet, args, message):
    before = dump(engine)
    result = ladder_cli("privacy", "sweep", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert dump(engine) == before


def test_at_a_terminal_the_count_is_shown_before_the_question(
    ladder_cli, engine, quiet, monkeypatch
):
    monkeypatch.setattr("cli.privacy.interactive", lambda: True)
    before = dump(engine)
    result = ladder_cli("privacy", "sweep", "--inactive-for", "3y", input="n\n")
    assert result.exit_code == 0, result.output
    assert "Would erase 2 people" in result.stdout and "Nothing erased." in result.stdout
    assert dump(engine) == before
    result = ladder_cli("privacy", "sweep", "--inactive-for", "3y", input="y\n")
    assert result.exit_code == 0, result.output
    assert "Erased 2 people" in result.stdout
    assert _erased(engine) == quiet


def test_help_has_an_example_and_defines_activity(ladder_cli):
    result = ladder_cli("privacy", "sweep", "--help")
    assert result.exit_code == 0
    assert "Example: ladder privacy sweep --inactive-for 3y" in result.stdout
    assert "Activity is any of these" in result.stdout
