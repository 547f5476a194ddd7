"""Volunteers' check-in links: one revocable secret per event, no account.

``ladder events checkin-link EVENT`` makes a new secret for the event and revokes the ones
before it (regenerating is how a lost phone is shut out). The web face turns the secret back
into its event with :func:`event_of_link`; a volunteer holding it may act on that event only.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Engine, Table, insert, select, update

from ladder.access.secrets import matches, new_secret, prefix_of
from ladder.clock import utcnow
from ladder.errors import AccessError, InputError
from ladder.privacy import audit
from ladder.storage.models import CheckinLink

L = cast(Table, CheckinLink.__table__)
LINK_KIND = "chk"


def create_link(engine: Engine, event_id: int, by: str, expires_at: datetime | None = None) -> str:
    """A new secret for ``event_id`` (which the caller has found); earlier links are revoked."""
    now = utcnow()
    if expires_at is not None and expires_at <= now:
        raise InputError("--expires: the link would already be expired: give a later time")
    fresh = new_secret(LINK_KIND)
    with engine.begin() as connection:
        connection.execute(
            update(L)
            .where(L.c.event_id == event_id, L.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        connection.execute(
            insert(L).values(
                event_id=event_id,
                prefix=fresh.prefix,
                secret_hash=fresh.digest,
                created_at=now,
                created_by=by,
                expires_at=expires_at,
            )
        )
        audit.record(connection, by, "events checkin-link", detail={"event": event_id})
    return fresh.secret


def revoke_links(engine: Engine, event_id: int, by: str) -> int:
    """Revoke every live link of an event; returns how many were live."""
    with engine.begin() as connection:
        revoked = connection.execute(
            update(L)
            .where(L.c.event_id == event_id, L.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        audit.record(connection, by, "events checkin-link --revoke", detail={"event": event_id})
    return int(revoked or 0)


def event_of_link(engine: Engine, secret: str | None) -> int:
    """The event a live link's secret is for; AccessError when unknown, revoked or expired."""
    prefix = prefix_of(secret or "")
    if not secret or prefix is None or not prefix.startswith(f"{LINK_KIND}_"):
        raise AccessError("this check-in link is not valid: ask the organiser for a new one")
    with engine.connect() as connection:
        row = connection.execute(
            select(L.c.event_id, L.c.secret_hash, L.c.expires_at, L.c.revoked_at).where(
                L.c.prefix == prefix
            )
        ).first()
    if row is None or not matches(secret, row.secret_hash):
        raise AccessError("this check-in link is not valid: ask the organiser for a new one")
    if row.revoked_at is not None:
        raise AccessError("this check-in link was replaced or revoked: ask the organiser")
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise AccessError("this check-in link has expired: ask the organiser for a new one")
    return int(row.event_id)
