"""The HTML report's words: numbers, percents and dates each language's way; the language
from --lang or the locale."""

from __future__ import annotations

from datetime import date

import pytest

from ladder.errors import MisuseError
from web.html_report.words import CATALOGUE, LANGUAGES, Words, language_of


def test_numbers_percents_and_days():
    en, fr = Words("en"), Words("fr")
    assert (en.number(2650), fr.number(2650)) == ("2,650", "2\u202f650")
    assert (en.number(1234567), fr.number(1234567)) == ("1,234,567", "1\u202f234\u202f567")
    assert (en.number(4.25, 1), fr.number(4.25, 1)) == ("4.2", "4,2")
    assert (en.number(999), fr.number(0)) == ("999", "0")
    assert (en.percent(45), fr.percent(45)) == ("45%", "45\u00a0%")
    assert en.number(None) == fr.percent(None) == en.day(None) == "—"
    day = date(2026, 2, 3)
    assert (en.day(day), fr.day(day)) == ("3\u00a0Feb\u00a02026", "3\u00a0févr.\u00a02026")


@pytest.mark.parametrize(
    ("lang", "environ", "expected"),
    [
        ("fr", {"LANG": "en_GB.UTF-8"}, "fr"),
        (" EN ", {"LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "fr"),
        (None, {"LANG": "fr_CA.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),  # LC_ALL wins
        (None, {"LANG": "en_US.UTF-8", "LC_MESSAGES": "fr_BE"}, "fr"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {}, "en"),
    ],
)
def test_the_language(lang, environ, expected):
    assert language_of(lang, environ) == expected


def test_an_unknown_language_is_misuse():
    with pytest.raises(MisuseError, match="unknown language 'de': use one of en, fr"):
        language_of("de", {})


def test_every_word_is_in_both_languages():
    assert all(set(words) == set(LANGUAGES) for words in CATALOGUE.values())
