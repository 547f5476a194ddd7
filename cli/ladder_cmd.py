"""`ladder ladder ...`: look at the active ladder file."""

from __future__ import annotations

import click

from cli.context import pass_workspace
from cli.output import echo_rows, output_options
from ladder.workspace import Workspace


@click.group("ladder")
def ladder_group() -> None:
    """The active ladder: its rungs and action kinds.

    Example: ladder ladder show
    """


@ladder_group.command("show")
@output_options
@pass_workspace
def show(workspace: Workspace, output_format: str) -> None:
    """Print the rungs, in order, with the action kinds that count for each.

    Example: ladder --ladder-file my-ladder.toml ladder show --format json
    """
    ladder = workspace.ladder
    rows = []
    for position, rung in enumerate(ladder.rungs, start=1):
        kinds = ladder.kinds_for(rung.name)
        rows.append(
            {
                "level": position,
                "rung": rung.name,
                "label": rung.label,
                "action_kinds": ", ".join(k.name for k in kinds),
            }
        )
    if output_format == "table":
        click.echo(f"Ladder {ladder.ladder.name!r} from {workspace.ladder_file}\n")
    echo_rows(rows, ["level", "rung", "label", "action_kinds"], output_format)
