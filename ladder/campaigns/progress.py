"""A campaign's progress towards its goal, for many campaigns at once.

For the campaigns asked about, a fixed number of grouped queries, never a loop over actions:

1. the campaigns and their goals (small);
2. one statement counting their actions: totals and the last 7 and 30 days, each a range of
   the index on (campaign, time, kind, person), read without visiting the rows;
3. for goals that count distinct people, one ``GROUP BY`` over each person's first action;
4. who joined through each campaign, and how many of them have since climbed: one
   ``GROUP BY campaign`` over the first action stored on each person (migration 0006);
5. for each goal already reached, the day it was reached (one indexed ``OFFSET`` read each).

Definitions. ``count``: the campaign's actions (of the goal's kinds, if it names some) up to
``as_of``, or the distinct people behind them. ``pace_7d`` / ``pace_30d``: what was added in the
7 / 30 days before ``as_of``, per day. ``projected_date``: the day the goal was reached, else the
day it will be at the 30-day pace (None at a pace of 0). ``joined``: people whose first recorded
action is one of the campaign's; ``climbed``: those of them who have since moved up a rung.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)

from ladder.campaigns.goals import ACTIONS, PEOPLE, RUNG, Metric, parse_metric
from ladder.clock import reader_zone, to_local
from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import SupporterStatus
from ladder.storage.models import (
    Action,
    ActionKind,
    Campaign,
    CampaignGoal,
    LevelChange,
    LocalGroup,
    Supporter,
)

WINDOWS = (7, 30)
SHOW_KEYS = (
    "name",
    "goal",
    "count",
    "share",
    "pace_7d",
    "pace_30d",
    "projected_date",
    "joined",
    "climbed",
)


@dataclass(frozen=True)
class Progress:
    campaign_id: int
    name: str
    group: str | None
    starts_on: date | None
    ends_on: date | None
    metric: str  # as stored: actions:petition, people, rung:mobilise ...
    label: str  # what the goal counts, in words
    goal: int | None  # the target; None for a campaign without a goal
    count: int | None  # None for a metric this version cannot count
    pace_7d: float | None
    pace_30d: float | None
    reached_on: date | None
    projected_date: date | None  # reached_on, else the day at the 30-day pace
    joined: int
    climbed: int

    @property
    def share(self) -> float | None:
        if self.goal is None or self.count is None:
            return None
        return round(self.count / self.goal, 4)

    def row(self) -> dict[str, Any]:
        """The keys of :data:`SHOW_KEYS`, then the campaign's other details."""
        values = {key: getattr(self, key) for key in SHOW_KEYS}
        values.update(
            metric=self.label,
            group=self.group,
            starts=self.starts_on,
            ends=self.ends_on,
            reached=self.reached_on is not None,
        )
        return values


@dataclass(frozen=True)
class _Goal:
    campaign_id: int
    name: str
    group: str | None
    starts_on: date | None
    ends_on: date | None
    metric_text: str
    metric: Metric
    label: str | None
    target: int | None


def campaign_progress(
    connection: Connection,
    ladder: LadderFile,
    as_of: datetime,
    campaign_ids: Iterable[int] | None = None,
    zone: tzinfo | None = None,
) -> list[Progress]:
    """The progress of every campaign (or of ``campaign_ids``), by name, as of ``as_of``
    (naive UTC); dates are days in ``zone`` (default: the zone the front end named, else UTC).
    """
    zone = zone or reader_zone() or UTC
    goals = _goals(connection, None if campaign_ids is None else list(campaign_ids))
    if not goals:
        return []
    kind_ids = dict(connection.execute(select(ActionKind.name, ActionKind.id)).all())
    counted = _action_counts(connection, goals, kind_ids, as_of)
    counted.update(_people_counts(connection, goals, kind_ids, as_of))
    joined = _joined(connection, ladder, [g.campaign_id for g in goals], as_of)
    result = []
    for goal in goals:
        total, last7, last30 = counted.get(goal.campaign_id, (0, 0, 0))
        count: int | None = total
        pace: tuple[float | None, float | None] = (round(last7 / 7, 2), round(last30 / 30, 2))
        if not goal.metric.from_actions:
            count, pace = _rung_count(connection, ladder, goal.metric), (None, None)
        reached = None
        if goal.target and count is not None and count >= goal.target and pace[0] is not None:
            moment = _reached_at(connection, goal, kind_ids, as_of)
            reached = to_local(moment, zone).date() if moment else None
        exact = last30 / 30 if goal.metric.from_actions else None
        projected = reached or _projected(goal.target, count, exact, as_of, zone)
        result.append(
            Progress(
                goal.campaign_id,
                goal.name,
                goal.group,
                goal.starts_on,
                goal.ends_on,
                goal.metric_text,
                goal.label or goal.metric.describe(),
                goal.target,
                count,
                *pace,
                reached,
                projected,
                *joined.get(goal.campaign_id, (0, 0)),
            )
        )
    return result


