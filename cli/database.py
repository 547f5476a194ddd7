"""`ladder init` and `ladder db ...`: create and upgrade the database."""

from __future__ import annotations

import click

from cli.context import pass_workspace
from ladder.workspace import Workspace


@click.command()
@pass_workspace
def init(workspace: Workspace) -> None:
    """Create a ladder database at the latest schema.

    Refuses a database that holds another application's tables, and leaves it untouched.

    Example: ladder init   (creates ./ladder.db)
    """
    done = workspace.create_database()
    if done.changed:
        click.echo(f"Created {done.where} at schema {done.head}.")
    else:
        click.echo(f"{done.where} is already a ladder database at the latest schema ({done.head}).")


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
    done = workspace.upgrade_database()
    if done.changed:
        click.echo(f"Upgraded {done.where} from schema {done.before} to {done.head}.")
    else:
        click.echo(f"{done.where} is already at the latest schema ({done.head}).")
