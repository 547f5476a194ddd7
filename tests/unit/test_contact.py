import pytest

from ladder.domain.contact import (
    normalise_email,
    normalise_phone,
    normalise_postcode,
    postcode_range,
)


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
