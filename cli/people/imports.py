"""`ladder people import FILE|-`: people from the spreadsheets organisers really have."""

from __future__ import annotations

from typing import Any

import click

from cli.context import pass_workspace
from cli.importing import ImportRequest, file_import_options, import_progress
from ladder.people.importing.importer import import_people
from ladder.workspace import Workspace


@click.command("import")
@file_import_options
@pass_workspace
def import_command(workspace: Workspace, **given: Any) -> None:
    """Import people from a CSV file (or - for standard input).

    Detects the delimiter (, ; tab), the encoding (UTF-8 with or without BOM, Windows-1252
    from Excel) and English or French headers (email/courriel, first name/prénom, last
    name/nom, phone/téléphone/portable, postcode/code postal, group/groupe, tags,
    recruited by/recruteur/parrain, consent columns). A known person (same email, or same phone
    and name) is updated, never duplicated: importing a file twice changes nothing. A row whose
    email belongs to someone with another name is refused. By default any invalid row means
    nothing is imported.

    Example: ladder people import adherents.csv --dry-run
    """
    request = ImportRequest.from_options(**given)
    with import_progress(request.data.count(b"\n")) as advance:
        report, table = import_people(
            workspace.engine,
            workspace.ladder,
            request.data,
            request.source,
            request.options,
            advance,
        )
    request.finish(report, table)
