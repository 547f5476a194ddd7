"""The ladder file: the default loads, and every broken file gets one line naming the place."""

import json
from dataclasses import FrozenInstanceError

import pytest
from click.testing import CliRunner

from cli.main import cli
from ladder.domain.ladderfile import (
    LadderFile,
    default_ladder_path,
    ladder_problems,
    load_ladder,
    parse_ladder,
)
from ladder.errors import LadderFileError

MINIMAL = '[[rungs]]\nname = "follow"\n[[rungs]]\nname = "ambassador"\n'


def test_the_default_ladder_is_the_350_model():
    ladder = load_ladder(default_ladder_path())
    assert ladder.rung_names == ["follow", "attend", "mobilise"]
    assert [k.name for k in ladder.kinds_for("follow")] == [
        "like",
        "follow",
        "subscribe",
        "merch",
        "petition",
    ]
    assert {k.name for k in ladder.kinds_for("attend")} >= {"event_attendance", "mass_action"}
    assert {k.name for k in ladder.kinds_for("mobilise")} >= {"host_event", "recruit"}


def test_rung_order_helpers():
    ladder = parse_ladder(MINIMAL)
    assert ladder.first_rung == "follow"
    assert ladder.rung_index("ambassador") == 1
    assert ladder.rungs_at_or_above("follow") == ["follow", "ambassador"]
    with pytest.raises(KeyError):
        ladder.rung_index("mayor")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rungs = [", "broken.toml: invalid TOML"),
        ("", "broken.toml: rungs: Field required"),
        ("rungs = []", "broken.toml: rungs: List should have at least 1 item"),
        (
            MINIMAL + '[[action_kinds]]\nname = "vote"\nrung = "mayor"\n',
            "broken.toml: action_kinds[0] (name='vote'): rung: unknown rung 'mayor' "
            "(rungs: follow, ambassador)",
        ),
        (
            MINIMAL + '[[rungs]]\nname = "follow"\n',
            "broken.toml: rungs[2] (name='follow'): name: duplicate name",
        ),
        (
            '[[rungs]]\nname = "Top Level"\n',
            "broken.toml: rungs[0] (name='Top Level'): name: 'Top Level' is not a valid name",
        ),
        (
            MINIMAL + '[[action_kinds]]\nname = "vote"\nrung = "follow"\ncolour = "red"\n',
            "broken.toml: action_kinds[0] (name='vote'): colour: Extra inputs are not permitted",
        ),
    ],
)
def test_a_broken_ladder_file_names_the_file_the_entry_and_the_field(tmp_path, text, message):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(LadderFileError) as caught:
        load_ladder(path)
    assert str(caught.value).startswith(message.replace("broken.toml", str(path)))
    assert "\n" not in str(caught.value)


def test_ladder_problems_lists_every_problem_one_per_line():
    text = '[[rungs]]\nname = "A"\n[[rungs]]\nname = "B"\n'
    problems = ladder_problems(text, "two.toml")
    assert len(problems) == 2
    assert problems[0].startswith("two.toml: rungs[0] (name='A'): name:")
    assert problems[1].startswith("two.toml: rungs[1] (name='B'): name:")
    assert ladder_problems(MINIMAL, "ok.toml") == []


def test_a_missing_ladder_file_is_a_clear_error(tmp_path):
    with pytest.raises(LadderFileError, match="ladder file not found"):
        load_ladder(tmp_path / "nope.toml")


def test_ladder_show_prints_rungs_in_order_with_their_kinds(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "ladder", "show"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    follow = next(i for i, line in enumerate(lines) if "follow" in line and "petition" in line)
    mobilise = next(i for i, line in enumerate(lines) if "mobilise" in line and "recruit" in line)
    assert follow < mobilise


def test_ladder_show_json_has_stable_keys(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL + '[[action_kinds]]\nname = "speech"\nrung = "ambassador"\n')
    result = CliRunner().invoke(
        cli, ["--ladder-file", str(path), "ladder", "show", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"level": 1, "rung": "follow", "label": "", "action_kinds": ""},
        {"level": 2, "rung": "ambassador", "label": "", "action_kinds": "speech"},
    ]


def test_a_corrupted_ladder_file_stops_the_cli_with_one_line_and_exit_1(tmp_path):
    path = tmp_path / "ladder.toml"
    path.write_bytes(b"[[rungs]\n\x00garbage")
    result = CliRunner().invoke(cli, ["--ladder-file", str(path), "ladder", "show"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: invalid TOML")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_the_model_is_frozen():
    ladder: LadderFile = parse_ladder(MINIMAL)
    with pytest.raises(FrozenInstanceError):
        ladder.rungs[0].name = "other"  # type: ignore[misc]


def test_the_invitations_table_is_read_and_checked(tmp_path):
    ladder = parse_ladder(MINIMAL + "[invitations]\nfatigue_days = 3\n")
    assert ladder.invitations.fatigue_days == 3
    assert parse_ladder(MINIMAL).invitations.fatigue_days == 14
    path = tmp_path / "typo.toml"
    path.write_text(MINIMAL + "[invitations.weights]\nclosenes = 1\n")
    with pytest.raises(LadderFileError, match="invitations.weights.closenes: Extra inputs"):
        load_ladder(path)
