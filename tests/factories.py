"""Vivid test data written straight into the tables (no CLI, no services)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, MetaData, insert, select

from ladder.clock import utcnow
from ladder.storage.models import Event, LocalGroup, Supporter


def add_person(engine: Engine, first: str | None, last: str | None, **values: Any) -> int:
    now = utcnow()
    row = {
        "first_name": first,
        "last_name": last,
        "rung": "follow",
        "rung_since": now,
        "created_at": now,
        "status": "active",
        **values,
    }
    with engine.begin() as connection:
        return int(connection.execute(insert(Supporter).values(**row)).inserted_primary_key[0])


def add_group(engine: Engine, name: str, town: str | None = None) -> int:
    with engine.begin() as connection:
        result = connection.execute(
            insert(LocalGroup).values(name=name, town=town or name, created_at=utcnow())
        )
        return int(result.inserted_primary_key[0])


def add_event(
    engine: Engine, title: str, starts_in: timedelta = timedelta(hours=-1), **values: Any
) -> int:
    row = {
        "title": title,
        "kind": "fair",
        "starts_at": utcnow() + starts_in,
        "status": "confirmed",
        "key_date": False,
        "created_at": utcnow(),
        **values,
    }
    with engine.begin() as connection:
        return int(connection.execute(insert(Event).values(**row)).inserted_primary_key[0])


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in key order: to prove that nothing was written."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: [tuple(r) for r in connection.execute(select(table).order_by(*table.primary_key))]
            for name, table in metadata.tables.items()
        }
