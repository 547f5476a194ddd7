"""`ladder orgs digest`: a partner's progress mail, written for an organiser to send."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from cli.context import pass_workspace
from cli.output import check_writable, database_files, printable
from cli.when import LocalTime
from ladder.clock import utcnow
from ladder.domain.names import fold
from ladder.files import check_creatable, replacing
from ladder.orgs.digest import Digest, write_digests
from ladder.orgs.digest_text import LANGUAGES, digest_html, digest_text
from ladder.orgs.manage import list_orgs
from ladder.workspace import Workspace


@click.command("digest")
@click.argument("org", metavar="ORG", required=False)
@click.option("--all", "every", is_flag=True, help="Every organisation: one file each in -o DIR.")
@click.option(
    "--since",
    type=LocalTime(days_ago=True),
    metavar="DATE|Nd",
    help="From this date or this many days back (30d). Default: the last digest written "
    "for the organisation, else 30 days back.",
)
@click.option("--until", type=LocalTime(), metavar="DATE", help="Up to this date. Default: now.")
@click.option(
    "--format",
    "digest_format",
    type=click.Choice(["text", "html"]),
    default="text",
    show_default=True,
    help="Plain text, or HTML for a mail client.",
)
@click.option("--lang", type=click.Choice(LANGUAGES), default="fr", show_default=True)
@click.option(
    "-o",
    "--output",
    metavar="FILE|DIR",
    help="Write the digest to FILE (with --all: one file per organisation in DIR) and "
    "remember it as the last digest. Default: print it, a preview that records nothing.",
)
@click.option("--force", is_flag=True, help="Replace files that exist.")
@pass_workspace
def digest(
    workspace: Workspace,
    org: str | None,
    every: bool,
    since: datetime | None,
    until: datetime | None,
    digest_format: str,
    lang: str,
    output: str | None,
    force: bool,
) -> None:
    """The progress mail for one partner, ready to send personally: the events its people
    came to since the last digest (how many of them at each), the events organised together,
    the campaigns against their goals, the movement's headline figures and the next key
    dates. Nothing is sent: read it, add a word, and send it yourself.

    Written to a file (-o), the digest is remembered: the next one starts where it ended.

    Example: ladder orgs digest "Mairie de Lyon" --lang fr -o lyon.txt

    Example: ladder orgs digest --all --format html -o digests/
    """
    if every == (org is not None):
        raise click.UsageError("give an organisation, or --all (not both)")
    if every and output in (None, "-"):
        raise click.UsageError("--all writes one file per organisation: give -o DIR")
    ext = "html" if digest_format == "html" else "txt"
    render = digest_html if digest_format == "html" else digest_text
    zone = workspace.zone
    folder = Path(output) if every and output else None
    if folder is not None:
        _check_folder(workspace, folder, ext, force)
    elif output not in (None, "-"):
        check_writable(output, force=force, keep=database_files(workspace))
    record = output not in (None, "-")

    def write(found: Digest) -> None:
        text = render(found, lang, zone)
        if not record:
            click.echo(text, nl=False)
            return
        if folder is not None:
            folder.mkdir(exist_ok=True)
        target = folder / _file_name(found.org.id, found.org.name, ext) if folder else output
        assert target is not None
        with replacing(target) as temporary:
            temporary.write_text(text, encoding="utf-8")

    found = write_digests(
        workspace.engine,
        workspace.ladder,
        None if every else [org or ""],
        until or utcnow(),
        since,
        write,
        record=record,
        zone=zone,
    )
    if record:
        where = f"{len(found)} file(s) in {folder}" if folder else str(output)
        click.echo(
            f"Wrote the digest of {len(found)} organisation(s) to {printable(where)}.", err=True
        )


def _file_name(org_id: int, name: str, ext: str) -> str:
    slug = "-".join(fold(name).split())[:60]
    return f"{org_id}-{slug}.{ext}" if slug else f"{org_id}.{ext}"


def _check_folder(workspace: Workspace, folder: Path, ext: str, force: bool) -> None:
    """Before any work: the folder can be made, or every file to come in it can be written."""
    if folder.exists() and not folder.is_dir():
        raise click.ClickException(f"-o {printable(str(folder))} is a file: --all needs a folder")
    if not folder.exists():  # made when the first digest is written: its parent must take it
        try:
            check_creatable(folder)
        except OSError as exc:
            raise click.ClickException(
                f"cannot write {printable(str(folder))}: {exc.strerror or exc}"
            ) from None
        return
    with workspace.reading() as connection:
        names = [(row["id"], row["name"]) for row in list_orgs(connection)]
    for org_id, name in names:
        target = folder / _file_name(org_id, name, ext)
        check_writable(target, force=force, option="-o", keep=database_files(workspace))
