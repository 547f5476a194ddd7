"""`ladder tokens create|list|revoke`: API tokens for the web face's OSDI API."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.output import echo_rows, output_options
from cli.when import Expiry, local_text
from ladder.access import tokens as service
from ladder.clock import utcnow
from ladder.domain.vocabulary import Role
from ladder.workspace import Workspace

COLUMNS = ["prefix", "name", "role", "state", "expires", "last_used", "created", "created_by"]


@click.group()
def tokens() -> None:
    """API tokens: who may call `ladder serve`'s API, with which role.

    Organisers read and write people, events and attendance; coordinators read reports and
    the graph. Only a token's hash is stored: it is shown once, when created.

    Example: ladder tokens create --role organiser --name "Zapier sync" --expires 90d
    """


@tokens.command("create")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role], case_sensitive=False),
    required=True,
    help="organiser (people, events, attendance) or coordinator (reports, graph).",
)
@click.option("--name", default=None, help="Who holds it; signs the audit of what it writes.")
@click.option("--expires", type=Expiry(), help="90m, 12h, 30d, 2w or a date (default: never).")
@pass_workspace
def create(workspace: Workspace, role: str, name: str | None, expires: datetime | None) -> None:
    """Create a token and print it once.

    Example: ladder tokens create --role coordinator --name "Report sheet" --expires 30d
    """
    secret, info = service.create_token(
        workspace.engine,
        role,
        name if name is not None else f"{role} token",
        workspace.settings.user,
        expires,
    )
    until = f", expires {local_text(info.expires_at)}" if info.expires_at else ""
    click.echo(f"Created {info.role} token {info.prefix} for {info.name!r}{until}:", err=True)
    click.echo(secret)
    click.echo("Copy it now: it will not be shown again (only its hash is stored).", err=True)


@tokens.command("list")
@output_options
@pass_workspace
def list_(workspace: Workspace, output_format: str) -> None:
    """List tokens: prefix, name, role, state, expiry, last use (never the token itself).

    Example: ladder tokens list --format csv
    """
    now = utcnow()
    rows = [
        {
            "prefix": info.prefix,
            "name": info.name,
            "role": info.role,
            "state": info.state(now),
            "expires": info.expires_at,
            "last_used": info.last_used_at,
            "created": info.created_at,
            "created_by": info.created_by,
        }
        for info in service.list_tokens(workspace.engine)
    ]
    echo_rows(rows, COLUMNS, output_format, empty="No tokens: `ladder tokens create` makes one.")


@tokens.command("revoke")
@click.argument("prefix")
@pass_workspace
def revoke(workspace: Workspace, prefix: str) -> None:
    """Revoke a token by its prefix (from `ladder tokens list`); it stops working at once.

    Example: ladder tokens revoke ldr_3f9a1c2b
    """
    info = service.revoke_token(workspace.engine, prefix, workspace.settings.user)
    click.echo(f"Revoked token {info.prefix} ({info.name!r}).")
