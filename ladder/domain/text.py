"""What a stored text or id may be: the one source of truth for column limits and for the
characters no field takes. Pure (the storage models read their lengths from here).

Every way in (a file's row, `people add`, an event, a tag, a group name) checks its values
with :func:`text_problem` before writing, so SQLite (which would store anything) and
PostgreSQL (which refuses an over-long value in the middle of a COPY) hold the same data.
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1  # the largest id both databases store (a signed 64-bit integer)
MAX_COUNT = 2**31 - 1  # capacities, limits, counts typed by people: a 32-bit integer

# column lengths (ladder.storage.models uses them)
NAME = 120  # first name, last name, local group, town, user names
EMAIL = 254  # RFC 5321's longest usable address
PHONE = 32
POSTCODE = 16
TAG = 80
TITLE = 200  # event titles and places, campaign and partner names, labels
KIND = 60  # event and action kinds, rung names, sources
STATUS = 16
EXTERNAL_ID = 120
RULE_ID = 80
PREFIX = 20  # the visible start of a token or check-in link secret
SECRET_HASH = 64  # a SHA-256 hex digest
LONG_TEXT = 10_000  # reasons and notes (TEXT columns): long, not unbounded

# Control characters: C0 (NUL, ESC...), DEL and C1 (U+0080-U+009F, where 8-bit terminals read
# CSI). Tab and newline only where a field legitimately spans lines (reasons, notes).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ASCII_ID = re.compile(r"#?([0-9]+)")


def text_problem(value: str, limit: int, *, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored in a field of ``limit`` characters, or None.

    ``a control character (U+001B) at character 4: remove it`` or
    ``301 characters, more than the 254 allowed: shorten it``.
    """
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if found:
        return (
            f"a control character (U+{ord(found.group()):04X}) at character "
            f"{found.start() + 1}: remove it"
        )
    if len(value) > limit:
        return f"{len(value):,} characters, more than the {limit:,} allowed: shorten it"
    return None


def checked_text(value: str, limit: int, what: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, or ValueError saying ``what`` is wrong with it (one line)."""
    problem = text_problem(value, limit, multiline=multiline)
    if problem:
        raise ValueError(f"{what} has {problem}")
    return value


def parse_id(text: str) -> int | None:
    """The id ``12`` or ``#12`` names (ASCII digits only), or None: not an id, or an id no
    database can hold (2^63 or more), which therefore names nobody."""
    match = _ASCII_ID.fullmatch(text.strip())
    if match is None:
        return None
    number = int(match.group(1))
    return number if 0 < number <= MAX_ID else None


def looks_like_id(text: str) -> bool:
    """``12`` or ``#12`` in ASCII digits, whatever its size."""
    return _ASCII_ID.fullmatch(text.strip()) is not None


def shown_safely(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\x1b``, ``\\x00``): what a
    terminal may print without being driven by it."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


LIKE_ESCAPE = "\\"  # given as ESCAPE explicitly: the same on SQLite and PostgreSQL


def like_pattern(fragment: str) -> str:
    """A LIKE pattern matching ``fragment`` anywhere, its ``%``, ``_`` and ``\\`` taken
    literally (use it with ``escape=LIKE_ESCAPE``)."""
    escaped = (
        fragment.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


# The same rule as a regular expression, for validators that run it in Rust (pydantic).
NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"
