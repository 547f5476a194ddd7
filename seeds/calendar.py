"""The event calendar and who came: regular field events, flagship key dates, attendance.

About 90 field events a year per 2,650 people (#ZéroTolérance), in the local groups, plus a few
key dates when many groups hold an event the same day. Events that started before the anchor
have attendance (attended, no-show, unknown, walk-ins); later ones only invitations and RSVPs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seeds.population import DAY, SPAN_DAYS, Population

EVENT_KINDS = ("fair", "school", "student_day", "party", "holiday_centre", "key_date")
REGULAR_KIND_SHARES = (0.3, 0.3, 0.15, 0.1, 0.15)
KEY_DATE_KIND = EVENT_KINDS.index("key_date")
EVENTS_PER_YEAR_PER_PERSON = 90 / 2650
FUTURE_DAYS = 60
KEY_DATE_DAYS = (-610, -425, -245, -60, 25)  # flagship days, relative to the anchor
KEY_DATE_GROUP_SHARE = 0.4
RSVPS = ("accepted", "tentative", "declined")  # index; -1 is no answer
PRESENCES = ("attended", "no_show", "unknown")
NONE = -1


@dataclass(frozen=True)
class Events:
    group: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    kind: np.ndarray  # index into EVENT_KINDS
    key_date: np.ndarray  # bool
    cancelled: np.ndarray  # bool
    host: np.ndarray  # supporter index or NONE


@dataclass(frozen=True)
class Attendances:
    event: np.ndarray
    person: np.ndarray
    rsvp: np.ndarray  # index into RSVPS or NONE
    presence: np.ndarray  # index into PRESENCES
    walk_in: np.ndarray  # bool
    brought_by: np.ndarray  # supporter index or NONE
    invited_at: np.ndarray  # seconds, meaningless where walk_in
    rsvp_at: np.ndarray  # seconds, meaningless where rsvp is NONE
    checked_in_at: np.ndarray  # seconds, meaningless unless attended

    @property
    def attended(self) -> np.ndarray:
        return self.presence == PRESENCES.index("attended")


def key_date_times() -> np.ndarray:
    return np.array(KEY_DATE_DAYS, dtype=np.int64) * DAY + 10 * 3600


def plan_events(rng: np.random.Generator, population: Population, groups: int) -> Events:
    """Regular events in the groups (bigger groups hold more) plus the key-date gatherings."""
    sizes = np.bincount(population.group, minlength=groups).astype(float) + 1.0
    per_year = max(12.0, EVENTS_PER_YEAR_PER_PERSON * population.size)
    regular = int(round(per_year * (SPAN_DAYS + FUTURE_DAYS) / 365))
    group = rng.choice(groups, size=regular, p=sizes / sizes.sum())
    day = rng.integers(-SPAN_DAYS, FUTURE_DAYS, regular)
    starts = day * DAY + rng.integers(9, 19, regular) * 3600
    kind = rng.choice(len(REGULAR_KIND_SHARES), size=regular, p=REGULAR_KIND_SHARES)
    per_date = max(1, int(round(KEY_DATE_GROUP_SHARE * groups)))
    key_groups = [
        rng.choice(groups, size=per_date, replace=False, p=sizes / sizes.sum())
        for _ in KEY_DATE_DAYS
    ]
    key_starts = np.repeat(key_date_times(), per_date)
    group = np.concatenate([group, *key_groups])
    starts = np.concatenate([starts, key_starts])
    kind = np.concatenate([kind, np.full(len(key_starts), KEY_DATE_KIND)])
    order = np.argsort(starts, kind="stable")
    group, starts, kind = group[order], starts[order], kind[order]
    key_date = kind == KEY_DATE_KIND
    hours = np.where(key_date, 6, rng.integers(2, 7, len(starts)))
    cancelled = (starts < 0) & ~key_date & (rng.random(len(starts)) < 0.03)
    host = np.full(len(starts), NONE, dtype=np.int64)
    return Events(group, starts, starts + hours * 3600, kind, key_date, cancelled, host)


def sample_attendance(
    rng: np.random.Generator, population: Population, events: Events, rungs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pick each event's host and invitees among its group's members, favouring higher rungs.

    Returns (event index, supporter index) pairs, the host first; fills ``events.host``.
    """
    top = rungs - 1
    weight_of_level = 1.0 + 9.0 * (np.arange(rungs) / max(top, 1)) ** 0.7
    until = np.where(population.quiet_from < 0, population.quiet_from, np.iinfo(np.int64).max)
    by_group = np.argsort(population.group, kind="stable")
    sorted_groups = population.group[by_group]
    starts_of_group = np.searchsorted(sorted_groups, np.arange(int(events.group.max()) + 2))
    wanted = np.where(events.key_date, rng.poisson(35, len(events.group)) + 10, 0)
    wanted = np.where(events.key_date, wanted, rng.poisson(12, len(events.group)) + 3)
    joined, level = population.joined, population.level
    pairs_event: list[np.ndarray] = []
    pairs_person: list[np.ndarray] = []
    for e in range(len(events.group)):
        if events.cancelled[e]:
            continue
        g, start = events.group[e], events.starts[e]
        members = by_group[starts_of_group[g] : starts_of_group[g + 1]]
        members = members[: np.searchsorted(joined[members], start - DAY)]
        members = members[until[members] > start]
        if len(members) == 0:
            continue
        levels = level[members]
        host = _pick_host(rng, members, levels, joined[members], start, top)
        events.host[e] = host
        keys = np.log(rng.random(len(members))) / weight_of_level[levels]
        if host != NONE:
            keys[members == host] = np.inf
        count = min(int(wanted[e]), len(members))
        chosen = members[np.argpartition(-keys, count - 1)[:count]]
        pairs_event.append(np.full(count, e, dtype=np.int64))
        pairs_person.append(np.sort(chosen))
    if not pairs_event:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(pairs_event), np.concatenate(pairs_person)


