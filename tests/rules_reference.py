"""A plain-Python reference for the rules engine: obviously correct, slow, for tests only.

A :class:`World` is a small movement held in memory (people, events, attendances, actions).
:func:`load_world` writes it to a test database; :func:`reference_run` applies a ladder's rules
to the in-memory copy with loops and ifs, one person at a time, following the documented
semantics of :mod:`ladder.rules.engine`. The SQL engine must agree with it.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from ladder.domain.ladderfile import LadderFile
from ladder.domain.rules import Condition, Rule
from ladder.storage.models import (
    Action,
    ActionKind,
    Attendance,
    Event,
    LevelChange,
    Supporter,
    SupporterTag,
    Tag,
)


@dataclass
class Person:
    id: int
    name: str
    rung: str
    created_at: datetime
    rung_since: datetime
    status: str = "active"
    status_since: datetime | None = None
    lapse_since: datetime | None = None
    manual: bool = False
    recruiter_id: int | None = None
    consents: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EventRow:
    id: int
    starts_at: datetime
    status: str = "confirmed"
    host_id: int | None = None


@dataclass(frozen=True)
class AttendanceRow:
    id: int
    event_id: int
    supporter_id: int
    presence: str


@dataclass(frozen=True)
class ActionRow:
    id: int
    supporter_id: int
    kind: str
    occurred_at: datetime


@dataclass
class World:
    people: list[Person] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    attendances: list[AttendanceRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)


Move = tuple[int, str, str, str, str, str]  # supporter, rule, from/to rung, from/to status

# the ladder the property tests' worlds and rule sets are drawn on (its action kinds are synced
# by tests/library/conftest.py's ``synced``)
RUNGS = ["follow", "attend", "mobilise"]
KINDS = {
    "like": "follow",
    "petition": "follow",
    "mass_action": "attend",
    "photos": "attend",
    "host_event": "mobilise",
    "recruit": "mobilise",
}
BASE = {
    "rungs": [{"name": r} for r in RUNGS],
    "action_kinds": [{"name": k, "rung": r} for k, r in KINDS.items()],
}


# ---------------------------------------------------------------- the database side


def clear_world(engine: Engine) -> None:
    with engine.begin() as connection:
        for model in (LevelChange, Action, Attendance, SupporterTag, Tag, Event):
            connection.execute(delete(model))
        connection.execute(update(Supporter).values(recruiter_id=None))
        connection.execute(delete(Supporter))


def load_world(engine: Engine, world: World) -> None:
    """Write ``world`` into an empty database whose action kinds are already synced."""
    with engine.begin() as connection:
        kinds = dict(connection.execute(select(ActionKind.name, ActionKind.id)).all())
        tag_names = sorted({t for p in world.people for t in p.tags})
        tag_ids = {name: index for index, name in enumerate(tag_names, start=1)}
        if tag_names:
            connection.execute(insert(Tag), [{"id": i, "name": n} for n, i in tag_ids.items()])
        for person in sorted(world.people, key=lambda p: p.id):
            connection.execute(insert(Supporter).values(**_supporter_row(person)))
        tagged = [
            {"supporter_id": p.id, "tag_id": tag_ids[t]} for p in world.people for t in p.tags
        ]
        if tagged:
            connection.execute(insert(SupporterTag), tagged)
        for event in world.events:
            connection.execute(insert(Event).values(**_event_row(event)))
        if world.attendances:
            connection.execute(insert(Attendance), [vars(a) for a in world.attendances])
        if world.actions:
            connection.execute(insert(Action), [_action_row(a, kinds) for a in world.actions])


def _supporter_row(person: Person) -> dict[str, object]:
    return {
        "id": person.id,
        "first_name": person.name,
        "rung": person.rung,
        "rung_since": person.rung_since,
        "created_at": person.created_at,
        "status": person.status,
        "status_since": person.status_since,
        "lapse_condition_since": person.lapse_since,
        "rung_set_manually": person.manual,
        "recruiter_id": person.recruiter_id,
        **{f"consent_{c}": c in person.consents for c in ("email", "sms", "photo")},
    }


def _event_row(event: EventRow) -> dict[str, object]:
    return {
        **vars(event),
        "title": f"event {event.id}",
        "kind": "fair",
        "created_at": event.starts_at,
        "key_date": False,
    }


def _action_row(action: ActionRow, kinds: dict[str, int]) -> dict[str, object]:
    return {
        "id": action.id,
        "supporter_id": action.supporter_id,
        "action_kind_id": kinds[action.kind],
        "occurred_at": action.occurred_at,
        "created_at": action.occurred_at,
    }


def database_state(engine: Engine) -> dict[int, tuple[object, ...]]:
    columns = (
        Supporter.rung,
        Supporter.status,
        Supporter.rung_since,
        Supporter.status_since,
        Supporter.lapse_condition_since,
        Supporter.rung_set_manually,
    )
    with engine.connect() as connection:
        rows = connection.execute(select(Supporter.id, *columns))
        return {row[0]: tuple(row[1:]) for row in rows}


def database_moves(engine: Engine) -> Counter[Move]:
    c = LevelChange
    query = select(c.supporter_id, c.rule_id, c.from_rung, c.to_rung, c.from_status, c.to_status)
    with engine.connect() as connection:
        return Counter(tuple(row) for row in connection.execute(query))  # type: ignore[misc]


def database_evidence(engine: Engine) -> Counter[tuple[int, str, str]]:
    """Every rule-made level change: who, which rule, and its evidence as the sorted counts
    and the sorted id lists (each list in its own order), in JSON."""
    c = LevelChange
    query = select(c.supporter_id, c.rule_id, c.evidence).where(c.rule_id.is_not(None))
    with engine.connect() as connection:
        return Counter(
            (
                row[0],
                row[1],
                json.dumps([sorted(row[2]["counts"].values()), sorted(row[2]["ids"].values())]),
            )
            for row in connection.execute(query)
        )


def reference_state(world: World) -> dict[int, tuple[object, ...]]:
    return {
        p.id: (p.rung, p.status, p.rung_since, p.status_since, p.lapse_since, p.manual)
        for p in world.people
    }


# ---------------------------------------------------------------- the reference evaluator


def reference_run(
    world: World, ladder: LadderFile, as_of: datetime, evidence: list[Evidence] | None = None
) -> list[Move]:
    """Apply every rule to ``world`` (changed in place), the slow obvious way; with
    ``evidence``, also append each move's (counts, ids) behind it, in the order of the moves."""
    moves: list[Move] = []
    found: list[Evidence] = [] if evidence is None else evidence
    _reactivate(world, as_of, moves, found)
    _promote(world, ladder, as_of, moves, found)
    _lapse(world, ladder, as_of, moves, found)
    return moves


