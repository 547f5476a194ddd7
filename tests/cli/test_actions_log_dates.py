"""`ladder actions log --at` reads dates as organisers write them too (day first)."""

from __future__ import annotations

from tests.cli.test_actions import actions_of
from tests.factories import add_person, dump


def test_at_takes_a_day_first_date_and_time(ladder_cli, engine):
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    result = ladder_cli("actions", "log", "awa@example.org", "petition", "--at", "28/10/2026 18:30")
    assert result.exit_code == 0, result.output
    assert "at 2026-10-28 18:30." in result.stdout
    assert str(actions_of(engine)[0][2]) == "2026-10-28 18:30:00"  # tests run in UTC


def test_at_refuses_a_day_that_does_not_exist_and_writes_nothing(ladder_cli, engine):
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    before = dump(engine)
    result = ladder_cli("actions", "log", "awa@example.org", "petition", "--at", "31/02/2026")
    assert result.exit_code == 2
    assert (
        "'31/02/2026' is not a date (2026-12-05, 05/12/2026) or time (2026-12-05 18:00, "
        "05/12/2026 18:00)" in result.stderr
    )
    assert dump(engine) == before
