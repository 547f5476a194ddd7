"""`ladder people affiliate` and `people unaffiliate`: who represents which organisation."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from ladder.orgs.affiliations import affiliate as affiliate_person
from ladder.orgs.affiliations import unaffiliate as unaffiliate_person
from ladder.workspace import Workspace

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("affiliate")
@click.argument("person", metavar="PERSON")
@click.argument("org", metavar="ORG")
@click.option("--role", help="What they do there: mayor's deputy, teacher, coordinator...")
@click.option("--since", type=DAY, help="Since when, YYYY-MM-DD.")
@click.option("--update", is_flag=True, help="Already affiliated: replace the role and date given.")
@pass_workspace
def affiliate(
    workspace: Workspace,
    person: str,
    org: str,
    role: str | None,
    since: datetime | None,
    update: bool,
) -> None:
    """Say that PERSON represents the organisation ORG (a person may represent several).

    PERSON is an id (12 or #12), email, phone, or a name; ORG an organisation's name (case
    and accents ignored) or its #id.

    Example: ladder people affiliate awa@example.org "Mairie de Lyon" --role "adjointe"
    --since 2025-09-01
    """
    found = affiliate_person(
        workspace.engine,
        person,
        org,
        role,
        since.date() if since else None,
        by=workspace.settings.user,
        update_role=update,
    )
    role_text = f" as {found.role}" if found.role else ""
    verb = "now represents" if found.changed else "already represents"
    click.echo(f"#{found.person.id} {found.person.name} {verb} {found.org.name}{role_text}.")


@click.command("unaffiliate")
@click.argument("person", metavar="PERSON")
@click.argument("org", metavar="ORG")
@pass_workspace
def unaffiliate(workspace: Workspace, person: str, org: str) -> None:
    """Say that PERSON no longer represents the organisation ORG.

    Example: ladder people unaffiliate awa@example.org "Mairie de Lyon"
    """
    found = unaffiliate_person(workspace.engine, person, org, by=workspace.settings.user)
    click.echo(f"#{found.person.id} {found.person.name} no longer represents {found.org.name}.")
