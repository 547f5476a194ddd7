"""API tokens: ``ladder tokens create|list|revoke`` and the web API's authentication.

A token has a name (who holds it: it signs the audit entries of what it writes), a role
(:class:`~ladder.domain.vocabulary.Role`), an optional expiry, and is revocable. Only its hash
is stored (:mod:`ladder.access.secrets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Engine, Table, insert, select, update

from ladder.access.secrets import matches, new_secret, prefix_of
from ladder.clock import utcnow
from ladder.domain.text import NAME, text_problem
from ladder.domain.vocabulary import Role
from ladder.errors import AccessError, InputError, NotFoundError
from ladder.privacy import audit
from ladder.storage.models import ApiToken

T = cast(Table, ApiToken.__table__)
TOKEN_KIND = "ldr"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's name and role (the audit's actor is ``token:<name>``)."""

    token_id: int
    name: str
    role: Role

    @property
    def actor(self) -> str:
        return f"token:{self.name}"


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    role: str
    prefix: str
    created_at: datetime
    created_by: str | None
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def create_token(
    engine: Engine, role: str, name: str, by: str, expires_at: datetime | None = None
) -> tuple[str, TokenInfo]:
    """Store a new token and return (the secret, shown once; its record)."""
    chosen = _role(role)
    if problem := text_problem(name, NAME):
        raise InputError(f"--name has {problem}")
    if not name.strip():
        raise InputError("--name: say who holds the token (it signs what the token writes)")
    fresh = new_secret(TOKEN_KIND)
    now = utcnow()
    if expires_at is not None and expires_at <= now:
        raise InputError("--expires: the token would already be expired: give a later time")
    with engine.begin() as connection:
        token_id = connection.execute(
            insert(T)
            .values(
                name=name,
                role=chosen.value,
                prefix=fresh.prefix,
                secret_hash=fresh.digest,
                created_at=now,
                created_by=by,
                expires_at=expires_at,
            )
            .returning(T.c.id)
        ).scalar_one()
        audit.record(connection, by, "tokens create", detail={"token": token_id})
    return fresh.secret, _info(engine, token_id)


def list_tokens(engine: Engine) -> list[TokenInfo]:
    with engine.connect() as connection:
        rows = connection.execute(select(*_COLUMNS).order_by(T.c.id)).all()
    return [TokenInfo(**row._mapping) for row in rows]


def revoke_token(engine: Engine, prefix_or_id: str, by: str) -> TokenInfo:
    """Revoke a token named by its prefix (``ldr_3f9a1c2b``) or id; revoking twice is harmless."""
    with engine.begin() as connection:
        key = prefix_or_id.strip()
        by_id = key.isascii() and key.isdigit() and len(key) <= 18  # "²" is a digit, not an id
        where = T.c.id == int(key) if by_id else T.c.prefix == key
        token_id = connection.execute(select(T.c.id).where(where)).scalar()
        if token_id is None:
            raise NotFoundError(f"no token {key!r}: `ladder tokens list` shows their prefixes")
        connection.execute(
            update(T)
            .where(T.c.id == token_id, T.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        audit.record(connection, by, "tokens revoke", detail={"token": token_id})
    return _info(engine, token_id)


def authenticate(engine: Engine, secret: str | None) -> Principal:
    """The principal a secret names; AccessError (401) when it is missing, unknown, revoked or
    expired. Records when the token was last used."""
    prefix = prefix_of(secret or "")
    if not secret or prefix is None or not prefix.startswith(f"{TOKEN_KIND}_"):
        raise AccessError("missing or malformed API token: send the OSDI-API-Token header")
    now = utcnow()
    with engine.begin() as connection:
        row = connection.execute(
            select(
                T.c.id, T.c.name, T.c.role, T.c.secret_hash, T.c.expires_at, T.c.revoked_at
            ).where(T.c.prefix == prefix)
        ).first()
        if row is None or not matches(secret, row.secret_hash):
            raise AccessError("unknown API token")
        if row.revoked_at is not None:
            raise AccessError(f"API token {prefix} was revoked")
        if row.expires_at is not None and row.expires_at <= now:
            raise AccessError(f"API token {prefix} has expired")
        connection.execute(update(T).where(T.c.id == row.id).values(last_used_at=now))
    return Principal(row.id, row.name, Role(row.role))


def require_role(principal: Principal, *allowed: Role) -> None:
    if principal.role not in allowed:
        wanted = " or ".join(role.value for role in allowed)
        raise AccessError(
            f"this needs an {wanted} token; {principal.name!r} is a {principal.role.value}",
            forbidden=True,
        )


_COLUMNS = (
    T.c.id, T.c.name, T.c.role, T.c.prefix, T.c.created_at, T.c.created_by, T.c.expires_at,
    T.c.last_used_at, T.c.revoked_at,
)  # fmt: skip


def _info(engine: Engine, token_id: int) -> TokenInfo:
    with engine.connect() as connection:
        row = connection.execute(select(*_COLUMNS).where(T.c.id == token_id)).one()
    return TokenInfo(**row._mapping)


def _role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InputError(f"--role: unknown role {role!r}: choose one of {choices}") from None
