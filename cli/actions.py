"""`ladder actions ...`: log what supporters did, and list it."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.output import move_sentence
from cli.when import LocalTime, local_text
from ladder.actions.log import log_action
from ladder.workspace import Workspace


@click.group()
def actions() -> None:
    """Actions: what supporters did (signed, shared, called, hosted), which the rules count.

    Example: ladder actions log awa@example.org petition --campaign "Pétition #ZéroTolérance"
    """


@actions.command("log")
@click.argument("person")
@click.argument("kind")
@click.option(
    "--at",
    "at",
    type=LocalTime(),
    metavar="DATETIME",
    help="When it happened, local time (default: now; never in the future).",
)
@click.option("--campaign", metavar="NAME", help="The campaign it counts for (must exist).")
@click.option("--note", metavar="TEXT", help="A note kept with the action.")
@pass_workspace
def log(
    workspace: Workspace,
    person: str,
    kind: str,
    at: datetime | None,
    campaign: str | None,
    note: str | None,
) -> None:
    """Log one action by PERSON: an action kind of the ladder file (petition, share_toolkit...).

    PERSON is an id (12 or #12), email, phone, or a name. Their rung is re-evaluated at once,
    and a climb is reported, as after a check-in.

    Example: ladder actions log awa@example.org petition --at "2026-11-28 18:30"
    --campaign "Pétition #ZéroTolérance" --note "signed at the market stand"
    """
    done = log_action(
        workspace.engine,
        workspace.ladder,
        person,
        kind,
        workspace.settings.user,
        at=at,
        campaign=campaign,
        note=note,
    )
    where = f" for {done.campaign}" if done.campaign else ""
    text = (
        f"Logged {done.kind} by {done.person.name} (#{done.person.id}) at "
        f"{local_text(done.occurred_at)}{where}."
    )
    click.echo(" ".join([text, *(move_sentence(move) for move in done.moves)]))
