"""Everything about one person: details, rung and since when, level history, actions, events,
the recruiter chain up and the recruits down. A handful of queries, none per related row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, text

from ladder.people.lookup import find_person
from ladder.privacy.consent import history as consent_history
from ladder.recruitment.cycles import chain_up, describe_people
from ladder.storage.models import (
    Action,
    ActionKind,
    Attendance,
    Campaign,
    Event,
    LevelChange,
    LocalGroup,
    Merge,
    Supporter,
    SupporterTag,
    Tag,
)

RECENT = 20
_DETAILS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "group",
    "rung",
    "rung_since",
    "rung_set_manually",
    "status",
    "status_since",
    "recruiter",
    "tags",
    "consent_email",
    "consent_sms",
    "consent_photo",
    "source",
    "created_at",
    "updated_at",
)

_DOWNSTREAM = text(
    """
    WITH RECURSIVE below(id, depth) AS (
        SELECT id, 1 FROM supporters WHERE recruiter_id = :person
        UNION ALL
        SELECT s.id, below.depth + 1 FROM supporters s JOIN below ON s.recruiter_id = below.id
        WHERE below.depth < :limit
    )
    SELECT count(*), COALESCE(max(depth), 0) FROM below
    """
)


def show_person(connection: Connection, ref: str, all_actions: bool = False) -> dict[str, Any]:
    """A JSON-able dict: ``person`` (details), then lists ``history``, ``actions`` (the
    :data:`RECENT` newest, or every one with ``all_actions``), ``events``,
    ``recruiter_chain``, ``recruits``, ``merged``, ``consent`` (every record of the consent
    ledger, oldest first); ``action_total`` (all their actions), and
    ``downstream`` counts."""
    person_id = find_person(connection, ref).id
    reach, depth = connection.execute(_DOWNSTREAM, {"person": person_id, "limit": 1000}).one()
    counts = _action_counts(connection, person_id)
    return {
        "person": _details(connection, person_id),
        "history": _history(connection, person_id),
        "actions": _actions(connection, person_id, None if all_actions else RECENT),
        "action_total": sum(counts.values()),
        "action_counts": counts,
        "events": _events(connection, person_id),
        "recruiter_chain": describe_people(connection, chain_up(connection, person_id)[1:]),
        "recruits": _recruits(connection, person_id),
        "downstream": {"people": reach, "deepest": depth},
        "merged": _merged(connection, person_id),
        "consent": consent_history(connection, person_id),
    }


def _details(connection: Connection, person_id: int) -> dict[str, Any]:
    row = connection.execute(
        select(Supporter.__table__, LocalGroup.name.label("group"))
        .outerjoin(LocalGroup, LocalGroup.id == Supporter.local_group_id)
        .where(Supporter.id == person_id)
    ).one()
    s = row._mapping
    tags = connection.execute(
        select(Tag.name)
        .join(SupporterTag, SupporterTag.tag_id == Tag.id)
        .where(SupporterTag.supporter_id == person_id)
        .order_by(Tag.name)
    ).scalars()
    recruiter_id = s["recruiter_id"]
    recruiter = describe_people(connection, [recruiter_id])[0] if recruiter_id else None
    details = {key: s.get(key) for key in _DETAILS}
    details.update(recruiter=recruiter, tags=list(tags))
    for flag in ("rung_set_manually", "consent_email", "consent_sms", "consent_photo"):
        details[flag] = bool(details[flag])
    return details


def _history(connection: Connection, person_id: int) -> list[dict[str, Any]]:
    query = (
        select(
            LevelChange.changed_at,
            LevelChange.from_rung,
            LevelChange.to_rung,
            LevelChange.from_status,
            LevelChange.to_status,
            func.coalesce(LevelChange.rule_id, LevelChange.changed_by).label("by"),
            LevelChange.reason,
        )
        .where(LevelChange.supporter_id == person_id)
        .order_by(LevelChange.changed_at, LevelChange.id)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def _actions(connection: Connection, person_id: int, limit: int | None) -> list[dict[str, Any]]:
    query = (
        select(
            Action.occurred_at,
            ActionKind.name.label("kind"),
            Event.title.label("event"),
            Campaign.name.label("campaign"),
            Action.note,
        )
        .join(ActionKind, ActionKind.id == Action.action_kind_id)
        .outerjoin(Event, Event.id == Action.event_id)
        .outerjoin(Campaign, Campaign.id == Action.campaign_id)
        .where(Action.supporter_id == person_id)
        .order_by(Action.occurred_at.desc(), Action.id.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def _action_counts(connection: Connection, person_id: int) -> dict[str, int]:
    query = (
        select(ActionKind.name, func.count())
        .join(Action, Action.action_kind_id == ActionKind.id)
        .where(Action.supporter_id == person_id)
        .group_by(ActionKind.name)
        .order_by(ActionKind.name)
    )
    return {name: count for name, count in connection.execute(query)}


def _events(connection: Connection, person_id: int) -> list[dict[str, Any]]:
    query = (
        select(
            Event.id,
            Event.title,
            Event.starts_at,
            Attendance.rsvp,
            Attendance.presence,
            Attendance.walk_in,
        )
        .join(Attendance, Attendance.event_id == Event.id)
        .where(Attendance.supporter_id == person_id)
        .order_by(Event.starts_at.desc())
        .limit(RECENT)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def _recruits(connection: Connection, person_id: int) -> list[dict[str, Any]]:
    query = (
        select(Supporter.id, Supporter.first_name, Supporter.last_name, Supporter.rung)
        .where(Supporter.recruiter_id == person_id, Supporter.merged_into_id.is_(None))
        .order_by(Supporter.id)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def _merged(connection: Connection, person_id: int) -> list[dict[str, Any]]:
    query = (
        select(Merge.merged_id, Merge.merged_at, Merge.merged_by)
        .where(Merge.kept_id == person_id)
        .order_by(Merge.merged_at)
    )
    return [dict(row._mapping) for row in connection.execute(query)]
