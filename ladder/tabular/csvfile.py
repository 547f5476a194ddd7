"""Reading the CSV files organisers really have, for any kind of import.

Detection, in order:

- encoding: a byte-order mark (UTF-8 or UTF-16, as Excel writes them), else UTF-8 when the bytes
  are valid UTF-8, else Windows-1252 (Excel on Windows, a superset of latin-1 for text);
- delimiter: whichever of ``,`` ``;`` and tab splits the header row into the most columns
  (French Excel writes ``;``);
- header: each column name is normalised (case, accents, spaces, punctuation) and looked up in
  the alias table the caller passes (``{"email": ["email", "courriel", "e-mail"], ...}``);
  ``--map COLUMN=FIELD`` overrides the guess and ``--map COLUMN=`` ignores a column.

Rows come back with the file line they start on, so every error can name it. The reader knows
nothing about people: the sign-in sheet import uses it with its own alias table.

What it refuses rather than guess (one line naming the lines at fault): a file mixing UTF-8 and
another encoding (unless ``--encoding`` names one), a quote opened and never closed, a quoted
cell that runs over several lines swallowing what look like rows, a cell over 16 MiB.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from ladder.errors import InputError, MisuseError
from ladder.tabular.cells import safe_row

if TYPE_CHECKING:
    from _csv import Reader

DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
IGNORE = ""  # the field a --map override gives to a column it ignores

FIELD_LIMIT = 1 << 24  # 16 MiB: far above any real cell, well below what hurts memory
csv.field_size_limit(FIELD_LIMIT)
SHOWN_LINES = 5  # lines named in a message, then "and N more"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as io.StringIO(newline="") and the csv reader count
_EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.\w")
_SENTINEL = "ladder-end-of-file"
_SPLITLINES = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines' breaks
_NON_SPACE = re.compile(r"\S")
_ASCII_SAFE = {"utf-8", "utf-8-sig", "cp1252", "iso8859-1", "ascii"}  # codecs.lookup names


class CsvRow(NamedTuple):
    """One data row: its first line in the file, each field's raw text, and stray cells."""

    line: int
    values: dict[str, str]
    extra: tuple[str, ...] = ()


