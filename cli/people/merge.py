"""`ladder people duplicates` and `ladder people merge KEEP OTHER`."""

from __future__ import annotations

import click

from cli.context import pass_workspace
from cli.options import Count
from cli.output import echo_rows, output_options
from ladder.people.duplicates import COLUMNS, find_duplicates
from ladder.people.merge import merge_people
from ladder.workspace import Workspace


@click.command()
@click.option("--limit", type=Count(min=1), help="At most this many pairs.")
@output_options
@pass_workspace
def duplicates(workspace: Workspace, limit: int | None, output_format: str) -> None:
    """List likely duplicates: the same email or phone, or similar names in the same postcode.

    Each pair can be merged with `ladder people merge ID OTHER_ID` (the first id is kept).

    Example: ladder people duplicates --format csv > to-check.csv
    """
    with workspace.reading() as connection:
        rows = find_duplicates(connection, limit)
    echo_rows(rows, COLUMNS, output_format, empty="(no likely duplicates)")


@click.command()
@click.argument("keep")
@click.argument("other")
@pass_workspace
def merge(workspace: Workspace, keep: str, other: str) -> None:
    """Merge OTHER into KEEP: actions, attendances, tags, level history and recruits move to
    KEEP, KEEP's blank details are filled from OTHER, the higher rung wins, and the merge is
    recorded. A merge that would make a recruitment cycle is refused.

    Example: ladder people merge 12 40
    """
    outcome = merge_people(workspace.engine, workspace.ladder, keep, other, workspace.settings.user)
    click.echo(f"Merged {outcome.merged} into {outcome.kept}.")
    if outcome.moved:
        moved = ", ".join(
            f"{name.replace('_', ' ')} {count}" for name, count in outcome.moved.items()
        )
        click.echo(f"  moved: {moved}")
    for note in outcome.notes:
        click.echo(f"  {note}")
