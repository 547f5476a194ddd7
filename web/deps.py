"""FastAPI dependencies shared by the API and the pages: the workspace, who is calling."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import Engine

from ladder.access.tokens import Principal, authenticate, require_role
from ladder.domain.vocabulary import Role
from ladder.workspace import Workspace

TOKEN_HEADER = "OSDI-API-Token"


def workspace(request: Request) -> Workspace:
    found: Workspace = request.app.state.workspace
    return found


def engine(request: Request) -> Engine:
    return workspace(request).engine


def token_of(request: Request) -> str | None:
    """The API token a request carries: the ``OSDI-API-Token`` header (as Action Network's
    clients send it), else ``Authorization: Bearer <token>``."""
    found = request.headers.get(TOKEN_HEADER)
    if found:
        return found
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


def principal(request: Request) -> Principal:
    """The token's holder (401 without a valid token)."""
    return authenticate(engine(request), token_of(request))


def organiser(request: Request) -> Principal:
    """An organiser token: reads and writes people, events and attendance (403 otherwise)."""
    who = principal(request)
    require_role(who, Role.ORGANISER)
    return who


def reader(request: Request) -> Principal:
    """Any token (organisers and coordinators both read reports and the graph)."""
    return principal(request)
