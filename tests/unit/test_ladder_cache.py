"""The checked ladder file kept between runs: used only for the same bytes and the same code,
never an error, and what it gives back is what checking the file gives."""

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest

from ladder.domain import ladder_cache, ladder_schema
from ladder.domain.invitations import InvitationSettings, Weights
from ladder.domain.ladderfile import (
    ActionKind,
    LadderFile,
    LadderInfo,
    Rung,
    default_ladder_path,
    load_ladder,
    parse_ladder,
)
from ladder.domain.rules import Condition, Promotion, Rule
from ladder.errors import LadderFileError

LADDER = """
time_zone = "Europe/Paris"
[[rungs]]
name = "follow"
[[rungs]]
name = "attend"
requires_previous = false
[[action_kinds]]
name = "petition"
rung = "follow"
label = "Signed"
[promotion]
lapse_grace_days = 7
[invitations.weights]
closeness = 1
[[rules]]
id = "shows-up"
promote_to = "attend"
any = [
  { attended_events = 2, within_days = 90 },
  { all = [{ actions = 3, kinds = ["petition"] }, { has_tag = "driver" }] },
]
"""


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    """Each test its own cache folder (and the code's digest computed afresh)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(ladder_cache, "_code_digest", None)
    return tmp_path / "cache" / "ladder" / "ladder-files"


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.exists() else []


def test_a_cached_file_reads_back_equal_to_checking_it(tmp_path, cache_home):
    path = tmp_path / "ladder.toml"
    path.write_text(LADDER)
    first = load_ladder(path)  # checked, then kept
    assert len(entries(cache_home)) == 1
    second = load_ladder(path)  # read back
    assert second == first == parse_ladder(LADDER)
    assert second.invitations.weights.closeness == 1.0
    assert second.rules[0].any is not None and second.rules[0].any[1].all is not None
    assert second.rules[0].any[1].all[0].kinds == ("petition",)


def test_the_cache_is_read_without_pydantic(tmp_path):
    path = tmp_path / "ladder.toml"
    path.write_text(LADDER)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    probe = (
        "import sys; from pathlib import Path; from ladder.domain.ladderfile import load_ladder; "
        f"ladder = load_ladder(Path({str(path)!r})); "
        "print(ladder.rung_names, 'pydantic' in sys.modules)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
        ).stdout.split()[-1]
        for _ in range(2)
    ]
    assert runs == ["True", "False"]  # checked with pydantic once, then read from the cache


def test_an_edited_file_is_checked_again(tmp_path, cache_home):
    path = tmp_path / "ladder.toml"
    path.write_text(LADDER)
    load_ladder(path)
    path.write_text(LADDER.replace('[[rungs]]\nname = "attend"', '[[rungs]]\nname = "Attend"'))
    with pytest.raises(LadderFileError, match="rungs\\[1\\]"):
        load_ladder(path)  # the old entry is not used for the new bytes


def planted(tmp_path: Path, cache_home: Path) -> Path:
    """A ladder file whose entry holds a different result than checking it gives: only a new
    key can keep that entry unread."""
    path = tmp_path / "ladder.toml"
    path.write_text(LADDER)
    load_ladder(path)
    [entry] = entries(cache_home)
    entry.write_text(json.dumps({**json.loads(entry.read_text()), "time_zone": "Asia/Tokyo"}))
    assert load_ladder(path).time_zone == "Asia/Tokyo"  # same key: the entry is used
    return path


def test_changed_checking_code_misses_the_old_entry(tmp_path, cache_home, monkeypatch):
    path = planted(tmp_path, cache_home)
    source = tmp_path / "ladder_schema.py"
    source.write_bytes(Path(ladder_schema.__file__).read_bytes() + b"\n# changed\n")
    monkeypatch.setattr(
        ladder_cache,
        "CODE",
        tuple(source if p.name == "ladder_schema.py" else p for p in ladder_cache.CODE),
    )
    monkeypatch.setattr(ladder_cache, "_code_digest", None)
    assert load_ladder(path).time_zone == "Europe/Paris"  # new code: checked again
    assert len(entries(cache_home)) == 2


def test_another_pydantic_version_misses_the_old_entry(tmp_path, cache_home, monkeypatch):
    path = planted(tmp_path, cache_home)
    installed = ladder_cache._pydantic_version_file()
    assert installed is not None and f"VERSION = '{pydantic.VERSION}'" in installed.read_text()
    upgraded = tmp_path / "version.py"
    upgraded.write_text(installed.read_text().replace(pydantic.VERSION, "2.999.0"))
    monkeypatch.setattr(ladder_cache, "_pydantic_version_file", lambda: upgraded)
    monkeypatch.setattr(ladder_cache, "_code_digest", None)
    assert load_ladder(path).time_zone == "Europe/Paris"  # new pydantic: checked again
    assert len(entries(cache_home)) == 2


def test_another_python_misses_the_old_entry(tmp_path, cache_home, monkeypatch):
    path = planted(tmp_path, cache_home)
    monkeypatch.setattr(ladder_cache, "PYTHON", (sys.version_info[0], sys.version_info[1] + 1))
    monkeypatch.setattr(ladder_cache, "_code_digest", None)
    assert load_ladder(path).time_zone == "Europe/Paris"  # new Python: checked again
    assert len(entries(cache_home)) == 2


def test_no_pydantic_version_file_means_no_cache(tmp_path, cache_home, monkeypatch):
    monkeypatch.setattr(ladder_cache, "_pydantic_version_file", lambda: tmp_path / "missing.py")
    path = tmp_path / "ladder.toml"
    path.write_text(LADDER)
    assert load_ladder(path) == parse_ladder(LADDER)
    assert entries(cache_home) == []


def test_unreadable_code_means_no_cache(tmp_path, cache_home, monkeypatch):
    monkeypatch.setattr(ladder_cache, "CODE", (tmp_path / "missing.py",))
    path = tmp_path / "ladder.toml"
    path.write_text(LADDER)
    assert load_ladder(path) == parse_ladder(LADDER)
    assert entries(cache_home) == []


@pytest.mark.parametrize(
    "damage",
    [
        "{not json",
        "[1, 2]",
        json.dumps({"rungs": []}),
        json.dumps({"ladder": {}, "rungs": [{"name": "x", "colour": "red"}]}),
    ],
)
def test_a_corrupt_entry_is_a_miss(tmp_path, cache_home, damage):
    path = tmp_path / "ladder.toml"
    path.write_text(LADDER)
    load_ladder(path)
    [entry] = entries(cache_home)
    entry.write_text(damage)
    assert load_ladder(path) == parse_ladder(LADDER)
    assert json.loads(entry.read_text())["time_zone"] == "Europe/Paris"  # written again


def test_an_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # mkdir under a file fails
    path = tmp_path / "ladder.toml"
    path.write_text(LADDER)
    assert load_ladder(path) == parse_ladder(LADDER)
    assert load_ladder(path) == parse_ladder(LADDER)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_is_no_error(tmp_path, cache_home):
    cache_home.mkdir(parents=True)
    cache_home.chmod(0o500)
    try:
        path = tmp_path / "ladder.toml"
        path.write_text(LADDER)
        assert load_ladder(path) == parse_ladder(LADDER)
        assert entries(cache_home) == []
    finally:
        cache_home.chmod(0o700)


def test_a_broken_file_is_refused_every_time_and_never_cached(tmp_path, cache_home):
    path = tmp_path / "ladder.toml"
    path.write_text(LADDER + '[[action_kinds]]\nname = "vote"\nrung = "mayor"\n')
    for _ in range(2):
        with pytest.raises(LadderFileError) as refused:
            load_ladder(path)
        assert str(refused.value).count("\n") == 0
        assert "action_kinds[1] (name='vote'): rung: unknown rung 'mayor'" in str(refused.value)
    assert entries(cache_home) == []


def test_the_cache_keeps_a_bounded_number_of_entries(tmp_path, cache_home, monkeypatch):
    monkeypatch.setattr(ladder_cache, "KEEP", 3)
    for index in range(5):
        path = tmp_path / f"ladder{index}.toml"
        path.write_text(LADDER + f"# version {index}\n")
        load_ladder(path)
    assert len(entries(cache_home)) == 3


@pytest.mark.parametrize(
    ("dataclass", "model"),
    [
        (LadderFile, ladder_schema.LadderFile),
        (LadderInfo, ladder_schema.LadderInfo),
        (Rung, ladder_schema.Rung),
        (ActionKind, ladder_schema.ActionKind),
        (Promotion, ladder_schema.Promotion),
        (Rule, ladder_schema.Rule),
        (Condition, ladder_schema.Condition),
        (InvitationSettings, ladder_schema.InvitationSettings),
        (Weights, ladder_schema.Weights),
    ],
)
def test_each_dataclass_has_its_models_fields_and_defaults(dataclass, model):
    fields = {f.name: f for f in dataclasses.fields(dataclass)}
    assert list(fields) == list(model.model_fields)
    for name, info in model.model_fields.items():
        if info.is_required():
            assert fields[name].default is dataclasses.MISSING
            continue
        default = info.get_default(call_default_factory=True)
        ours = fields[name].default
        if isinstance(ours, tuple):  # the dataclasses hold tuples where the models hold lists
            ours = list(ours)
        if isinstance(default, ladder_schema.StrictModel):  # a nested table's defaults
            assert dataclasses.asdict(ours) == default.model_dump()
        else:
            assert ours == default


def test_the_default_ladder_reads_back_from_the_cache(cache_home):
    checked = load_ladder(default_ladder_path())
    assert load_ladder(default_ladder_path()) == checked
    assert len(entries(cache_home)) == 1
