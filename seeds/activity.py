"""Actions for every rung's kinds, and the rung each supporter's evidence supports.

Everyone joins with a first-rung action and adds a few more (heavy-tailed); event-goers get an
``event_attendance`` per attended event (plus photos, live posts, education sessions, mass
actions on key dates); mobilisers host, recruit, share the toolkit and lead groups. Kinds the
generator does not know by name (a movement's own) are spread over the people at or above
their rung. Nothing happens after a supporter went quiet, or after the anchor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ladder.domain.ladderfile import LadderFile
from seeds.calendar import EVENT_KINDS, NONE, Attendances, Events
from seeds.population import DAY, SOURCES, Population

EVERYDAY_WEIGHTS = {"like": 0.35, "follow": 0.25, "subscribe": 0.15, "merch": 0.05}
JOINING_KIND = {
    "web": "subscribe",
    "event": "subscribe",
    "referral": "follow",
    "import": "subscribe",
}
EXTRA_ACTIONS_BY_LEVEL = (0.6, 1.6, 2.2)
RECENT_DAYS = 150  # everyone still active did something in the last five months
PETITION_SHARE = 0.4
AT_EVENT_SHARES = {"photos": 0.15, "live_post": 0.08}
EDUCATION_EVENT_KINDS = ("school", "student_day", "holiday_centre")
HANDLED = {
    *EVERYDAY_WEIGHTS,
    "petition",
    "event_attendance",
    "mass_action",
    *AT_EVENT_SHARES,
    "education_session",
    "host_event",
    "recruit",
    "lead_group",
}


@dataclass(frozen=True)
class Actions:
    person: np.ndarray
    kind: np.ndarray  # index into kind_names
    occurred: np.ndarray
    event: np.ndarray  # event index or NONE
    campaign: np.ndarray  # campaign index or NONE
    kind_names: list[str]


class _Collector:
    """Gathers parts of the action table; kinds missing from the ladder are skipped."""

    def __init__(self, ladder: LadderFile) -> None:
        self.kind_names = [k.name for k in ladder.action_kinds]
        self.parts: list[tuple[np.ndarray, ...]] = []

    def has(self, kind: str) -> bool:
        return kind in self.kind_names

    def add(
        self,
        kind: str | np.ndarray,
        person: np.ndarray,
        occurred: np.ndarray,
        event: np.ndarray | None = None,
        campaign: int | np.ndarray = NONE,
    ) -> None:
        count = len(person)
        if isinstance(kind, str):
            if not self.has(kind) or count == 0:
                return
            kind = np.full(count, self.kind_names.index(kind), dtype=np.int64)
        event = np.full(count, NONE, dtype=np.int64) if event is None else event
        campaigns = np.broadcast_to(np.asarray(campaign, dtype=np.int64), (count,))
        self.parts.append((person, kind, occurred, event, campaigns))

    def build(self) -> Actions:
        empty = np.zeros(0, dtype=np.int64)
        columns = [np.concatenate([empty, *(p[i] for p in self.parts)]) for i in range(5)]
        order = np.argsort(columns[2], kind="stable")  # ids follow time, as in a real base
        person, kind, occurred, event, campaign = (c[order] for c in columns)
        return Actions(person, kind, occurred, event, campaign, self.kind_names)


def generate_actions(
    rng: np.random.Generator,
    ladder: LadderFile,
    population: Population,
    events: Events,
    attendances: Attendances,
    petition_window: tuple[int, int],
) -> Actions:
    actions = _Collector(ladder)
    _everyday(rng, actions, ladder, population)
    _petition(rng, actions, population, petition_window)
    _at_events(rng, actions, events, attendances)
    _mobilising(rng, actions, ladder, population, events)
    _other_kinds(rng, actions, ladder, population)
    return actions.build()


def _uniform_between(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    span = np.maximum(high - low, 0)
    return low + (rng.random(len(low)) * span).astype(np.int64)


def _active_window(population: Population, person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return population.joined[person], np.minimum(population.active_until[person], 0) - 1


def _everyday(
    rng: np.random.Generator, actions: _Collector, ladder: LadderFile, population: Population
) -> None:
    """A joining action for everyone, then a heavy-tailed number of first-rung actions."""
    first = [k.name for k in ladder.kinds_for(ladder.first_rung) if k.name != "petition"]
    if not first:
        return
    everyone = np.arange(population.size)
    joining = [JOINING_KIND[s] if JOINING_KIND[s] in first else first[0] for s in SOURCES]
    joining_kind = np.array([actions.kind_names.index(k) for k in joining])
    actions.add(joining_kind[population.source], everyone, population.joined.copy())
    rate = np.array(EXTRA_ACTIONS_BY_LEVEL)[np.minimum(population.level, 2)]
    extra = rng.geometric(1.0 / (1.0 + rate)) - 1
    person = np.repeat(everyone, extra)
    weights = np.array([EVERYDAY_WEIGHTS.get(k, 0.1) for k in first])
    chosen = rng.choice(len(first), size=len(person), p=weights / weights.sum())
    kind = np.array([actions.kind_names.index(k) for k in first])[chosen]
    actions.add(kind, person, _uniform_between(rng, *_active_window(population, person)))
    recent = np.flatnonzero((population.quiet_from == 0) & (population.joined < -RECENT_DAYS * DAY))
    chosen = rng.choice(len(first), size=len(recent), p=weights / weights.sum())
    kind = np.array([actions.kind_names.index(k) for k in first])[chosen]
    low = np.full(len(recent), -RECENT_DAYS * DAY, dtype=np.int64)
    actions.add(kind, recent, _uniform_between(rng, low, np.full(len(recent), -1)))


def _petition(
    rng: np.random.Generator,
    actions: _Collector,
    population: Population,
    window: tuple[int, int],
) -> None:
    """Each signer signs once, while the petition campaign runs (campaign 0)."""
    low, high = _active_window(population, np.arange(population.size))
    low, high = np.maximum(low, window[0]), np.minimum(high, window[1])
    signs = (high > low) & (rng.random(population.size) < PETITION_SHARE)
    person = np.flatnonzero(signs)
    actions.add("petition", person, _uniform_between(rng, low[person], high[person]), campaign=0)


def _at_events(
    rng: np.random.Generator, actions: _Collector, events: Events, attendances: Attendances
) -> None:
    """Evidence of presence: only for attended attendances, at the event's start."""
    came = attendances.attended
    event, person = attendances.event[came], attendances.person[came]
    when = events.starts[event]
    key = events.key_date[event]
    actions.add("event_attendance", person, when, event, np.where(key, 0, NONE))
    actions.add("mass_action", person[key], when[key], event[key], 0)
    for kind, share in AT_EVENT_SHARES.items():
        rows = rng.random(len(person)) < share
        actions.add(kind, person[rows], when[rows], event[rows])
    educational = np.isin(events.kind[event], [EVENT_KINDS.index(k) for k in EDUCATION_EVENT_KINDS])
    rows = rng.random(len(person)) < np.where(educational, 0.45, 0.05)
    actions.add("education_session", person[rows], when[rows], event[rows])


