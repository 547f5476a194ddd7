"""Normalising the ways people are named: email, phone, postcode. Pure functions."""

from __future__ import annotations

import re

from ladder.domain.text import EMAIL, PHONE, text_problem

# RFC 5322's dot-atoms, as people have addresses (o'brien+asso@mail.example.org, accented
# domains): a quote, a comma, a ; or <> is a spreadsheet's stray character, not an address.
_ATOM = r"[\w!#$%&'*+/=?^`{|}~-]+"
EMAIL_PATTERN = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@(?:[\w-]+\.)+[\w-]{{2,}}$")
_PHONE_NOISE = re.compile(r"[\s.\-()/]")


def normalise_email(raw: str | None) -> str | None:
    """Trimmed and lower-cased; None for blank. Raises ValueError for a non-address."""
    if raw is None:
        return None
    typed = raw.strip()
    if not typed:
        return None
    email = typed.lower()
    # printable (no control character) and short enough: nothing for text_problem to find
    if (not email.isprintable() or len(email) > EMAIL) and (problem := text_problem(email, EMAIL)):
        raise ValueError(problem)
    if not EMAIL_PATTERN.match(email):
        raise ValueError(f"{typed!r} is not an email address")
    return email


def matched_email(typed: str) -> str | None:
    """``typed`` (a stripped cell) as :func:`normalise_email` gives it, when the address
    pattern takes it whole and it is short enough (no control character is in that pattern):
    lower-cased, without normalise_email's other checks; None otherwise (normalise_email
    then says why, when asked)."""
    email = typed.lower()
    return email if len(email) <= EMAIL and EMAIL_PATTERN.match(email) else None


def normalise_phone(raw: str | int | None, country_code: str = "33") -> str | None:
    """Digits with a leading + (E.164 style); a national 0-prefixed number gets the country code.

    ``06 12 34 56 78`` -> ``+33612345678``; ``0032 2 555 12 12`` -> ``+3225551212``.
    Integers are accepted (some exports write phones as numbers). Raises ValueError for
    something that is not a phone number.
    """
    if raw is None:
        return None
    text = _PHONE_NOISE.sub("", str(raw).strip())
    if not text:
        return None
    if problem := text_problem(str(raw).strip(), PHONE):
        raise ValueError(problem)
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("0"):
        text = f"+{country_code}{text[1:]}"
    elif not text.startswith("+"):
        text = "+" + text
    digits = text[1:]
    if not (digits.isascii() and digits.isdigit()) or not 6 <= len(digits) <= 15:
        raise ValueError(f"{str(raw).strip()!r} is not a phone number")
    return text


def looks_like_phone(raw: str) -> bool:
    text = _PHONE_NOISE.sub("", raw.strip())
    return bool(re.fullmatch(r"\+?\d{6,17}", text))


def normalise_postcode(raw: str | None) -> str | None:
    """Upper-case with single spaces; None for blank. ``ls1 4ap`` -> ``LS1 4AP``."""
    if raw is None or not str(raw).strip():
        return None
    return " ".join(str(raw).upper().split())


def postcode_range(prefix: str) -> tuple[str, str]:
    """Bounds for an index-friendly prefix filter: ``lower <= postcode < upper``.

    ``LIKE 'LS1%'`` does not use the index on either database (PERFORMANCE.md); a range does.
    """
    lower = normalise_postcode(prefix) or ""
    return lower, lower + "\U0010ffff"
