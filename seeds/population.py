"""Who the supporters are, as numpy arrays: join times, recruiters, groups, planned rungs.

Times are int64 seconds relative to the anchor (the dataset's "today"): negative is before it.
Supporter ``i`` (0-based) joined before supporter ``i + 1``, and a recruiter always joined
before the recruit, so the recruitment forest can have no cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DAY = 86_400
SPAN_DAYS = 730  # join dates spread over two years before the anchor
SOURCES = ("web", "event", "referral", "import")
RECRUITED_SHARE = 0.7
LOCAL_RECRUIT_SHARE = 0.25  # recruited by someone who joined just before: builds long chains
SAME_GROUP_SHARE = 0.8  # a recruit usually joins the recruiter's local group
TOP_RUNG_SHARE = 0.019  # #ZéroTolérance: 50 ambassadors for 2,650 engaged people
SECOND_RUNG_SHARE = 0.16


@dataclass(frozen=True)
class Population:
    joined: np.ndarray  # int64 seconds from the anchor, ascending
    recruiter: np.ndarray  # int64 index of the recruiter, -1 for none
    group: np.ndarray  # int64 local-group index
    level: np.ndarray  # int64 planned rung index (0 = the first rung)
    quiet_from: np.ndarray  # int64: no activity after this time (0: active up to the anchor)
    lapsed: np.ndarray  # bool: already marked lapsed (quiet for a long time)
    source: np.ndarray  # int64 index into SOURCES

    @property
    def size(self) -> int:
        return len(self.joined)

    @property
    def active_until(self) -> np.ndarray:
        """The last moment each supporter may have done something."""
        return np.where(self.quiet_from < 0, self.quiet_from, 0)


def build_population(
    rng: np.random.Generator, people: int, groups: int, key_dates: np.ndarray, rungs: int
) -> Population:
    joined = join_times(rng, people, key_dates)
    recruiter, group = recruitment(rng, people, groups)
    level = planned_levels(rng, recruiter, rungs)
    quiet_from = quiet_times(rng, joined, recruiter, level)
    lapsed = quiet_from < -270 * DAY
    source = sources(rng, recruiter)
    return Population(joined, recruiter, group, level, quiet_from, lapsed, source)


def join_times(rng: np.random.Generator, people: int, key_dates: np.ndarray) -> np.ndarray:
    """A growing movement (more joiners lately), with bursts just after key dates."""
    span = SPAN_DAYS * DAY
    joined = -span + (rng.random(people) ** 0.75 * span).astype(np.int64)
    past_dates = key_dates[key_dates < -3 * DAY]
    if len(past_dates):
        burst = rng.random(people) < 0.12
        which = rng.integers(0, len(past_dates), int(burst.sum()))
        joined[burst] = past_dates[which] + rng.integers(0, 3 * DAY, len(which))
    joined = np.minimum(joined, -3600)
    return np.sort(joined)


def recruitment(rng: np.random.Generator, people: int, groups: int) -> tuple[np.ndarray, ...]:
    """Preferential attachment: P(recruiter = j) is proportional to 1 + j's recruits so far.

    The classic trick: with probability i / (i + edges) pick an earlier person uniformly,
    otherwise the recruiter of a random earlier edge. A share of recruits instead come from
    someone who joined just before them, which grows chains 10-30 deep.
    """
    recruited = (rng.random(people) < RECRUITED_SHARE).tolist()
    local = (rng.random(people) < LOCAL_RECRUIT_SHARE).tolist()
    same_group = (rng.random(people) < SAME_GROUP_SHARE).tolist()
    u1 = rng.random(people).tolist()
    u2 = rng.random(people).tolist()
    weights = 1.0 / (np.arange(groups) + 3.0) ** 0.9
    group = rng.choice(groups, size=people, p=weights / weights.sum()).tolist()
    recruiter = [-1] * people
    ends = [0] * people  # recruiters of the edges so far, one entry per edge
    edges = 0
    for i in range(1, people):
        if not recruited[i]:
            continue
        if local[i]:
            chosen = i - 1 - int(u1[i] * min(i, 40))
        elif u1[i] * (i + edges) < i:
            chosen = int(u2[i] * i)
        else:
            chosen = ends[int(u2[i] * edges)]
        recruiter[i] = chosen
        ends[edges] = chosen
        edges += 1
        if same_group[i]:
            group[i] = group[chosen]
    return np.array(recruiter, dtype=np.int64), np.array(group, dtype=np.int64)


def recruit_counts(recruiter: np.ndarray) -> np.ndarray:
    return np.bincount(recruiter[recruiter >= 0], minlength=len(recruiter))


def planned_levels(rng: np.random.Generator, recruiter: np.ndarray, rungs: int) -> np.ndarray:
    """A pyramid: ~16% at or above the second rung, ~1.9% at the top; recruiters climb."""
    people = len(recruiter)
    score = 1.5 * np.log1p(recruit_counts(recruiter)) + rng.gumbel(size=people)
    order = np.argsort(-score, kind="stable")
    level = np.zeros(people, dtype=np.int64)
    for rung, share in enumerate(level_shares(rungs), start=1):
        level[order[: int(round(share * people))]] = rung
    return level


def level_shares(rungs: int) -> list[float]:
    """The share of supporters at or above each rung after the first."""
    if rungs <= 1:
        return []
    if rungs == 2:
        return [0.12]
    ratio = TOP_RUNG_SHARE / SECOND_RUNG_SHARE
    return [SECOND_RUNG_SHARE * ratio ** (r / (rungs - 2)) for r in range(rungs - 1)]


def quiet_times(
    rng: np.random.Generator, joined: np.ndarray, recruiter: np.ndarray, level: np.ndarray
) -> np.ndarray:
    """Activity fades for some: quiet from a time between joining and two months ago."""
    people = len(joined)
    last_recruit = np.full(people, np.iinfo(np.int64).min)
    has = recruiter >= 0
    np.maximum.at(last_recruit, recruiter[has], joined[has])
    fade_chance = np.array([0.3, 0.15, 0.05])[np.minimum(level, 2)]
    fades = (rng.random(people) < fade_chance) & (joined < -120 * DAY)
    start = joined + 14 * DAY
    end = -60 * DAY
    quiet = start + (rng.random(people) * np.maximum(end - start, 0)).astype(np.int64)
    quiet = np.maximum(quiet, last_recruit + DAY)
    fades &= quiet < end
    return np.where(fades, quiet, 0)


def sources(rng: np.random.Generator, recruiter: np.ndarray) -> np.ndarray:
    people = len(recruiter)
    recruited = rng.choice(4, size=people, p=[0.10, 0.25, 0.65, 0.0])
    walked_in = rng.choice(4, size=people, p=[0.55, 0.30, 0.0, 0.15])
    return np.where(recruiter >= 0, recruited, walked_in)


def depths(recruiter: np.ndarray) -> np.ndarray:
    """Depth in the recruitment forest (0 for a root); one pass, recruiters come first."""
    depth = np.zeros(len(recruiter), dtype=np.int64)
    parents = recruiter.tolist()
    values = depth.tolist()
    for i, parent in enumerate(parents):
        if parent >= 0:
            values[i] = values[parent] + 1
    return np.array(values, dtype=np.int64)
