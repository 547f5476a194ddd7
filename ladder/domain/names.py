"""Comparing people's names: folding, and "could these two names be the same person?".

Pure functions, shared by the import (a family sharing an email address is not one person),
`people add` and walk-ins (:func:`same_person`), and the duplicate finder (a typo in a name is
still one person).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher, get_close_matches
from functools import lru_cache

SIMILAR = 0.85  # "Mamadou" ~ "Mamadu" (0.92); "Jean" vs "Jeanne" (0.80) are two people
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=100_000)
def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def fold(name: str | None) -> str:
    """``" Éloïse-Marie "`` -> ``eloise marie``: lower case, no accents, words by spaces.

    Digits stay (group "Paris 11" is not "Paris 12"); other punctuation goes.
    """
    return _fold(name) if name else ""  # cached: first and last names repeat a lot


def full_name_key(first: str | None, last: str | None) -> str:
    return " ".join(p for p in (fold(first), fold(last)) if p)


def similar(a: str, b: str) -> bool:
    """Two folded words or phrases that are probably the same name."""
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:  # an initial: "J" and "Jean"
        return a[0] == b[0]
    words_a, words_b = set(a.split()), set(b.split())
    if words_a <= words_b or words_b <= words_a:  # "Jean" and "Jean Pierre"
        return True
    return SequenceMatcher(None, a, b).ratio() >= SIMILAR


def names_agree(
    first_a: str | None, last_a: str | None, first_b: str | None, last_b: str | None
) -> bool:
    """False only when the names are clearly different (a part both sides have differs)."""
    for a, b in ((first_a, first_b), (last_a, last_b)):
        if a and b and a != b and not similar(fold(a), fold(b)):
            return False
    return True


# How a known record and what someone gives (a file's row, `people add`, a walk-in) are
# matched: the one rule every way in shares (:func:`same_person`).
SAME_EMAIL = "same email"
EMAIL_OF_ANOTHER = "same email, another name"  # a family sharing an address: a conflict
SAME_PHONE_AND_NAME = "same phone and name"


@dataclass(frozen=True)
class Identity:
    """What says who someone is: their names, email and phone (normalised), any of them None."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None


def same_person(known: Identity, given: Identity) -> str | None:
    """Whether ``given`` is the person ``known`` records: the same email (with names that
    agree, else :data:`EMAIL_OF_ANOTHER`), else the same phone with names that agree.

    Returns :data:`SAME_EMAIL`, :data:`EMAIL_OF_ANOTHER`, :data:`SAME_PHONE_AND_NAME` or None.
    """
    agree = names_agree(known.first_name, known.last_name, given.first_name, given.last_name)
    if given.email and known.email == given.email:
        return SAME_EMAIL if agree else EMAIL_OF_ANOTHER
    if given.phone and known.phone == given.phone and agree:
        return SAME_PHONE_AND_NAME
    return None


def better_cased(current: str | None, given: str) -> str:
    """The name to keep when ``given`` is written over ``current``.

    When they differ only in capitals, a mixed-case name beats an all-upper or all-lower one
    (``Jean`` stays over ``JEAN`` or ``jean``; ``JEAN`` becomes ``Jean``); otherwise ``given``.
    """
    if current is None or current == given or current.casefold() != given.casefold():
        return given
    return current if _mixed_case(current) and not _mixed_case(given) else given


def _mixed_case(name: str) -> bool:
    return name != name.upper() and name != name.lower()


def display_name(first: str | None, last: str | None, person_id: int) -> str:
    """``Awa Diallo``, or ``#12`` for someone without a name: how every list shows a person."""
    return " ".join(part for part in (first, last) if part) or f"#{person_id}"


def labelled(person_id: int, first: str | None, last: str | None) -> str:
    """``#12 Awa Diallo`` (``#12`` alone without a name): a person in a message."""
    name = " ".join(part for part in (first, last) if part)
    return f"#{person_id} {name}" if name else f"#{person_id}"


def close_names(name: str, names: list[str], n: int = 3) -> list[str]:
    """The names among ``names`` closest to ``name``, case and accents ignored (for "did you
    mean ...?" after an unknown campaign or organisation)."""
    folded = {fold(other): other for other in names}
    return [folded[c] for c in get_close_matches(fold(name), list(folded), n=n, cutoff=0.6)]
