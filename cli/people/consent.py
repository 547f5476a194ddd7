"""`ladder people consent PERSON --email yes|no ...`: a statement for the consent ledger."""

from __future__ import annotations

import click

from cli.context import pass_workspace
from cli.output import printable
from ladder.privacy.consent import give_consent
from ladder.workspace import Workspace


@click.command()
@click.argument("person")
@click.option("--email", metavar="yes|no", help="What they said to being emailed.")
@click.option("--sms", metavar="yes|no", help="What they said to text messages.")
@click.option("--photo", metavar="yes|no", help="What they said to being photographed.")
@click.option("--source", metavar="TEXT", help='Where they said it. [default: "people consent"]')
@click.option("--wording", metavar="VERSION", help="The version of the wording they saw.")
@pass_workspace
def consent(
    workspace: Workspace,
    person: str,
    source: str | None,
    wording: str | None,
    **channels: str | None,
) -> None:
    """Record what PERSON said, yes or no, to being emailed, texted or photographed.

    Each channel given is one record in the consent ledger (who, when, where, which
    wording), and their current consent is their latest record: `people show` lists them
    all, and only a latest yes puts someone in `ladder next` or `people list --for`. The
    yes and no words of the import are understood (oui, non, ja, nee...). The change is
    written to the audit, with the channels, never the values.

    Example: ladder people consent awa@example.org --email yes --sms no --source "fête 2026"
    --wording v3
    """
    given = {channel: word for channel, word in channels.items() if word is not None}
    outcome = give_consent(
        workspace.engine,
        person,
        given,
        source=source,
        wording=wording,
        actor=workspace.settings.user,
    )
    said = ", ".join(f"{c} {'yes' if y else 'no'}" for c, y in outcome.recorded.items())
    now = ", ".join(f"{c} {'yes' if y else 'no'}" for c, y in outcome.current.items())
    click.echo(printable(f"Recorded for {outcome.person}: {said}. Consent now: {now}."))
