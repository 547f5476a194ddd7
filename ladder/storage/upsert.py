"""Dialect-aware single-row upserts that two concurrent writers cannot turn into duplicates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignore(connection: Connection, model: Any, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was written.

    Uses RETURNING to tell (a driver's rowcount is -1 for RETURNING statements on psycopg).
    """
    table = model.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    )
    return connection.execute(statement).first() is not None