def _goals(connection: Connection, campaign_ids: list[int] | None) -> list[_Goal]:
    """Each campaign with its first goal (a campaign without one counts all its actions)."""
    query = (
        select(
            Campaign.id,
            Campaign.name,
            LocalGroup.name,
            Campaign.starts_on,
            Campaign.ends_on,
            CampaignGoal.metric,
            CampaignGoal.label,
            CampaignGoal.target,
        )
        .outerjoin(LocalGroup, LocalGroup.id == Campaign.local_group_id)
        .outerjoin(CampaignGoal, CampaignGoal.campaign_id == Campaign.id)
        .order_by(Campaign.name, Campaign.id, CampaignGoal.id)
    )
    if campaign_ids is not None:
        query = query.where(Campaign.id.in_(campaign_ids))
    goals: dict[int, _Goal] = {}
    for cid, name, group, starts, ends, metric, label, target in connection.execute(query):
        if cid not in goals:
            text = metric or ACTIONS
            goals[cid] = _Goal(
                cid, name, group, starts, ends, text, parse_metric(text), label, target
            )
    return list(goals.values())


def _since(as_of: datetime, days: int) -> datetime:
    return as_of - timedelta(days=days)


def _action_counts(
    connection: Connection, goals: list[_Goal], kind_ids: dict[str, int], as_of: datetime
) -> dict[int, tuple[int, int, int]]:
    """campaign id -> (actions, of the last 7 days, of the last 30 days), for the goals that
    count actions: one statement, three counts per campaign, each a range of the index on
    (campaign, time, kind, person) read without visiting the rows."""
    wanted = [g for g in goals if g.metric.unit == ACTIONS]
    if not wanted:
        return {}

    def counted(goal: _Goal, after: datetime | None) -> Any:
        query = select(func.count()).where(
            _action_filter(goal, kind_ids), Action.occurred_at <= as_of
        )
        if after is not None:
            query = query.where(Action.occurred_at > after)
        return query.scalar_subquery()

    parts = [
        select(
            literal(goal.campaign_id),
            counted(goal, None),
            *(counted(goal, _since(as_of, days)) for days in WINDOWS),
        )
        for goal in wanted
    ]
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return {
        int(cid): (int(total), int(last7), int(last30))
        for cid, total, last7, last30 in connection.execute(query)
    }


def _action_filter(goal: _Goal, kind_ids: dict[str, int]) -> Any:
    condition = Action.campaign_id == goal.campaign_id
    if goal.metric.kinds:
        ids = [kind_ids[k] for k in goal.metric.kinds if k in kind_ids]
        condition = and_(condition, Action.action_kind_id.in_(ids))
    return condition


def _firsts(goals: list[_Goal], kind_ids: dict[str, int], as_of: datetime) -> Any:
    """Each person's first counted action in each of these campaigns (a subquery)."""
    return (
        select(
            Action.campaign_id.label("campaign_id"),
            Action.supporter_id.label("supporter_id"),
            func.min(Action.occurred_at).label("first"),
        )
        .where(or_(*(_action_filter(g, kind_ids) for g in goals)), Action.occurred_at <= as_of)
        .group_by(Action.campaign_id, Action.supporter_id)
        .subquery()
    )


def _people_counts(
    connection: Connection, goals: list[_Goal], kind_ids: dict[str, int], as_of: datetime
) -> dict[int, tuple[int, int, int]]:
    """campaign id -> (people, new in the last 7 days, new in the last 30 days), for the goals
    that count distinct people: one query over each person's first counted action."""
    wanted = [g for g in goals if g.metric.unit == PEOPLE]
    if not wanted:
        return {}
    firsts = _firsts(wanted, kind_ids, as_of)
    recent = [
        func.sum(case((firsts.c.first > _since(as_of, days), 1), else_=0)) for days in WINDOWS
    ]
    query = select(firsts.c.campaign_id, func.count(), *recent).group_by(firsts.c.campaign_id)
    return {
        cid: (int(count), int(last7 or 0), int(last30 or 0))
        for cid, count, last7, last30 in connection.execute(query)
    }


