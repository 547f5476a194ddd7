"""Recruitment cycles: refused everywhere a recruiter changes (add, edit, import, merge).

Who recruited whom is a parent pointer (``supporters.recruiter_id``), so a new edge
``person -> recruiter`` makes a cycle exactly when ``person`` is already on the recruiter's
chain up. One recursive CTE walks that chain for a single change; :func:`find_new_cycles`
checks many new edges at once in one linear pass over parent pointers (imports).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select, text

from ladder.domain.names import labelled
from ladder.errors import CycleError
from ladder.storage.models import Supporter

MAX_CHAIN = 100_000  # a chain longer than this is a cycle already in the data

_CHAIN_UP = text(
    """
    WITH RECURSIVE chain(id, recruiter_id, depth) AS (
        SELECT id, recruiter_id, 0 FROM supporters WHERE id = :start
        UNION ALL
        SELECT s.id, s.recruiter_id, chain.depth + 1
        FROM supporters s JOIN chain ON s.id = chain.recruiter_id
        WHERE chain.id <> :stop AND chain.depth < :limit
    )
    SELECT id FROM chain ORDER BY depth
    """
)


def chain_up(connection: Connection, start: int, stop: int = 0) -> list[int]:
    """``start``, its recruiter, theirs... up to the top (or up to ``stop``), in one query."""
    rows = connection.execute(_CHAIN_UP, {"start": start, "stop": stop, "limit": MAX_CHAIN})
    return [row[0] for row in rows]


def check_new_recruiter(connection: Connection, person_id: int, recruiter_id: int) -> None:
    """Raise CycleError if ``recruiter_id`` recruiting ``person_id`` closes a cycle."""
    if person_id == recruiter_id:
        raise CycleError(
            f"{describe_people(connection, [person_id])[0]} cannot be their own recruiter"
        )
    chain = chain_up(connection, recruiter_id, stop=person_id)
    if person_id in chain:
        cycle = [person_id, *chain[: chain.index(person_id) + 1]]
        raise CycleError(cycle_message(describe_people(connection, cycle)))


def cycle_message(names: list[str]) -> str:
    """``recruitment cycle: #12 Awa Diallo -> #40 Jean Wamytan -> #12 Awa Diallo``."""
    return f"recruitment cycle: {' -> '.join(names)} (each recruited by the next)"


def describe_people(connection: Connection, ids: list[int]) -> list[str]:
    """``#12 Awa Diallo`` for each id, in order (ids may repeat)."""
    query = select(Supporter.id, Supporter.first_name, Supporter.last_name).where(
        Supporter.id.in_(set(ids))
    )
    names = {
        row.id: labelled(row.id, row.first_name, row.last_name) for row in connection.execute(query)
    }
    return [names.get(i, f"#{i}") for i in ids]


def find_new_cycles(
    new_parents: Mapping[int, int], old_parent: Callable[[int], int | None]
) -> list[list[int]]:
    """Every cycle that the edges ``child -> new parent`` close, each as [a, b, ..., a].

    ``new_parents`` overrides ``old_parent`` (the database's pointers). Linear: every node is
    walked at most once (a colouring pass over a functional graph).
    """

    def parent(node: int) -> int | None:
        return new_parents[node] if node in new_parents else old_parent(node)

    done: set[int] = set()
    cycles: list[list[int]] = []
    for start in new_parents:
        path: list[int] = []
        on_path: dict[int, int] = {}
        node: int | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = parent(node)
        if node is not None and node in on_path:
            cycle = path[on_path[node] :]
            if any(member in new_parents for member in cycle):
                cycles.append([*cycle, cycle[0]])
        done.update(path)
    return cycles
