"""`ladder next`: who to ask next, ranked, with a reason each (and `--explain PERSON`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from cli.context import pass_workspace
from cli.options import next_filters
from cli.output import echo_rows, output_options, recorded_message
from ladder.workspace import Workspace

if TYPE_CHECKING:  # the service loads the rules engine: only when a command runs
    from ladder.invitations.suggest import NextRequest


EMPTY = "(nobody to ask: nobody matches, or everyone suitable was asked lately)"


@click.command("next")
@click.option("--event", metavar="EVENT", help="People for whom this event is the right ask.")
@next_filters
@click.option("--record", is_flag=True, help="Record the asks: they leave the next lists.")
@click.option("--explain", metavar="PERSON", help="Show the parts of one person's score.")
@output_options
@pass_workspace
def next_command(
    workspace: Workspace,
    event: str | None,
    record: bool,
    explain: str | None,
    output_format: str,
    **filters: Any,
) -> None:
    """Who to ask next: a ranked list with a score and a reason for each person.

    The score adds up, with the weights of the ladder file's [invitations] table: how close
    they are to their next rung (the rules engine says what is missing), how recently and how
    often they act, whether they are in the group (or near), and their recruiter's rung.
    Never listed: erased people, people without consent for the channel, people contacted
    or invited within the fatigue window (14 days by default), and people who declined an
    invitation lately. --record writes the asks down (and, with --event, the invitations).

    With --event: people one rung below the rung events build (attend), in the event's group
    or near it, not already invited or answering; a key-date event also suits people at attend.

    Example: ladder next --event 12 --limit 50 --format csv > invitations.csv

    Example: ladder next --rung attend --group "Lyon Nord" --explain awa@example.org

    Example: ladder next --event 12 --org "Mairie de Lyon" (invite an organisation's people)
    """
    from ladder.invitations.suggest import COLUMNS, NextRequest, suggest

    request = NextRequest(event=event, **filters)
    if explain is not None:
        if record:
            raise click.UsageError("--explain shows one person's score: it records nothing")
        _explain(workspace, request, explain, output_format)
        return
    found = suggest(workspace.engine, workspace.ladder, request, workspace.settings.user, record)
    echo_rows([s.row() for s in found.suggestions], COLUMNS, output_format, empty=EMPTY)
    if found.recorded:
        click.echo(recorded_message(found), err=True)


def _explain(workspace: Workspace, request: NextRequest, person: str, output_format: str) -> None:
    """The parts of one score: a table with the total, or csv/json rows (the rest on stderr)."""
    from ladder.invitations.explain import explain

    result = explain(workspace.engine, workspace.ladder, request, person)
    table = output_format == "table"
    towards = f" towards {result.target_rung}" if result.target_rung else ""
    click.echo(f"{result.person}: {result.rung}{towards}", err=not table)
    rows = [
        {
            "part": line.part,
            "measured": line.raw,
            "value": f"{line.value:.3f}" if table else round(line.value, 3),
            "weight": f"{line.weight:.2f}" if table else round(line.weight, 2),
            "adds": f"{line.contribution:.3f}" if table else round(line.contribution, 3),
        }
        for line in result.lines
    ]
    echo_rows(rows, ["part", "measured", "value", "weight", "adds"], output_format)
    click.echo(f"score: {result.score:.3f}", err=not table)
    if result.excluded:
        click.echo("Not listed: " + "; ".join(result.excluded) + ".", err=not table)
    else:
        verdict = "Would be listed" + (f": {result.reason}." if result.reason else ".")
        click.echo(verdict, err=not table)
