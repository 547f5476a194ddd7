"""`ladder ladder ...`: look at the active ladder file, and move people off a renamed rung."""

from __future__ import annotations

import click

from cli.context import pass_workspace
from cli.output import echo_rows, output_options
from ladder.rules import rename_rung
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


@ladder_group.command("rename-rung")
@click.argument("old")
@click.argument("new")
@pass_workspace
def rename_rung_command(workspace: Workspace, old: str, new: str) -> None:
    """Move everyone on rung OLD, which the ladder file no longer has, to its rung NEW.

    Run it after renaming (or removing) a rung in the ladder file: until then every other
    command refuses the file. Each person moved gets a line in their history (from OLD to NEW,
    reason "rung renamed"); their date on the rung, status and any manual pin are kept.

    Example: ladder ladder rename-rung attend show-up
    """
    done = rename_rung(workspace.database(), workspace.ladder, old, new, workspace.settings.user)
    click.echo(f"Moved {done.people:,} people from rung {done.old!r} to {done.new!r}.")
