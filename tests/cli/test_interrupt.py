"""Ctrl-C says what happened: saved (it came just after the commit) or nothing changed.

Python delivers SIGINT between bytecodes, so a Ctrl-C pressed while the database commits
arrives as KeyboardInterrupt just after the driver's commit returns. The seam: the dialect's
``do_commit`` raising KeyboardInterrupt right after (or right before) the real commit, for
the transaction that adds the person.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from ladder.storage.models import Supporter
from tests.factories import dump

ADD = ("people", "add", "--first-name", "Awa", "--last-name", "Diallo", "--email", "a@ex.org")


@pytest.fixture
def ctrl_c(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Append "after" or "before": Ctrl-C at the commit of the transaction adding a person."""
    when: list[str] = []
    dialect = type(engine.dialect)
    real_commit = dialect.do_commit
    adding: set[int] = set()  # the driver connections whose transaction adds a person

    def remember(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO SUPPORTERS"):
            adding.add(id(connection.connection))  # what do_commit receives

    def do_commit(self: Any, dbapi_connection: Any) -> None:
        if id(dbapi_connection) not in adding:
            return real_commit(self, dbapi_connection)
        adding.discard(id(dbapi_connection))
        if when[0] == "before":
            raise KeyboardInterrupt
        real_commit(self, dbapi_connection)
        raise KeyboardInterrupt  # Python delivers the signal once the commit returns

    event.listen(Engine, "before_cursor_execute", remember)
    monkeypatch.setattr(dialect, "do_commit", do_commit)
    try:
        yield when
    finally:
        event.remove(Engine, "before_cursor_execute", remember)


def _people(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(Supporter)) or 0)


def test_ctrl_c_just_after_the_commit_says_the_changes_were_saved(ladder_cli, engine, ctrl_c):
    ctrl_c.append("after")
    result = ladder_cli(*ADD)
    assert result.exit_code == 130, result.output
    assert "interrupted after the changes were saved (nothing lost)" in result.output
    assert "Aborted" not in result.output
    assert _people(engine) == 1


def test_ctrl_c_just_before_the_commit_says_nothing_was_changed(ladder_cli, engine, ctrl_c):
    before = dump(engine)
    ctrl_c.append("before")
    result = ladder_cli(*ADD)
    assert result.exit_code == 130, result.output
    assert "interrupted: nothing was changed" in result.output
    assert "Aborted" not in result.output
    assert dump(engine) == before
