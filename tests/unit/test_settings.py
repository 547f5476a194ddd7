from pathlib import Path

import pytest

from ladder.errors import ConfigError
from ladder.settings import Settings, normalise_database_url


def test_db_option_beats_environment_beats_default(tmp_path):
    env = {"LADDER_DATABASE_URL": "sqlite:///from-env.db"}
    assert Settings.resolve(db="cli.db", env=env, cwd=tmp_path).database_url == "sqlite:///cli.db"
    assert Settings.resolve(env=env, cwd=tmp_path).database_url == "sqlite:///from-env.db"
    assert Settings.resolve(env={}, cwd=tmp_path).database_url == "sqlite:///ladder.db"


def test_a_ladder_toml_in_the_current_folder_is_picked_up(tmp_path):
    assert Settings.resolve(env={}, cwd=tmp_path).ladder_file is None
    (tmp_path / "ladder.toml").write_text("")
    assert Settings.resolve(env={}, cwd=tmp_path).ladder_file == tmp_path / "ladder.toml"
    chosen = Settings.resolve(ladder_file="other.toml", env={}, cwd=tmp_path)
    assert chosen.ladder_file == Path("other.toml")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("movement.db", "sqlite:///movement.db"),
        ("postgresql://me@db/movement", "postgresql+psycopg://me@db/movement"),
        ("postgres://me@db/movement", "postgresql+psycopg://me@db/movement"),
        ("postgresql+psycopg://me@db/m", "postgresql+psycopg://me@db/m"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
    ],
)
def test_database_urls_are_normalised(raw, expected):
    assert normalise_database_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("mysql://root@db/m", "unsupported database mysql://"),
        ("postgresql+psycopg2://me@db/m", r"use postgresql\+psycopg://"),
        ("  ", "the database URL is empty"),
    ],
)
def test_unsupported_database_urls_are_refused_with_a_hint(raw, message):
    with pytest.raises(ConfigError, match=message):
        normalise_database_url(raw)


def test_the_acting_user_comes_from_ladder_user():
    assert Settings.resolve(env={"LADDER_USER": "Awa"}).user == "Awa"
