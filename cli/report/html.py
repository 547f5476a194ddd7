"""`ladder report html`: the whole report as one self-contained HTML file."""

from __future__ import annotations

from datetime import datetime

import click

from cli.context import pass_workspace
from cli.output import check_writable, database_files, printable
from cli.progress import progress_bar
from cli.report.options import window_of, window_options
from ladder.files import replacing
from ladder.workspace import Workspace

MISSING = "the HTML report needs the web extra: pip install -e '.[web]' (Jinja2, matplotlib)"


@click.command()
@window_options
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="The HTML file to write, readable by you only; - for standard output.",
)
@click.option("--force", is_flag=True, help="Replace the --output file when it exists.")
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    help="The report's language. Default: the locale's (LANG=fr_FR... gives French).",
)
@pass_workspace
def html(
    workspace: Workspace,
    since: datetime | None,
    until: datetime | None,
    group: str | None,
    output: str,
    force: bool,
    lang: str | None,
) -> None:
    """Write the report as one HTML file that needs nothing else: the headline figures, the
    funnel over time, cohorts, events and show rates, campaigns against their goals, the top
    recruiters and the local groups compared, with charts. It reads well on a phone and prints
    on A4; the same data give the same bytes.

    Example: ladder report html --since 2026-01-01 --lang fr -o rapport.html
    """
    try:
        from web.html_report.page import html_report
        from web.html_report.words import language_of
    except ImportError:
        raise click.ClickException(MISSING) from None

    check_writable(output, force=force, keep=database_files(workspace))
    chosen = language_of(lang)
    window = window_of(workspace, since, until, group)
    with progress_bar() as progress, workspace.reading() as connection:
        page = html_report(
            connection, workspace.ladder, window, workspace.zone, chosen, progress=progress
        )
    data = page.encode("utf-8")
    if output == "-":
        with click.open_file(output, "wb") as stream:
            stream.write(data)
        return
    with replacing(output) as temporary:
        temporary.write_bytes(data)
    click.echo(f"Wrote the report to {printable(output)}.", err=True)