@dataclass
class CsvTable:
    """A CSV file whose columns are mapped to fields; rows are read lazily.

    The file's bytes are kept, not its text: each reading decodes them as it goes (a
    ``StringIO`` of a million-row file would hold 4 bytes a character)."""

    source: str
    encoding: str
    delimiter: str
    header: list[str]
    columns: dict[str, list[int]]  # field -> column positions, in file order
    approximate_rows: int
    _data: bytes = field(repr=False)

    def _lines(self) -> io.TextIOWrapper:
        """The decoded text, line by line as the csv module reads them (``newline=""``)."""
        return io.TextIOWrapper(io.BytesIO(self._data), self.encoding, newline="")

    def lines(self) -> Iterator[str]:
        """The decoded text, line by line as the csv reader counts them, each with its line
        break (the last line's may be missing)."""
        return iter(self._lines())

    def reader(self) -> Reader:
        """A csv reader over the whole file, header included, decoding as it goes."""
        return csv.reader(self._lines(), delimiter=self.delimiter)

    def _last_lines(self, line: int, end: int) -> str:
        """Lines ``line``..``end``, the file's last, as :func:`_last_lines` cuts them."""
        if end > line:  # a record over several lines is rare: read forward
            return "".join(itertools.islice(self._lines(), line - 1, None))
        if codecs.lookup(self.encoding).name not in _ASCII_SAFE:  # UTF-16: read it all
            return _last_lines("".join(self._lines()), line, end)
        data = self._data  # a line break is one byte, never inside another character
        stop = len(data) - (
            2 if data.endswith(b"\r\n") else 1 if data.endswith((b"\r", b"\n")) else 0
        )
        cut = data.rfind(b"\n", 0, stop)
        cut = max(cut, data.rfind(b"\r", cut + 1, stop))
        if cut < 0:
            return "".join(self._lines())
        return data[cut + 1 :].decode(self.encoding)

    @property
    def ignored(self) -> list[str]:
        used = {i for positions in self.columns.values() for i in positions}
        return [name for i, name in enumerate(self.header) if i not in used and name.strip()]

    @property
    def delimiter_name(self) -> str:
        return _DELIMITER_NAMES[self.delimiter]

    def column_of(self, field_name: str) -> str:
        """The header of the (first) column holding ``field_name``, for error messages."""
        positions = self.columns.get(field_name)
        return self.header[positions[0]] if positions else field_name

    def sample(self, count: int) -> list[list[str]]:
        """The first ``count`` data records as read (every column), for guessing what an
        unmapped column holds; a record the reader refuses ends the sample."""
        reader = self.reader()
        _read_header(reader, self.source)
        try:
            return list(itertools.islice(reader, count))
        except csv.Error:
            return []

    def records_at(self, lines: set[int]) -> dict[int, list[str]]:
        """The records starting on ``lines``, every column as read (one pass)."""
        reader = self.reader()
        _read_header(reader, self.source)
        found: dict[int, list[str]] = {}
        start = reader.line_num + 1
        try:
            for cells in reader:
                line, start = start, reader.line_num + 1
                if line in lines:
                    found[line] = cells
        except csv.Error:
            pass  # rows() refuses the file, naming the line
        return found

    def rows(self) -> Iterator[CsvRow]:
        """Data rows, blank ones skipped; values are raw text (the caller strips them).

        Raises InputError for a quote that is never closed or that swallows what look like
        rows, and for anything the csv module cannot read (a cell over 16 MiB).
        """
        width = len(self.header)
        fields, pick, several = self.picker()
        for line, cells in self.records():
            values = dict(zip(fields, pick(cells), strict=True))
            for f, positions in several:
                values[f] = next((cells[i] for i in positions if cells[i].strip()), "")
            if len(cells) > width:
                yield CsvRow(line, values, tuple(c for c in cells[width:] if c.strip()))
            else:
                yield CsvRow(line, values)

    def picker(
        self,
    ) -> tuple[list[str], Callable[[list[str]], tuple[str, ...]], list[tuple[str, list[int]]]]:
        """How :meth:`rows` maps a record's cells to fields: the fields of one column each,
        a function picking their cells (in that order), and the fields of several columns."""
        fields = [f for f, p in self.columns.items() if len(p) == 1]
        pick = _picker([p[0] for f, p in self.columns.items() if len(p) == 1])
        several = [(f, p) for f, p in self.columns.items() if len(p) > 1]
        return fields, pick, several

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """The data records as :meth:`rows` reads them, before mapping: each one's first
        line and its cells (at least one a column; stray cells after them). Blank records
        are skipped; the same errors are raised."""
        reader = self.reader()
        width = len(self.header)
        line = _read_header(reader, self.source)[1]
        start = reader.line_num + 1
        try:
            for cells in reader:
                line, start = start, reader.line_num + 1
                if start - line > 1:  # a quoted cell spans lines: a note, or an unclosed quote
                    self._check_spanning(cells, line, start - 1)
                if (len(cells) != width or not cells[0]) and not "".join(cells).strip():
                    continue
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                yield line, cells
        except csv.Error as exc:
            raise _csv_error(self.source, start, exc) from None
        end = reader.line_num
        _check_closed(self._last_lines(line, end), self.delimiter, self.source, line)

    def _check_spanning(self, cells: list[str], line: int, end: int) -> None:
        """Refuse a record whose quoted cell, over lines ``line``..``end``, swallows a line
        that looks like a row."""
        index = _swallowing_cell(cells, self.delimiter, len(self.header))
        if index is None:
            return
        if end == sum(1 for _ in self._lines()):
            _check_closed(self._last_lines(line, end), self.delimiter, self.source, line)
        _refuse_swallowing(self.source, line + _breaks(cells[:index]), end)


def _swallowing_cell(cells: Sequence[str], delimiter: str, width: int) -> int | None:
    """The first cell with a line after its first that looks like a swallowed row (an email,
    or a row's worth of delimiters), if any. A note's second line rarely has either."""
    for index, cell in enumerate(cells):
        for part in _LINE_BREAK.split(cell)[1:]:
            if (width >= 3 and part.count(delimiter) >= width - 1) or _EMAIL_LIKE.search(part):
                return index
    return None


def _refuse_swallowing(source: str, opened: int, end: int) -> None:
    raise InputError(
        f"{source}: the quote opened on line {opened} runs on to line {end}, swallowing what "
        'look like rows: close it on its line (a quote meant as text is written "") and import '
        "again"
    )


def _check_closed(tail: str, delimiter: str, source: str, line: int) -> None:
    """Refuse the file when its last record, ``tail`` (its last lines, from ``line``), ends
    inside a quote: the csv module would silently take the rest of the file as a cell."""
    if '"' not in tail:
        return
    records = list(csv.reader(io.StringIO(f"{tail}\n{_SENTINEL}", newline=""), delimiter=delimiter))
    if records and records[-1] == [_SENTINEL]:
        return
    opened = line + _breaks(records[-1][:-1]) if records else line
    raise InputError(
        f"{source}: the quote opened on line {opened} is never closed, so it takes in the rest "
        'of the file: close it on its line (a quote meant as text is written "") and import '
        "again"
    )


