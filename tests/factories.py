"""Vivid test data written straight into the tables (no CLI, no services)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, MetaData, insert, select, text

from ladder.clock import utcnow
from ladder.storage.models import Base, ConsentRecord, Event, LocalGroup, Supporter


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
        new = int(connection.execute(insert(Supporter).values(**row)).inserted_primary_key[0])
        yes = [c for c in ("email", "sms", "photo") if row.get(f"consent_{c}")]
        if yes:  # a yes flag is the latest record's, as migration 0005 made them
            connection.execute(
                insert(ConsentRecord),
                [
                    {
                        "supporter_id": new,
                        "channel": c,
                        "given": True,
                        "recorded_at": row["created_at"],
                    }
                    for c in yes
                ],
            )
        return new


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
    """Every row of every table, in key order and in the database's column order: to prove
    that nothing was written.

    The models give each column's type (reflecting twenty tables costs a second a call on
    PostgreSQL); one query lists the columns as the database has them, and a table or column
    the models lack (an older schema) is reflected."""
    layout = _columns(engine)
    known = Base.metadata.tables
    foreign = [
        name for name, columns in layout.items()
        if name not in known or not set(columns) <= set(known[name].c.keys())
    ]  # fmt: skip
    metadata = MetaData()
    if foreign:
        metadata.reflect(engine, only=foreign)
    with engine.connect() as connection:
        dumped = {}
        for name, columns in sorted(layout.items()):
            table = metadata.tables[name] if name in foreign else known[name]
            query = select(*(table.c[c] for c in columns)).order_by(*table.primary_key)
            dumped[name] = [tuple(row) for row in connection.execute(query)]
        return dumped


def _columns(engine: Engine) -> dict[str, list[str]]:
    """Each table's column names, in the database's order."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = connection.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'table' "
                     "AND name NOT LIKE 'sqlite_%'")
            ).all()  # fmt: skip
            return {
                n: [row[1] for row in connection.execute(text(f'PRAGMA table_info("{n}")'))]
                for n in names
            }
        rows = connection.execute(
            text("SELECT table_name, column_name FROM information_schema.columns "
                 "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
        ).all()  # fmt: skip
    layout: dict[str, list[str]] = {}
    for table, column in rows:
        layout.setdefault(table, []).append(column)
    return layout


WHEN = datetime(2026, 3, 8, 10, 0)


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
