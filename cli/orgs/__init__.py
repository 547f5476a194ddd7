"""`ladder orgs ...`: partner organisations. Each subcommand lives in its own module."""

from __future__ import annotations

import click

from cli.lazy import LazyGroup

ORGS_COMMANDS: dict[str, str] = {
    "add": "cli.orgs.manage:add",
    "edit": "cli.orgs.manage:edit",
    "list": "cli.orgs.manage:list_command",
    "show": "cli.orgs.show:show",
    "digest": "cli.orgs.digest:digest",
}


@click.group(cls=LazyGroup, lazy=ORGS_COMMANDS)
def orgs() -> None:
    """Partner organisations (towns, associations, agencies, schools) and their people.

    Example: ladder orgs add "Mairie de Lyon" --kind city --member --postcode 69001
    """