def _mobilising(
    rng: np.random.Generator,
    actions: _Collector,
    ladder: LadderFile,
    population: Population,
    events: Events,
) -> None:
    """Hosting held events, one 'recruit' per recruit, group leads, and the top rung's kinds."""
    held = (events.host != NONE) & (events.starts < 0) & ~events.cancelled
    hosted = np.flatnonzero(held)
    actions.add("host_event", events.host[hosted], events.starts[hosted], hosted)
    recruited = np.flatnonzero(population.recruiter >= 0)
    actions.add("recruit", population.recruiter[recruited], population.joined[recruited])
    top = len(ladder.rungs) - 1
    if top == 0:
        return
    leaders = _group_leaders(population, top)
    low, high = _active_window(population, leaders)
    actions.add("lead_group", leaders, np.minimum(low + 30 * DAY, high))
    _spread(rng, actions, ladder, population, top, handled=HANDLED)


def _group_leaders(population: Population, top: int) -> np.ndarray:
    """The earliest top-rung member of each group who is still active."""
    candidates = np.flatnonzero((population.level == top) & (population.quiet_from == 0))
    _, first = np.unique(population.group[candidates], return_index=True)
    return candidates[first]


def _spread(
    rng: np.random.Generator,
    actions: _Collector,
    ladder: LadderFile,
    population: Population,
    rung: int,
    handled: set[str],
) -> None:
    """Each kind of ``rung`` not handled by name: 1 + Poisson(2) for people at that rung,
    and a few for the rung just below (people about to climb)."""
    for kind in ladder.kinds_for(ladder.rungs[rung].name):
        if kind.name in handled:
            continue
        at = population.level >= rung
        below = population.level == rung - 1
        counts = np.where(at, 1 + rng.poisson(2.0, population.size), 0)
        counts += np.where(below, rng.poisson(0.05, population.size), 0)
        person = np.repeat(np.arange(population.size), counts)
        actions.add(kind.name, person, _uniform_between(rng, *_active_window(population, person)))


def _other_kinds(
    rng: np.random.Generator, actions: _Collector, ladder: LadderFile, population: Population
) -> None:
    """Kinds of the middle rungs (and any rung) that no other part covers."""
    top = len(ladder.rungs) - 1
    for rung in range(1, top):
        _spread(rng, actions, ladder, population, rung, handled=HANDLED)


def evidence(actions: Actions, ladder: LadderFile, people: int) -> np.ndarray:
    """(people, rungs) booleans: has done at least one action of that rung's kinds.

    Everyone counts as having evidence for the first rung (they joined).
    """
    kind_level = _kind_levels(ladder)
    has = np.zeros((people, len(ladder.rungs)), dtype=bool)
    has[actions.person, kind_level[actions.kind]] = True
    has[:, 0] = True
    return has


def rung_since(
    actions: Actions, ladder: LadderFile, level: np.ndarray, joined: np.ndarray
) -> np.ndarray:
    """When each supporter reached their rung: their first action of that rung's kinds."""
    kind_level = _kind_levels(ladder)
    first = np.full(len(level), np.iinfo(np.int64).max)
    at_own_rung = kind_level[actions.kind] == level[actions.person]
    np.minimum.at(first, actions.person[at_own_rung], actions.occurred[at_own_rung])
    return np.where(first == np.iinfo(np.int64).max, joined, first)


def _kind_levels(ladder: LadderFile) -> np.ndarray:
    """The rung index of each action kind, in ladder order."""
    return np.array([ladder.rung_index(k.rung) for k in ladder.action_kinds], dtype=np.int64)
