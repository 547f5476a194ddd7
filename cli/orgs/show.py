"""`ladder orgs show ORG`."""

from __future__ import annotations

import json
from typing import Any

import click

from cli.context import pass_workspace
from cli.output import output_options, printable, render
from cli.when import local_text
from ladder.orgs.show import EVENT_COLUMNS, PARTNERED_COLUMNS, PEOPLE_COLUMNS, org_details
from ladder.workspace import Workspace

FIELDS = [
    "kind",
    "member",
    "postcode",
    "website",
    "email",
    "group",
    "notes",
    "added",
    "last_digest",
]


@click.command("show")
@click.argument("org", metavar="ORG")
@output_options
@pass_workspace
def show(workspace: Workspace, org: str, output_format: str) -> None:
    """One organisation: its details, its people with their rungs and roles, the events its
    people came to (how many of them at each), the events it co-organised, and the last
    contact (an ask to one of its people, one of them at an event, or the last digest).

    json is one object: the details and counts, with "people", "attended" and "partnered"
    lists; csv lists its people.

    Example: ladder orgs show "Mairie de Lyon"
    """
    with workspace.reading() as connection:
        found = org_details(connection, org)
    if output_format == "csv":
        click.echo(render(found.people, PEOPLE_COLUMNS, "csv"))
        return
    if output_format == "json":
        document = {
            **found.summary(),
            "people": _listed(found.people, PEOPLE_COLUMNS),
            "attended": _listed(found.attended, EVENT_COLUMNS),
            "partnered": _listed(found.partnered, PARTNERED_COLUMNS),
        }
        document = {k: _plain(k, v) for k, v in document.items()}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    summary = found.summary()
    click.echo(printable(f"{found.org.describe()}"))
    for key in FIELDS:
        if summary.get(key) is not None:
            click.echo(f"{key:>13}: {printable(_text(summary[key]))}")
    contact = summary["last_contact"]
    click.echo(f"{'last contact':>13}: {local_text(contact) if contact else 'never'}")
    sections = [
        (f"People ({len(found.people)})", found.people, PEOPLE_COLUMNS),
        (f"Events its people came to ({len(found.attended)})", found.attended, EVENT_COLUMNS),
        (f"Events it co-organised ({len(found.partnered)})", found.partnered, PARTNERED_COLUMNS),
    ]
    for title, rows, columns in sections:
        click.echo(f"\n{title}")
        click.echo(render(rows, columns, "table", empty="(none)"))


def _listed(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    return json.loads(render(rows, columns, "json"))


def _plain(key: str, value: Any) -> Any:
    if key in ("added", "last_digest", "last_contact") and value is not None:
        return json.loads(render([{"v": value}], ["v"], "json"))[0]["v"]
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat") and hasattr(value, "hour"):
        return local_text(value)
    return str(value)