def _last_lines(text: str, line: int, end: int) -> str:
    """The text of lines ``line``..``end``, the last ones, as the csv reader counts lines."""
    if end > line:  # a record over several lines is rare: read forward
        return "".join(itertools.islice(io.StringIO(text, newline=""), line - 1, None))
    stop = len(text) - (2 if text.endswith("\r\n") else 1 if text.endswith(("\r", "\n")) else 0)
    cut = text.rfind("\n", 0, stop)
    cut = max(cut, text.rfind("\r", cut + 1, stop))
    return text[cut + 1 :]


def _count_lines(text: str) -> int:
    return sum(1 for _ in io.StringIO(text, newline=""))


def _breaks(cells: Iterable[str]) -> int:
    return sum(len(_LINE_BREAK.findall(cell)) for cell in cells)


def _csv_error(source: str, line: int, exc: csv.Error) -> InputError:
    """One line for whatever the csv module refuses, naming the line the record starts on."""
    if "field larger than field limit" in str(exc):
        return InputError(
            f"{source}: line {line} has a cell over {FIELD_LIMIT >> 20} MiB, more than any "
            "import takes (a quote opened there and never closed?): fix it and import again"
        )
    return InputError(f"{source}: line {line} is not readable CSV ({exc}): fix it and import again")


