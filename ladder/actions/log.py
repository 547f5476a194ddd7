"""Logging one action by hand: `ladder actions log PERSON KIND`.

One transaction: find the person (as every command does), the campaign if one is named,
insert the action, and re-evaluate that one person's rung with the rules engine
(:func:`ladder.rules.apply_person`, as a check-in does). Refusals (an unknown kind, campaign
or person, a time in the future) write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select

from ladder.campaigns.goals import check_kind, parse_metric
from ladder.campaigns.lookup import CampaignRef, find_campaign
from ladder.clock import utcnow, wall_clock
from ladder.domain.ladderfile import LadderFile
from ladder.domain.text import LONG_TEXT, text_problem
from ladder.errors import InputError
from ladder.people.lookup import PersonRef, find_person
from ladder.privacy import audit
from ladder.rules import Move, apply_person
from ladder.storage.firsts import refresh_first_actions
from ladder.storage.models import Action, ActionKind, CampaignGoal


@dataclass(frozen=True)
class LoggedAction:
    id: int
    person: PersonRef
    kind: str
    occurred_at: datetime
    campaign: str | None
    moves: list[Move]  # level changes the action caused
    notes: list[str] = field(default_factory=list)  # e.g. a kind the campaign's goal leaves out


def log_action(
    engine: Engine,
    ladder: LadderFile,
    person_ref: str,
    kind: str,
    user: str,
    at: datetime | None = None,
    campaign: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> LoggedAction:
    """Record that ``person_ref`` did ``kind`` at ``at`` (default: now), inside one
    transaction, and apply the rules to them as of ``now``."""
    now = now or utcnow()
    kind = check_kind(ladder, kind)
    occurred_at = at or now
    if occurred_at > now:
        raise InputError(
            f"{wall_clock(occurred_at)} is in the future: log an action once it has happened"
        )
    note = (note or "").strip() or None
    if note and (problem := text_problem(note, LONG_TEXT, multiline=True)):
        raise InputError(f"--note has {problem}")
    with engine.begin() as connection:
        person = find_person(connection, person_ref)
        found = find_campaign(connection, campaign) if campaign is not None else None
        kind_id = connection.execute(
            select(ActionKind.id).where(ActionKind.name == kind)
        ).scalar_one()
        action_id: int = connection.execute(
            insert(Action)
            .values(
                supporter_id=person.id,
                action_kind_id=kind_id,
                occurred_at=occurred_at,
                campaign_id=found.id if found else None,
                logged_by=user,
                note=note,
                created_at=now,
            )
            .returning(Action.id)
        ).scalar_one()
        refresh_first_actions(connection, [person.id])
        moves = apply_person(connection, ladder, person.id, now)
        audit.record(
            connection, user, "actions log", people=[person.id], detail={"action": action_id}
        )
        notes = _goal_notes(connection, found, kind) if found else []
    return LoggedAction(
        action_id, person, kind, occurred_at, found.name if found else None, moves, notes
    )


def _goal_notes(connection: Connection, campaign: CampaignRef, kind: str) -> list[str]:
    """A note when the campaign's goal counts other kinds only: the action is kept, but will
    not show in its progress."""
    metric = connection.execute(
        select(CampaignGoal.metric)
        .where(CampaignGoal.campaign_id == campaign.id)
        .order_by(CampaignGoal.id)
        .limit(1)
    ).scalar()
    counted = parse_metric(metric).kinds if metric else ()
    if counted and kind not in counted:
        return [f"{campaign.name}'s goal counts {', '.join(counted)} only: not this {kind}"]
    return []
