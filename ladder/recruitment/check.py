"""Structural problems in the recruitment graph, reported and never changed.

- ``cycle``: A recruited B recruited A (imported or edited data; the metrics refuse to run).
- ``self-recruitment``: someone is their own recruiter.
- ``merged recruiter``: recruits still point at a record merged into someone else.
- ``erased recruiter``: recruits point at an erased person. Nothing to fix: the erased person
  stays an anonymous node so their recruiter keeps the counts; listed so nobody is surprised.

Cycles are found by pointer jumping (forest.root_distances) and then a colouring walk over the
few nodes that never reach a root: linear in the size of the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from ladder.recruitment.edges import fetch_rows, person_labels, read_edges, read_ids
from ladder.recruitment.forest import Forest, root_distances

ERROR = "error"
NOTE = "note"


@dataclass(frozen=True)
class Problem:
    problem: str
    severity: str
    ids: tuple[int, ...]
    people: str
    advice: str


@dataclass(frozen=True)
class GraphReport:
    people: int  # people in at least one edge
    edges: int
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def check_graph(connection: Connection) -> GraphReport:
    recruits, recruiters = read_edges(connection)
    forest = Forest.from_edges(recruits, recruiters)
    cycles = find_cycles(forest)
    names = person_labels(connection, sorted({person for cycle in cycles for person in cycle}))
    problems = [_cycle_problem(cycle, names) for cycle in cycles]
    problems += _recruiter_problems(connection, recruiters)
    people = int(np.unique(np.concatenate([recruits, recruiters])).size)
    return GraphReport(people, int(recruits.size), problems)


def find_cycles(forest: Forest) -> list[list[int]]:
    """Every cycle as supporter ids in recruit -> recruiter order, smallest id first."""
    _distance, stuck = root_distances(forest.parent)
    parent = forest.parent.tolist()
    walk_of: dict[int, int] = {}
    cycles = []
    for start in stuck.tolist():
        node, path = start, []
        while node not in walk_of:  # nodes on or below a cycle always have a recruiter
            walk_of[node] = start
            path.append(node)
            node = parent[node]
        if walk_of[node] == start:  # this walk closed a cycle nobody reported yet
            cycle = forest.ids[path[path.index(node) :]].tolist()
            turn = cycle.index(min(cycle))
            cycles.append(cycle[turn:] + cycle[:turn])
    return sorted(cycles)


def _cycle_problem(cycle: list[int], names: dict[int, str]) -> Problem:
    shown = " -> ".join(f"#{p} {names.get(p, '')}".strip() for p in [*cycle, cycle[0]])
    if len(cycle) == 1:
        return Problem(
            "self-recruitment",
            ERROR,
            tuple(cycle),
            shown,
            f"clear it: ladder people clear-recruiter {cycle[0]}",
        )
    return Problem(
        "cycle",
        ERROR,
        tuple(cycle),
        shown,
        f"break it: ladder people clear-recruiter {cycle[0]} (or set the right recruiter)",
    )


def _recruiter_problems(connection: Connection, recruiters: np.ndarray) -> list[Problem]:
    kept_by_merged = dict(
        fetch_rows(
            connection, "SELECT id, merged_into_id FROM supporters WHERE merged_into_id IS NOT NULL"
        )
    )
    merged = np.array(sorted(kept_by_merged), dtype=np.int64)
    erased = read_ids(connection, "SELECT id FROM supporters WHERE status = 'erased'")
    recruiter_ids, counts = np.unique(recruiters, return_counts=True)
    is_merged = np.isin(recruiter_ids, merged)
    is_erased = np.isin(recruiter_ids, erased) & ~is_merged
    problems = []
    merged_rows = zip(recruiter_ids[is_merged].tolist(), counts[is_merged].tolist(), strict=True)
    for person, count in merged_rows:
        kept = kept_by_merged[person]
        problems.append(
            Problem(
                "merged recruiter",
                ERROR,
                (person,),
                f"#{person} (merged into #{kept}): {_recruits(count)}",
                f"move them: ladder people set-recruiter RECRUIT {kept}",
            )
        )
    erased_rows = zip(recruiter_ids[is_erased].tolist(), counts[is_erased].tolist(), strict=True)
    for person, count in erased_rows:
        problems.append(
            Problem(
                "erased recruiter",
                NOTE,
                (person,),
                f"(erased #{person}): {_recruits(count)}",
                "nothing to fix: kept as an anonymous node",
            )
        )
    return problems


def _recruits(count: int) -> str:
    return f"{count} recruit{'s' if count != 1 else ''}"
