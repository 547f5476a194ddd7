"""`ladder people export PERSON -o FILE.json`: the access export (everything held about them)."""

from __future__ import annotations

import click

from cli.context import pass_workspace
from cli.output import check_writable, database_files, printable
from ladder.files import write_replacing
from ladder.privacy.access import export_person
from ladder.workspace import Workspace


@click.command()
@click.argument("person")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="The JSON file to write (- for standard output), readable by you only.",
)
@click.option("--force", is_flag=True, help="Replace the --output file when it exists.")
@pass_workspace
def export(workspace: Workspace, person: str, output: str, force: bool) -> None:
    """Write everything held about PERSON to one JSON file (an access request, GDPR article
    15): details, every action, attendance, RSVP and invitation, level changes with their
    evidence, consent records, tags, ids in other tools, recruiter and recruits by id, merges
    and the audit entries about them. The export itself is recorded in the audit. The format
    is documented in ladder/privacy/access.py and the README.

    Example: ladder people export awa@example.org -o awa-diallo.json
    """
    check_writable(output, force=force, keep=database_files(workspace))

    def write(data: bytes) -> None:
        if output == "-":
            click.echo(data.decode("utf-8"))
        else:
            write_replacing(output, data)

    done = export_person(workspace.engine, person, workspace.settings.user, write)
    if output != "-":
        rows, tables = sum(done.counts.values()), sum(1 for n in done.counts.values() if n)
        click.echo(
            printable(
                f"Wrote everything held about {done.person.describe()} to {output}: "
                f"{_counted(rows, 'row')} in {_counted(tables, 'table')}, "
                f"{_counted(done.audit_entries, 'audit entry', 'audit entries')}."
            )
        )


def _counted(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"