def _reached_at(
    connection: Connection, goal: _Goal, kind_ids: dict[str, int], as_of: datetime
) -> datetime | None:
    """When the goal's ``target``-th action (or person) came in: one indexed read."""
    assert goal.target is not None
    if goal.metric.unit == PEOPLE:
        firsts = _firsts([goal], kind_ids, as_of)
        query = select(firsts.c.first).order_by(firsts.c.first)
    else:
        query = (
            select(Action.occurred_at)
            .where(_action_filter(goal, kind_ids), Action.occurred_at <= as_of)
            .order_by(Action.occurred_at)
        )
    return connection.execute(query.offset(goal.target - 1).limit(1)).scalar()


def _projected(
    target: int | None, count: int | None, pace: float | None, as_of: datetime, zone: tzinfo
) -> date | None:
    """The day the goal is reached at ``pace`` per day, from ``as_of``'s day."""
    if not target or count is None or not pace:
        return None
    days = math.ceil((target - count) / pace)
    return to_local(as_of, zone).date() + timedelta(days=days)


def _joined(
    connection: Connection,
    ladder: LadderFile,
    campaign_ids: list[int],
    as_of: datetime,
) -> dict[int, tuple[int, int]]:
    """campaign id -> (people whose first action is one of the campaign's, how many of them
    have moved up a rung since), from the first action stored on each person
    (:mod:`ladder.storage.firsts`): the people counted on the index on (first campaign, first
    time) alone; those who climbed found from whichever side is smaller: the level changes,
    read once and joined to their person, when there are fewer of them (at most the highest
    id) than people joined; else one probe of each joined person's level changes."""
    base = (
        Supporter.first_campaign_id.in_(campaign_ids),
        Supporter.first_action_at <= as_of,
    )
    joined = {
        int(cid or 0): int(n)
        for cid, n in connection.execute(
            select(Supporter.first_campaign_id, func.count())
            .where(*base)
            .group_by(Supporter.first_campaign_id)
        )
    }
    if not joined:
        return {}
    rank = {name: index for index, name in enumerate(ladder.rung_names)}
    up = case(rank, value=LevelChange.to_rung, else_=-1) > case(
        rank, value=LevelChange.from_rung, else_=len(rank)
    )
    since = (
        LevelChange.supporter_id == Supporter.id,
        LevelChange.changed_at >= Supporter.first_action_at,
        LevelChange.changed_at <= as_of,
        up,
    )
    changes = connection.execute(select(func.max(LevelChange.id))).scalar()
    if _from_changes(int(changes or 0), sum(joined.values())):
        query = (
            select(Supporter.first_campaign_id, func.count(distinct(Supporter.id)))
            .select_from(LevelChange)
            .join(Supporter, LevelChange.supporter_id == Supporter.id)
            .where(*base, *since)
            .group_by(Supporter.first_campaign_id)
        )
    else:
        query = (
            select(
                Supporter.first_campaign_id, func.sum(case((exists().where(*since), 1), else_=0))
            )
            .where(*base)
            .group_by(Supporter.first_campaign_id)
        )
    climbed = {int(cid or 0): int(n or 0) for cid, n in connection.execute(query)}
    return {cid: (n, climbed.get(cid, 0)) for cid, n in joined.items()}


def _from_changes(changes: int, people: int) -> bool:
    """True when reading (at most) ``changes`` level changes costs less than probing the
    level changes of ``people`` people."""
    return changes < people


def _rung_count(connection: Connection, ladder: LadderFile, metric: Metric) -> int | None:
    """People at the goal's rung or above (active, not merged); None for an unknown rung."""
    if metric.unit != RUNG or metric.rung not in ladder.rung_names:
        return None
    query = (
        select(func.count())
        .select_from(Supporter)
        .where(
            Supporter.rung.in_(ladder.rungs_at_or_above(metric.rung)),
            Supporter.status == SupporterStatus.ACTIVE,
            Supporter.merged_into_id.is_(None),
        )
    )
    return int(connection.scalar(query) or 0)
