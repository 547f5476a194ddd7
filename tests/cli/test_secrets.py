"""No message ever shows a database password, whatever is wrong with the URL or the server."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.errors import without_passwords
from cli.main import cli
from ladder.storage.engine import redacted
from tests.conftest import POSTGRES_URL, require_postgres

SECRET = "S3cretPw"


def _run(*args: str):
    result = CliRunner().invoke(cli, list(args), env={"LADDER_TZ": "UTC"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert SECRET not in result.output
    return result


@pytest.mark.parametrize("command", [["init"], ["people", "list"], ["db", "upgrade"]])
def test_a_malformed_postgresql_url_is_refused_in_one_line_without_its_password(command):
    result = _run("--db", f"postgresql://u:{SECRET}@127.0.0.1:notaport/x", *command)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: cannot use database 'postgresql+psycopg://u:***@127.0.0.1:notaport/x': "
        "the port is not a number: check the URL given to --db"
    ]


@pytest.mark.parametrize("command", [["init"], ["people", "list"]])
def test_a_refused_connection_shows_no_password(command):
    result = _run("--db", f"postgresql://u:{SECRET}@127.0.0.1:1/x", *command)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Connection refused" in result.stderr or "connection" in result.stderr


@pytest.mark.postgres
def test_an_unknown_database_shows_no_password():
    require_postgres()
    server = POSTGRES_URL.rsplit("/", 1)[0].replace("postgres@", f"postgres:{SECRET}@")
    result = _run("--db", f"{server}/no_such_ladder_db", "init")
    assert result.exit_code == 1
    assert 'database "no_such_ladder_db" does not exist' in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://u:{SECRET}@h/x",
        f"postgresql+psycopg://u:{SECRET}@h:notaport/x",
        f"postgresql+psycopg://u:S3c@{SECRET}@h:notaport/x",  # an @ in the password
    ],
)
def test_urls_in_messages_hide_the_password(url):
    assert SECRET not in redacted(url)
    assert "u:***@h" in redacted(url)
    assert SECRET not in without_passwords(f"cannot reach {url} now")
    assert SECRET not in without_passwords(f"host=h user=u password={SECRET} dbname=x")
