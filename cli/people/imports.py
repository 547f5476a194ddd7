"""`ladder people import FILE|-`: people from the spreadsheets organisers really have."""

from __future__ import annotations

from typing import Any

import click

from cli.context import pass_workspace
from cli.importing import ImportRequest, file_import_options
from cli.progress import progress_bar
from ladder.people.importing.importer import import_people
from ladder.workspace import Workspace


@click.command("import")
@file_import_options
@pass_workspace
def import_command(workspace: Workspace, **given: Any) -> None:
    """Import people from a CSV file (or - for standard input).

    Detects the delimiter (, ; tab), the encoding (UTF-8 with or without BOM, Windows-1252
    from Excel) and English, French or Dutch headers (email/courriel/e-mailadres, first
    name/prénom/voornaam, last name/nom/achternaam, phone/téléphone portable/GSM, postcode/code
    postal, group, tags, recruited by/parrainé par, accepte les e-mails/SMS...), and the exports
    of NationBuilder, Action Network, Mobilize, CiviCRM, Eventbrite and Google/Microsoft Forms
    (ladder/tabular/headers.toml). Another tool's id column is kept as that tool's id, so a
    later file from it finds the same people. A known person (same email, or same phone and
    name) is updated, never duplicated: importing a file twice changes nothing. A row whose
    email belongs to someone with another name is refused. By default any invalid row means
    nothing is imported. A column that looks like phones, emails or consents but is not read
    is a warning on the first line.

    Example: ladder people import adherents.csv --dry-run
    """
    request = ImportRequest.from_options(**given)
    request.options.actor = workspace.settings.user
    request.options.audit_command = "people import"
    with progress_bar() as progress:
        report, table = import_people(
            workspace.engine,
            workspace.ladder,
            request.data,
            request.source,
            request.options,
            progress,
        )
    request.finish(report, table)
