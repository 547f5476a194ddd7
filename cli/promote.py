"""`ladder promote`: apply the ladder's rules to everyone (or show what they would do)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import pass_workspace
from cli.options import Count, as_of_option
from cli.output import change_ends, echo_rows, evidence_text, output_options
from cli.progress import progress_bar
from cli.when import local_text
from ladder.rules import ChangeCount, Move, RunReport, promote
from ladder.workspace import Workspace

EVERYONE = 2**62  # --show's default for csv and json: every person moved
MOVE_COLUMNS = ["id", "name", "rule", "from", "to", "evidence"]


@click.command("promote")
@click.option("--dry-run", is_flag=True, help="Show who would move and why; write nothing.")
@as_of_option
@click.option(
    "--show",
    "shown",
    type=Count(min=0),
    default=None,
    help="List this many of the people moved (default: 20 with --dry-run, else 0; "
    "csv and json: everyone).",
)
@output_options
@pass_workspace
def promote_command(
    workspace: Workspace,
    dry_run: bool,
    as_of: datetime | None,
    shown: int | None,
    output_format: str,
) -> None:
    """Apply every rule in the ladder file to the whole base, and print what changed.

    As a table: the count for each rule, then (--show, 20 by default with --dry-run) the
    first people moved. As csv or json: one row per person moved (everyone unless --show).

    Each change is kept in the person's history with the rule and the evidence (the counts,
    and the attendances, hosted events and recruits behind them). Running it twice in a row
    changes nothing the second time. `ladder people why PERSON` explains one person.
    With --as-of it is a backtest: who would have moved on that date; it never writes
    (changes are only ever made as of now).

    Example: ladder promote --dry-run --as-of 2024-06-01
    """
    if as_of is not None and not dry_run:
        click.echo("Note: --as-of never writes: this is a dry run (a backtest).", err=True)
        dry_run = True
    table = output_format == "table"
    if shown is None:
        shown = (20 if dry_run else 0) if table else EVERYONE
    with progress_bar() as progress:
        report = promote(
            workspace.engine,
            workspace.ladder,
            as_of,
            dry_run=dry_run,
            examples=shown,
            by=workspace.settings.user,
            progress=progress,
        )
    if not table:  # csv and json: one row per person moved; the counts go to stderr
        click.echo(_headline(report, backtest=as_of is not None).rstrip("\n"), err=True)
        echo_rows([_move_record(m) for m in report.examples], MOVE_COLUMNS, output_format)
        return
    click.echo(_headline(report, backtest=as_of is not None))
    echo_rows(
        [_change_row(c) for c in report.changes],
        ["rule", "from", "to", "people"],
        output_format,
        empty="(nobody moves)",
    )
    if report.examples:
        click.echo(f"\nFirst {len(report.examples)} of {report.total:,}:")
        echo_rows([move_row(m) for m in report.examples], ["person", "rule", "change", "evidence"])


def _headline(report: RunReport, backtest: bool) -> str:
    when = f"as of {local_text(report.as_of)}"
    if backtest:
        return (
            f"Backtest {when}: {report.total:,} change(s) would have been made; nothing written.\n"
        )
    if report.dry_run:
        return f"Dry run {when}: {report.total:,} change(s) would be made; nothing was written.\n"
    return f"Promotion {when}: {report.total:,} change(s) made.\n"


def _change_row(change: ChangeCount) -> dict[str, Any]:
    if change.from_status != change.to_status:
        moved = (change.from_status, change.to_status)
    else:
        moved = (change.from_rung, change.to_rung)
    return {"rule": change.rule_id, "from": moved[0], "to": moved[1], "people": change.people}


def _move_record(move: Move) -> dict[str, Any]:
    """One person moved, for csv and json: from and to are rungs, or statuses (lapsed)."""
    start, end = change_ends(move.from_rung, move.to_rung, move.from_status, move.to_status)
    return {
        "id": move.supporter_id,
        "name": move.name,
        "rule": move.rule_id,
        "from": start,
        "to": end,
        "evidence": evidence_text(move.evidence),
    }


def move_row(move: Move) -> dict[str, Any]:
    start, end = change_ends(move.from_rung, move.to_rung, move.from_status, move.to_status)
    return {
        "person": f"#{move.supporter_id} {move.name}",
        "rule": move.rule_id,
        "change": f"{start} -> {end}",
        "evidence": evidence_text(move.evidence),
    }
