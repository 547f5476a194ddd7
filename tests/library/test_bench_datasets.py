"""The bench's PostgreSQL dataset is the SQLite dataset copied (bench/datasets.py): the copy must
hold what generating on PostgreSQL writes, row for row, with the same indexes, constraints and
next ids."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, create_engine, select, text

from bench.datasets import _build, copy_to_postgresql, postgres_schema_url
from bench.harness import BenchOptions
from ladder.storage.engine import make_engine
from tests.conftest import POSTGRES_URL, _drop_schema, require_postgres

pytestmark = pytest.mark.postgres

PEOPLE = 400
SEED = 5


@pytest.fixture
def schemas() -> Iterator[list[str]]:
    """Two new PostgreSQL schemas, dropped afterwards."""
    require_postgres()
    admin = create_engine(POSTGRES_URL)
    names = [f"t_{uuid.uuid4().hex[:16]}" for _ in range(2)]
    with admin.begin() as connection:
        for name in names:
            connection.execute(text(f"CREATE SCHEMA {name}"))
    yield names
    for name in names:
        _drop_schema(admin, name)
    admin.dispose()


def _options(backend: str) -> BenchOptions:
    return BenchOptions(PEOPLE, backend, 1, SEED, POSTGRES_URL)


def _dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every table's rows (alembic_version and bench_meta too), in key order, as Python values."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: connection.execute(select(table).order_by(*table.primary_key.columns)).all()
            for name, table in metadata.tables.items()
        }


def _postgres_state(engine: Engine) -> dict[str, list[tuple]]:
    """What only PostgreSQL shows: each row as PostgreSQL's text (sorted: generating updates
    the supporters after writing them, which moves the updated rows to the end of the table,
    where the copy writes them in id order), the indexes, the constraints, each sequence's next
    value, and which tables have statistics."""
    with engine.connect() as connection:
        names = connection.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
        ).all()
        state = {
            f"rows {name}": connection.execute(
                text(f'SELECT t::text FROM "{name}" t ORDER BY 1')
            ).all()
            for name in names
        }
        state["indexes"] = connection.execute(
            text(
                "SELECT tablename, indexname, replace(indexdef, current_schema() || '.', '') "
                "FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2"
            )
        ).all()
        state["constraints"] = connection.execute(
            text(
                "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace "
                "ORDER BY 1, 2"
            )
        ).all()
        sequences = connection.scalars(
            text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() "
                "ORDER BY 1"
            )
        ).all()
        state["next ids"] = [
            (name, connection.scalar(text(f"SELECT nextval('{name}')"))) for name in sequences
        ]
        state["analyzed"] = connection.execute(
            text(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE schemaname = current_schema() AND relname != 'bench_meta' ORDER BY 1"
            )
        ).all()
    return state


@pytest.mark.slow
def test_the_copied_dataset_is_the_generated_one(tmp_path: Path, schemas: list[str]) -> None:
    source = tmp_path / "movement.db"
    _build(f"sqlite:///{source}", _options("sqlite"))
    copied_url, generated_url = (postgres_schema_url(POSTGRES_URL, s) for s in schemas)
    counts = copy_to_postgresql(source, copied_url)
    _build(generated_url, _options("postgresql"))  # the old way: generate on PostgreSQL

    assert counts["supporters"] == PEOPLE
    engines = [make_engine(url) for url in (f"sqlite:///{source}", copied_url, generated_url)]
    try:
        lite, copied, generated = (_dump(engine) for engine in engines)
        assert copied == lite
        assert copied == generated
        assert _postgres_state(engines[1]) == _postgres_state(engines[2])
    finally:
        for engine in engines:
            engine.dispose()
