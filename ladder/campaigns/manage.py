"""`ladder campaigns add / edit / list / show`: the use cases, one transaction (or read) each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from ladder.campaigns.goals import check_kind, metric_text
from ladder.campaigns.lookup import CampaignRef, find_campaign
from ladder.campaigns.progress import Progress, campaign_progress
from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.domain.names import fold
from ladder.domain.text import LONG_TEXT, TITLE, text_problem
from ladder.errors import ConflictError, InputError, MisuseError
from ladder.people.groups import find_group
from ladder.privacy import audit
from ladder.storage.models import Campaign, CampaignGoal


@dataclass(frozen=True)
class CampaignInput:
    name: str
    goal: int
    kinds: list[str] = field(default_factory=list)  # only these kinds count (none: every kind)
    people: bool = False  # count distinct people rather than actions
    starts_on: date | None = None
    ends_on: date | None = None
    group: str | None = None
    description: str | None = None


def add_campaign(
    engine: Engine,
    ladder: LadderFile,
    data: CampaignInput,
    now: datetime | None = None,
    *,
    by: str,
) -> CampaignRef:
    """Create a campaign with its goal; a name already taken (case and accents ignored) is
    refused."""
    name = data.name.strip()
    if not name:
        raise InputError("a campaign needs a name")
    if problem := text_problem(name, TITLE):
        raise InputError(f"the campaign's name has {problem}")
    if data.description and (problem := text_problem(data.description, LONG_TEXT, multiline=True)):
        raise InputError(f"the campaign's description has {problem}")
    _check_goal(data.goal)
    _check_dates(data.starts_on, data.ends_on)
    kinds = list(dict.fromkeys(check_kind(ladder, k) for k in data.kinds))
    metric = metric_text(kinds, data.people)
    with engine.begin() as connection:
        taken = [
            n for n in connection.execute(select(Campaign.name)).scalars() if fold(n) == fold(name)
        ]
        if taken:
            raise ConflictError(f"a campaign called {taken[0]!r} already exists: pick another name")
        group_id = find_group(connection, data.group) if data.group is not None else None
        campaign_id = connection.execute(
            insert(Campaign)
            .values(
                name=name,
                description=data.description,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                local_group_id=group_id,
                created_at=now or utcnow(),
            )
            .returning(Campaign.id)
        ).scalar_one()
        connection.execute(
            insert(CampaignGoal).values(campaign_id=campaign_id, metric=metric, target=data.goal)
        )
        audit.record(connection, by, "campaigns add", detail={"campaign": campaign_id})
        return CampaignRef(campaign_id, name, data.starts_on, data.ends_on)


def edit_campaign(
    engine: Engine,
    name: str,
    goal: int | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    *,
    by: str,
) -> CampaignRef:
    """Change a campaign's goal (its target) and dates; only what is given."""
    if goal is None and starts_on is None and ends_on is None:
        raise MisuseError("nothing to change: give --goal, --starts or --ends")
    if goal is not None:
        _check_goal(goal)
    with engine.begin() as connection:
        found = find_campaign(connection, name)
        starts = starts_on or found.starts_on
        ends = ends_on or found.ends_on
        _check_dates(starts, ends)
        connection.execute(
            update(Campaign).where(Campaign.id == found.id).values(starts_on=starts, ends_on=ends)
        )
        if goal is not None:
            _set_target(connection, found.id, goal)
        named = [
            n
            for n, v in (("goal", goal), ("starts", starts_on), ("ends", ends_on))
            if v is not None
        ]
        audit.record(connection, by, "campaigns edit", fields=named, detail={"campaign": found.id})
        return CampaignRef(found.id, found.name, starts, ends)


def _set_target(connection: Connection, campaign_id: int, goal: int) -> None:
    first = connection.execute(
        select(CampaignGoal.id)
        .where(CampaignGoal.campaign_id == campaign_id)
        .order_by(CampaignGoal.id)
        .limit(1)
    ).scalar()
    if first is None:
        connection.execute(
            insert(CampaignGoal).values(campaign_id=campaign_id, metric="actions", target=goal)
        )
    else:
        connection.execute(update(CampaignGoal).where(CampaignGoal.id == first).values(target=goal))


def _check_goal(goal: int) -> None:
    if goal < 1:
        raise InputError(f"--goal must be at least 1, not {goal}")


def _check_dates(starts: date | None, ends: date | None) -> None:
    if starts is not None and ends is not None and ends < starts:
        raise InputError(f"the campaign ends ({ends}) before it starts ({starts})")


def list_campaigns(
    connection: Connection, ladder: LadderFile, as_of: datetime, zone: tzinfo | None = None
) -> list[dict[str, Any]]:
    """Every campaign with its progress, by name (see :mod:`ladder.campaigns.progress`)."""
    return [p.row() for p in campaign_progress(connection, ladder, as_of, zone=zone)]


def show_campaign(
    connection: Connection,
    ladder: LadderFile,
    name: str,
    as_of: datetime,
    zone: tzinfo | None = None,
) -> Progress:
    """One campaign's progress as of ``as_of``."""
    found = find_campaign(connection, name)
    return campaign_progress(connection, ladder, as_of, [found.id], zone)[0]
