"""`ladder export osdi` and `ladder import osdi`: OSDI HAL+JSON, both ways."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

import click

from cli.context import pass_workspace
from cli.output import check_writable, printable
from cli.progress import progress_bar
from ladder.interop.osdi_export import export_files, export_osdi
from ladder.interop.osdi_import import OsdiReport, import_osdi
from ladder.workspace import Workspace


@click.group("export")
def export_group() -> None:
    """Write the database in another tool's format.

    Example: ladder export osdi osdi-export/
    """


@click.group("import")
def import_group() -> None:
    """Read another tool's files (people, events, attendance, tags).

    Example: ladder import osdi osdi-export/
    """


def _peak_mib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak // (1024 * 1024) if sys.platform == "darwin" else peak // 1024


@export_group.command("osdi")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace the files of an earlier export in OUT.")
@pass_workspace
def export_osdi_command(workspace: Workspace, out: str, force: bool) -> None:
    """Write people, tags, taggings, events and attendances as OSDI 1.2 HAL+JSON collections.

    OUT is a folder (created when missing) that gets one file per collection: people.json,
    tags.json, taggings.json, events.json, attendances.json. Every record's identifiers hold
    ladder:<id> and the other tools' ids this database keeps (action_network:...); the rung,
    recruiter and photo consent are custom_fields, email and SMS consent the status of the
    address. Files are owner-only; an existing one is replaced only with --force. The export
    streams: memory stays flat whatever the size (the peak is printed).

    Example: ladder export osdi osdi-export/ --force
    """
    directory = Path(out)
    if directory.exists() and not directory.is_dir():
        raise click.ClickException(f"{out} is a file: OUT is a folder for the five collections")
    engine = workspace.engine
    if not directory.exists():
        try:
            directory.mkdir(mode=0o700)
        except OSError as exc:
            raise click.ClickException(f"cannot create {out} ({exc.strerror})") from None
    for path in export_files(directory):
        check_writable(
            path, force=force, option="OUT", keep=((workspace.database_file, "the database"),)
        )
    with progress_bar() as progress:
        report = export_osdi(engine, directory, progress)
    counts = ", ".join(f"{n} {name.removesuffix('.json')}" for name, n in report.counts.items())
    click.echo(f"Wrote {counts} to {printable(out)} (peak memory {_peak_mib()} MiB).")


@import_group.command("osdi")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Check and count everything, write nothing.")
@click.option(
    "--event",
    type=click.IntRange(1),
    metavar="ID",
    help="The ladder event of attendances that link none (a request posted to an event's URL).",
)
@click.option("--tag", metavar="NAME", help="The tag of taggings that link none.")
@pass_workspace
def import_osdi_command(
    workspace: Workspace, paths: tuple[str, ...], dry_run: bool, event: int | None, tag: str | None
) -> None:
    """Read OSDI HAL+JSON documents: a `ladder export osdi` folder, Action Network's, others'.

    PATHS are files or folders (every *.json in them). People are matched as `people import`
    matches them (identifier, then email, phone, name); other tools' identifiers
    (action_network:<uuid>) are kept, so a later import updates the same people and events
    instead of duplicating them. A bad document is refused in one line naming the file and the
    JSON path, and nothing is written.

    Example: ladder import osdi osdi-export/
    """
    files = [Path(p) for p in paths]
    report = import_osdi(
        workspace.engine,
        workspace.ladder,
        files,
        dry_run,
        event=event,
        tag=tag,
        by=workspace.settings.user,
    )
    click.echo(summary(report))


def summary(report: OsdiReport) -> str:
    verb = "Would import" if report.dry_run else "Imported"
    lines = [
        f"{verb} {report.documents} documents from {report.files} file(s): "
        f"people {report.created} new, {report.updated} updated, {report.unchanged} unchanged"
        + (f", {report.duplicates} repeated" if report.duplicates else "")
        + "."
    ]
    if not report.dry_run:
        lines.append(
            f"Tags {report.tags_created} new, {report.taggings_added} taggings added; "
            f"events {report.events_created} new, {report.events_updated} updated; "
            f"attendances {report.attendances_created} new, {report.attendances_updated} updated; "
            f"{report.identifiers_added} identifiers kept, {report.rungs_set} rungs set."
        )
        if report.unlinked:
            lines.append(
                f"{report.unlinked} taggings or attendances name a person, event or tag that is "
                "neither in these files nor in the database: skipped (import that record first)."
            )
    if report.skipped:
        shown = ", ".join(f"{n} {kind}" for kind, n in sorted(report.skipped.items()))
        lines.append(f"Not kept (ladder has no place for them): {shown}.")
    if report.dry_run:
        lines.append("Dry run: nothing written.")
    return "\n".join(lines)
