"""Read connections that see the same data, for reads run at once in threads (the HTML
report's sections): on both databases, and on SQLite the cases where it reads alone."""

from __future__ import annotations

import time

from sqlalchemy import Engine, func, select

from ladder.storage.engine import SNAPSHOT_LOCK_WAIT_MS, make_engine, readers_alike, reading
from ladder.storage.models import Supporter
from tests.factories import add_person


def _people(connection) -> int:
    return int(connection.execute(select(func.count()).select_from(Supporter)).scalar_one())


def test_new_readers_read_the_same_base(engine: Engine):
    add_person(engine, "Awa", "A")
    with reading(engine) as connection, readers_alike(connection, 3) as readers:
        assert len(readers) == 3 and connection not in readers
        assert [_people(reader) for reader in readers] == [1, 1, 1]


def test_one_reader_asked_is_the_connection_given(engine: Engine):
    with reading(engine) as connection, readers_alike(connection, 1) as readers:
        assert readers == [connection]


def test_on_sqlite_they_all_keep_the_data_they_started_with(tmp_path, engine: Engine):
    if engine.dialect.name != "sqlite":  # PostgreSQL reads committed data at each statement
        return
    add_person(engine, "Awa", "A")
    with reading(engine) as connection, readers_alike(connection, 2) as readers:
        first = _people(readers[0])
        add_person(engine, "Bea", "B")  # committed after the readers started
        assert first == 1 and _people(readers[1]) == 1
    with reading(engine) as connection:
        assert _people(connection) == 2


def test_on_sqlite_a_writer_at_work_means_reading_alone_without_waiting(engine: Engine):
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as writer:  # BEGIN IMMEDIATE: the write lock, held
        writer.execute(select(1))
        with reading(engine) as connection:
            start = time.monotonic()
            with readers_alike(connection, 2) as readers:
                assert readers == [connection]
            assert time.monotonic() - start < 10 * SNAPSHOT_LOCK_WAIT_MS / 1000


def test_an_in_memory_database_is_read_alone():
    engine = make_engine("sqlite://")
    with reading(engine) as connection, readers_alike(connection, 2) as readers:
        assert readers == [connection]
    engine.dispose()
