import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ladder.domain import contact
from ladder.domain.contact import (
    normalise_email,
    normalise_phone,
    normalise_postcode,
    postcode_range,
)
from ladder.domain.text import EMAIL, text_problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0032 2 555 12 12", "+3225551212"),
        (19876543210, "+19876543210"),
        ("", None),
        (None, None),
    ],
)
def test_phones_normalise_to_one_form(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["call me", "12", "06-12-AB"])
def test_things_that_are_not_phones_are_refused(raw):
    with pytest.raises(ValueError, match="is not a phone number"):
        normalise_phone(raw)


def test_emails_are_trimmed_and_lower_cased():
    assert normalise_email("  Awa.Diallo@Example.ORG ") == "awa.diallo@example.org"
    assert normalise_email(" ") is None
    with pytest.raises(ValueError, match="is not an email address"):
        normalise_email("awa at example")


@pytest.mark.parametrize(
    "raw",
    ['p0@example.org"', ';"p1@example.org', "a,b@example.org", "<awa@example.org>",
     "awa..diallo@example.org", ".awa@example.org", "awa@example", "awa@-.o"],
)  # fmt: skip
def test_a_stray_spreadsheet_character_is_not_part_of_an_email(raw):
    with pytest.raises(ValueError, match="is not an email address"):
        normalise_email(raw)


@pytest.mark.parametrize(
    "raw",
    ["o'brien+asso@mail.example.org", "awa_d@example.org", "zoé@écoles.nc", "a-b@x-y.fr"],
)
def test_real_addresses_keep_their_punctuation(raw):
    assert normalise_email(raw) == raw


def test_postcodes_and_their_prefix_range():
    assert normalise_postcode(" ls1  4ap ") == "LS1 4AP"
    lower, upper = postcode_range("ls1")
    assert lower <= "LS1 4AP" < upper
    assert not lower <= "LS2 1AA" < upper
    assert not lower <= "LS" < upper


def _checked_email(raw: str | None) -> str | None:
    """normalise_email as it was written first: every address through text_problem."""
    if raw is None or not raw.strip():
        return None
    email = raw.strip().lower()
    if problem := text_problem(email, EMAIL):
        raise ValueError(problem)
    if not contact.EMAIL_PATTERN.match(email):
        raise ValueError(f"{raw.strip()!r} is not an email address")
    return email


def _outcome(function, raw: str) -> str | None:
    try:
        return function(raw)
    except ValueError as exc:
        return f"ValueError: {exc}"


@settings(max_examples=300)
@given(
    st.one_of(
        st.text(),
        st.builds(
            lambda a, b, c: f"{a}@{b}.{c}",
            st.text(min_size=1),
            st.text(min_size=1),
            st.text(min_size=2, max_size=300),
        ),
    )
)
@example("İ" * 127 + "@x.org")  # 254 characters typed, longer lower-cased
@example(" a\x85b@example.org")
def test_an_email_is_read_as_text_problem_reads_it(raw):
    """Only a non-printable or over-long address goes through text_problem: the same
    addresses, the same refusals."""
    assert _outcome(normalise_email, raw) == _outcome(_checked_email, raw)
