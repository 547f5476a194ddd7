"""The recruitment graph for Gephi, Graphviz or a notebook.

Edges run recruiter -> recruit. Nodes are the people who recruited or were recruited, keyed
by supporter id, with ``label``, ``rung``, ``status``, ``group`` and ``joined`` (join date).
Erased people are anonymous nodes: label "(erased #12)", status and rung only.
With a group, only the edges that touch a member of that group (recruiter or recruit).

GraphML and GEXF come from networkx's writers, ``json`` is networkx's node-link format
(``nx.node_link_graph(data, edges="edges")`` reads it back), ``dot`` is written here
(pydot is not a dependency) with every id and value quoted.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, exists, or_, select

from ladder.domain.text import shown_safely
from ladder.domain.vocabulary import SupporterStatus
from ladder.recruitment.edges import person_label
from ladder.storage.models import LocalGroup, Supporter

if TYPE_CHECKING:
    import networkx as nx

FORMATS = ("graphml", "gexf", "dot", "json")


def recruitment_graph(connection: Connection, group_id: int | None = None) -> nx.DiGraph:
    """A DiGraph recruiter -> recruit with the node attributes above."""
    import networkx as nx

    rows = connection.execute(_people_query(group_id)).all()
    attributes = {row.id: _attributes(row) for row in rows}
    group_of = {row.id: row.local_group_id for row in rows}
    edges = [
        (row.recruiter_id, row.id)
        for row in rows
        if row.recruiter_id in attributes
        and (group_id is None or group_id in (group_of[row.id], group_of[row.recruiter_id]))
    ]
    graph = nx.DiGraph()
    people = sorted({person for edge in edges for person in edge})
    graph.add_nodes_from((person, attributes[person]) for person in people)
    graph.add_edges_from(sorted(edges))
    return graph


def write_graph(graph: nx.DiGraph, file_format: str, stream: IO[bytes]) -> None:
    """Write ``graph`` to a binary stream in one of FORMATS."""
    import networkx as nx

    if file_format == "graphml":
        nx.write_graphml(graph, stream)
    elif file_format == "gexf":
        nx.write_gexf(graph, stream)
    elif file_format == "json":
        stream.write(json.dumps(node_link(graph), indent=1).encode())
    elif file_format == "dot":
        stream.write(to_dot(graph).encode())
    else:
        raise ValueError(f"unknown format {file_format!r}")


def node_link(graph: nx.DiGraph) -> dict[str, Any]:
    """networkx's node-link format with the key ``edges`` (stable across networkx versions)."""
    return {
        "directed": True,
        "multigraph": False,
        "graph": {},
        "nodes": [{"id": node, **data} for node, data in graph.nodes(data=True)],
        "edges": [{"source": source, "target": target} for source, target in graph.edges],
    }


def to_dot(graph: nx.DiGraph) -> str:
    lines = ["digraph recruitment {", "  rankdir=TB;", "  node [shape=box];"]
    for node, data in graph.nodes(data=True):
        values = {**data, "label": f"{data['label']}\n{data['rung']}"}
        attributes = ", ".join(f"{key}={_quote(value)}" for key, value in values.items())
        lines.append(f"  {_quote(node)} [{attributes}];")
    lines += [f"  {_quote(source)} -> {_quote(target)};" for source, target in graph.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(value: object) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks as \\n."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def _people_query(group_id: int | None) -> Any:
    recruit = Supporter.__table__.alias("recruit").c
    query = (
        select(
            Supporter.id,
            Supporter.recruiter_id,
            Supporter.first_name,
            Supporter.last_name,
            Supporter.rung,
            Supporter.status,
            Supporter.created_at,
            Supporter.local_group_id,
            LocalGroup.name.label("group_name"),
        )
        .outerjoin(LocalGroup, LocalGroup.id == Supporter.local_group_id)
        .where(Supporter.merged_into_id.is_(None))
        .order_by(Supporter.id)
    )
    recruited_someone = exists().where(
        and_(recruit.recruiter_id == Supporter.id, recruit.merged_into_id.is_(None))
    )
    if group_id is None:
        return query.where(or_(Supporter.recruiter_id.is_not(None), recruited_someone))
    member = Supporter.__table__.alias("member").c
    members = select(member.id).where(member.local_group_id == group_id)
    recruiters_of_members = select(member.recruiter_id).where(member.local_group_id == group_id)
    return query.where(
        or_(
            Supporter.local_group_id == group_id,
            Supporter.recruiter_id.in_(members),
            Supporter.id.in_(recruiters_of_members),
        )
    )


def _attributes(row: Any) -> dict[str, Any]:
    # names stored before control characters were refused are written escaped: XML 1.0
    # cannot hold a NUL or an ESC at all, escaped or not
    label = shown_safely(person_label(row.id, row.first_name, row.last_name, row.status))
    attributes = {"label": label, "rung": row.rung, "status": row.status}
    if row.status != SupporterStatus.ERASED:
        if row.group_name is not None:
            attributes["group"] = shown_safely(row.group_name)
        attributes["joined"] = row.created_at.date().isoformat()
    return attributes