# the counts behind a move, one per leaf condition (depth first), and the newest ids (at most
# ten, newest first) behind each attended, hosted or recruits condition: None for the others
Evidence = tuple[list[int], list[list[int] | None]]


def _evidence(
    condition: Condition, person: Person, world: World, ladder: LadderFile, as_of: datetime
) -> Evidence:
    counts: list[int] = []
    ids: list[list[int] | None] = []
    for leaf in _leaves(condition):
        count, behind = _measure(leaf, person, world, ladder, as_of)
        counts.append(count)
        ids.append(behind)
    return counts, ids


def _at_or_above(rung: str, at_rung: str | None, rungs: list[str]) -> bool:
    return at_rung is None or (rung in rungs and rungs.index(rung) >= rungs.index(at_rung))


def _leaves(condition: Condition) -> list[Condition]:
    if not condition.children:
        return [condition]
    return [leaf for child in condition.children for leaf in _leaves(child)]


def _measure(
    condition: Condition, person: Person, world: World, ladder: LadderFile, as_of: datetime
) -> tuple[int, list[int] | None]:
    """The count behind a leaf condition, and the ids behind it where the evidence keeps them."""
    start = as_of - timedelta(days=condition.within_days) if condition.within_days else None
    kind = condition.kind
    events = {e.id: e for e in world.events}
    if kind == "attended_events":
        rows = [
            a.id
            for a in world.attendances
            if a.supporter_id == person.id
            and a.presence == "attended"
            and events[a.event_id].status != "cancelled"
            and _inside(events[a.event_id].starts_at, start, as_of)
        ]
        return len(rows), sorted(rows, reverse=True)[:10]
    if kind == "hosted_events":
        hosted = [
            e
            for e in world.events
            if e.host_id == person.id
            and e.status != "cancelled"
            and _inside(e.starts_at, start, as_of)
        ]
        newest = sorted(hosted, key=lambda e: (e.starts_at, e.id), reverse=True)
        return len(hosted), [e.id for e in newest][:10]
    if kind == "actions":
        return _actions(world, person.id, start, as_of, _kinds(ladder, condition)), None
    if kind == "recruits":
        rungs, at_rung = ladder.rung_names, condition.recruits_at_rung
        recruits = [
            r
            for r in world.people
            if r.recruiter_id == person.id
            and r.status != "erased"
            and _inside(r.created_at, start, as_of)
            and (
                at_rung is None or (r.rung in rungs and rungs.index(r.rung) >= rungs.index(at_rung))
            )
        ]
        newest = sorted(recruits, key=lambda r: (r.created_at, r.id), reverse=True)
        return len(recruits), [r.id for r in newest][:10]
    if kind == "days_at_rung":
        return max(int((as_of - person.rung_since).total_seconds() // 86400), 0), None
    if kind == "has_tag":
        return int(condition.has_tag in person.tags), None
    if kind == "has_consent":
        return int(condition.has_consent in person.consents), None
    quiet_since = as_of - timedelta(days=condition.no_activity_days or 0)
    return _activity(world, person.id, quiet_since, as_of, ("attended", "unknown")), None


def _present(person: Person, as_of: datetime) -> bool:
    return person.created_at <= as_of


def _reactivate(world: World, as_of: datetime, moves: list[Move], evidence: list[Evidence]) -> None:
    for person in world.people:
        if person.status != "lapsed" or not _present(person, as_of):
            continue
        since = person.status_since or person.created_at
        activity = _activity(world, person.id, since, as_of, ("attended",), after=True)
        if activity >= 1:
            moves.append((person.id, "reactivation", person.rung, person.rung, "lapsed", "active"))
            evidence.append(([activity], [None]))
            person.status, person.status_since, person.lapse_since = "active", as_of, None


def _promote(
    world: World, ladder: LadderFile, as_of: datetime, moves: list[Move], evidence: list[Evidence]
) -> None:
    """Every promotion rule, in ladder order, over everyone; again while a pass moves someone
    and a rule counts recruits at a rung (a recruit's new rung can make their recruiter
    qualify)."""
    rungs = ladder.rung_names
    rules = sorted(
        [r for r in ladder.rules if r.promote_to], key=lambda r: rungs.index(r.promote_to or "")
    )
    chained = any(_uses_recruit_rungs(r.condition) for r in rules)
    for _ in range(50):
        pass_start = len(moves)
        for rule in rules:
            snapshot = copy.deepcopy(world)
            chosen = [
                p.id
                for p in snapshot.people
                if _may_promote(ladder, rule, p, as_of)
                and _holds(rule.condition, p, snapshot, ladder, as_of)
            ]
            before = {p.id: p for p in snapshot.people}
            for person in world.people:
                if person.id in chosen:
                    target = rule.promote_to or ""
                    moves.append((person.id, rule.id, person.rung, target, "active", "active"))
                    seen = before[person.id]
                    evidence.append(_evidence(rule.condition, seen, snapshot, ladder, as_of))
                    person.rung, person.rung_since, person.manual = target, as_of, False
        if len(moves) == pass_start or not chained:
            return


def _uses_recruit_rungs(condition: Condition) -> bool:
    if condition.recruits_at_rung is not None:
        return True
    return any(_uses_recruit_rungs(c) for c in condition.children)


def _may_promote(ladder: LadderFile, rule: Rule, person: Person, as_of: datetime) -> bool:
    rungs = ladder.rung_names
    target = rungs.index(rule.promote_to or "")
    required = ladder.rungs[target].requires_previous
    if required is None:
        required = ladder.promotion.no_skipping
    allowed = [rungs[target - 1]] if required else rungs[:target]
    manual_ok = ladder.promotion.promote_manually_set or not person.manual
    return (
        person.status == "active"
        and _present(person, as_of)
        and person.rung in allowed
        and manual_ok
    )


def _lapse(
    world: World, ladder: LadderFile, as_of: datetime, moves: list[Move], evidence: list[Evidence]
) -> None:
    rules = [r for r in ladder.rules if r.lapse]
    if not rules:
        return
    eligible = [p for p in world.people if p.status == "active" and _present(p, as_of)]
    for person in eligible:
        held = any(_holds(r.condition, person, world, ladder, as_of) for r in rules)
        if held and person.lapse_since is None:
            person.lapse_since = as_of
        elif not held:
            person.lapse_since = None
    cutoff = as_of - timedelta(days=ladder.promotion.lapse_grace_days)
    for rule in rules:
        for person in eligible:
            if person.status != "active" or person.lapse_since is None:
                continue
            if person.lapse_since <= cutoff and _holds(
                rule.condition, person, world, ladder, as_of
            ):
                moves.append((person.id, rule.id, person.rung, person.rung, "active", "lapsed"))
                evidence.append(_evidence(rule.condition, person, world, ladder, as_of))
                person.status, person.status_since, person.lapse_since = "lapsed", as_of, None


def _holds(
    condition: Condition, person: Person, world: World, ladder: LadderFile, as_of: datetime
) -> bool:
    if condition.all is not None:
        return all(_holds(c, person, world, ladder, as_of) for c in condition.all)
    if condition.any is not None:
        return any(_holds(c, person, world, ladder, as_of) for c in condition.any)
    start = as_of - timedelta(days=condition.within_days) if condition.within_days else None
    kind = condition.kind
    if kind == "attended_events":
        count = _attended(world, person.id, start, as_of, ("attended",))
    elif kind == "hosted_events":
        count = _hosted(world, person.id, start, as_of)
    elif kind == "actions":
        count = _actions(world, person.id, start, as_of, _kinds(ladder, condition))
    elif kind == "recruits":
        count = _recruits(world, person.id, start, as_of, ladder, condition.recruits_at_rung)
    elif kind == "days_at_rung":
        return person.rung_since <= as_of - timedelta(days=condition.days_at_rung or 0)
    elif kind == "has_tag":
        return condition.has_tag in person.tags
    elif kind == "has_consent":
        return condition.has_consent in person.consents
    else:
        quiet_since = as_of - timedelta(days=condition.no_activity_days or 0)
        recent = _activity(world, person.id, quiet_since, as_of, ("attended", "unknown"))
        return recent == 0 and person.created_at <= quiet_since
    return count >= getattr(condition, kind)


def _kinds(ladder: LadderFile, condition: Condition) -> set[str] | None:
    if condition.kinds_of is not None:
        return {k.name for k in ladder.action_kinds if k.rung == condition.kinds_of}
    return set(condition.kinds) if condition.kinds is not None else None


def _inside(at: datetime, start: datetime | None, as_of: datetime, after: bool = False) -> bool:
    """In the window ``start <= at <= as_of`` (both edges count); strictly after ``start``
    with ``after`` (activity since a lapse: what happened at the lapse's instant was seen)."""
    if at > as_of or start is None:
        return at <= as_of
    return at > start if after else at >= start


def _attended(
    world: World,
    who: int,
    start: datetime | None,
    as_of: datetime,
    presences: tuple[str, ...],
    after: bool = False,
) -> int:
    events = {e.id: e for e in world.events}
    return sum(
        1
        for a in world.attendances
        if a.supporter_id == who
        and a.presence in presences
        and events[a.event_id].status != "cancelled"
        and _inside(events[a.event_id].starts_at, start, as_of, after)
    )


def _hosted(
    world: World, who: int, start: datetime | None, as_of: datetime, after: bool = False
) -> int:
    return sum(
        1
        for e in world.events
        if e.host_id == who
        and e.status != "cancelled"
        and _inside(e.starts_at, start, as_of, after)
    )


def _actions(
    world: World,
    who: int,
    start: datetime | None,
    as_of: datetime,
    kinds: set[str] | None,
    after: bool = False,
) -> int:
    return sum(
        1
        for a in world.actions
        if a.supporter_id == who
        and (kinds is None or a.kind in kinds)
        and _inside(a.occurred_at, start, as_of, after)
    )


def _recruits(
    world: World,
    who: int,
    start: datetime | None,
    as_of: datetime,
    ladder: LadderFile,
    at_rung: str | None,
) -> int:
    rungs = ladder.rung_names
    return sum(
        1
        for r in world.people
        if r.recruiter_id == who
        and r.status != "erased"
        and _inside(r.created_at, start, as_of)
        and (at_rung is None or (r.rung in rungs and rungs.index(r.rung) >= rungs.index(at_rung)))
    )


def _activity(
    world: World,
    who: int,
    since: datetime,
    as_of: datetime,
    presences: tuple[str, ...],
    after: bool = False,
) -> int:
    """Actions, attendances (with these presences) and hosted events in [since, as_of], or
    in (since, as_of] with ``after``."""
    return (
        _actions(world, who, since, as_of, None, after)
        + _attended(world, who, since, as_of, presences, after)
        + _hosted(world, who, since, as_of, after)
    )
