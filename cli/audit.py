"""`ladder audit`: who changed what by hand, when, with which command (never a value)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from cli.context import pass_workspace
from cli.output import echo_rows, output_options
from cli.when import LocalTime
from ladder.privacy.audit_log import COLUMNS, AuditFilter, list_audit
from ladder.workspace import Workspace

TABLE_ROWS = 200


@click.command("audit")
@click.option("--person", metavar="PERSON", help="Only entries about this person (id, email...).")
@click.option(
    "--since",
    type=LocalTime(days_ago=True),
    help="Only entries at or after this date or time (local), or in the last N days (30d).",
)
@click.option(
    "--command", "command", metavar="TEXT", help='Only commands containing TEXT ("edit").'
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help=f"At most this many entries. [default: {TABLE_ROWS} for a table, all for csv/json]",
)
@output_options
@pass_workspace
def audit_command(
    workspace: Workspace,
    person: str | None,
    since: datetime | None,
    command: str | None,
    limit: int | None,
    output_format: str,
) -> None:
    """The audit, newest first: when, who (--as, $LADDER_USER or the login), which command,
    the names of the fields changed, how many people it touched, and ids and counts. Never a
    name, an email or a phone.

    Example: ladder audit --person awa@example.org --since 30d --format csv
    """
    capped = limit is None and output_format == "table"  # a screen, not a million lines
    wanted = TABLE_ROWS + 1 if capped else limit
    with workspace.reading() as connection:
        rows = list_audit(connection, AuditFilter(person, since, command, wanted))
    shown = [_shown(r, output_format) for r in (rows[:TABLE_ROWS] if capped else rows)]
    echo_rows(shown, COLUMNS, output_format, "(no audit entries match)")
    if capped and len(rows) > TABLE_ROWS:
        click.echo(
            f"(the newest {TABLE_ROWS} shown: --limit N for more, --format csv for all)", err=True
        )


def _shown(row: dict[str, Any], output_format: str) -> dict[str, Any]:
    """Lists and dicts as they are in json; one cell of text in a table or csv."""
    if output_format == "json":
        return row
    detail = row["detail"]
    return {
        **row,
        "fields": ", ".join(row["fields"]),
        "detail": json.dumps(detail, sort_keys=True, separators=(",", ":")) if detail else "",
    }
