"""`ladder tokens create|list|revoke` and `ladder events checkin-link`, on both databases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ladder.access.links import event_of_link
from ladder.access.tokens import authenticate
from ladder.errors import AccessError
from ladder.storage.models import ApiToken, AuditEntry
from tests.factories import add_event, dump

TOKEN = re.compile(r"^(ldr_[0-9a-f]{8})_\S{43}$", re.MULTILINE)
LINK = re.compile(r"^http://127\.0\.0\.1:8000/checkin/(chk_[0-9a-f]{8}_\S{43})$", re.MULTILINE)


def test_create_prints_the_token_once_and_stores_its_hash(ladder_cli, engine) -> None:
    result = ladder_cli("tokens", "create", "--role", "organiser", "--name", "Zapier sync")
    assert result.exit_code == 0, result.output
    token = TOKEN.search(result.output)
    assert token is not None
    assert "will not be shown again" in result.output
    assert authenticate(engine, token.group(0)).name == "Zapier sync"
    with engine.connect() as connection:
        stored = connection.execute(select(ApiToken.secret_hash, ApiToken.prefix)).one()
    assert token.group(0) not in str(tuple(stored))
    listed = ladder_cli("tokens", "list")
    assert token.group(1) in listed.output and "Zapier sync" in listed.output
    assert "active" in listed.output
    assert token.group(0) not in listed.output  # the list never shows the secret


def test_list_formats_and_states(ladder_cli) -> None:
    ladder_cli("tokens", "create", "--role", "coordinator", "--name", "Reports", "--expires", "2h")
    gone = ladder_cli("tokens", "create", "--role", "organiser", "--name", "Old")
    prefix = TOKEN.search(gone.output).group(1)
    assert ladder_cli("tokens", "revoke", prefix).exit_code == 0
    listed = ladder_cli("tokens", "list", "--format", "csv")
    lines = listed.output.splitlines()
    assert lines[0] == "prefix,name,role,state,expires,last_used,created,created_by"
    states = {line.split(",")[1]: line.split(",")[3] for line in lines[1:]}
    assert states == {"Reports": "active", "Old": "revoked"}
    assert ladder_cli("tokens", "list", "--format", "json").output.lstrip().startswith("[")


def test_revoke_stops_the_token(ladder_cli, engine) -> None:
    made = ladder_cli("tokens", "create", "--role", "organiser", "--name", "Laptop")
    token = TOKEN.search(made.output)
    result = ladder_cli("tokens", "revoke", token.group(1))
    assert result.exit_code == 0 and "Revoked token" in result.output
    with pytest.raises(AccessError, match="revoked"):
        authenticate(engine, token.group(0))
    assert ladder_cli("tokens", "revoke", token.group(1)).exit_code == 0  # twice is harmless


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["create", "--role", "boss"], "'boss' is not one of"),
        (["create"], "Missing option '--role'"),
        (["create", "--role", "organiser", "--expires", "5x"], "is not a duration"),
        (["create", "--role", "organiser", "--expires", "2001-01-01"], "already be expired"),
        (["create", "--role", "organiser", "--name", "a\x1bb"], "control character"),
        (["create", "--role", "organiser", "--name", "  "], "say who holds the token"),
        (["revoke", "ldr_00000000"], "no token 'ldr_00000000'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(ladder_cli, engine, args, says) -> None:
    before = dump(engine)
    result = ladder_cli("tokens", *args)
    assert result.exit_code != 0
    assert says in result.output
    assert "Traceback" not in result.output
    assert dump(engine) == before


def test_checkin_link_prints_a_working_url_and_revokes_the_old(ladder_cli, engine) -> None:
    event = add_event(engine, "Forum")
    first = LINK.search(ladder_cli("events", "checkin-link", str(event)).output).group(1)
    assert event_of_link(engine, first) == event
    result = ladder_cli("events", "checkin-link", str(event), "--expires", "12h")
    assert "expires" in result.output and "earlier links are revoked" in result.output
    second = LINK.search(result.output).group(1)
    assert event_of_link(engine, second) == event
    with pytest.raises(AccessError, match="replaced or revoked"):
        event_of_link(engine, first)
    custom = ladder_cli("events", "checkin-link", str(event), "--base-url", "http://10.0.0.5:9000/")
    assert "http://10.0.0.5:9000/checkin/chk_" in custom.output
    revoked = ladder_cli("events", "checkin-link", str(event), "--revoke")
    assert revoked.exit_code == 0 and "Revoked 1 check-in link" in revoked.output
    with pytest.raises(AccessError):
        event_of_link(
            engine, LINK.search(custom.output.replace("10.0.0.5:9000", "127.0.0.1:8000")).group(1)
        )
    with engine.connect() as connection:
        commands = list(connection.execute(select(AuditEntry.command)).scalars())
    assert commands.count("events checkin-link") == 3
    assert commands.count("events checkin-link --revoke") == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["99"], "no event matches '99'"),
        (["1", "--expires", "yesterday"], "is not a duration"),
        (["1", "--revoke", "--expires", "2h"], "--revoke takes no --expires"),
    ],
)
def test_checkin_link_bad_input_writes_nothing(ladder_cli, engine, args, says) -> None:
    add_event(engine, "Forum")
    before = dump(engine)
    result = ladder_cli("events", "checkin-link", *args)
    assert result.exit_code != 0 and says in result.output
    assert dump(engine) == before


def test_help_has_examples(ladder_cli) -> None:
    for args in (
        ["tokens"],
        ["tokens", "create"],
        ["tokens", "list"],
        ["tokens", "revoke"],
        ["events", "checkin-link"],
        ["serve"],
    ):
        result = ladder_cli(*args, "--help")
        assert result.exit_code == 0 and "Example: ladder" in result.output, args
