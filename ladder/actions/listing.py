"""`ladder actions list`: actions, newest first, filtered by person, kind, campaign, time.

One SELECT, through the indexes on (supporter, time), (kind, time) and (campaign, time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ladder.campaigns.goals import known_kind
from ladder.campaigns.lookup import find_campaign
from ladder.domain.names import display_name
from ladder.people.lookup import find_person
from ladder.storage.models import Action, ActionKind, Campaign, Event, Supporter

COLUMNS = (
    "id",
    "occurred_at",
    "person_id",
    "person",
    "kind",
    "campaign",
    "event",
    "logged_by",
    "note",
)


@dataclass(frozen=True)
class ActionFilter:
    person: str | None = None  # a person reference, as everywhere
    kind: str | None = None
    campaign: str | None = None  # a campaign name
    since: datetime | None = None  # naive UTC, inclusive
    limit: int | None = None


def list_actions(connection: Connection, filters: ActionFilter) -> list[dict[str, Any]]:
    """Rows with the keys of :data:`COLUMNS`, newest first; an unknown person, kind or
    campaign is refused (NotFoundError, InputError), as when logging."""
    query = (
        select(
            Action.id,
            Action.occurred_at,
            Action.supporter_id,
            Supporter.first_name,
            Supporter.last_name,
            ActionKind.name,
            Campaign.name,
            Event.title,
            Action.logged_by,
            Action.note,
        )
        .join(Supporter, Supporter.id == Action.supporter_id)
        .join(ActionKind, ActionKind.id == Action.action_kind_id)
        .outerjoin(Campaign, Campaign.id == Action.campaign_id)
        .outerjoin(Event, Event.id == Action.event_id)
        .order_by(Action.occurred_at.desc(), Action.id.desc())
    )
    if filters.person is not None:
        query = query.where(Action.supporter_id == find_person(connection, filters.person).id)
    if filters.kind is not None:
        kinds = dict(connection.execute(select(ActionKind.name, ActionKind.id)).all())
        query = query.where(Action.action_kind_id == kinds[known_kind(filters.kind, list(kinds))])
    if filters.campaign is not None:
        query = query.where(Action.campaign_id == find_campaign(connection, filters.campaign).id)
    if filters.since is not None:
        query = query.where(Action.occurred_at >= filters.since)
    if filters.limit:
        query = query.limit(filters.limit)
    return [
        {
            "id": row[0],
            "occurred_at": row[1],
            "person_id": row[2],
            "person": display_name(row[3], row[4], row[2]),
            "kind": row[5],
            "campaign": row[6],
            "event": row[7],
            "logged_by": row[8],
            "note": row[9],
        }
        for row in connection.execute(query)
    ]
