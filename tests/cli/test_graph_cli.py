"""`ladder recruiters top` and `ladder recruiters tree` on a small known movement, both databases.

Awa Diallo (Nouméa) recruited Jean Wamytan (Nouméa) and Chloé Kasarhérou; Jean recruited
Marie Tjibaou and Paul Gorodey (Lifou); Paul recruited Lise Naisseline, who joined in 2026.
In Lifou, Bastien Ukeiwé recruited Nadia Wéa and a person since erased, who had recruited
Tom Hnawia, also in 2026.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import Engine, insert, select, update

from ladder.storage.models import LocalGroup, Merge, Supporter

OLD = datetime(2024, 5, 1, 9, 30)
NEW = {"Lise": datetime(2026, 3, 1, 18, 0), "Tom": datetime(2026, 2, 1, 8, 0)}

# first name, last name, rung, recruiter's first name, group, status
MOVEMENT = [
    ("Awa", "Diallo", "mobilise", None, "Nouméa", "active"),
    ("Jean", "Wamytan", "attend", "Awa", "Nouméa", "active"),
    ("Chloé", "Kasarhérou", "follow", "Awa", None, "active"),
    ("Marie", "Tjibaou", "follow", "Jean", "Nouméa", "active"),
    ("Paul", "Gorodey", "attend", "Jean", "Lifou", "lapsed"),
    ("Bastien", "Ukeiwé", "follow", None, "Lifou", "active"),
    ("Lise", "Naisseline", "follow", "Paul", "Lifou", "active"),
    ("Nadia", "Wéa", "mobilise", "Bastien", "Lifou", "active"),
    ("Yvette", "Erased", "attend", "Bastien", "Lifou", "erased"),
    ("Tom", "Hnawia", "follow", "Yvette", None, "active"),
]


def build_movement(engine: Engine) -> dict[str, int]:
    """Insert MOVEMENT; returns first name -> id."""
    ids: dict[str, int] = {}
    with engine.begin() as connection:
        groups = {
            name: connection.execute(
                insert(LocalGroup).values(name=name, town=name, created_at=OLD)
            ).inserted_primary_key[0]
            for name in ("Nouméa", "Lifou")
        }
        for first, last, rung, recruiter, group, status in MOVEMENT:
            joined = NEW.get(first, OLD)
            row = {
                "first_name": None if status == "erased" else first,
                "last_name": None if status == "erased" else last,
                "rung": rung,
                "rung_since": joined,
                "created_at": joined,
                "status": status,
                "recruiter_id": ids[recruiter] if recruiter else None,
                "local_group_id": groups[group] if group else None,
            }
            ids[first] = connection.execute(insert(Supporter).values(**row)).inserted_primary_key[0]
    return ids


@pytest.fixture
def movement(engine: Engine) -> dict[str, int]:
    return build_movement(engine)


def _board(ladder_cli, *options: str) -> list[dict]:
    result = ladder_cli("recruiters", "top", "--format", "json", *options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _ids(rows: list[dict], movement: dict[str, int]) -> list[str]:
    by_id = {person: first for first, person in movement.items()}
    return [by_id[row["id"]] for row in rows]


def test_the_leaderboard_by_reach_counts_everyone_below_each_recruiter(ladder_cli, movement):
    rows = _board(ladder_cli)
    assert _ids(rows, movement) == ["Awa", "Jean", "Bastien", "Paul", "Yvette"]
    awa, jean, bastien, paul, yvette = rows
    assert awa == {
        "id": movement["Awa"],
        "name": "Awa Diallo",
        "direct": 2,
        "reach": 5,
        "climbers": 2,  # Jean and Paul reached attend
        "attend_share": 0.5,
        "depth": 3,
        "influence": round(1 + 0.85 * (1 + (1 + 0.85 * (1 + 1 + 0.85))), 3),
    }
    assert (jean["reach"], jean["depth"], jean["attend_share"]) == (3, 2, 0.5)
    # the erased recruit still counts for Bastien, and climbed
    assert (bastien["reach"], bastien["climbers"], bastien["attend_share"]) == (3, 2, 1.0)
    assert (paul["direct"], paul["attend_share"]) == (1, 0.0)
    assert yvette["name"] == f"(erased #{movement['Yvette']})"


def test_ties_are_broken_by_id_and_every_ranking_sorts_highest_first(ladder_cli, movement):
    assert _ids(_board(ladder_cli, "--by", "direct"), movement) == [
        "Awa", "Jean", "Bastien", "Paul", "Yvette"
    ]  # fmt: skip
    assert _ids(_board(ladder_cli, "--by", "climbers"), movement) == [
        "Awa", "Bastien", "Jean", "Paul", "Yvette"
    ]  # fmt: skip
    influence = _board(ladder_cli, "--by", "influence")
    scores = [row["influence"] for row in influence]
    assert scores == sorted(scores, reverse=True)
    assert _ids(influence, movement)[:3] == ["Awa", "Jean", "Bastien"]


def test_since_counts_only_new_recruits_but_chains_run_through_older_people(ladder_cli, movement):
    rows = {row["id"]: row for row in _board(ladder_cli, "--since", "2026-01-01")}
    assert sorted(rows) == sorted(movement[p] for p in ("Awa", "Jean", "Paul", "Bastien", "Yvette"))
    awa = rows[movement["Awa"]]
    # Lise (2026) is three steps below Awa, through Jean and Paul (2024)
    assert (awa["direct"], awa["reach"], awa["depth"], awa["attend_share"]) == (0, 1, 3, None)
    assert rows[movement["Paul"]]["direct"] == 1
    everyone = _board(ladder_cli, "--since", "3650d")
    assert [r["reach"] for r in everyone] == [r["reach"] for r in _board(ladder_cli)]


def test_a_group_keeps_its_recruiters_and_their_recruits_count_wherever_they_live(
    ladder_cli, movement, engine
):
    rows = _board(ladder_cli, "--group", "nouméa")
    assert _ids(rows, movement) == ["Awa", "Jean"]
    assert rows[1]["reach"] == 3  # Paul and Lise live in Lifou
    for same_group in ("NOUMEA", _group_id(engine, "Nouméa")):  # accents ignored, or its id
        assert _board(ladder_cli, "--group", str(same_group)) == rows


def test_a_merged_duplicate_is_not_counted_as_a_second_recruit(ladder_cli, movement, engine):
    with engine.begin() as connection:
        twin = connection.execute(
            insert(Supporter).values(
                first_name="Marie", last_name="Tjibaou", rung="follow", rung_since=OLD,
                created_at=OLD, status="active", recruiter_id=movement["Jean"],
                merged_into_id=movement["Marie"],
            )
        ).inserted_primary_key[0]  # fmt: skip
        connection.execute(
            insert(Merge).values(kept_id=movement["Marie"], merged_id=twin, merged_at=OLD)
        )
    jean = next(row for row in _board(ladder_cli) if row["id"] == movement["Jean"])
    assert (jean["direct"], jean["reach"]) == (2, 3)


def test_limit_cuts_the_board_and_zero_shows_everybody(ladder_cli, movement):
    assert len(_board(ladder_cli, "--limit", "2")) == 2
    assert len(_board(ladder_cli, "--limit", "0")) == 5


def test_csv_has_the_same_keys_as_json(ladder_cli, movement):
    result = ladder_cli("recruiters", "top", "--format", "csv", "--limit", "1")
    header, first = result.stdout.splitlines()
    assert header == "id,name,direct,reach,climbers,attend_share,depth,influence"
    assert first.startswith(f"{movement['Awa']},Awa Diallo,2,5,2,0.5,3,")


def test_an_unknown_group_is_one_line_naming_some_groups(ladder_cli, movement):
    result = ladder_cli("recruiters", "top", "--group", "Maré")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: unknown group 'Maré' (groups include: Lifou, Nouméa)"
    ]
    assert result.stdout == ""


@pytest.mark.parametrize("bad", ["yesterday", "90", "2026-13-01", "-3d"])
def test_a_bad_since_is_misuse_exit_2(ladder_cli, bad):
    result = ladder_cli("recruiters", "top", "--since", bad)
    assert result.exit_code == 2
    assert "Invalid value for '--since'" in result.stderr


def test_a_cycle_stops_the_board_with_a_pointer_to_graph_check_and_changes_nothing(
    ladder_cli, movement, engine
):
    with engine.begin() as connection:
        connection.execute(
            update(Supporter)
            .where(Supporter.id == movement["Awa"])
            .values(recruiter_id=movement["Lise"])
        )
        before = connection.execute(select(Supporter).order_by(Supporter.id)).all()
    result = ladder_cli("recruiters", "top")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: the recruitment graph has a cycle (6 people on or below it): "
        "run `ladder graph check` to see it"
    )
    with engine.connect() as connection:
        assert connection.execute(select(Supporter).order_by(Supporter.id)).all() == before


def test_no_recruiters_yet_says_so(ladder_cli):
    result = ladder_cli("recruiters", "top")
    assert result.exit_code == 0
    assert result.stdout.strip() == "(no recruiters to show)"


def test_the_tree_below_a_person_shows_rungs_and_what_lies_deeper(ladder_cli, movement):
    result = ladder_cli("recruiters", "tree", "Awa Diallo", "--depth", "2")
    assert result.exit_code == 0, result.stderr
    m = movement
    assert result.stdout.splitlines() == [
        f"#{m['Awa']} Awa Diallo [mobilise]",
        f"├── #{m['Jean']} Jean Wamytan [attend]",
        f"│   ├── #{m['Marie']} Marie Tjibaou [follow]",
        f"│   └── #{m['Paul']} Paul Gorodey [attend]  (+1 more below)",
        f"└── #{m['Chloé']} Chloé Kasarhérou [follow]",
        "",
        "4 recruits within 2 level(s).",
    ]


def test_the_chain_up_runs_from_the_first_recruiter_down_to_the_person(ladder_cli, movement):
    result = ladder_cli("recruiters", "tree", str(movement["Tom"]), "--up")
    assert result.exit_code == 0, result.stderr
    m = movement
    assert result.stdout.splitlines() == [
        f"#{m['Bastien']} Bastien Ukeiwé [follow]",
        f"└── #{m['Yvette']} (erased #{m['Yvette']}) [attend]",
        f"    └── #{m['Tom']} Tom Hnawia [follow]",
    ]


def test_the_tree_of_an_unknown_person_is_one_line(ladder_cli, movement):
    result = ladder_cli("recruiters", "tree", "Kanak Nobody")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no person matches 'Kanak Nobody'")
    assert len(result.stderr.strip().splitlines()) == 1


def _group_id(engine: Engine, name: str) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(LocalGroup.id).where(LocalGroup.name == name)))
