"""The generic CSV reader: encodings, delimiters, header languages, overrides, line numbers."""

import codecs
import csv
import re

import pytest

from ladder.errors import InputError, MisuseError
from ladder.people.importing.rows import PEOPLE_ALIASES
from ladder.tabular.csvfile import (
    decode,
    normalise_header,
    parse_mapping,
    read_csv,
    rejected_rows_csv,
)

FRENCH = "Prénom;Nom;Courriel;Téléphone portable;Code postal;Groupe;Parrain\r\n"
ENGLISH = "First Name,Last Name,E-mail,Phone,Zip,Group,Recruited by\n"


def _values(table):
    return [row.values for row in table.rows()]


def test_french_excel_headers_map_to_fields():
    data = FRENCH + "Éloïse;Kasarhérou;eloise@example.nc;06 11 22 33 44;98800;Nouméa;\r\n"
    table = read_csv(
        data.encode("cp1252"), "adherents.csv", {**PEOPLE_ALIASES, "phone": ["téléphone portable"]}
    )
    assert table.delimiter == ";"
    assert table.encoding == "cp1252"
    assert table.column_of("first_name") == "Prénom"
    assert _values(table)[0]["first_name"] == "Éloïse"
    assert _values(table)[0]["recruited_by"] == ""


def test_english_headers_map_whatever_their_case_and_punctuation():
    table = read_csv(ENGLISH.encode(), "signups.csv", PEOPLE_ALIASES)
    assert set(table.columns) == {
        "first_name", "last_name", "email", "phone", "postcode", "group", "recruited_by",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Prénom ", "prenom"),
        ("E-Mail", "e mail"),
        ("Code_Postal", "code postal"),
        ("N° tél.", "n tel"),
    ],
)
def test_headers_are_compared_without_case_accents_or_punctuation(raw, expected):
    assert normalise_header(raw) == expected


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("courriel\nléa@example.fr\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "courriel\nléa@example.fr\n".encode(), "utf-8-sig"),
        ("courriel\nléa@example.fr\n".encode("cp1252"), "cp1252"),
        ("courriel\nléa@example.fr\n".encode("latin-1"), "cp1252"),
        ("courriel\tnom\nléa@example.fr\tMartin\n".encode("utf-16"), "utf-16"),
    ],
)
def test_each_encoding_is_detected_and_accents_survive(data, encoding):
    table = read_csv(data, "f.csv", PEOPLE_ALIASES)
    assert table.encoding == encoding
    assert _values(table)[0]["email"] == "léa@example.fr"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_detected(delimiter):
    text = delimiter.join(["nom", "prénom", "courriel"]) + "\n"
    text += delimiter.join(["Wamytan", "Jean", "jean@example.nc"]) + "\n"
    table = read_csv(text.encode(), "f.csv", PEOPLE_ALIASES)
    assert table.delimiter == delimiter
    assert _values(table) == [
        {"last_name": "Wamytan", "first_name": "Jean", "email": "jean@example.nc"}
    ]


def test_a_quoted_comma_does_not_fool_the_delimiter_or_the_cells():
    text = 'name,email\n"Diallo, Awa",awa@example.org\n'
    table = read_csv(text.encode(), "f.csv", PEOPLE_ALIASES)
    assert _values(table)[0]["full_name"] == "Diallo, Awa"


def test_rows_carry_the_file_line_they_start_on():
    text = 'email,notes\n\na@example.org,"two\nlines"\n,\nb@example.org,x\n'
    table = read_csv(text.encode(), "f.csv", {**PEOPLE_ALIASES, "notes": []})
    assert [(r.line, r.values["email"]) for r in table.rows()] == [
        (3, "a@example.org"),
        (6, "b@example.org"),
    ]


def test_a_row_with_more_cells_than_the_header_says_so():
    table = read_csv(b"email,nom\na@example.org,Diallo,surplus\n", "f.csv", PEOPLE_ALIASES)
    assert next(table.rows()).extra == ("surplus",)


def test_map_overrides_the_guess_and_can_ignore_a_column():
    text = "Mail perso,Courriel pro,Nom\nperso@example.org,pro@example.org,Diallo\n"
    overrides = parse_mapping(["Mail perso=email", "Nom="])
    table = read_csv(text.encode(), "f.csv", PEOPLE_ALIASES, overrides)
    assert table.columns == {"email": [0]}
    assert table.ignored == ["Courriel pro", "Nom"]


def test_map_naming_an_unknown_column_or_field_is_misuse():
    with pytest.raises(MisuseError, match="has no column 'Portable'"):
        read_csv(b"nom\nDiallo\n", "f.csv", PEOPLE_ALIASES, {"Portable": "phone"})
    with pytest.raises(MisuseError, match="unknown field 'mobile'"):
        read_csv(b"nom\nDiallo\n", "f.csv", PEOPLE_ALIASES, {"nom": "mobile"})
    with pytest.raises(MisuseError, match="write COLUMN=FIELD"):
        parse_mapping(["nom"])


def test_an_empty_file_is_refused_with_a_clear_message():
    with pytest.raises(InputError, match=r"^vide\.csv is empty: expected a header row"):
        read_csv(b"\n  \n", "vide.csv", PEOPLE_ALIASES)


def test_a_header_with_no_known_column_lists_the_columns_and_the_fields():
    with pytest.raises(InputError) as caught:
        read_csv(b"colonne1;colonne2\nx;y\n", "f.csv", PEOPLE_ALIASES)
    message = str(caught.value)
    assert "no column is recognised (columns: 'colonne1', 'colonne2')" in message
    assert "--map COLUMN=FIELD (fields: id, first_name" in message


