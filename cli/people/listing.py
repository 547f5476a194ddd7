"""`ladder people list` and `ladder people show`."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import click

from cli.context import pass_workspace
from cli.options import Count
from cli.output import echo_rows, output_options, printable, render
from cli.when import local_text, shown
from ladder.domain.vocabulary import ConsentChannel, SupporterStatus, names
from ladder.people.listing import COLUMNS, PeopleFilter, list_people
from ladder.people.show import show_person
from ladder.workspace import Workspace

TABLE_ROWS = 200


@click.command("list")
@click.option("--rung", help="Only people at this rung.")
@click.option("--group", metavar="NAME", help="Only this local group.")
@click.option("--tag", help="Only people with this tag.")
@click.option("--status", type=click.Choice(names(SupporterStatus)), help="Only this status.")
@click.option("--postcode", metavar="PREFIX", help="Postcodes starting with PREFIX (75, LS1).")
@click.option("--recruited-by", metavar="PERSON", help="Only the direct recruits of PERSON.")
@click.option(
    "--consent",
    type=click.Choice(names(ConsentChannel)),
    help="Only people whose latest consent record for this channel says yes.",
)
@click.option(
    "--for",
    "for_channel",
    type=click.Choice(["email", "sms"]),
    help="A contact list: consent to the channel (latest record yes) and its address.",
)
@click.option(
    "--limit",
    type=Count(min=1),
    help=f"At most this many rows. [default: {TABLE_ROWS} for a table, everyone for csv/json]",
)
@output_options
@pass_workspace
def list_command(
    workspace: Workspace, output_format: str, limit: int | None, **filters: Any
) -> None:
    """List people, by id. Erased and merged people are left out unless --status erased.

    The recruiter column reads "#12 Awa Diallo"; `people import` understands it, so a csv
    listing can be edited in a spreadsheet and imported back. For a mail merge, --for email
    (or sms) keeps only the people whose latest consent record says yes and who have the
    address.

    Example: ladder people list --rung attend --postcode 69 --format csv > lyon.csv

    Example: ladder people list --for email --format csv > mail-merge.csv
    """
    capped = limit is None and output_format == "table"  # a screen, not a million lines
    wanted = TABLE_ROWS + 1 if capped else limit
    with workspace.reading() as connection:
        rows = list_people(connection, workspace.ladder, PeopleFilter(limit=wanted, **filters))
    echo_rows(rows[:TABLE_ROWS] if capped else rows, COLUMNS, output_format, "(nobody matches)")
    if capped and len(rows) > TABLE_ROWS:
        click.echo(
            f"(the first {TABLE_ROWS} shown: --limit N for more, --format csv for everyone)",
            err=True,
        )


@click.command()
@click.argument("person")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for scripts.",
)
@click.option("--all", "all_actions", is_flag=True, help="Every action, not only the newest 20.")
@pass_workspace
def show(workspace: Workspace, person: str, output_format: str, all_actions: bool) -> None:
    """Everything about one person: details, rung and since when, level history, actions
    (the newest 20, and how many in all; --all lists every one), events, the recruiter chain
    up and the recruits down.

    Example: ladder people show awa@example.org --all
    """
    with workspace.reading() as connection:
        record = show_person(connection, person, all_actions)
    if output_format == "json":
        click.echo(json.dumps(record, default=_json, indent=2, ensure_ascii=False))
        return
    click.echo(printable(_render_record(record), lines=True))


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return local_text(value, "seconds") if isinstance(value, datetime) else value.isoformat()
    return value


def _json(value: Any) -> Any:
    return shown(value).isoformat(timespec="seconds") if isinstance(value, datetime) else str(value)


def _actions_title(shown: int, total: int) -> str:
    """``Actions (57)``, or ``Actions (20 of 57 actions: --all shows every one)``."""
    if shown < total:
        return f"Actions ({shown} of {total} actions: --all shows every one)"
    return f"Actions ({total})"


def _render_record(record: dict[str, Any]) -> str:
    details = record["person"]
    name = " ".join(p for p in (details["first_name"], details["last_name"]) if p)
    lines = [f"#{details['id']} {name}".strip(), ""]
    width = max(len(k) for k in details)
    for key, value in details.items():
        shown = ", ".join(value) if isinstance(value, list) else _plain(value)
        lines.append(f"  {key.ljust(width)}  {'' if shown is None else shown}")
    chain = record["recruiter_chain"]
    lines += ["", "Recruiter chain (up): " + (" -> ".join(chain) if chain else "none")]
    below = record["downstream"]
    lines.append(
        f"Recruits (down): {len(record['recruits'])} direct, {below['people']} in all, "
        f"{below['deepest']} levels deep"
    )
    sections = [
        ("Recruits", record["recruits"], ["id", "first_name", "last_name", "rung"]),
        (
            "Level history",
            record["history"],
            ["changed_at", "from_rung", "to_rung", "from_status", "to_status", "by", "reason"],
        ),
        (
            _actions_title(len(record["actions"]), record["action_total"]),
            record["actions"],
            ["occurred_at", "kind", "event", "campaign", "note"],
        ),
        (
            "Recent events",
            record["events"],
            ["id", "title", "starts_at", "rsvp", "presence", "walk_in"],
        ),
        ("Merged into this person", record["merged"], ["merged_id", "merged_at", "merged_by"]),
        (
            "Consent history",
            [{**r, "given": _plain(r["given"])} for r in record["consent"]],
            ["recorded_at", "channel", "given", "source", "wording", "by"],
        ),
    ]
    counts = record["action_counts"]
    if counts:
        lines += ["", "Actions by kind: " + ", ".join(f"{k} {n}" for k, n in counts.items())]
    for title, rows, columns in sections:
        lines += ["", f"{title}:", render(rows, columns, "table", empty="(none)")]
    return "\n".join(lines)
