"""`ladder people import` against files that are broken in ways that used to pass silently or
crash: an unclosed quote, mixed encodings, a cell too big for the CSV reader (issue #13)."""

import pytest

from tests.factories import dump, people_rows

HEADER = "first name,last name,email,tags\n"


def _import(ladder_cli, tmp_path, data: bytes, *options, name="people.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return ladder_cli("people", "import", str(path), *options)


def _refused(result, *fragments):
    """Exit 1, one line on stderr containing every fragment, no traceback."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


# item 1: an unclosed quote


def test_an_unclosed_quote_that_swallows_the_next_rows_is_refused_naming_its_line(
    ladder_cli, engine, tmp_path
):
    content = (
        HEADER
        + 'Ana,Diallo,ana@example.org,"volunteer\n'
        + "Ben,Martin,ben@example.org,donor\n"
        + "Cleo,Kone,cleo@example.org,volunteer\n"
        + "Dan,Roy,dan@example.org,donor\n"
    )
    before = dump(engine)
    result = _import(ladder_cli, tmp_path, content.encode())
    message = _refused(result, "people.csv", "line 2", "never closed")
    assert "Traceback" not in result.output
    assert "dan@example.org" not in message  # the file's values are not echoed
    assert dump(engine) == before


def test_a_quote_closed_by_a_later_quoted_cell_is_refused_naming_where_it_opened(
    ladder_cli, engine, tmp_path
):
    content = (
        HEADER
        + "Ana,Diallo,ana@example.org,volunteer\n"
        + 'Ben,Martin,ben@example.org,"donor\n'
        + "Cleo,Kone,cleo@example.org,volunteer\n"
        + 'Dan,Roy,dan@example.org,"donor, driver"\n'
        + "Eve,Sow,eve@example.org,donor\n"
    )
    before = dump(engine)
    result = _import(ladder_cli, tmp_path, content.encode())
    _refused(result, "people.csv", "line 3", "runs on to line 5")
    assert dump(engine) == before


def test_a_quote_opened_on_the_last_row_and_never_closed_is_refused(ladder_cli, engine, tmp_path):
    content = (
        HEADER + "Ana,Diallo,ana@example.org,volunteer\n" + 'Ben,Martin,ben@example.org,"donor\n'
    )
    before = dump(engine)
    result = _import(ladder_cli, tmp_path, content.encode())
    _refused(result, "people.csv", "line 3", "never closed")
    assert dump(engine) == before


def test_a_lone_quote_on_the_last_line_is_refused(ladder_cli, engine, tmp_path):
    before = dump(engine)
    result = _import(ladder_cli, tmp_path, (HEADER + 'Ana,Diallo,ana@example.org,x\n"').encode())
    _refused(result, "line 3", "never closed")
    assert dump(engine) == before


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_notes_written_over_several_lines_still_import(ladder_cli, engine, tmp_path, ending):
    content = (
        "first name,last name,email,notes\n"
        'Ana,Diallo,ana@example.org,"Met at the fair.\nKeen to help, on Saturdays."\n'
        'Ben,Martin,ben@example.org,"Call back\n\nafter 6pm"\n'
        "Cleo,Kone,cleo@example.org,\n"
    ).replace("\n", ending)
    result = _import(ladder_cli, tmp_path, content.encode())
    assert result.exit_code == 0, result.output
    assert ": 3 rows." in result.stdout
    assert "Created 3, updated 0, unchanged 0." in result.stdout
    assert [r[3] for r in people_rows(engine)] == [
        "ana@example.org",
        "ben@example.org",
        "cleo@example.org",
    ]


# item 7: mixed encodings


def test_a_utf8_file_with_one_windows_1252_row_is_refused_naming_that_line(
    ladder_cli, engine, tmp_path
):
    data = (
        HEADER.encode()
        + "José,Diallo,jose@example.org,\n".encode()
        + "Zoé,Martin,zoe@example.org,\n".encode("cp1252")
        + b"Ana,Kone,ana@example.org,\n"
    )
    before = dump(engine)
    result = _import(ladder_cli, tmp_path, data)
    message = _refused(result, "people.csv", "mixes encodings", "line 3 ", "--encoding")
    assert "line 2 " in message  # the UTF-8 line it was compared with
    assert dump(engine) == before


def test_many_mixed_lines_are_named_a_few_then_how_many_more(ladder_cli, engine, tmp_path):
    rows = [
        f"Zoé{i},Martin,zoe{i}@example.org,\n".encode("cp1252" if i % 2 else "utf-8")
        for i in range(40)
    ]
    result = _import(ladder_cli, tmp_path, HEADER.encode() + b"".join(rows))
    message = _refused(result, "mixes encodings")
    assert "lines 3, 5, 7, 9, 11 and 15 more are not UTF-8" in message
    assert "lines 2, 4, 6, 8, 10 and 15 more are" in message


def test_the_encoding_the_user_names_is_trusted_for_a_mixed_file(ladder_cli, engine, tmp_path):
    data = (
        HEADER.encode()
        + "José,Diallo,jose@example.org,\n".encode()
        + "Zoé,Martin,zoe@example.org,\n".encode("cp1252")
    )
    result = _import(ladder_cli, tmp_path, data, "--encoding", "cp1252")
    assert result.exit_code == 0, result.output
    assert [r[1] for r in people_rows(engine)] == ["JosÃ©", "Zoé"]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_file_entirely_in_windows_1252_or_latin_1_still_imports(
    ladder_cli, engine, tmp_path, encoding
):
    content = "Prénom;Nom;Courriel\nJosé;Diallo;jose@example.org\nZoé;Martin;zoe@example.org\n"
    result = _import(ladder_cli, tmp_path, content.encode(encoding))
    assert result.exit_code == 0, result.output
    assert "(cp1252, semicolon-separated): 2 rows." in result.stdout
    assert [r[1] for r in people_rows(engine)] == ["José", "Zoé"]


# item 5: a cell bigger than the CSV reader takes


def test_a_cell_over_16_mib_is_refused_in_one_line_naming_its_line(ladder_cli, engine, tmp_path):
    huge = "x" * (16 * 1024 * 1024 + 1)
    content = HEADER + "Ana,Diallo,ana@example.org,\n" + f"Ben,Martin,ben@example.org,{huge}\n"
    before = dump(engine)
    result = _import(ladder_cli, tmp_path, content.encode())
    _refused(result, "people.csv", "line 3", "16 MiB")
    assert "Traceback" not in result.output
    assert dump(engine) == before
