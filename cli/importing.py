"""What every CSV import command shares (`people import`, `attendance import`): FILE and the
options, the request they make, and the report: warnings about columns that look lost first
(and, on a dry run, how each column is read), then the summary, rejected rows and the
rejected file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click

from cli.output import check_writable, database_files
from ladder.files import write_replacing
from ladder.people.importing.importer import ImportOptions, ImportReport
from ladder.people.importing.rows import PEOPLE_ALIASES
from ladder.tabular.csvfile import CsvTable, parse_mapping, rejected_rows_csv
from ladder.tabular.headers import NEGATED, TOOL_ID
from ladder.workspace import Workspace

SHOWN_REJECTIONS = 50


def file_import_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """FILE and the options every CSV import shares (people, sign-in sheets)."""
    return file_import_options_for(PEOPLE_ALIASES)(function)


def file_import_options_for(
    fields: Iterable[str],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The shared options, with ``fields`` listed in --map's help (an action import's)."""
    return lambda function: _add_import_options(function, list(fields))


def _add_import_options(function: Callable[..., Any], fields: list[str]) -> Callable[..., Any]:
    options = [
        click.argument("file", type=click.File("rb")),
        click.option(
            "--map",
            "mappings",
            multiple=True,
            metavar="COLUMN=FIELD",
            help=f"Read COLUMN as FIELD (COLUMN= ignores it). Fields: {', '.join(fields)}.",
        ),
        click.option(
            "--encoding", help="The file's encoding, when the guess is wrong (e.g. latin-1)."
        ),
        click.option(
            "--skip-invalid",
            is_flag=True,
            help="Import the valid rows; write the others, with a reason, to a file.",
        ),
        click.option(
            "--rejected-file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Where --skip-invalid writes the rejected rows (default: FILE.rejected.csv).",
        ),
        click.option(
            "--force",
            is_flag=True,
            help="Replace the rejected-rows file when it exists (never FILE itself).",
        ),
        click.option(
            "--create-groups",
            is_flag=True,
            help="Create local groups the file names that do not exist yet.",
        ),
        click.option(
            "--dry-run",
            is_flag=True,
            help="Show how each column is read, and what would change; write nothing.",
        ),
        click.option(
            "--source-tool",
            metavar="NAME",
            help="The tool that exported FILE, when its header does not say (e.g. nationbuilder, "
            "action_network, mobilize, civicrm, eventbrite): its id column is kept as that "
            "tool's id for each person, so later files from it find the same people.",
        ),
        click.option(
            "--accept-suggestions",
            is_flag=True,
            help="Take every 'did you mean' a recruiter email gets (an accent, case, dot or "
            "one-letter slip of exactly one known email) instead of refusing the file.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@dataclass
class ImportRequest:
    """What the user asked for: the file's bytes and the shared options."""

    data: bytes
    name: str
    source: str
    options: ImportOptions
    rejected_file: Path | None

    @classmethod
    def from_options(
        cls,
        file: IO[bytes],
        mappings: tuple[str, ...],
        encoding: str | None,
        skip_invalid: bool,
        rejected_file: Path | None,
        force: bool,
        create_groups: bool,
        dry_run: bool,
        source_tool: str | None = None,
        accept_suggestions: bool = False,
    ) -> ImportRequest:
        name = str(getattr(file, "name", "<stdin>"))
        source = "standard input" if name in ("<stdin>", "-") else name
        options = ImportOptions(
            parse_mapping(mappings), encoding, skip_invalid, dry_run, create_groups
        )
        options.source_tool = source_tool
        options.accept_suggestions = accept_suggestions
        request = cls(b"", name, source, options, rejected_file)
        if skip_invalid and not dry_run:  # before any database work
            imported = None if name in ("<stdin>", "-") else name
            check_writable(
                request.rejected_path,
                force=force,
                option="--rejected-file",
                keep=[(imported, "the file being imported"), *_database_files()],
            )
        request.data = file.read()
        return request

    @property
    def rejected_path(self) -> Path:
        return self.rejected_file or _default_rejected_path(self.name)

    def finish(
        self,
        report: ImportReport,
        table: CsvTable,
        more: Sequence[str] = (),
        counts: Callable[[ImportReport], str] | None = None,
    ) -> None:
        """Refuse (exit 1) or summarise (then the ``more`` lines a command adds), list rejected
        rows, write the rejected file; exit 1 when --skip-invalid rejected every row.
        ``counts`` words the people counts (default: a people import's line)."""
        refused = bool(report.rejected) and not self.options.skip_invalid
        _echo_first(report, err=refused)
        if refused:
            _refuse(report)
        _echo_summary(report, counts or _people_counts)
        for line in more:
            click.echo(line)
        if report.rejected:
            _echo_rejections(report, err=False)
            if not self.options.dry_run:
                _write_rejected(table, report, self.rejected_path)
        if report.rejected and report.rejected_lines >= report.rows:
            count = report.rejected_lines
            if self.options.dry_run:
                raise click.ClickException(
                    f"no row would be imported: all {count} rows would be rejected"
                )
            raise click.ClickException(
                f"no row imported: all {count} rows were rejected, see {self.rejected_path}"
            )


def _echo_first(report: ImportReport, err: bool) -> None:
    """What the user must see before anything else: columns that look lost, and on a dry
    run how every column is read."""
    for warning in report.warnings:
        click.echo(warning, err=err)
    if report.dry_run:
        _echo_mapping(report, err)


def _echo_mapping(report: ImportReport, err: bool) -> None:
    layout = f" ({report.layout.title})" if report.layout else ""
    click.echo(f"How {report.source} is read{layout}:", err=err)
    for name, column in report.columns.items():
        if name == TOOL_ID:
            shown = f"{report.tool} id (kept to find the same people in later files)"
        elif name.startswith(NEGATED):
            shown = f"{name[len(NEGATED) :]}, inverted (a yes here is a no)"
        else:
            shown = name
        click.echo(f"  {column} -> {shown}", err=err)
    for column in report.ignored:
        click.echo(f"  {column} -> ignored", err=err)


def _refuse(report: ImportReport) -> None:
    count = report.rejected_lines
    rows = "row is" if count == 1 else "rows are"
    click.echo(
        f"{count} {rows} invalid in {report.source}: nothing was imported. Fix them and "
        "import again, or import the valid rows with --skip-invalid.",
        err=True,
    )
    _echo_rejections(report, err=True)
    raise click.exceptions.Exit(1)


def _echo_summary(report: ImportReport, counts: Callable[[ImportReport], str]) -> None:
    delimiter = {",": "comma", ";": "semicolon", "\t": "tab"}[report.delimiter]
    click.echo(
        f"Read {report.source} ({report.encoding}, {delimiter}-separated): {report.rows} rows."
    )
    if not report.dry_run:  # a dry run showed them first, one a line
        mapped = ", ".join(f"{column} -> {name}" for name, column in report.columns.items())
        ignored = f"; ignored: {', '.join(report.ignored)}" if report.ignored else ""
        click.echo(f"Columns: {mapped}{ignored}")
    click.echo(counts(report))
    if report.groups_created:
        click.echo(f"New local groups: {', '.join(report.groups_created)}")
    if report.tags_created:
        click.echo(f"New tags: {', '.join(report.tags_created)}")
    if report.layout is not None and not report.dry_run:
        kept = f"; its ids kept as {report.tool} ids" if report.tool else ""
        click.echo(f"Read as: {report.layout.title}{kept}.")
    for taken in report.suggestions:
        click.echo(f"Suggestion taken: recruiter {taken}")


def _people_counts(report: ImportReport) -> str:
    if report.dry_run:
        counts = (
            f"Dry run, nothing written: would create {report.created}, "
            f"update {report.updated}, leave {report.unchanged} unchanged"
        )
    else:
        counts = f"Created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
    if report.duplicates:
        counts += f", repeated rows {report.duplicates}"
    if report.rejected:
        counts += f", rejected {report.rejected_lines}"
    return counts + "."


def _echo_rejections(report: ImportReport, err: bool) -> None:
    for rejection in report.rejected[:SHOWN_REJECTIONS]:
        column = f", column {rejection.column!r}" if rejection.column else ""
        click.echo(f"  line {rejection.line}{column}: {rejection.reason}", err=err)
    if len(report.rejected) > SHOWN_REJECTIONS:
        more = len(report.rejected) - SHOWN_REJECTIONS
        click.echo(f"  ... and {more} more", err=err)


def _write_rejected(table: CsvTable, report: ImportReport, path: Path) -> None:
    reasons: dict[int, str] = {}
    for rejection in report.rejected:
        reason = f"{rejection.column}: {rejection.reason}" if rejection.column else rejection.reason
        reasons[rejection.line] = (
            f"{reasons[rejection.line]}; {reason}" if rejection.line in reasons else reason
        )
    write_replacing(path, rejected_rows_csv(table, reasons).encode("utf-8-sig"))  # owner-only
    click.echo(
        f"Wrote the {len(reasons)} rejected rows, with a reason column, to {path}: "
        "fix them there and import that file."
    )


def _database_files() -> list[tuple[Path | None, str]]:
    """The SQLite files of the running command's workspace, never to be written over."""
    context = click.get_current_context(silent=True)
    workspace = context.find_object(Workspace) if context else None
    return database_files(workspace) if workspace else []


def _default_rejected_path(name: str) -> Path:
    if name in ("<stdin>", "-"):
        return Path("rejected.csv")
    source = Path(name)
    return source.with_name(f"{source.stem}.rejected.csv")
