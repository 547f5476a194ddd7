"""`ladder init` and `ladder db ...`: create and upgrade the database."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import pass_workspace
from cli.output import printable
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
    """Database: back it up, upgrade an older one.

    Example: ladder db backup ladder-2026-11-30.db
    """


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_workspace
def db_backup(workspace: Workspace, file: Path, force: bool) -> None:
    """Copy the SQLite database to FILE, safely while others use it (the door can keep
    checking people in). FILE is readable by you only. For PostgreSQL, use pg_dump.

    Example: ladder db backup ladder-2026-11-30.db
    """
    done = workspace.backup_database(file, force)
    click.echo(printable(f"Backed up {workspace.describe_database()} to {done}."))


@db.command("upgrade")
@click.option(
    "--no-backup",
    is_flag=True,
    help="Do not copy the database first (on PostgreSQL: you ran pg_dump yourself).",
)
@pass_workspace
def db_upgrade(workspace: Workspace, no_backup: bool) -> None:
    """Bring an older ladder database to the latest schema.

    A SQLite database is first copied next to itself (unless --no-backup); a PostgreSQL one
    must be backed up with pg_dump first (the message says how), then upgraded with
    --no-backup.

    Example: ladder --db old.db db upgrade
    """
    done = workspace.upgrade_database(backup=not no_backup)
    if done.backup is not None:
        click.echo(printable(f"Backed up {done.where} to {done.backup} first."))
    if done.changed:
        click.echo(f"Upgraded {done.where} from schema {done.before} to {done.head}.")
    else:
        click.echo(f"{done.where} is already at the latest schema ({done.head}).")
