"""Reads take no write lock: a long report never holds up a check-in at the door.

On SQLite every writing transaction starts with BEGIN IMMEDIATE (writers queue, never fail);
reads go through ``reading()`` and a deferred BEGIN. On PostgreSQL reads never block writes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.exc import OperationalError

from ladder.clock import utcnow
from ladder.invitations.suggest import NextRequest, suggest
from ladder.storage.engine import make_engine, reading
from ladder.storage.models import Supporter
from ladder.workspace import Workspace


def _write_now(engine: Engine) -> None:
    """Commit one person at once: on SQLite, fail (not wait) if someone holds the write lock."""
    door = make_engine(str(engine.url.render_as_string(hide_password=False)))
    if door.dialect.name == "sqlite":  # after ladder's own settings: do not wait 30 s
        event.listen(
            door, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout = 0")
        )
    try:
        with door.begin() as connection:
            connection.execute(insert(Supporter).values(**_person()))
    finally:
        door.dispose()


def _person() -> dict[str, object]:
    now = utcnow()
    return {"first_name": "Door", "rung": "follow", "rung_since": now, "created_at": now}


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(Supporter)) or 0)


def test_someone_can_check_in_while_a_report_is_reading(engine):
    with reading(engine) as connection:
        assert connection.scalar(select(func.count()).select_from(Supporter)) == 0
        _write_now(engine)  # the report's transaction is still open
    assert _count(engine) == 1


def test_a_writing_transaction_still_holds_the_write_lock_on_sqlite(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock")
    with engine.begin() as connection:
        connection.execute(insert(Supporter).values(**_person()))
        with pytest.raises(OperationalError, match="database is locked"):
            _write_now(engine)
    assert _count(engine) == 1


def test_a_next_list_reads_without_the_write_lock_and_recording_takes_it(workspace: Workspace):
    begins: list[str] = []

    @event.listens_for(workspace.engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("BEGIN"):
            begins.append(statement)

    suggest(workspace.engine, workspace.ladder, NextRequest(), "organiser")
    listed = list(begins)
    begins.clear()
    suggest(workspace.engine, workspace.ladder, NextRequest(), "organiser", record=True)
    if workspace.engine.dialect.name == "sqlite":
        assert listed == ["BEGIN"]
        assert begins == ["BEGIN IMMEDIATE"]
    else:  # psycopg begins implicitly: no BEGIN statement, and no lock to speak of
        assert listed == begins == []
