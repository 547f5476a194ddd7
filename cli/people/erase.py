"""`ladder people erase PERSON --reason TEXT [--yes]`: erasure on request (GDPR art. 17)."""

from __future__ import annotations

import sys

import click

from cli.context import pass_workspace
from cli.output import printable
from ladder.domain.text import LONG_TEXT, text_problem
from ladder.people.lookup import find_person
from ladder.privacy.erasure import Erasure, counts_text, erase_person
from ladder.workspace import Workspace


def interactive() -> bool:
    """True when someone is typing at a terminal (who can answer the question)."""
    return sys.stdin.isatty()


def checked_reason(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A reason is required and must be text a person typed (checked, never stored)."""
    value = value.strip()
    if not value:
        raise click.BadParameter("say why (the request it answers): it may not be empty")
    if problem := text_problem(value, LONG_TEXT, multiline=True):
        raise click.BadParameter(problem)
    return value


@click.command()
@click.argument("person")
@click.option(
    "--reason",
    required=True,
    callback=checked_reason,
    help="Why (the request it answers): shown in the question, never stored (free text can "
    "name the person: keep the request itself in your own records).",
)
@click.option("--yes", is_flag=True, help="Do not ask (needed when not run at a terminal).")
@pass_workspace
def erase(workspace: Workspace, person: str, reason: str, yes: bool) -> None:
    """Erase PERSON's details for good: names, email, phone, postcode, notes, tags, other
    tools' ids, consent evidence and merge snapshots go, also from the records merged into
    them. The person stays as an anonymous node ("(erased #12)"): recruiters keep their reach,
    events their attendance, campaigns their totals. Erased people are never listed, matched by
    an import or contacted; importing their old email later makes a new person. No copy stays
    in the database files: on SQLite freed space is zeroed and the WAL emptied, on PostgreSQL
    the tables touched are vacuumed. The erasure is audited (who, when, counts; not the reason).

    Example: ladder people erase awa@example.org --reason "email request of 2026-11-28" --yes
    """
    if not yes:
        if not interactive():
            raise click.UsageError(
                "people erase cannot be undone: add --yes to erase without a question "
                "(nothing was erased)"
            )
        with workspace.reading() as connection:
            found = find_person(connection, person)
        click.echo(printable(f"Erase {found.describe()} for good? Reason: {reason}"))
        if not click.confirm("This cannot be undone. Erase?", default=False):
            click.echo("Nothing erased.")
            return
        person = f"#{found.id}"  # the one shown, whatever the text matches now
    erased, erasure = erase_person(workspace.engine, person, workspace.settings.user)
    click.echo(f"Erased #{erased.id}: kept as an anonymous node ({erased.rung}).")
    _say(erasure)


def _say(erasure: Erasure) -> None:
    if erasure.merged_records:
        click.echo(f"  with {erasure.merged_records} record(s) merged into them")
    if changed := counts_text(erasure.rows):
        click.echo(f"  also blanked or removed: {changed}")
    for note in erasure.storage_notes():
        click.echo(f"  {note}")
