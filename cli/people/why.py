"""`ladder people why PERSON` and `ladder people set-rung PERSON RUNG --reason TEXT`."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.options import as_of_option
from cli.output import change_ends, echo_rows, evidence_text, output_options, printable
from cli.when import local_text
from ladder.clock import utcnow
from ladder.domain.vocabulary import SupporterStatus
from ladder.people.lookup import PersonRef
from ladder.people.why import Why, set_rung_by_hand
from ladder.people.why import why as explain_why
from ladder.rules import HistoryEntry, RuleProgress
from ladder.workspace import Workspace

MARK = {True: "[x]", False: "[ ]"}


WHY_COLUMNS = ["section", "when", "rule", "change", "holds", "depth", "detail"]


@click.command("why")
@click.argument("person")
@as_of_option
@output_options
@pass_workspace
def why(workspace: Workspace, person: str, as_of: datetime | None, output_format: str) -> None:
    """Why PERSON is on their rung, and what is missing for the next one.

    PERSON is an id (42 or #42), an email, a phone number or a name. Shows every change in
    their history with the rule and the evidence (or the organiser and the reason), then
    each rule that could promote them, with counts against thresholds. csv and json give one
    row per history entry, rule and condition (section history, rule or condition).

    Example: ladder people why awa@example.org

    Example: ladder people why 42 --format json
    """
    found = explain_why(workspace.engine, workspace.ladder, person, as_of or utcnow())
    ref, entries, progress = found.person, found.history, found.progress
    if output_format != "table":
        click.echo(printable(f"{ref.describe()}: {ref.rung} ({ref.status})"), err=True)
        rows = [_history_record(e) for e in entries] + _progress_records(ref, progress)
        echo_rows(rows, WHY_COLUMNS, output_format)
        return
    click.echo(printable(f"{ref.describe()}: {ref.rung} ({ref.status})"))
    click.echo("\nHistory:")
    echo_rows(
        [_history_row(e) for e in entries],
        ["when", "change", "cause", "why"],
        empty="  (no level change yet)",
    )
    click.echo("")
    for line in _next_lines(workspace, found):
        click.echo(line)


def _history_row(entry: HistoryEntry) -> dict[str, str]:
    start, end = change_ends(entry.from_rung, entry.to_rung, entry.from_status, entry.to_status)
    return {
        "when": local_text(entry.changed_at),
        "change": f"{start} -> {end}",
        "cause": entry.cause,
        "why": entry.reason or evidence_text(entry.evidence),
    }


def _history_record(entry: HistoryEntry) -> dict[str, object]:
    row = _history_row(entry)
    return {
        "section": "history",
        "when": entry.changed_at,
        "rule": row["cause"],
        "change": row["change"],
        "holds": None,
        "depth": None,
        "detail": row["why"],
    }


def _progress_records(ref: PersonRef, progress: list[RuleProgress]) -> list[dict[str, object]]:
    if ref.status in ("lapsed", "erased"):
        return []  # rules do not promote them (the table says why)
    rows: list[dict[str, object]] = []
    for rule in progress:
        rows.append(
            {
                "section": "rule",
                "when": None,
                "rule": rule.rule_id,
                "change": f"{ref.rung} -> {rule.promote_to}",
                "holds": rule.holds,
                "depth": None,
                "detail": "holds" if rule.holds else "needs " + rule.missing,
            }
        )
        rows += [
            {
                "section": "condition",
                "when": None,
                "rule": rule.rule_id,
                "change": None,
                "holds": state.holds,
                "depth": state.depth,
                "detail": state.text,
            }
            for state in rule.conditions
        ]
    return rows


def _next_lines(workspace: Workspace, found: Why) -> list[str]:
    ladder, ref, progress = workspace.ladder, found.person, found.progress
    if ref.status == SupporterStatus.LAPSED:
        return ["Lapsed: any new action, attendance or hosted event makes them active again."]
    if not progress:
        if ladder.next_rung(ref.rung) is None:
            return [f"{ref.rung} is the top rung."]
        return [f"No rule can promote them from {ref.rung}: see `ladder rules check`."]
    lines = []
    if found.held_by_hand:
        lines.append("Their rung was set by hand: the ladder file lets no rule promote them.")
    for rule in progress:
        verdict = (
            "holds: the next `ladder promote` moves them" if rule.holds else "needs " + rule.missing
        )
        lines.append(f"Rule {rule.rule_id} -> {rule.promote_to}: {verdict}")
        lines += [f"  {'  ' * s.depth}{MARK[s.holds]} {s.text}" for s in rule.conditions]
    return lines


@click.command("set-rung")
@click.argument("person")
@click.argument("rung")
@click.option("--reason", required=True, help="Why (kept in their history).")
@pass_workspace
def set_rung_command(workspace: Workspace, person: str, rung: str, reason: str) -> None:
    """Put PERSON on RUNG by hand; recorded with who (you) and why.

    Rules never demote anyone, and promote a person set by hand only when the ladder file
    says `promote_manually_set = true`.

    Example: ladder people set-rung 42 mobilise --reason "runs the Lyon group since May"
    """
    ref, change = set_rung_by_hand(
        workspace.engine, workspace.ladder, person, rung, reason, workspace.settings.user
    )
    if not change.changed:
        click.echo(f"{ref.describe()} is already set on {rung}: nothing changed.")
        return
    click.echo(
        f"{ref.describe()}: {change.from_rung} -> {change.to_rung}, "
        f"set by {workspace.settings.user}."
    )
    if not workspace.ladder.promotion.promote_manually_set:
        click.echo("Rules will not move them from here (promote_manually_set = false).")