def _picker(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A fast ``cells -> (cells[i] for i in positions)`` (operator.itemgetter)."""
    if not positions:
        return lambda cells: ()
    if len(positions) == 1:
        return lambda cells: (cells[positions[0]],)
    return operator.itemgetter(*positions)


def normalise_header(name: str) -> str:
    """``' Prénom '`` -> ``prenom``; ``E-Mail`` -> ``e mail``; ``Code_Postal`` -> ``code postal``.

    Case, accents, spaces and punctuation do not matter.
    """
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_ALNUM.sub(" ", plain).split())


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """``["Mail perso=email", "Notes="]`` -> ``{"Mail perso": "email", "Notes": ""}``."""
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, target = item.rpartition("=")
        if not sep or not column.strip():
            raise MisuseError(f"--map {item!r}: write COLUMN=FIELD (or COLUMN= to ignore it)")
        mapping[column.strip()] = target.strip()
    return mapping


def read_csv(
    data: bytes,
    source: str,
    aliases: Mapping[str, Sequence[str]],
    overrides: Mapping[str, str] | None = None,
    encoding: str | None = None,
    detect: Callable[[list[str]], Mapping[str, str]] | None = None,
) -> CsvTable:
    """Decode ``data``, find its delimiter and map its header to the fields of ``aliases``.

    Raises InputError (one line naming ``source``) for undecodable bytes, an empty file or a
    header with no recognisable column; MisuseError for an override naming an unknown
    column or field. ``detect`` (header -> overrides) adds the overrides the header implies
    (another tool's export layout, :mod:`ladder.tabular.headers`) under the caller's.
    """
    text, used_encoding = decode(data, source, encoding)
    header_line = _first_line(text)
    if header_line is None:
        raise InputError(f"{source} is empty: expected a header row, then one row per line")
    delimiter = sniff_delimiter(header_line)
    lines = io.TextIOWrapper(io.BytesIO(data), used_encoding, newline="")
    reader = csv.reader(lines, delimiter=delimiter)
    header, line = _read_header(reader, source)
    if reader.line_num > line:  # a header cell over several lines
        _check_header_spanning(text, delimiter, source, header, line, reader.line_num)
    if detect is not None:
        overrides = {**detect(header), **(overrides or {})}
    columns = map_columns(header, aliases, overrides or {}, source)
    return CsvTable(
        source=source,
        encoding=used_encoding,
        delimiter=delimiter,
        header=header,
        columns=columns,
        approximate_rows=max(text.count("\n") - 1, 0),
        _data=data,
    )


def decode(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read with."""
    if encoding:
        return _decode_as(data, source, encoding), encoding
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data[len(codecs.BOM_UTF8) :], source, "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(data, source, "utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise InputError(
            f"{source} is not a text file (an Excel workbook?): save it as CSV and import that"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Not all UTF-8. Decoded with surrogateescape, each valid multibyte sequence shrinks to one
    # character and each other byte stays one: a shorter text means some of it is UTF-8.
    if len(data.decode("utf-8", "surrogateescape")) < len(data):
        _refuse_mixed(data, source)
    return _decode_as(data, source, "cp1252"), "cp1252"


def _refuse_mixed(data: bytes, source: str) -> None:
    """Name the UTF-8 lines and the others of a file that mixes them (when it does)."""
    utf8: list[int] = []
    other: list[int] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
        else:
            utf8.append(number)
    if not utf8 or not other:  # a line mixing both: decide for the file as a whole
        return
    raise InputError(
        f"{source} mixes encodings: {_lines(other)} not UTF-8 (Windows-1252?) while "
        f'{_lines(utf8)} UTF-8: save the whole file as "CSV UTF-8", or name its encoding '
        "with --encoding"
    )


def _lines(numbers: Sequence[int]) -> str:
    """``line 3 is`` or ``lines 2, 4, 6, 8, 10 and 15 more are``."""
    if len(numbers) == 1:
        return f"line {numbers[0]} is"
    shown = ", ".join(str(n) for n in numbers[:SHOWN_LINES])
    more = len(numbers) - SHOWN_LINES
    if more > 0:
        return f"lines {shown} and {more} more are"
    head, _, last = shown.rpartition(", ")
    return f"lines {head} and {last} are"


def _decode_as(data: bytes, source: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise MisuseError(f"unknown encoding {encoding!r}: try utf-8, cp1252 or latin-1") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise InputError(
            f"{source}: line {line} has byte 0x{byte}, which is not {encoding} text: "
            'save the file as "CSV UTF-8" or name its encoding with --encoding'
        ) from None


def _first_line(text: str) -> str | None:
    """The first non-blank line as ``str.splitlines`` cuts lines, without splitting the whole
    text (a million lines would briefly double the file in memory)."""
    found = _NON_SPACE.search(text)
    if found is None:
        return None
    first = found.start()
    start = max((m.end() for m in _SPLITLINES.finditer(text, 0, first)), default=0)
    end = _SPLITLINES.search(text, first)
    return text[start : end.start() if end else len(text)]


def _read_header(reader: Iterator[list[str]], source: str) -> tuple[list[str], int]:
    """The first non-blank record (blank lines above a header are common in exports), and the
    line it starts on."""
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                return [c.strip() for c in cells], line
            line = reader.line_num + 1  # type: ignore[attr-defined]
    except csv.Error as exc:
        raise _csv_error(source, line, exc) from None
    return [], line


def _check_header_spanning(
    text: str, delimiter: str, source: str, header: list[str], line: int, end: int
) -> None:
    if end == _count_lines(text):
        _check_closed(_last_lines(text, line, end), delimiter, source, line)
    index = _swallowing_cell(header, delimiter, 3)
    if index is not None:
        _refuse_swallowing(source, line + _breaks(header[:index]), end)


def sniff_delimiter(header_line: str) -> str:
    """The delimiter among , ; and tab that splits the header into the most columns."""

    def width(delimiter: str) -> int:
        try:
            return len(next(csv.reader([header_line], delimiter=delimiter)))
        except csv.Error:  # a cell over the limit: reading the header says so, naming the line
            return 0

    return max(DELIMITERS, key=width)  # max keeps the first of equals: comma


def map_columns(
    header: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    overrides: Mapping[str, str],
    source: str,
) -> dict[str, list[int]]:
    """field -> column positions: overrides first (they replace the guess for their field)."""
    by_alias = {normalise_header(a): f for f, names in aliases.items() for a in (f, *names)}
    by_header = {normalise_header(h): i for i, h in reversed(list(enumerate(header)))}
    chosen: dict[int, str] = {}
    for column, target in overrides.items():
        position = by_header.get(normalise_header(column))
        if position is None:
            shown = ", ".join(repr(h) for h in header if h)
            raise MisuseError(f"--map: {source} has no column {column!r} (columns: {shown})")
        if target and target not in aliases:
            raise MisuseError(f"--map: unknown field {target!r} (fields: {', '.join(aliases)})")
        chosen[position] = target
    overridden = set(chosen.values())
    for i, name in enumerate(header):
        guess = by_alias.get(normalise_header(name))
        if i not in chosen and guess and guess not in overridden:
            chosen[i] = guess
    columns: dict[str, list[int]] = {}
    for i in sorted(chosen):
        if chosen[i] != IGNORE:
            columns.setdefault(chosen[i], []).append(i)
    if not columns:
        shown = ", ".join(repr(h) for h in header if h) or "none"
        raise InputError(
            f"{source}: no column is recognised (columns: {shown}); name them with "
            f"--map COLUMN=FIELD (fields: {', '.join(aliases)})"
        )
    return columns


def rejected_rows_csv(table: CsvTable, reasons: Mapping[int, str], column: str = "reason") -> str:
    """The rows at ``reasons``' lines, as written in the file, after a ``reason`` column.

    The reason comes first so a row with stray cells keeps its shape; the file can be fixed in
    a spreadsheet and imported again (the reason column is ignored then).
    """
    reader = table.reader()
    _read_header(reader, table.source)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=table.delimiter, lineterminator="\r\n")
    writer.writerow(safe_row([column, *table.header]))
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if line in reasons:
            writer.writerow(safe_row([reasons[line], *cells]))  # no cell starts a formula
    return out.getvalue()