def test_a_workbook_is_not_mistaken_for_text():
    with pytest.raises(InputError, match="not a text file .an Excel workbook"):
        read_csv(b"PK\x03\x04\x00\x00binary", "people.xlsx", PEOPLE_ALIASES)


def test_bytes_that_fit_no_encoding_name_the_line():
    data = "courriel\nléa@example.fr\n".encode("cp1252") + b"\x81\n"
    with pytest.raises(InputError, match=r"line 3 has byte 0x81, which is not cp1252 text"):
        read_csv(data, "f.csv", PEOPLE_ALIASES)
    with pytest.raises(InputError, match=r"line 2 has byte 0xe9, which is not utf-8 text"):
        read_csv("courriel\nléa@x.fr\n".encode("cp1252"), "f.csv", PEOPLE_ALIASES, encoding="utf-8")


def test_rejected_rows_keep_their_cells_after_a_reason():
    text = "nom;courriel\nDiallo;awa@example.org\nMartin;pas-une-adresse\n"
    table = read_csv(text.encode(), "f.csv", PEOPLE_ALIASES)
    written = rejected_rows_csv(table, {3: "courriel: not an email"})
    assert written == "reason;nom;courriel\r\ncourriel: not an email;Martin;pas-une-adresse\r\n"


def test_a_multi_line_note_is_one_row_on_the_line_it_starts():
    text = (
        'email,notes,nom\na@example.org,"first line\nsecond, with a comma",Diallo\nb@x.org,,Kone\n'
    )
    table = read_csv(text.encode(), "f.csv", PEOPLE_ALIASES)
    assert [(r.line, r.values["email"]) for r in table.rows()] == [
        (2, "a@example.org"),
        (4, "b@x.org"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('email,nom\n"a@example.org,Diallo\nb@example.org,Kone\n', "line 2 is never closed"),
        ('email,nom\na@example.org,"Diallo\n', "line 2 is never closed"),
        ('email,"nom\na@example.org,Diallo\n', "line 1 is never closed"),
        ('email;nom;tags\n"a@example.org;Diallo;x\nb@example.org;Kone;"y"\n', "line 2 runs on"),
        ('email,nom,tags,notes\na@x.org,"two\nlines","y\nc@x.org,,,\n', "line 3 is never closed"),
    ],
)
def test_a_quote_that_swallows_rows_is_refused_naming_the_line_it_opens(text, message):
    with pytest.raises(InputError, match=message):
        list(read_csv(text.encode(), "f.csv", PEOPLE_ALIASES).rows())


def test_a_cell_over_the_limit_names_its_line_in_the_header_or_the_rows():
    huge = "x" * ((16 << 20) + 1)
    with pytest.raises(InputError, match=r"^f\.csv: line 1 has a cell over 16 MiB"):
        read_csv(f"email,{huge}\n".encode(), "f.csv", PEOPLE_ALIASES)
    table = read_csv(f"email,nom\n\na@x.org,{huge}\n".encode(), "f.csv", PEOPLE_ALIASES)
    with pytest.raises(InputError, match=r"^f\.csv: line 3 has a cell over 16 MiB"):
        list(table.rows())


def test_any_other_csv_error_is_one_line_naming_the_line(monkeypatch):
    real_reader = csv.reader

    def failing_reader(lines, **options):
        for number, cells in enumerate(real_reader(lines, **options), start=1):
            if number == 3:
                raise csv.Error("something new")
            yield cells

    table = read_csv(b"email\na@x.org\nb@x.org\n", "f.csv", PEOPLE_ALIASES)
    monkeypatch.setattr(
        csv, "reader", lambda lines, **options: _LineNumbered(failing_reader(lines, **options))
    )
    with pytest.raises(InputError, match=r"^f\.csv: line 3 is not readable CSV \(something new\)"):
        list(table.rows())


class _LineNumbered:
    """A reader stand-in with line_num (one record per line)."""

    def __init__(self, records):
        self.records = records
        self.line_num = 0

    def __iter__(self):
        return self

    def __next__(self):
        record = next(self.records)
        self.line_num += 1
        return record


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "é\n".encode() + "é\n".encode("cp1252"),
            "line 2 is not UTF-8 (Windows-1252?) while line 1 is",
        ),
        (
            b"".join(("é\n".encode("cp1252" if i % 3 else "utf-8")) for i in range(20)),
            "lines 2, 3, 5, 6, 8 and 8 more are not UTF-8 (Windows-1252?) while lines 1, 4, 7, "
            "10, 13 and 2 more are UTF-8",
        ),
        (
            "é\né\n".encode() + "é\n".encode("cp1252"),
            "line 3 is not UTF-8 (Windows-1252?) while lines 1 and 2 are",
        ),
    ],
)
def test_a_file_mixing_utf8_and_another_encoding_names_lines_of_each(data, message):
    with pytest.raises(InputError, match=re.escape(f"f.csv mixes encodings: {message}")):
        decode(data, "f.csv")
    assert decode(data, "f.csv", "cp1252")[1] == "cp1252"  # unless the user names one


def test_a_windows_1252_line_that_also_holds_utf8_looking_bytes_is_read_as_windows_1252():
    data = "nom\nPÃ©rez, José\n".encode("cp1252")  # mojibake typed in, plus a real é
    assert decode(data, "f.csv") == ("nom\nPÃ©rez, José\n", "cp1252")
