"""Output shared by every listing command: ``--format table|csv|json``; output files.

json is a list of objects and csv has a header row, both with the same keys, stable for
spreadsheets, scripts and mail merges. table is for people (tabulate). Every command that
writes a file checks it first with :func:`check_writable`.

Rows carry stored times (naive UTC); this is where they become the movement's local time:
``2026-12-05 18:00:00`` in a table or csv, ISO 8601 with the offset in json
(``2026-12-05T18:00:00+11:00``).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cli.when import shown
from ladder.domain.text import shown_safely
from ladder.files import check_creatable
from ladder.tabular.cells import neutralise

if TYPE_CHECKING:
    from ladder.events.checkin import CheckinResult
    from ladder.invitations.suggest import NextList
    from ladder.rules import Move
    from ladder.workspace import Workspace

FORMATS = ("table", "csv", "json")
F = TypeVar("F", bound=Callable[..., Any])


def output_options(function: F) -> F:
    """Add ``--format`` to a listing command (the value arrives as ``output_format``)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table for people; csv or json (same keys) for spreadsheets and scripts.",
    )(function)


def check_writable(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    option: str = "--output",
    keep: Iterable[tuple[str | os.PathLike[str] | None, str]] = (),
) -> None:
    """Refuse, in one line, an output file that cannot or must not be written: call it before
    any work. Creates and changes nothing.

    ``-`` (standard output) is always writable. Never one of ``keep`` (``(path, "the file
    being imported")``, the database), even with ``force``; an existing file only with
    ``force``; and its folder must take a new file (outputs are written beside it, then
    renamed over it: :func:`ladder.files.replacing`).
    """
    if str(path) == "-":
        return
    target = Path(path)
    for other, what in keep:
        if other is not None and _same_file(target, Path(other)):
            raise click.ClickException(f"{option} {path} is {what}: name another file")
    try:
        if target.exists():
            if not force:
                raise click.ClickException(
                    f"{path} already exists: pass --force to replace it, "
                    f"or name another file with {option}"
                )
            with target.open("ab"):  # writable? (appending truncates nothing)
                pass
        check_creatable(target)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None


def database_files(workspace: Workspace) -> list[tuple[Path | None, str]]:
    """What an output file must never be: the database and its journals (``keep=``)."""
    journals = [(path, "the database's journal") for path in workspace.database_journals]
    return [(workspace.database_file, "the database"), *journals]


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:  # one of them does not exist (yet)
        return one.resolve() == other.resolve()


def render(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    output_format: str = "table",
    empty: str = "(nothing to show)",
) -> str:
    rows = list(rows)
    if output_format == "json":
        return json.dumps(
            [{c: _plain(r.get(c), offset=True) for c in columns} for r in rows], indent=2
        )
    if output_format == "csv":
        cells = ([_csv_cell(row.get(c)) for c in columns] for row in rows)
        return csv_text(columns, cells).rstrip("\n")
    if not rows:
        return empty
    from tabulate import tabulate

    table = [[_cell(row.get(c)) for c in columns] for row in rows]
    return tabulate(table, headers=list(columns), tablefmt="simple", disable_numparse=True)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a header row, safe to open in a spreadsheet: text cells are neutralised
    (``ladder.tabular.cells``: no cell starts a formula) and numbers are written as numbers.
    A row with a carriage return in a cell is quoted throughout: the csv module quotes only
    the line terminator's characters, and ours is ``\\n``."""
    safe = [[neutralise(c) if c.__class__ is str else c for c in row] for row in rows]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(safe)
    if "\r" not in buffer.getvalue():
        return buffer.getvalue()
    buffer = io.StringIO()  # rare: write it again, quoting the rows that need it
    plain = csv.writer(buffer, lineterminator="\n")
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    plain.writerow(header)
    for cells in safe:
        (quoted if any("\r" in str(c) for c in cells) else plain).writerow(cells)
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    return "" if value is None else _plain(value)


def echo_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    output_format: str = "table",
    empty: str = "(nothing to show)",
) -> None:
    click.echo(render(rows, columns, output_format, empty))


def _plain(value: Any, offset: bool = False) -> Any:
    """A value for csv/json/table; a stored time in local time (with its offset for json)."""
    if isinstance(value, datetime):
        local = shown(value)
        if offset:
            return local.isoformat(timespec="seconds")
        return local.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}"
    return printable(str(_plain(value)))


def printable(text: str, lines: bool = False) -> str:
    """``text`` as a terminal may show it: control characters (an ESC sequence or a NUL in a
    name stored before ladder refused them) written as escapes (``\\x1b``), never sent raw.
    With ``lines``, a text of several lines keeps its line breaks."""
    if lines:
        return "\n".join(shown_safely(line) for line in text.split("\n"))
    return shown_safely(text)


def change_ends(
    from_rung: str | None, to_rung: str | None, from_status: str | None, to_status: str | None
) -> tuple[str | None, str | None]:
    """A level change's two ends: the statuses when it changed status (lapsed, active again),
    else the rungs."""
    if from_status != to_status:
        return from_status, to_status
    return from_rung, to_rung


def move_sentence(move: Move) -> str:
    """One level change in words: "Promoted from follow to attend (rule shows-up)."."""
    if move.from_status != move.to_status:
        return f"Now {move.to_status} (rule {move.rule_id})."
    return f"Promoted from {move.from_rung} to {move.to_rung} (rule {move.rule_id})."


def moves_lines(moves: Iterable[Move]) -> list[str]:
    """One line per level change, naming who (a sign-in sheet moves several people)."""
    return [
        printable(f"{move.name} (#{move.supporter_id}): {move_sentence(move)}") for move in moves
    ]


def checkin_message(result: CheckinResult) -> str:
    """What a check-in did, in one line: checked in (and promoted), or already there."""
    who = f"{result.person.name} (#{result.person.id})"
    if result.already:
        by = f" by {result.checked_in_by}" if result.checked_in_by else ""
        return printable(
            f"{who} was already checked in to {result.event.title} at "
            f"{shown(result.checked_in_at):%H:%M}{by}: still one attendance"
        )
    text = f"Checked in {who} to {result.event.title}."
    return printable(" ".join([text, *(move_sentence(move) for move in result.moves)]))


def recorded_message(found: NextList) -> str:
    count = len(found.suggestions)
    what = f"invited to {found.event.describe()}" if found.event else "recorded as asked"
    return f"{count} {'person' if count == 1 else 'people'} {what}."


def evidence_text(evidence: dict[str, Any] | None) -> str:
    """``attended_90d=2 [attendances 12, 31], recruits=1 [#4]``: counts, and the rows behind."""
    if not evidence:
        return ""
    counts = evidence.get("counts") or {}
    ids = evidence.get("ids") or {}
    parts = []
    for key, value in counts.items():
        behind = sorted(ids.get(key) or [])
        parts.append(f"{key}={value}" + (f" [{_ids_text(key, behind)}]" if behind else ""))
    return ", ".join(parts)


def _ids_text(key: str, ids: list[int]) -> str:
    if key.startswith("recruits"):
        return ", ".join(f"#{i}" for i in ids)  # people
    noun = "events" if key.startswith("hosted") else "attendances"
    return f"{noun} {', '.join(str(i) for i in ids)}"
