"""`ladder privacy ...`: what the law asks of a movement holding personal data."""

from __future__ import annotations

import sys
from typing import Any

import click

from cli.context import pass_workspace
from cli.when import local_text
from ladder.errors import MisuseError
from ladder.privacy.erasure import counts_text
from ladder.privacy.sweep import Period, SweepReport, parse_period, sweep
from ladder.workspace import Workspace


def interactive() -> bool:
    """True when someone is typing at a terminal (who can answer the question)."""
    return sys.stdin.isatty()


class PeriodType(click.ParamType):
    """``3y``, ``18m`` or ``90d``: calendar years, calendar months, days."""

    name = "PERIOD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Period):
            return value
        try:
            return parse_period(str(value))
        except MisuseError as exc:
            self.fail(str(exc), param, ctx)


@click.group()
def privacy() -> None:
    """Retention: erase the people the movement no longer needs to hold.

    Example: ladder privacy sweep --inactive-for 3y --dry-run
    """


@privacy.command("sweep")
@click.option(
    "--inactive-for",
    "period",
    type=PeriodType(),
    required=True,
    help="Erase people with no activity for this long: 3y, 18m, 90d.",
)
@click.option("--dry-run", is_flag=True, help="Only say how many would be erased.")
@click.option("--yes", is_flag=True, help="Do not ask (needed when not run at a terminal).")
@pass_workspace
def sweep_command(workspace: Workspace, period: Period, dry_run: bool, yes: bool) -> None:
    """Erase everyone with no activity for the period, as `ladder people erase` does (the
    anonymous nodes stay: reach, attendance and campaign totals do not move), in one
    transaction, and record one audit entry naming them.

    \b
    Activity is any of these within the period:
      joining; an action; an RSVP or a check-in, or being present at an event;
      hosting an event; a consent statement; a change of rung or status (not a lapse);
      recruiting someone who joined.
    Being invited or contacted, or an organiser editing someone's details, is not activity.

    Example: ladder privacy sweep --inactive-for 3y --dry-run
    """
    user = workspace.settings.user
    if not dry_run and not yes:
        if not interactive():
            raise click.UsageError(
                "privacy sweep cannot be undone: add --yes to erase without a question, or "
                "--dry-run to see how many (nothing was erased)"
            )
        found = sweep(workspace.engine, period, user, dry_run=True)
        if found.inactive:
            _say(found)
            if not click.confirm("This cannot be undone. Erase them?", default=False):
                click.echo("Nothing erased.")
                return
    _say(sweep(workspace.engine, period, user, dry_run=dry_run))


def _say(report: SweepReport) -> None:
    since = f"no activity since {local_text(report.cutoff)} ({report.period})"
    if report.dry_run:
        click.echo(f"Would erase {_people(report.inactive)} with {since}.")
        return
    click.echo(f"Erased {_people(report.inactive)} with {since}.")
    erasure = report.erasure
    if erasure is None or not erasure.people:
        return
    if erasure.merged_records:
        click.echo(f"  with {erasure.merged_records} record(s) merged into them")
    if changed := counts_text(erasure.rows):
        click.echo(f"  also blanked or removed: {changed}")
    for note in erasure.storage_notes():
        click.echo(f"  {note}")


def _people(count: int) -> str:
    return f"{count:,} person" if count == 1 else f"{count:,} people"
