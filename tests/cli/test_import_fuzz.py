"""Fuzzing `ladder people import` through the CLI (issue #13): whatever the file, the import
either succeeds having read every row of it, or refuses in one line leaving the database as
it was. Never a traceback, never a silent loss."""

import csv
import io
import itertools
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from ladder.people.importing.rows import PEOPLE_ALIASES
from tests.factories import dump

# SQLite is enough: the reader is what is fuzzed; each example is one in-process CLI run on
# the same database (about 0.3 s each with the before/after dumps: slow as a whole).
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# A value with a control character (NUL, ESC...) is refused (tests/cli/test_text_limits.py), so
# a well-formed file's values leave them out (and stay short, under every column's limit) and
# must import (a tab only in a note, which may span lines); the arbitrary bytes and the damaged
# files feed them, to be imported or refused.
CONTROL = "".join(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x0D), *range(0x0E, 0x20), 0x7F]))

SUMMARY = re.compile(r"^Read .*: (\d+) rows\.$", re.MULTILINE)
COUNTS = re.compile(
    r"^Created (\d+), updated (\d+), unchanged (\d+)"
    r"(?:, repeated rows (\d+))?(?:, rejected (\d+))?\.$",
    re.MULTILINE,
)
ROW_REFUSAL = re.compile(r"^\d+ rows? (?:is|are) invalid in ")
TEXT = st.text(
    st.characters(
        codec="cp1252",
        exclude_characters=CONTROL + "\t\r\n\x85@",
        exclude_categories=("Cs",),
    ),
    max_size=12,
)
NOTE = st.text(
    st.characters(codec="cp1252", exclude_characters=CONTROL, exclude_categories=("Cs",)),
    max_size=30,
)
_RUNS = itertools.count()
FIELDS = ["first_name", "last_name", "full_name", "tags", "notes", "unknown"]


def _run(ladder_cli, tmp_path, data: bytes, *options):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    return ladder_cli("people", "import", str(path), *options)


def _emails(engine) -> set[str]:
    with engine.connect() as connection:
        return {e for (e,) in connection.execute(text("SELECT email FROM supporters")) if e}


def _check(result, engine, before) -> int | None:
    """The shared property; returns the rows read when the import succeeded."""
    assert "Traceback" not in result.output, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{type(result.exception).__name__}: {result.exception}")
    if result.exit_code != 0:
        assert result.exit_code in (1, 2), result.output
        assert dump(engine) == before, result.output
        lines = result.stderr.splitlines()
        while lines and lines[0].startswith("warning: "):  # a column no field reads, said first
            lines.pop(0)
        assert lines, "a refusal says why"
        if ROW_REFUSAL.match(lines[0]):  # invalid rows: the first line, then one per row
            assert all(line.startswith("  ") for line in lines[1:]), result.stderr
        else:
            assert len(lines) == 1, result.stderr
        return None
    read = int(SUMMARY.search(result.stdout).group(1))
    counts = [int(n or 0) for n in COUNTS.search(result.stdout).groups()]
    assert sum(counts) == read, result.stdout
    return read


@FUZZ
@given(
    data=st.binary(max_size=300)
    | st.builds(lambda t: t.encode("utf-8", "surrogatepass"), st.text(max_size=200))
)
def test_arbitrary_bytes_are_imported_whole_or_refused_in_one_line(
    ladder_cli, engine, tmp_path, data
):
    before = dump(engine)
    _check(_run(ladder_cli, tmp_path, b"email,name,tags\n" + data), engine, before)
    before = dump(engine)
    _check(_run(ladder_cli, tmp_path, data), engine, before)


