"""Tokens and check-in links: shown once, stored as a hash, refused once revoked or expired."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from ladder.access.links import create_link, event_of_link
from ladder.access.tokens import authenticate, create_token, list_tokens, revoke_token
from ladder.clock import utcnow
from ladder.errors import AccessError, InputError
from ladder.storage.models import AuditEntry
from tests.factories import add_event


def test_a_token_authenticates_until_revoked_and_only_its_hash_is_stored(engine):
    secret, info = create_token(engine, "organiser", "door team", "camille")
    principal = authenticate(engine, secret)
    assert (principal.name, principal.role.value, principal.actor) == (
        "door team", "organiser", "token:door team",
    )  # fmt: skip
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM api_tokens")).one()
    assert secret not in [str(v) for v in stored] and secret.startswith(info.prefix + "_")
    assert list_tokens(engine)[0].last_used_at is not None
    revoke_token(engine, info.prefix, "camille")
    with pytest.raises(AccessError, match="revoked"):
        authenticate(engine, secret)
    with engine.connect() as connection:
        commands = connection.scalars(select(AuditEntry.command)).all()
    assert commands == ["tokens create", "tokens revoke"]


@pytest.mark.parametrize("bad", [None, "", "ldr_nope", "chk_00000000_x", "ldr_00000000_guess"])
def test_malformed_or_unknown_tokens_are_refused(engine, bad):
    create_token(engine, "coordinator", "reports", "camille")
    with pytest.raises(AccessError):
        authenticate(engine, bad)


def test_an_expired_token_and_a_bad_role_are_refused(engine):
    secret, info = create_token(engine, "coordinator", "x", "c", utcnow() + timedelta(days=1))
    with engine.begin() as connection:
        connection.execute(text("UPDATE api_tokens SET expires_at = :t"), {"t": utcnow()})
    with pytest.raises(AccessError, match="expired"):
        authenticate(engine, secret)
    with pytest.raises(InputError, match="unknown role 'volunteer'"):
        create_token(engine, "volunteer", "x", "c")


def test_a_new_checkin_link_revokes_the_old_one(engine):
    event = add_event(engine, "Porte-à-porte")
    old = create_link(engine, event, "camille")
    assert event_of_link(engine, old) == event
    new = create_link(engine, event, "camille")
    assert event_of_link(engine, new) == event
    with pytest.raises(AccessError, match="replaced or revoked"):
        event_of_link(engine, old)
