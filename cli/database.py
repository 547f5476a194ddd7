"""`ladder init` and `ladder db ...`: create and upgrade the database."""

from __future__ import annotations

import click

from cli.context import pass_workspace
from ladder.storage.kinds import sync_action_kinds
from ladder.storage.schema import SchemaState, describe, initialise, upgrade
from ladder.workspace import Workspace


@click.command()
@pass_workspace
def init(workspace: Workspace) -> None:
    """Create a ladder database at the latest schema.

    Refuses a database that holds another application's tables, and leaves it untouched.

    Example: ladder init   (creates ./ladder.db)
    """
    ladder = workspace.ladder  # a broken ladder file stops us before anything is written
    url = workspace.settings.database_url
    before = initialise(url)
    where = describe(url)
    if before.state is SchemaState.CURRENT:
        click.echo(f"{where} is already a ladder database at the latest schema ({before.head}).")
    else:
        click.echo(f"Created {where} at schema {before.head}.")
    sync_action_kinds(workspace.engine, ladder)


@click.group()
def db() -> None:
    """Database schema: upgrade an older database.

    Example: ladder db upgrade
    """


@db.command("upgrade")
@pass_workspace
def db_upgrade(workspace: Workspace) -> None:
    """Bring an older ladder database to the latest schema.

    Example: ladder --db old.db db upgrade
    """
    url = workspace.settings.database_url
    before, head = upgrade(url)
    where = describe(url)
    if before == head:
        click.echo(f"{where} is already at the latest schema ({head}).")
    else:
        click.echo(f"Upgraded {where} from schema {before} to {head}.")
