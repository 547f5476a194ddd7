"""`ladder rules ...`: check a ladder file, and see what another one would change."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from cli.context import pass_workspace
from cli.options import Count, as_of_option
from cli.output import echo_rows, output_options
from cli.when import local_text
from ladder.domain.ladderfile import ladder_problems, load_ladder, parse_ladder
from ladder.errors import DatabaseStateError
from ladder.rules import find_stranded_rungs, stranded_message, what_if
from ladder.workspace import Workspace

FILE = click.Path(dir_okay=False, path_type=Path)


@click.group("rules")
def rules_group() -> None:
    """The rules that move people up the ladder (declared in the ladder file).

    Example: ladder rules check my-ladder.toml
    """


@rules_group.command("check")
@click.argument("file", type=FILE)
@pass_workspace
def check(workspace: Workspace, file: Path) -> None:
    """Validate a ladder file: one line per problem (file, rule, field); exit 1 if any.

    When the database exists, also names each rung people stand on that the file lacks
    (`ladder ladder rename-rung` moves them once the file is active).

    Example: ladder rules check ladder.toml
    """
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file}: cannot read the ladder file: {exc}") from None
    problems = ladder_problems(text, str(file))
    if problems:
        for line in problems:
            click.echo(line, err=True)
        raise SystemExit(1)
    ladder = parse_ladder(text, str(file))
    try:
        stranded = find_stranded_rungs(workspace.database(), ladder)
    except DatabaseStateError:
        stranded = []  # no database yet: nobody can be stranded
    if stranded:
        for rung in stranded:
            click.echo(stranded_message(str(file), ladder, rung), err=True)
        raise SystemExit(1)
    click.echo(f"{file}: ok, {len(ladder.rungs)} rungs, {len(ladder.rules)} rules")


@rules_group.command("what-if")
@click.argument("file", type=FILE)
@as_of_option
@click.option("--examples", type=Count(min=0), default=3, show_default=True, help="Names per row.")
@output_options
@pass_workspace
def what_if_command(
    workspace: Workspace,
    file: Path,
    as_of: datetime | None,
    examples: int,
    output_format: str,
) -> None:
    """Compare another ladder file's rules with the active ones on today's data.

    Lists who would end on a higher or lower rung, or lapsed (or not), under the new rules,
    grouped by the rule that makes the difference, with counts and a few names. Both rule
    sets run in transactions that are rolled back: nothing is written.

    Example: ladder rules what-if stricter-ladder.toml --examples 5
    """
    other = load_ladder(file)
    result = what_if(workspace.engine, workspace.ladder, other, as_of, examples)
    rows = [
        {
            "change": d.change,
            "rule": d.rule,
            "from": d.from_rung,
            "under_active": d.active_rung,
            "under_new": d.new_rung,
            "people": d.people,
            "examples": ", ".join(d.examples),
        }
        for d in result.differences
    ]
    columns = ["change", "rule", "from", "under_active", "under_new", "people", "examples"]
    if output_format == "table":
        click.echo(
            f"What if the rules came from {file} instead of {workspace.ladder_file}? "
            f"As of {local_text(result.as_of)}; nothing was written.\n"
            f"The active rules would change {result.active_moves:,} people, the new ones "
            f"{result.new_moves:,}; {result.people_differing:,} would end differently.\n"
        )
        for kind in result.unknown_kinds:
            click.echo(f"Note: no action of kind {kind!r} was ever recorded: it counts 0.")
    for rung in result.stranded:
        click.echo(f"Note: {stranded_message(str(file), other, rung)}", err=True)
    echo_rows(rows, columns, output_format, empty="(no difference)")
