"""The people rows' fast paths give what the plain ways give: a table's rows validated from its
records (no CsvRow each) as from its rows, and the email and phone validators' shortcuts as
normalise_email and normalise_phone (the same value, or a ValueError both ways)."""

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.domain.contact import normalise_email, normalise_phone
from ladder.errors import InputError
from ladder.people.importing import rows as people_rows
from ladder.people.importing.rows import PEOPLE_ALIASES, validate_rows
from ladder.tabular.csvfile import read_csv


def _same_outcome(fast, plain, value):
    try:
        expected = plain(value)
    except ValueError as exc:
        expected = ("refused", str(exc))
    try:
        got = fast(value)
    except ValueError as exc:
        got = ("refused", str(exc))
    assert got == expected


PHONE_TEXT = st.text(
    alphabet=st.sampled_from([*"0123456789", " ", "+", ".", "-", "\t", "\x00", "٣", "²", "a"]),
    max_size=40,
)
PHONES = st.one_of(
    PHONE_TEXT,
    st.builds(lambda a, b: f"0{a}{b}", st.sampled_from("0123456789"), PHONE_TEXT),
    st.lists(st.integers(0, 99), min_size=0, max_size=18).map(
        lambda parts: "0" + " ".join(f"{p:02d}" for p in parts)
    ),
)


@settings(max_examples=400, deadline=None)
@given(PHONES)
def test_the_phone_shortcut_is_normalise_phone(value):
    _same_outcome(people_rows._phone, normalise_phone, value)


EMAIL_TEXT = st.text(
    alphabet=st.sampled_from([*"aZé.@-_+'", " ", "\x1b", "\x85", "\n", ";", "1"]), max_size=30
)
EMAILS = st.one_of(
    EMAIL_TEXT,
    st.emails(),
    st.emails().map(str.upper),
    st.builds(lambda e, pad: f"{pad}{e}{pad}", st.emails(), st.sampled_from([" ", "\n", "\t"])),
    st.builds(lambda n: "a" * n + "@example.org", st.integers(230, 260)),
)


@settings(max_examples=400, deadline=None)
@given(EMAILS)
def test_the_email_shortcut_is_normalise_email(value):
    _same_outcome(people_rows._email, normalise_email, value)


CELL = st.one_of(
    st.sampled_from(["", " ", "Awa", "  Zoé ", "'=1+1", "anonymous", "N/A", "x"]),
    st.sampled_from(["awa@example.org", "AWA@Example.org ", "not-an-email", "06 12 34 56 78"]),
    st.text(alphabet=st.sampled_from(["a", "é", " ", "'", ";", ",", '"', "\n", "@"]), max_size=8),
)
HEADERS = st.lists(
    st.sampled_from(
        ["first_name", "last_name", "full_name", "email", "phone", "postcode", "tags", "Notes"]
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(header=HEADERS, cells=st.lists(st.lists(CELL, max_size=8), min_size=1, max_size=6))
def test_rows_validated_from_the_records_are_the_rows_validated_from_csv_rows(header, cells):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["email", *header])  # a header twice: one field read from several columns
    writer.writerows(cells)  # rows too short, too long, blank
    table = read_csv(out.getvalue().encode(), "f.csv", PEOPLE_ALIASES)
    assert _outcome(lambda: list(validate_rows(table))) == _outcome(
        lambda: list(validate_rows(table, table.rows()))
    )


def _outcome(read):
    """The rows read, or the one line refusing the file (a quote swallowing rows)."""
    try:
        return read()
    except InputError as exc:
        return str(exc)