def _pick_host(
    rng: np.random.Generator,
    members: np.ndarray,
    levels: np.ndarray,
    joined: np.ndarray,
    start: int,
    top: int,
) -> int:
    """A top-rung member of the group who joined at least two weeks before; else nobody."""
    if top == 0:
        return NONE
    able = members[(levels == top) & (joined < start - 14 * DAY)]
    if len(able) == 0:
        return NONE
    return int(able[rng.integers(0, len(able))])


def attendance_states(
    rng: np.random.Generator,
    events: Events,
    event: np.ndarray,
    person: np.ndarray,
    joined: np.ndarray,
) -> Attendances:
    """RSVPs, presence, walk-ins and times for the sampled (event, person) pairs."""
    rows = len(event)
    starts = events.starts[event]
    past = starts < 0
    is_host = person == events.host[event]
    walk_in = past & ~is_host & (rng.random(rows) < 0.12)
    rsvp = np.where(
        past,
        rng.choice([0, 1, 2, NONE], size=rows, p=[0.7, 0.15, 0.08, 0.07]),
        rng.choice([0, 1, 2, NONE], size=rows, p=[0.6, 0.2, 0.1, 0.1]),
    )
    rsvp = np.where(walk_in, NONE, np.where(is_host, 0, rsvp))
    presence = _presence(rng, rsvp, past, walk_in | is_host)
    same_event_before = np.concatenate([[False], event[1:] == event[:-1]])
    came_before = np.roll(presence == PRESENCES.index("attended"), 1)
    brought = walk_in & same_event_before & came_before & (rng.random(rows) < 0.5)
    brought_by = np.where(brought, np.roll(person, 1), NONE)
    invited_at = np.maximum(starts - rng.integers(3 * DAY, 21 * DAY, rows), joined[person] + 3600)
    rsvp_at = np.minimum(invited_at + rng.integers(3600, 3 * DAY, rows), starts - 600)
    checked_in_at = starts + rng.integers(-900, 5400, rows)
    return Attendances(
        event, person, rsvp, presence, walk_in, brought_by, invited_at, rsvp_at, checked_in_at
    )


def _presence(
    rng: np.random.Generator, rsvp: np.ndarray, past: np.ndarray, surely_there: np.ndarray
) -> np.ndarray:
    """Past events: attended / no-show / unknown by RSVP; future ones: unknown."""
    odds = {  # rsvp -> P(attended), P(no_show), P(unknown)
        0: (0.78, 0.14, 0.08),
        1: (0.5, 0.3, 0.2),
        2: (0.03, 0.0, 0.97),
        NONE: (0.3, 0.4, 0.3),
    }
    presence = np.full(len(rsvp), PRESENCES.index("unknown"), dtype=np.int64)
    for answer, shares in odds.items():
        rows = past & (rsvp == answer)
        presence[rows] = rng.choice(3, size=int(rows.sum()), p=shares)
    presence[past & surely_there] = PRESENCES.index("attended")
    return presence
