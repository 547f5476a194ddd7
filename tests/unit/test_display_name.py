"""One way to show a person everywhere: lists by name, messages by id and name."""

from ladder.domain.names import display_name, labelled


def test_a_list_shows_the_name_and_falls_back_to_the_id():
    assert display_name("Awa", "Diallo", 12) == "Awa Diallo"
    assert display_name("Awa", None, 12) == "Awa"
    assert display_name(None, "Diallo", 12) == "Diallo"
    assert display_name(None, None, 12) == "#12"
    assert display_name("", "", 12) == "#12"


def test_a_message_names_the_id_and_the_name():
    assert labelled(12, "Awa", "Diallo") == "#12 Awa Diallo"
    assert labelled(12, None, None) == "#12"
