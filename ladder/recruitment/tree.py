"""One person's recruitment tree (below them) or chain (above them), from bounded queries.

A recursive CTE walks ``recruiter_id`` a bounded number of steps, so it ends even on data
with a cycle; a person met twice is kept once. The tree is a networkx DiGraph
(recruiter -> recruit) whose nodes carry ``label``, ``rung``, ``hops`` (distance from the
person) and ``more`` (everyone below them beyond the depth asked for, at any depth: a second
recursive CTE, a UNION of (cut, person) pairs, so it ends on a cycle too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from ladder.recruitment.edges import person_label

if TYPE_CHECKING:
    import networkx as nx

MAX_CHAIN = 10_000

_BELOW = text(
    """
    WITH RECURSIVE below(id, recruiter_id, hops) AS (
        SELECT id, recruiter_id, 0 FROM supporters WHERE id = :person
        UNION ALL
        SELECT s.id, s.recruiter_id, below.hops + 1
        FROM supporters s JOIN below ON s.recruiter_id = below.id
        WHERE below.hops < :depth AND s.merged_into_id IS NULL
    ),
    deeper(cut, id) AS (
        SELECT b.id, s.id
        FROM below b JOIN supporters s ON s.recruiter_id = b.id
        WHERE b.hops = :depth AND s.merged_into_id IS NULL
        UNION
        SELECT deeper.cut, s.id
        FROM supporters s JOIN deeper ON s.recruiter_id = deeper.id
        WHERE s.merged_into_id IS NULL
    ),
    beyond(cut, people) AS (
        SELECT cut, count(DISTINCT id) FROM deeper
        WHERE id NOT IN (SELECT id FROM below)
        GROUP BY cut
    )
    SELECT b.id, b.recruiter_id, b.hops, s.first_name, s.last_name, s.rung, s.status,
           coalesce(m.people, 0) AS beyond
    FROM below b JOIN supporters s ON s.id = b.id
    LEFT JOIN beyond m ON m.cut = b.id AND b.hops = :depth
    ORDER BY b.hops, b.id
    """
)

_ABOVE = text(
    """
    WITH RECURSIVE above(id, recruiter_id, hops) AS (
        SELECT id, recruiter_id, 0 FROM supporters WHERE id = :person
        UNION ALL
        SELECT s.id, s.recruiter_id, above.hops + 1
        FROM supporters s JOIN above ON s.id = above.recruiter_id
        WHERE above.hops < :limit
    )
    SELECT a.id, a.hops, s.first_name, s.last_name, s.rung, s.status
    FROM above a JOIN supporters s ON s.id = a.id
    ORDER BY a.hops
    """
)


@dataclass(frozen=True)
class ChainLink:
    id: int
    label: str
    rung: str


def recruitment_tree(connection: Connection, person: int, depth: int) -> nx.DiGraph:
    """``person`` and everyone they recruited, down to ``depth`` levels."""
    import networkx as nx

    tree = nx.DiGraph(root=person, depth=depth)
    for row in connection.execute(_BELOW, {"person": person, "depth": depth}):
        if row.id in tree or (row.hops > 0 and row.recruiter_id not in tree):
            continue  # met again through a cycle
        tree.add_node(
            row.id,
            label=person_label(row.id, row.first_name, row.last_name, row.status),
            rung=row.rung,
            hops=row.hops,
            more=row.beyond,
        )
        if row.hops > 0:
            tree.add_edge(row.recruiter_id, row.id)
    return tree


def recruiter_chain(connection: Connection, person: int) -> tuple[list[ChainLink], bool]:
    """The chain from ``person`` up to the first recruiter, and whether it loops (a cycle)."""
    chain: list[ChainLink] = []
    seen: set[int] = set()
    for row in connection.execute(_ABOVE, {"person": person, "limit": MAX_CHAIN}):
        if row.id in seen:
            return chain, True
        seen.add(row.id)
        label = person_label(row.id, row.first_name, row.last_name, row.status)
        chain.append(ChainLink(row.id, label, row.rung))
    return chain, False
