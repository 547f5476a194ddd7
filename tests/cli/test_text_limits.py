"""Every text field is checked before it is written, on both databases alike: no control
character (NUL, ESC...), no value longer than its column (an email has at most 254 characters).

SQLite would store anything; PostgreSQL refuses an over-long email or a NUL in the middle of a
write. Both now refuse it first, with the same one-line reason, and write nothing.
"""

from __future__ import annotations

from datetime import timedelta

from tests.factories import add_event, add_person, dump, write

LONG_EMAIL = "a" * 289 + "@example.org"  # 301 characters
TOO_LONG = "301 characters, more than the 254 allowed: shorten it"


def _one_error(result) -> str:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_a_301_character_email_is_refused_by_people_add_and_nothing_is_written(ladder_cli, engine):
    before = dump(engine)
    result = ladder_cli("people", "add", "--first-name", "Awa", "--email", LONG_EMAIL)
    assert result.exit_code == 1
    assert _one_error(result) == f"Error: --email: {TOO_LONG}"
    assert dump(engine) == before


def test_a_301_character_email_is_refused_by_people_edit(ladder_cli, engine):
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    before = dump(engine)
    result = ladder_cli("people", "edit", "awa@example.org", "--email", LONG_EMAIL)
    assert result.exit_code == 1
    assert _one_error(result) == f"Error: --email: {TOO_LONG}"
    assert dump(engine) == before


def test_a_file_with_a_301_character_email_is_refused_with_the_same_reason(
    ladder_cli, engine, tmp_path
):
    before = dump(engine)
    content = f"first name,last name,email\nJean,Wamytan,jean@example.nc\nAwa,Diallo,{LONG_EMAIL}\n"
    result = ladder_cli("people", "import", write(tmp_path, "people.csv", content))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"line 3, column 'email': {TOO_LONG}" in result.output
    assert dump(engine) == before


def test_skip_invalid_imports_the_other_rows_and_not_the_long_email(ladder_cli, engine, tmp_path):
    content = f"first name,last name,email\nJean,Wamytan,jean@example.nc\nAwa,Diallo,{LONG_EMAIL}\n"
    result = ladder_cli(
        "people", "import", write(tmp_path, "people.csv", content), "--skip-invalid"
    )
    assert result.exit_code == 0, result.output
    emails = [r[3] for r in dump(engine)["supporters"]]
    assert emails == ["jean@example.nc"]


def test_a_nul_byte_in_a_name_after_the_first_4_kib_is_refused_naming_line_and_column(
    ladder_cli, engine, tmp_path
):
    rows = "".join(f"P{i},L{i},p{i}@example.org,{'x' * 60}\n" for i in range(100))
    content = f"first name,last name,email,tags\n{rows}Bad\x00Name,Z,bad@example.org,\n"
    assert content.index("\x00") > 4096
    before = dump(engine)
    result = ladder_cli("people", "import", write(tmp_path, "people.csv", content))
    assert result.exit_code == 1
    assert (
        "line 102, column 'first name': a control character (U+0000) at character 4: remove it"
        in result.output
    )
    assert dump(engine) == before


def test_an_escape_sequence_in_a_file_is_refused_in_names_and_tags(ladder_cli, engine, tmp_path):
    content = "first name,last name,email,tags\nAwa,Di\x1b[31mallo,awa@example.org,ok;b\x07\n"
    before = dump(engine)
    result = ladder_cli("people", "import", write(tmp_path, "people.csv", content))
    assert result.exit_code == 1
    assert "column 'last name': a control character (U+001B) at character 3" in result.output
    assert "column 'tags': tag 2: a control character (U+0007) at character 2" in result.output
    assert dump(engine) == before


def test_control_characters_are_refused_on_the_command_line(ladder_cli, engine):
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    add_event(engine, "Forum", starts_in=timedelta(hours=-1))
    before = dump(engine)
    refused = {
        ("people", "add", "--first-name", "Awa\x1b[2J"): "--first-name: a control character "
        "(U+001B) at character 4: remove it",
        ("people", "add", "--last-name", "a\x00b"): "--last-name: a control character (U+0000)",
        ("people", "add", "--email", "x\x1b@example.org"): "--email: a control character",
        ("people", "add", "--phone", "06\x0012345678"): "--phone: a control character",
        ("people", "edit", "#1", "--postcode", "69\x9b001"): "--postcode: a control character "
        "(U+009B)",
        ("people", "add", "--first-name", "Jo", "--group", "Lyon\x1b]0;x\x07", "--create-group"): (
            "--group: a control character (U+001B)"
        ),
        ("people", "tag", "#1", "ok", "bad\x1b[1m"): "tag 2: a control character (U+001B)",
        ("events", "add", "--title", "Forum\x1b[5m", "--start", "2026-12-05 18:00"): (
            "--title: a control character (U+001B)"
        ),
        ("events", "edit", "#1", "--place", "Salle\x00B"): "--place: a control character",
        ("events", "edit", "#1", "--kind", "x" * 61): "--kind: 61 characters, more than the 60",
        ("people", "set-rung", "#1", "attend", "--reason", "why\x1b[0m"): (
            "--reason: a control character (U+001B)"
        ),
    }
    for args, reason in refused.items():
        result = ladder_cli(*args)
        assert result.exit_code in (1, 2), (args, result.output)
        assert reason in _one_error(result) if result.exit_code == 1 else reason in result.stderr
        assert "\x1b" not in result.output and "\x00" not in result.output
        assert dump(engine) == before, args


def test_a_multi_line_reason_is_still_accepted(ladder_cli, engine):
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    result = ladder_cli("people", "set-rung", "#1", "attend", "--reason", "met her\n\tat the fair")
    assert result.exit_code == 0, result.output


def test_names_stored_with_control_characters_are_shown_escaped(ladder_cli, engine):
    """Stored before ladder refused them (PostgreSQL never stores a NUL: a BEL here)."""
    add_person(engine, "Awa\x1b[31m", "Di\x07allo", email="awa@example.org")
    for args in (("people", "list"), ("people", "show", "#1"), ("people", "show", "Awa")):
        result = ladder_cli(*args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output, args
        assert "Awa\\x1b[31m" in result.output, args
    add_person(engine, "Ana\x1b[1m", None)  # a message naming people: an ambiguous name
    ambiguous = ladder_cli("people", "show", "a")
    assert "\x1b" not in ambiguous.output and "Ana\\x1b[1m" in ambiguous.output


def test_graph_exports_stay_valid_xml_with_names_stored_with_control_characters(
    ladder_cli, engine, db_url, tmp_path
):
    import xml.etree.ElementTree as ElementTree

    nul = "\x00" if db_url.startswith("sqlite") else ""  # PostgreSQL never stores a NUL
    recruiter = add_person(engine, f"Awa\x1b[31m{nul}", "Di\x07allo")
    add_person(engine, "Jean", "Wamytan", recruiter_id=recruiter)
    for file_format in ("graphml", "gexf"):
        target = tmp_path / f"graph.{file_format}"
        result = ladder_cli("graph", "export", "--format", file_format, "-o", str(target))
        assert result.exit_code == 0, result.output
        tree = ElementTree.parse(target).iter()
        labels = [e.get("label") or e.get("value") or e.text for e in tree]
        assert any(label and label.startswith("Awa\\x1b[31m") for label in labels), file_format
