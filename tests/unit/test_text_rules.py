"""The one rule for stored text and ids (ladder.domain.text)."""

import pytest

from ladder.domain.contact import normalise_email
from ladder.domain.text import (
    EMAIL,
    MAX_ID,
    like_pattern,
    parse_id,
    shown_safely,
    text_problem,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("#12", 12), (" #7 ", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None),
     (f"#{2**64}", None), ("0", None), ("²", None), ("١٢", None), ("12a", None), ("-1", None)],
)  # fmt: skip
def test_parse_id(text, expected):
    assert parse_id(text) == expected


def test_text_problems_name_the_character_or_the_length():
    assert text_problem("Awa", 120) is None
    assert text_problem("Aw\x1ba", 120) == "a control character (U+001B) at character 3: remove it"
    assert text_problem("a\x85", 120) == "a control character (U+0085) at character 2: remove it"
    assert text_problem("a\nb", 120) == "a control character (U+000A) at character 2: remove it"
    assert text_problem("a\n\tb", 120, multiline=True) is None
    assert text_problem("a\x00b", 120, multiline=True) is not None
    assert text_problem("x" * 121, 120) == "121 characters, more than the 120 allowed: shorten it"
    assert text_problem("é" * 120, 120) is None  # characters, not bytes


def test_an_email_longer_than_254_characters_is_not_an_email():
    assert normalise_email("a" * 242 + "@example.org") is not None  # 254
    with pytest.raises(ValueError, match=f"255 characters, more than the {EMAIL} allowed"):
        normalise_email("a" * 243 + "@example.org")


def test_like_patterns_take_every_character_literally():
    assert like_pattern("100%_a\\b") == "%100\\%\\_a\\\\b%"


def test_control_characters_are_shown_as_escapes():
    assert shown_safely("Awa\x1b[31m\x00\x9b") == "Awa\\x1b[31m\\x00\\x9b"


def test_a_ladder_file_name_longer_than_its_column_is_refused():
    from ladder.domain.ladderfile import parse_ladder
    from ladder.errors import LadderFileError

    with pytest.raises(LadderFileError, match="70 characters, more than the 60 allowed"):
        parse_ladder(f'[[rungs]]\nname = "{"a" * 70}"\n')


def test_a_user_name_with_an_escape_sequence_is_refused(tmp_path):
    from ladder.errors import ConfigError
    from ladder.settings import Settings

    with pytest.raises(ConfigError, match="LADDER_USER: a control character"):
        Settings.resolve(env={"LADDER_USER": "vol\x1b[2J"}, cwd=tmp_path)
