"""The linear pass over parent pointers agrees with networkx, node by node."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.errors import ConflictError
from ladder.recruitment.forest import Forest, Levels, root_distances
from ladder.recruitment.influence import influence, pagerank
from ladder.recruitment.metrics import _pass_by_levels, _pass_in_python, forest_metrics


@st.composite
def forests(draw, max_people: int = 60):
    """(recruits, recruiters, ids) of a random forest whose ids need not follow join order."""
    size = draw(st.integers(min_value=1, max_value=max_people))
    sparse = draw(st.booleans())
    id_space = 10**12 if sparse else size * 3
    ids = draw(
        st.lists(
            st.integers(min_value=1, max_value=id_space),
            min_size=size,
            max_size=size,
            unique=True,
        )
    )
    recruits, recruiters = [], []
    for position in range(1, size):  # each person's recruiter joined before them, or nobody
        choice = draw(st.integers(min_value=-1, max_value=position - 1))
        if choice >= 0:
            recruits.append(ids[position])
            recruiters.append(ids[choice])
    return np.array(recruits, np.int64), np.array(recruiters, np.int64), ids


def _graph(recruits, recruiters, ids) -> nx.DiGraph:
    """recruiter -> recruit, with every person as a node."""
    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    graph.add_edges_from(zip(recruiters.tolist(), recruits.tolist(), strict=True))
    return graph


def _masks(draw, ids):
    counted = {i for i in ids if draw(st.booleans())}
    climbing = {i for i in ids if draw(st.booleans())}
    return counted, climbing


def _expected(graph: nx.DiGraph, person: int, counted: set, climbing: set) -> dict:
    below = nx.descendants(graph, person)
    lengths = nx.single_source_shortest_path_length(graph, person)
    direct = [r for r in graph.successors(person) if r in counted]
    return {
        "direct": len(direct),
        "direct_climbers": sum(1 for r in direct if r in climbing),
        "reach": sum(1 for r in below if r in counted),
        "climbers": sum(1 for r in below if r in counted and r in climbing),
        "depth": max((lengths[r] for r in below if r in counted), default=0),
    }


@settings(max_examples=60, deadline=None)
@given(data=st.data(), forest_data=forests())
def test_the_linear_pass_agrees_with_descendants_for_every_person(data, forest_data):
    recruits, recruiters, ids = forest_data
    counted, climbing = _masks(data.draw, ids)
    forest = Forest.from_edges(recruits, recruiters)
    metrics = forest_metrics(
        forest,
        counted=forest.mask_of(np.array(sorted(counted), np.int64)),
        climber=forest.mask_of(np.array(sorted(climbing), np.int64)),
    )
    graph = _graph(recruits, recruiters, ids)
    nodes = forest.index_of(np.array(ids))
    for person, node in zip(ids, nodes.tolist(), strict=True):
        if node < 0:  # in no edge: nothing to count
            assert graph.degree(person) == 0
            continue
        got = {
            name: int(getattr(metrics, name)[node])
            for name in ("direct", "direct_climbers", "reach", "climbers", "depth")
        }
        assert got == _expected(graph, person, counted, climbing), person


@settings(max_examples=40, deadline=None)
@given(forest_data=forests())
def test_the_python_loop_and_the_level_pass_give_the_same_numbers(forest_data):
    recruits, recruiters, _ids = forest_data
    forest = Forest.from_edges(recruits, recruiters)
    levels = Levels.of(forest.parent)
    weight = (forest.ids % 2).astype(np.int64)
    climbing = weight * (forest.ids % 3 == 0)
    by_levels = _pass_by_levels(levels, forest.parent, weight, climbing)
    in_python = _pass_in_python(levels, forest.parent, weight, climbing)
    for left, right in zip(by_levels, in_python, strict=True):
        assert left.tolist() == right.tolist()


@settings(max_examples=60, deadline=None)
@given(forest_data=forests())
def test_influence_is_networkx_pagerank_with_credit_flowing_to_recruiters(forest_data):
    recruits, recruiters, ids = forest_data
    forest = Forest.from_edges(recruits, recruiters)
    nodes = forest.index_of(np.array(ids))
    inside = nodes >= 0
    # PageRank over exactly the people in the forest (dense forests have id gaps)
    graph = nx.DiGraph()
    graph.add_nodes_from(forest.ids.tolist())
    graph.add_edges_from(zip(recruits.tolist(), recruiters.tolist(), strict=True))
    # networkx stops when the summed error is below N * tol: scale tol down with N so the
    # reference is converged to ~1e-13 overall, whatever the forest's size
    size = max(1, graph.number_of_nodes())
    expected = nx.pagerank(graph, tol=1e-13 / size, max_iter=100_000)
    ranks = pagerank(forest.parent)
    for person, node in zip(np.array(ids)[inside].tolist(), nodes[inside].tolist(), strict=True):
        assert ranks[node] == pytest.approx(expected[person], rel=1e-7, abs=1e-12)


def test_a_person_who_recruited_nobody_has_influence_one_and_each_recruit_adds_085():
    # 1 recruited 2 and 3; 2 recruited 4
    forest = Forest.from_edges(np.array([2, 3, 4]), np.array([1, 1, 2]))
    scores = influence(forest.parent)
    node = forest.index_of(np.array([1, 2, 3, 4]))
    assert scores[node].tolist() == pytest.approx([1 + 0.85 * 2 + 0.85**2, 1.85, 1.0, 1.0])


def test_a_long_chain_takes_the_python_loop_and_still_counts_everyone():
    people = 5_000
    recruits = np.arange(2, people + 1)
    forest = Forest.from_edges(recruits, recruits - 1)
    levels = Levels.of(forest.parent)
    assert levels.better_in_python()
    metrics = forest_metrics(forest, levels=levels)
    top = int(forest.index_of(np.array([1]))[0])
    assert (metrics.reach[top], metrics.depth[top]) == (people - 1, people - 1)
    assert influence(forest.parent, levels)[top] == pytest.approx(1 / 0.15, rel=1e-9)


def test_a_cycle_stops_the_pass_with_a_pointer_to_graph_check():
    # 7 -> 8 -> 9 -> 7 is a cycle, 10 hangs below it, 1 -> 2 is fine
    forest = Forest.from_edges(np.array([8, 9, 7, 10, 2]), np.array([7, 8, 9, 9, 1]))
    with pytest.raises(ConflictError, match=r"cycle \(4 people.*ladder graph check"):
        forest_metrics(forest)
    _distance, stuck = root_distances(forest.parent)
    assert sorted(forest.ids[stuck].tolist()) == [7, 8, 9, 10]
