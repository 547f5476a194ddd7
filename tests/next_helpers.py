"""A small movement for the `ladder next` tests: people, actions, attendances, contacts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select

from ladder.clock import utcnow
from ladder.storage.models import Action, ActionKind, Attendance, Contact, SupporterTag, Tag
from tests.factories import add_event, add_group, add_person

NOW = utcnow()
LONG_AGO = NOW - timedelta(days=400)


def person(engine: Engine, first: str, last: str, **values: Any) -> int:
    """Someone who joined long ago, consented to email, with an address from their name."""
    defaults: dict[str, Any] = {
        "email": f"{first}.{last}@example.org".lower().replace(" ", "-"),
        "consent_email": True,
        "created_at": LONG_AGO,
        "rung_since": LONG_AGO,
    }
    return add_person(engine, first, last, **(defaults | values))


def acted(engine: Engine, supporter_id: int, kind: str, *days_ago: int) -> None:
    with engine.begin() as connection:
        kind_id = connection.execute(
            select(ActionKind.id).where(ActionKind.name == kind)
        ).scalar_one()
        connection.execute(
            insert(Action),
            [
                {
                    "supporter_id": supporter_id,
                    "action_kind_id": kind_id,
                    "occurred_at": NOW - timedelta(days=d),
                    "created_at": NOW,
                }
                for d in days_ago
            ],
        )


def attended(engine: Engine, supporter_id: int, days_ago: int, group_id: int | None = None) -> None:
    event_id = add_event(
        engine, f"Past fair {days_ago}", timedelta(days=-days_ago), local_group_id=group_id
    )
    attendance(engine, event_id, supporter_id, presence="attended")


def attendance(engine: Engine, event_id: int, supporter_id: int, **values: Any) -> None:
    row = {"event_id": event_id, "supporter_id": supporter_id, "presence": "unknown", **values}
    with engine.begin() as connection:
        connection.execute(insert(Attendance).values(**row))


def contacted(engine: Engine, supporter_id: int, days_ago: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(Contact).values(
                supporter_id=supporter_id,
                channel="email",
                contacted_at=NOW - timedelta(days=days_ago),
                contacted_by="someone",
            )
        )


def tagged(engine: Engine, supporter_id: int, name: str) -> None:
    with engine.begin() as connection:
        tag_id = connection.execute(select(Tag.id).where(Tag.name == name)).scalar()
        if tag_id is None:
            tag_id = connection.execute(insert(Tag).values(name=name)).inserted_primary_key[0]
        connection.execute(insert(SupporterTag).values(supporter_id=supporter_id, tag_id=tag_id))


def fair_ahead(engine: Engine, group_id: int | None, days: int = 10, **values: Any) -> int:
    """A fair in ``days`` days in the group."""
    return add_event(
        engine, "Fête du vélo", timedelta(days=days), local_group_id=group_id, **values
    )


__all__ = [
    "NOW",
    "add_group",
    "acted",
    "attended",
    "attendance",
    "contacted",
    "fair_ahead",
    "person",
    "tagged",
    "datetime",
]
