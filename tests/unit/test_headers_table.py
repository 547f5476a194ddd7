"""The header table (ladder/tabular/headers.toml) is consistent: no name means two fields of
one importer, every layout is recognised from its own header and only from it."""

import pytest

from ladder.errors import MisuseError
from ladder.events.sheets import PRESENT
from ladder.people.importing.rows import PEOPLE_FIELDS
from ladder.tabular.csvfile import normalise_header
from ladder.tabular.headers import (
    _table,
    aliases_for,
    consent_words,
    detect_layout,
    layout_overrides,
    layouts,
)

IMPORTERS = {
    "people": PEOPLE_FIELDS,
    "sign-in sheet": (*PEOPLE_FIELDS, PRESENT),
    "actions": ("first_name", "last_name", "full_name", "email", "phone", "id", "date", "kind",
                "campaign", "external_id"),
}  # fmt: skip


@pytest.mark.parametrize("importer", sorted(IMPORTERS))
def test_no_name_of_the_table_means_two_fields_of_one_importer(importer):
    fields = IMPORTERS[importer]
    table = _table()["fields"]
    owners: dict[str, str] = {}
    for field in fields:
        for name in (field, *table[field].get("aliases", ()), *table[field].get("negated", ())):
            owner = owners.setdefault(normalise_header(name), field)
            assert owner == field, f"{name!r} is both {owner} and {field}"
    assert set(aliases_for(fields)) >= set(fields)


@pytest.mark.parametrize("name", sorted(layouts()))
def test_each_layout_is_recognised_from_its_own_header_and_names_its_source(name):
    layout = layouts()[name]
    assert detect_layout(list(layout.header)) == layout
    assert layout.source


def test_a_plain_spreadsheet_is_no_tools_export():
    assert detect_layout(["Prénom", "Nom", "Courriel", "id"]) is None


def test_source_tool_names_a_layout_or_a_tool_of_its_own():
    assert detect_layout(["x"], "civicrm") == layouts()["civicrm"]
    assert detect_layout(["x"], "helloasso") is None
    with pytest.raises(MisuseError, match="a tool name is lower-case letters"):
        detect_layout(["x"], "Hello Asso")


def test_in_another_tools_file_an_id_column_is_never_a_ladder_id():
    aliases = aliases_for(PEOPLE_FIELDS)
    header = ["id", "user_id", "user__given_name", "user__email_address"]
    overrides = layout_overrides(layouts()["mobilize"], header, aliases)
    assert overrides["id"] == ""
    assert overrides["user_id"] == "tool_id"
    ladder = layout_overrides(layouts()["ladder"], ["id", "rung", "status"], aliases)
    assert ladder["id"] == "id"


def test_consent_words_cover_french_english_dutch_and_ticks():
    words = consent_words()
    assert {"oui", "yes", "ja", "true", "1", "x", "✓"} <= words.yes
    assert {"non", "no", "nee", "false", "0"} <= words.no
    assert not words.yes & words.no
