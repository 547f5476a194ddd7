"""Whole-graph metrics for every node in one linear pass, children before parents.

For each node: ``direct`` counted recruits, ``reach`` (counted recruits at any depth),
``climbers`` (counted recruits at any depth who are climbers), ``direct_climbers``, and
``depth`` (the longest chain down to a counted recruit). "Counted" is a mask: everybody, or
only the people who joined in a window; chains still run through people who are not counted.

The pass groups nodes by depth (forest.Levels) and pushes each level's totals to the level
above with ``np.add.at``: one numpy call per level and metric. When the graph is a few long
chains it switches to a single Python loop, which is then cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ladder.recruitment.forest import Forest, Levels


@dataclass(frozen=True)
class ForestMetrics:
    direct: np.ndarray
    direct_climbers: np.ndarray
    reach: np.ndarray
    climbers: np.ndarray
    depth: np.ndarray


def forest_metrics(
    forest: Forest,
    counted: np.ndarray | None = None,
    climber: np.ndarray | None = None,
    levels: Levels | None = None,
) -> ForestMetrics:
    """Metrics for every node of ``forest``; ``counted``/``climber`` are boolean masks."""
    size = forest.size
    counted = np.ones(size, dtype=bool) if counted is None else counted
    climber = np.zeros(size, dtype=bool) if climber is None else climber
    levels = levels or Levels.of(forest.parent)
    weight = counted.astype(np.int64)
    climbing = (counted & climber).astype(np.int64)
    if levels.better_in_python():
        reach, climbers, depth = _pass_in_python(levels, forest.parent, weight, climbing)
    else:
        reach, climbers, depth = _pass_by_levels(levels, forest.parent, weight, climbing)
    has_parent = forest.parent >= 0
    parents = forest.parent[has_parent]
    return ForestMetrics(
        direct=np.bincount(parents, weights=weight[has_parent], minlength=size).astype(np.int64),
        direct_climbers=np.bincount(parents, weights=climbing[has_parent], minlength=size).astype(
            np.int64
        ),
        reach=reach,
        climbers=climbers,
        depth=depth,
    )


def _pass_by_levels(
    levels: Levels, parent: np.ndarray, weight: np.ndarray, climbing: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    size = parent.size
    reach = np.zeros(size, dtype=np.int64)
    climbers = np.zeros(size, dtype=np.int64)
    depth = np.zeros(size, dtype=np.int64)
    for level in range(levels.deepest, 0, -1):
        nodes = levels.at(level)
        above = parent[nodes]
        np.add.at(reach, above, reach[nodes] + weight[nodes])
        np.add.at(climbers, above, climbers[nodes] + climbing[nodes])
        reaches_counted = (depth[nodes] > 0) | (weight[nodes] > 0)
        np.maximum.at(depth, above, np.where(reaches_counted, depth[nodes] + 1, 0))
    return reach, climbers, depth


def _pass_in_python(
    levels: Levels, parent: np.ndarray, weight: np.ndarray, climbing: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    parent_of = parent.tolist()
    weight_of = weight.tolist()
    climbing_of = climbing.tolist()
    reach = [0] * parent.size
    climbers = [0] * parent.size
    depth = [0] * parent.size
    for node in levels.deepest_first().tolist():
        above = parent_of[node]
        if above < 0:
            continue
        reach[above] += reach[node] + weight_of[node]
        climbers[above] += climbers[node] + climbing_of[node]
        if depth[node] or weight_of[node]:
            depth[above] = max(depth[above], depth[node] + 1)
    return np.array(reach, np.int64), np.array(climbers, np.int64), np.array(depth, np.int64)


def reach_only(forest: Forest, counted: np.ndarray, levels: Levels | None = None) -> np.ndarray:
    """Only :attr:`ForestMetrics.reach`: for every node, its counted recruits at any depth.

    The same pass as :func:`forest_metrics` with one metric, for reports that need it many
    times over (once per period)."""
    levels = levels or Levels.of(forest.parent)
    weight = counted.astype(np.int64)
    parent = forest.parent
    if levels.better_in_python():
        parent_of = parent.tolist()
        weight_of = weight.tolist()
        below = [0] * parent.size
        for node in levels.deepest_first().tolist():
            above = parent_of[node]
            if above >= 0:
                below[above] += below[node] + weight_of[node]
        return np.array(below, np.int64)
    reach = np.zeros(parent.size, dtype=np.int64)
    for level in range(levels.deepest, 0, -1):
        nodes = levels.at(level)
        np.add.at(reach, parent[nodes], reach[nodes] + weight[nodes])
    return reach
