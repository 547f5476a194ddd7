"""The CSV reader decodes the file's bytes as it reads (no whole text kept): what it reads must
be what reading the decoded text would give, in every encoding it detects."""

import codecs
import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.tabular import csvfile
from ladder.tabular.csvfile import read_csv, rejected_rows_csv

FIELDS = {"first_name": ["first_name"], "last_name": ["last_name"], "email": ["email"]}
# line breaks str.splitlines knows, other whitespace, and text
LINE_TEXT = st.text(
    alphabet=st.sampled_from(["\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", " ", "\t"])
    | st.sampled_from(["a", "é", ";", ","]),
    max_size=30,
)


@given(LINE_TEXT)
def test_the_first_line_is_the_first_non_blank_line_as_splitlines_cuts_them(text):
    expected = next((line for line in text.splitlines() if line.strip()), None)
    assert csvfile._first_line(text) == expected


CELL = st.text(alphabet=st.sampled_from(["a", "Z", "é", "œ", "€", '"', " ", ";", ",", "'"]))
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])


def _encoded(text, encoding):
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    return text.encode(encoding)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(CELL, CELL, CELL), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    terminator=st.sampled_from(["\r\n", "\n", "\r"]),
    final=st.booleans(),
    encoding=ENCODINGS,
)
def test_rows_read_from_the_bytes_are_the_rows_of_the_decoded_text(
    rows, delimiter, terminator, final, encoding
):
    rows = [("x" + first, last, email) for first, last, email in rows]  # no blank row
    if encoding == "cp1252":
        rows = [tuple(c.replace("œ", "oe") for c in row) for row in rows]  # œ is in cp1252
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator)
    writer.writerow(["first_name", "last_name", "email"])
    writer.writerows(rows)
    text = out.getvalue() if final else out.getvalue().removesuffix(terminator)
    data = _encoded(text, encoding)
    table = read_csv(data, "f.csv", FIELDS)
    assert table.delimiter == delimiter
    values = [r.values for r in table.rows()]
    read = [(v["first_name"], v["last_name"], v["email"]) for v in values]
    assert read == rows
    lines = [r.line for r in table.rows()]
    assert table.records_at(set(lines)) == {
        line: list(row) for line, row in zip(lines, rows, strict=True)
    }
    reference = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    last_line = sum(1 for _ in io.StringIO(text, newline=""))
    assert table._last_lines(last_line, last_line) == csvfile._last_lines(
        text, last_line, last_line
    )
    rejected = rejected_rows_csv(table, {lines[-1]: "why"})
    records = list(csv.reader(io.StringIO(rejected, newline=""), delimiter=delimiter))
    assert records == [["reason", "first_name", "last_name", "email"], ["why", *reference[-1]]]
