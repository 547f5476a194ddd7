"""Influence: PageRank on the recruitment graph, credit flowing from recruit to recruiter.

Every person has at most one out-edge (to their recruiter), and people with no recruiter are
dangling nodes whose rank is spread evenly, like the teleport. So every node receives the
same constant ``c`` plus ``damping`` times the rank of its recruits:

    rank[v] = c * (1 + damping * sum(score[r] for r recruited by v)) = c * score[v]

and ``score`` is one pass from the deepest recruits up; ``c = 1 / sum(score)`` makes the ranks
sum to 1. This is the fixed point that ``nx.pagerank`` iterates towards, computed exactly, in
linear time and zero sweeps: no tolerance to tune (at 1M nodes networkx's default tolerance
stops after one sweep and ranks wrongly). tests/unit/test_graph_metrics.py checks it against
``nx.pagerank`` with a tight tolerance.

``influence`` reports ``score``: PageRank scaled so that a person who recruited nobody has 1.0;
each direct recruit adds up to 0.85, each recruit of theirs 0.72, and so on.
"""

from __future__ import annotations

import numpy as np

from ladder.recruitment.forest import Levels

DAMPING = 0.85


def influence(
    parent: np.ndarray, levels: Levels | None = None, damping: float = DAMPING
) -> np.ndarray:
    """PageRank of every node, scaled so that a node without recruits scores 1.0."""
    levels = levels or Levels.of(parent)
    if levels.better_in_python():
        return _scores_in_python(levels, parent, damping)
    score = np.ones(parent.size, dtype=np.float64)
    for level in range(levels.deepest, 0, -1):
        nodes = levels.at(level)
        np.add.at(score, parent[nodes], damping * score[nodes])
    return score


def pagerank(parent: np.ndarray, damping: float = DAMPING) -> np.ndarray:
    """PageRank of every node (sums to 1), as ``nx.pagerank`` defines it on this graph."""
    score = influence(parent, damping=damping)
    return score / score.sum() if score.size else score


def _scores_in_python(levels: Levels, parent: np.ndarray, damping: float) -> np.ndarray:
    parent_of = parent.tolist()
    score = [1.0] * parent.size
    for node in levels.deepest_first().tolist():
        above = parent_of[node]
        if above >= 0:
            score[above] += damping * score[node]
    return np.array(score, dtype=np.float64)