@st.composite
def people_files(draw):
    """A CSV file as a spreadsheet would write it (header aliases, delimiter, quoting, line
    ends, encoding, BOM), the emails of its data rows, and whether a cell spans lines."""
    fields = ["email", *draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=4))]
    fields = draw(st.permutations(fields))
    names = {f: [f, *PEOPLE_ALIASES.get(f, [])] for f in fields}
    names["notes"], names["unknown"] = ["notes", "remarques"], ["colonne 7"]
    header = [
        draw(st.sampled_from(names[f])).upper()
        if draw(st.booleans())
        else draw(st.sampled_from(names[f]))
        for f in fields
    ]
    count = draw(st.integers(0, 6))
    run = next(_RUNS)  # examples share one database: fresh emails, so no row names another's
    emails = [f"p{i}.{run}@example.org" for i in range(count)]
    rows = []
    for email in emails:
        row = []
        for f in fields:
            if f == "email":
                row.append(email)
            elif f == "notes":
                row.append(draw(NOTE))
            else:
                row.append(draw(TEXT))
        rows.append(row)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=delimiter,
        lineterminator=draw(st.sampled_from(["\n", "\r\n"])),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
    )
    writer.writerow(header)
    writer.writerows(rows)
    content = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    spans = any("\n" in cell or "\r" in cell for row in rows for cell in row)
    return content.encode(encoding), set(emails), spans


def _reads_as_utf8_in_part(data: bytes) -> bool:
    """Some line is UTF-8 beyond ASCII while the whole file is not UTF-8."""
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    for line in data.split(b"\n"):
        try:
            if not line.isascii() and line.decode("utf-8"):
                return True
        except UnicodeDecodeError:
            continue
    return False


@FUZZ
@given(file=people_files())
def test_a_well_formed_file_imports_every_row(ladder_cli, engine, tmp_path, file):
    data, emails, spans = file
    before = dump(engine)
    result = _run(ladder_cli, tmp_path, data)
    read = _check(result, engine, before)
    if not spans and not _reads_as_utf8_in_part(data):
        # (a note over several lines may look like swallowed rows; a Windows-1252 file with a
        # line that is also valid UTF-8, such as "Â" + no-break space, may look mixed: refused)
        assert read is not None, result.output
    if read is not None:
        assert read == len(emails), result.stdout
        assert emails <= _emails(engine)


@FUZZ
@given(
    file=people_files(),
    cut=st.integers(0, 10_000),
    at_a_cell_start=st.booleans(),
    damage=st.sampled_from(
        ['"', '"', '"', '"\n', "\n", "\r", ";", ",", "\xe9", "\ufeff", "\x00", "\x1b[31m"]
    ),
)
@example(
    file=(
        b"first name,last name,email,tags\nAna,Diallo,p0@example.org,volunteer\n"
        b"Ben,Martin,p1@example.org,donor\nCleo,Kone,p2@example.org,volunteer\n"
        b"Dan,Roy,p3@example.org,donor\n",
        {"p0@example.org", "p1@example.org", "p2@example.org", "p3@example.org"},
        False,
    ),
    cut=58,  # before "volunteer" on line 2: the case of issue #13
    at_a_cell_start=False,
    damage='"',
)
def test_a_damaged_file_is_imported_whole_or_refused(
    ladder_cli, engine, tmp_path, file, cut, at_a_cell_start, damage
):
    data, emails, _ = file
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "latin-1"
    content = data.decode(encoding)
    if at_a_cell_start:  # where a quote opens a quoted cell
        starts = [0, *(i + 1 for i, c in enumerate(content) if c in ",;\t\n")]
        at = starts[cut % len(starts)]
    else:
        at = cut % (len(content) + 1)
    damaged = (content[:at] + damage + content[at:]).encode(encoding, "replace")
    before = dump(engine)
    result = _run(ladder_cli, tmp_path, damaged)
    read = _check(result, engine, before)
    in_rows = at > content.index("\n")  # (a header damaged may just lose its email column)
    if read is not None and damage == '"' and in_rows:  # a stray quote loses no row silently
        intact = {e for e in emails if e in damaged.decode(encoding, "replace")}
        stored = _emails(engine)  # the quote may have become part of a cell: p0@x.org"
        assert all(any(e in s for s in stored) for e in intact), result.stdout
