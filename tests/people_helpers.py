"""Shared helpers for the people tests: write files, dump the database, add people fast."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, text

from tests.factories import add_person

WHEN = datetime(2026, 3, 8, 10, 0)
TABLES = ("supporters", "local_groups", "tags", "supporter_tags", "merges", "level_changes")


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of the people tables, for "the database is unchanged" checks."""
    with engine.connect() as connection:
        return {
            table: [
                tuple(row)
                for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))
            ]
            for table in TABLES
        }


def person(engine: Engine, **values) -> int:
    first, last = values.pop("first_name", None), values.pop("last_name", None)
    return add_person(engine, first, last, **{"rung_since": WHEN, "created_at": WHEN, **values})


def write(tmp_path, name: str, content: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return str(path)


def people_rows(engine: Engine) -> list[tuple]:
    query = (
        "SELECT id, first_name, last_name, email, phone, postcode, recruiter_id "
        "FROM supporters ORDER BY id"
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]
