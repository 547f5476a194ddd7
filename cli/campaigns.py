"""`ladder campaigns ...`: campaigns with a goal, and their progress."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import click

from cli.context import pass_workspace
from cli.options import as_of_option
from cli.output import echo_rows, output_options, render
from ladder.campaigns.manage import (
    CampaignInput,
    add_campaign,
    edit_campaign,
    list_campaigns,
    show_campaign,
)
from ladder.campaigns.progress import SHOW_KEYS
from ladder.clock import utcnow
from ladder.workspace import Workspace

DAY = click.DateTime(formats=["%Y-%m-%d"])
LIST_COLUMNS = [*SHOW_KEYS, "metric", "group", "starts", "ends"]


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@click.group()
def campaigns() -> None:
    """Campaigns: a named push with a goal (25,000 signatures, 2,650 people), and its progress.

    Example: ladder campaigns add "Pétition #ZéroTolérance" --goal 25000 --kind petition
    """


@campaigns.command("add")
@click.argument("name")
@click.option(
    "--goal", type=click.IntRange(min=1), required=True, help="The number to reach (>= 1)."
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    help="Only actions of this kind count (repeat it for several; default: every kind).",
)
@click.option(
    "--people", is_flag=True, help="Count distinct people, not actions (one signer counts once)."
)
@click.option("--starts", type=DAY, help="First day, YYYY-MM-DD.")
@click.option("--ends", type=DAY, help="Last day, YYYY-MM-DD.")
@click.option("--group", metavar="NAME", help="The local group running it (must exist).")
@pass_workspace
def add(
    workspace: Workspace,
    name: str,
    goal: int,
    kinds: tuple[str, ...],
    people: bool,
    starts: datetime | None,
    ends: datetime | None,
    group: str | None,
) -> None:
    """Add a campaign with its goal. Its progress counts the actions logged or imported with
    --campaign NAME.

    Example: ladder campaigns add "Pétition #ZéroTolérance" --goal 25000 --kind petition
    --starts 2026-01-15 --ends 2026-06-30 --group Nouméa
    """
    data = CampaignInput(name, goal, list(kinds), people, _day(starts), _day(ends), group)
    found = add_campaign(workspace.engine, workspace.ladder, data, by=workspace.settings.user)
    click.echo(f"Added campaign #{found.id} {found.name}, goal {goal:,}.")


@campaigns.command("edit")
@click.argument("name")
@click.option("--goal", type=click.IntRange(min=1), help="The new number to reach.")
@click.option("--starts", type=DAY, help="First day, YYYY-MM-DD.")
@click.option("--ends", type=DAY, help="Last day, YYYY-MM-DD.")
@pass_workspace
def edit(
    workspace: Workspace,
    name: str,
    goal: int | None,
    starts: datetime | None,
    ends: datetime | None,
) -> None:
    """Change a campaign's goal or dates (only the options given).

    Example: ladder campaigns edit "Pétition #ZéroTolérance" --goal 40000 --ends 2026-09-30
    """
    found = edit_campaign(
        workspace.engine, name, goal, _day(starts), _day(ends), by=workspace.settings.user
    )
    dates = " to ".join(str(d) for d in (found.starts_on, found.ends_on) if d)
    click.echo(f"Updated campaign #{found.id} {found.name}" + (f" ({dates})." if dates else "."))


@campaigns.command("list")
@as_of_option
@output_options
@pass_workspace
def list_command(workspace: Workspace, as_of: datetime | None, output_format: str) -> None:
    """List campaigns, by name, with their progress: count, share of the goal, pace per day
    over the last 7 and 30 days, projected (or reached) date, people who joined through
    each campaign and how many of them have climbed since.

    Example: ladder campaigns list --format csv
    """
    with workspace.reading() as connection:
        rows = list_campaigns(connection, workspace.ladder, as_of or utcnow(), workspace.zone)
    if output_format == "table":
        rows = [_for_people(row) for row in rows]
    echo_rows(rows, LIST_COLUMNS, output_format, empty="No campaigns yet: `campaigns add`.")


@campaigns.command("show")
@click.argument("name")
@as_of_option
@output_options
@pass_workspace
def show(workspace: Workspace, name: str, as_of: datetime | None, output_format: str) -> None:
    """One campaign's progress: count (of its actions, or of distinct people), share of the
    goal, pace per day over the last 7 and 30 days, the day the goal is reached at the 30-day
    pace (or was reached), people who joined through it, and how many of them have climbed.

    json is one object with the keys name, goal, count, share, pace_7d, pace_30d,
    projected_date, joined, climbed.

    Example: ladder campaigns show "Pétition #ZéroTolérance" --as-of 2026-06-01
    """
    with workspace.reading() as connection:
        found = show_campaign(connection, workspace.ladder, name, as_of or utcnow(), workspace.zone)
    row = found.row()
    if output_format == "json":
        shown = {key: _json(row[key]) for key in SHOW_KEYS}
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    if output_format == "csv":
        click.echo(render([row], list(SHOW_KEYS), "csv"))
        return
    table = _for_people(row)
    when = "reached on" if found.reached_on is not None else "projected"
    lines = [
        ("name", table["name"]),
        ("goal", table["goal"]),
        ("counts", table["metric"]),
        ("count", table["count"]),
        ("share", table["share"]),
        ("pace 7d", table["pace_7d"]),
        ("pace 30d", table["pace_30d"]),
        (when, table["projected_date"]),
        ("joined", table["joined"]),
        ("climbed since", table["climbed"]),
        ("group", table["group"]),
        ("starts", table["starts"]),
        ("ends", table["ends"]),
    ]
    click.echo("\n".join(f"{key:>13}: {_text(value)}" for key, value in lines if value is not None))


def _for_people(row: dict[str, Any]) -> dict[str, Any]:
    """A row for a table: the share as a percentage, the reached flag left out."""
    shown = dict(row)
    share = shown["share"]
    shown["share"] = None if share is None else f"{100 * share:.1f}%"
    shown.pop("reached", None)
    return shown


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
