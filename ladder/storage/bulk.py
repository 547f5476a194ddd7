"""Bulk writes at driver speed, through SQLAlchemy's connection.

SQLite: the driver's ``executemany`` (raw sqlite3: 2x faster than Core executemany, 4x faster
than ORM objects at 1M rows). PostgreSQL: ``COPY ... FROM STDIN`` through psycopg 3.
See PERFORMANCE.md for the measurements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, text, update


def copy_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Insert tuples (in ``columns`` order) into ``table``; returns how many were written.

    Runs inside the caller's transaction. Python-side column defaults are NOT applied:
    give every NOT NULL column a value.
    """
    if connection.dialect.name == "postgresql":
        return _copy_postgresql(connection, table, columns, rows)
    return _executemany_sqlite(connection, table, columns, rows)


def _executemany_sqlite(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)
    count = max(cursor.rowcount, 0)  # the rows an executemany INSERT added, all together
    cursor.close()
    return int(count)


def _copy_postgresql(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    count = 0
    raw = connection.connection.driver_connection
    with (
        raw.cursor() as cursor,  # type: ignore[union-attr]
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def reset_id_sequence(connection: Connection, table: Table) -> None:
    """After inserting explicit ids on PostgreSQL, move the id sequence past the largest one."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f'COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
        )
    )


def update_by_id(
    connection: Connection,
    table: Table,
    by_columns: Mapping[tuple[str, ...], list[dict[str, Any]]],
) -> None:
    """Update rows by id, one executemany per set of columns changed: ``by_columns`` maps the
    columns to rows of ``{"_id": id, column: value, ...}``."""
    for columns, rows in by_columns.items():
        connection.execute(
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in columns}),
            rows,
        )
