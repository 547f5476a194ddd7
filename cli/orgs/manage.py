"""`ladder orgs add`, `orgs edit` and `orgs list`."""

from __future__ import annotations

from typing import Any

import click

from cli.context import pass_workspace
from cli.output import echo_rows, output_options
from ladder.orgs.manage import KINDS, LIST_COLUMNS, OrgInput, add_org, edit_org, list_orgs
from ladder.workspace import Workspace


def org_options(function: Any) -> Any:
    """The options shared by `orgs add` and `orgs edit`."""
    options = [
        click.option("--kind", help=f"{', '.join(KINDS)}, or any other word."),
        click.option("--member/--no-member", default=None, help="A member of the network, or not."),
        click.option("--postcode", help="Postcode of its office."),
        click.option("--website", metavar="URL", help="Its website."),
        click.option("--email", "contact_email", help="Its contact address."),
        click.option("--group", metavar="NAME", help="The local group that works with it."),
        click.option("--notes", help="Free notes about the partnership."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.command("add")
@click.argument("name")
@org_options
@pass_workspace
def add(workspace: Workspace, name: str, **fields: Any) -> None:
    """Add a partner organisation. Its name is matched as groups are: case and accents
    ignored, so "mairie de lyon" names it too.

    Example: ladder orgs add "Mairie de Lyon" --kind city --member --postcode 69001
    """
    found = add_org(workspace.engine, OrgInput(name=name, **fields), by=workspace.settings.user)
    click.echo(f"Added organisation {found.describe()}.")


@click.command("edit")
@click.argument("org", metavar="ORG")
@click.option("--name", help="A new name.")
@org_options
@pass_workspace
def edit(workspace: Workspace, org: str, **fields: Any) -> None:
    """Change an organisation's details (only the options given; an empty value clears one).

    Example: ladder orgs edit "Mairie de Lyon" --no-member --website https://lyon.fr
    """
    found = edit_org(workspace.engine, org, OrgInput(**fields), by=workspace.settings.user)
    click.echo(f"Updated organisation {found.describe()}.")


@click.command("list")
@click.option("--kind", help="Only organisations of this kind.")
@click.option("--member/--no-member", default=None, help="Only members, or only non-members.")
@output_options
@pass_workspace
def list_command(
    workspace: Workspace, kind: str | None, member: bool | None, output_format: str
) -> None:
    """List partner organisations, by name, with how many people represent each and how
    many events each co-organised.

    Example: ladder orgs list --member --format csv
    """
    with workspace.reading() as connection:
        rows = list_orgs(connection, kind, member)
    echo_rows(rows, LIST_COLUMNS, output_format, empty="No organisations yet: `orgs add NAME`.")
