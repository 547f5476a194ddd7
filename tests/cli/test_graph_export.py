"""`ladder graph export` loads back with networkx's readers; `ladder graph check` reports
structural problems and changes nothing. The movement is the one in test_graph_cli."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import networkx as nx
import numpy as np
import pytest
from sqlalchemy import Engine, insert, select, update

from ladder.recruitment.check import find_cycles
from ladder.recruitment.export import to_dot
from ladder.recruitment.forest import Forest
from ladder.storage.models import Supporter
from tests.cli.test_graph_cli import OLD, build_movement


@pytest.fixture
def movement(engine: Engine) -> dict[str, int]:
    return build_movement(engine)


def _export(ladder_cli, tmp_path, file_format: str, *options: str):
    path = tmp_path / f"movement.{file_format}"
    result = ladder_cli("graph", "export", "--format", file_format, "-o", str(path), *options)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    return path


def _recruitments(movement: dict[str, int]) -> set[tuple[int, int]]:
    from tests.cli.test_graph_cli import MOVEMENT

    return {(movement[r], movement[first]) for first, _l, _r, r, _g, _s in MOVEMENT if r}


@pytest.mark.parametrize(
    "file_format, read",
    [
        ("graphml", lambda path: nx.read_graphml(path, node_type=int)),
        ("gexf", lambda path: nx.read_gexf(path, node_type=int)),
        ("json", lambda path: nx.node_link_graph(json.loads(path.read_text()), edges="edges")),
    ],
)
def test_an_export_loads_back_with_networkx_and_carries_the_attributes(
    ladder_cli, movement, tmp_path, file_format, read
):
    graph = read(_export(ladder_cli, tmp_path, file_format))
    assert graph.is_directed()
    assert set(graph.edges) == _recruitments(movement)  # recruiter -> recruit
    paul = graph.nodes[movement["Paul"]]
    assert (paul["rung"], paul["group"], paul["joined"]) == (
        "attend",
        "Lifou",
        OLD.date().isoformat(),
    )
    assert paul["label"] == "Paul Gorodey"
    assert "group" not in graph.nodes[movement["Chloé"]]  # no group: no attribute
    erased = graph.nodes[movement["Yvette"]]
    assert erased["label"] == f"(erased #{movement['Yvette']})"
    assert "joined" not in erased and "group" not in erased


def test_a_group_export_keeps_the_edges_that_touch_the_group(ladder_cli, movement, tmp_path):
    path = _export(ladder_cli, tmp_path, "json", "--group", "Nouméa")
    graph = nx.node_link_graph(json.loads(path.read_text()), edges="edges")
    m = movement
    assert set(graph.edges) == {
        (m["Awa"], m["Jean"]),
        (m["Awa"], m["Chloé"]),
        (m["Jean"], m["Marie"]),
        (m["Jean"], m["Paul"]),  # Paul lives in Lifou, Jean in Nouméa
    }


def test_the_export_goes_to_standard_output_by_default(ladder_cli, movement):
    result = ladder_cli("graph", "export", "--format", "dot")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("digraph recruitment {")
    assert f'"{movement["Awa"]}" -> "{movement["Jean"]}";' in result.stdout


_ATTRIBUTE = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
_ESCAPES = {"n": "\n", '"': '"', "\\": "\\"}
TRICKY = 'Jo "la Rafale" O\'Neil \\ Nouméa\nSud'


def _tricky_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_node(1, label=TRICKY, rung="attend")
    graph.add_node(2, label="Léa", rung="follow")
    graph.add_edge(1, 2)
    return graph


def test_dot_quotes_names_with_quotes_backslashes_and_line_breaks():
    lines = to_dot(_tricky_graph()).splitlines()
    node_line = next(line for line in lines if line.lstrip().startswith('"1" ['))
    attributes = {
        key: re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], value)
        for key, value in _ATTRIBUTE.findall(node_line)
    }
    assert attributes == {"label": TRICKY + "\nattend", "rung": "attend"}
    assert '  "1" -> "2";' in lines


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_reads_the_dot_export_and_keeps_the_tricky_name():
    drawn = subprocess.run(
        ["dot", "-Tjson"], input=to_dot(_tricky_graph()), capture_output=True, text=True, check=True
    )
    labels = {node["name"]: node["label"] for node in json.loads(drawn.stdout)["objects"]}
    assert labels["1"].replace("\\n", "\n") == TRICKY.replace("\\", "\\\\") + "\nattend"


def test_an_unknown_group_export_writes_no_file(ladder_cli, movement, tmp_path):
    path = tmp_path / "nope.graphml"
    result = ladder_cli("graph", "export", "--group", "Maré", "-o", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown group 'Maré'")
    assert not path.exists()


def test_check_on_clean_data_lists_only_erased_recruiters_and_exits_0(ladder_cli, movement):
    result = ladder_cli("graph", "check", "--format", "json")
    assert result.exit_code == 0, result.stderr
    problems = json.loads(result.stdout)
    assert [(p["problem"], p["severity"], p["ids"]) for p in problems] == [
        ("erased recruiter", "note", str(movement["Yvette"]))
    ]
    assert "0 error(s), 1 note(s)" in result.stderr


def test_check_reports_a_cycle_and_a_merged_recruiter_and_changes_nothing(
    ladder_cli, movement, engine
):
    m = movement
    with engine.begin() as connection:
        connection.execute(
            update(Supporter).where(Supporter.id == m["Awa"]).values(recruiter_id=m["Paul"])
        )
        twin = connection.execute(
            insert(Supporter).values(
                first_name="Awa", last_name="Diallo (old)", rung="follow", rung_since=OLD,
                created_at=OLD, status="active", merged_into_id=m["Nadia"],
            )
        ).inserted_primary_key[0]  # fmt: skip
        connection.execute(
            update(Supporter).where(Supporter.id == m["Chloé"]).values(recruiter_id=twin)
        )
        before = connection.execute(select(Supporter).order_by(Supporter.id)).all()
    result = ladder_cli("graph", "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    cycle = next(line for line in lines if line.startswith("cycle"))
    awa, paul, jean = f"#{m['Awa']} Awa Diallo", f"#{m['Paul']} Paul Gorodey", f"#{m['Jean']}"
    assert f"{awa} -> {paul} -> {jean} Jean Wamytan -> {awa}" in cycle
    merged = next(line for line in lines if line.startswith("merged recruiter"))
    assert f"#{twin} (merged into #{m['Nadia']}): 1 recruit" in merged
    assert f"ladder people set-recruiter RECRUIT {m['Nadia']}" in merged
    assert "2 error(s), 1 note(s)" in result.stdout
    with engine.connect() as connection:
        assert connection.execute(select(Supporter).order_by(Supporter.id)).all() == before


def test_cycles_are_found_once_each_and_self_recruitment_is_a_cycle_of_one():
    # 5 -> 6 -> 5, 9 -> 9, and 7 hangs below the first cycle; 1 -> 2 is fine
    forest = Forest.from_edges(np.array([5, 6, 9, 7, 2]), np.array([6, 5, 9, 6, 1]))
    assert find_cycles(forest) == [[5, 6], [9]]
