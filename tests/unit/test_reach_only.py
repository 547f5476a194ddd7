"""metrics.reach_only agrees with forest_metrics' reach, on both of its passes."""

from __future__ import annotations

import numpy as np
import pytest

from ladder.recruitment.forest import Forest, Levels
from ladder.recruitment.metrics import forest_metrics, reach_only


def _random_forest(seed: int, size: int, chain: bool) -> Forest:
    rng = np.random.default_rng(seed)
    recruits = np.arange(1, size, dtype=np.int64)
    if chain:  # one long chain: the plain-Python pass
        recruiters = recruits - 1
    else:
        recruiters = np.array([rng.integers(0, i) for i in recruits], dtype=np.int64)
    return Forest.from_edges(recruits, recruiters)


@pytest.mark.parametrize("chain", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reach_only_is_forest_metrics_reach(seed, chain):
    forest = _random_forest(seed, 1_200 if chain else 3_000, chain)
    levels = Levels.of(forest.parent)
    assert levels.better_in_python() == chain
    counted = np.random.default_rng(seed).random(forest.size) < 0.3
    expected = forest_metrics(forest, counted, levels=levels).reach
    assert np.array_equal(reach_only(forest, counted, levels), expected)
    # and by hand: each counted node adds one to every node above it
    by_hand = np.zeros(forest.size, dtype=np.int64)
    for node in np.flatnonzero(counted):
        above = forest.parent[node]
        while above >= 0:
            by_hand[above] += 1
            above = forest.parent[above]
    assert np.array_equal(expected, by_hand)
