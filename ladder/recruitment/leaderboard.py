"""Top recruiters: a leaderboard over the whole recruitment graph, in one pass.

For every recruiter: ``direct`` recruits, ``reach`` (recruits at any depth), ``climbers``
(recruits at any depth on the second rung or above: attend, mobilise with the default ladder),
``attend_share`` (the share of direct recruits who climbed; empty without direct recruits),
``depth`` (the longest chain below them) and ``influence`` (PageRank,
see ladder.recruitment.influence).

``since`` counts only recruits who joined (created_at) at or after it: direct, reach, climbers,
attend_share and depth are over those recruits, but chains still run through people who joined
earlier (Ana, from 2023, recruited Bea in 2023, who recruited Chloe last month: since last
quarter, Chloe counts in Ana's reach at depth 2). Influence is always over the whole graph.
The board lists everybody with at least one counted recruit, ranked by ``by`` (highest first,
ties by id). ``group`` keeps recruiters of that local group; their recruits count wherever
they live. Erased people stay as anonymous nodes, so their recruiters keep their counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from ladder.domain.ladderfile import LadderFile
from ladder.domain.text import parse_id
from ladder.errors import MisuseError
from ladder.people.groups import find_group as find_group_id
from ladder.recruitment.edges import (
    ids_at_rungs,
    ids_in_group,
    ids_joined_since,
    person_labels,
    read_edges,
)
from ladder.recruitment.forest import Forest, Levels
from ladder.recruitment.influence import influence
from ladder.recruitment.metrics import ForestMetrics, forest_metrics
from ladder.storage.models import LocalGroup

RANKINGS = ("direct", "reach", "climbers", "influence")
COLUMNS = ("id", "name", "direct", "reach", "climbers", "attend_share", "depth", "influence")


@dataclass(frozen=True)
class Group:
    id: int
    name: str


def top_recruiters(
    connection: Connection,
    ladder: LadderFile,
    by: str = "reach",
    since: datetime | None = None,
    group: str | None = None,
    limit: int | None = 20,
) -> list[dict[str, Any]]:
    """The leaderboard rows (keys: COLUMNS), best first; ``limit`` None for everybody."""
    if by not in RANKINGS:
        raise MisuseError(f"cannot rank by {by!r}: use one of {', '.join(RANKINGS)}")
    chosen = find_group(connection, group) if group else None
    forest = Forest.from_edges(*read_edges(connection))
    levels = Levels.of(forest.parent)
    counted = None if since is None else forest.mask_of(ids_joined_since(connection, since))
    climber = forest.mask_of(ids_at_rungs(connection, climbing_rungs(ladder)))
    metrics = forest_metrics(forest, counted, climber, levels)
    scores = influence(forest.parent, levels)
    candidates = np.flatnonzero(metrics.reach > 0)
    if chosen is not None:
        in_group = forest.mask_of(ids_in_group(connection, chosen.id))
        candidates = candidates[in_group[candidates]]
    key = scores if by == "influence" else getattr(metrics, by)
    ranked = candidates[np.lexsort((forest.ids[candidates], -key[candidates]))]
    if limit is not None:
        ranked = ranked[:limit]
    names = person_labels(connection, forest.ids[ranked].tolist())
    return [_row(forest, metrics, scores, names, int(node)) for node in ranked]


def climbing_rungs(ladder: LadderFile) -> list[str]:
    """The rungs that make a recruit a climber: the second rung and above."""
    names = ladder.rung_names
    return ladder.rungs_at_or_above(names[1]) if len(names) >= 2 else []


def find_group(connection: Connection, text: str) -> Group:
    """A local group by id, or by name as everywhere else (:func:`people.find_group`)."""
    wanted = text.strip()
    number = parse_id(wanted) if wanted.isascii() and wanted.isdigit() else None
    if number is not None:
        name = connection.scalar(select(LocalGroup.name).where(LocalGroup.id == number))
        if name is not None:
            return Group(number, name)
    group_id = find_group_id(connection, wanted)
    name = connection.scalar(select(LocalGroup.name).where(LocalGroup.id == group_id))
    return Group(group_id, str(name))


def _row(
    forest: Forest, metrics: ForestMetrics, scores: np.ndarray, names: dict[int, str], node: int
) -> dict[str, Any]:
    person = int(forest.ids[node])
    direct = int(metrics.direct[node])
    share = round(int(metrics.direct_climbers[node]) / direct, 3) if direct else None
    return {
        "id": person,
        "name": names.get(person, f"#{person}"),
        "direct": direct,
        "reach": int(metrics.reach[node]),
        "climbers": int(metrics.climbers[node]),
        "attend_share": share,
        "depth": int(metrics.depth[node]),
        "influence": round(float(scores[node]), 3),
    }
