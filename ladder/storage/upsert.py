"""Dialect-aware single-row upserts that two concurrent writers cannot turn into duplicates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection


def insert_ignore(connection: Connection, model: Any, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was written.

    Uses RETURNING to tell (a driver's rowcount is -1 for RETURNING statements on psycopg).
    """
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as dialect
    else:
        from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
    table = model.__table__
    statement = (
        dialect.insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    )
    return connection.execute(statement).first() is not None
