"""Check-in and sheet results carry the level changes as data (the rules engine's Move);
only the command line words them, and what it prints is unchanged."""

from datetime import timedelta

from ladder.events.checkin import check_in_by_ref
from ladder.events.sheets import import_sheet
from ladder.people.importing.importer import ImportOptions
from tests.factories import add_event, add_person


def _promotion(move):
    return (move.supporter_id, move.rule_id, move.from_rung, move.to_rung)


def test_a_check_in_that_promotes_returns_the_move_and_the_cli_words_it(workspace, ladder_cli):
    engine, ladder = workspace.engine, workspace.ladder
    earlier = add_event(engine, "Fête de la Lagune", starts_in=timedelta(hours=-3))
    tonight = add_event(engine, "Forum des associations")
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    first = check_in_by_ref(engine, ladder, str(earlier), str(awa), "Léa")
    assert first.moves == []
    second = check_in_by_ref(engine, ladder, str(tonight), str(awa), "Léa")
    assert [_promotion(m) for m in second.moves] == [(awa, "shows-up", "follow", "attend")]
    assert second.moves[0].name == "Awa Diallo"

    third = add_event(engine, "Marche", starts_in=timedelta(hours=-2))
    printed = ladder_cli("checkin", str(third), str(awa))
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == f"Checked in Awa Diallo (#{awa}) to Marche.\n"


def test_a_sheet_that_promotes_returns_the_moves_and_the_cli_names_who(
    workspace, ladder_cli, tmp_path
):
    engine, ladder = workspace.engine, workspace.ladder
    earlier = add_event(engine, "Fête de la Lagune", starts_in=timedelta(hours=-3))
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    jean = add_person(engine, "Jean", "Wamytan", email="jean@example.nc")
    for person in (awa, jean):
        check_in_by_ref(engine, ladder, str(earlier), str(person), "Léa")
    sheet = b"present,email\nx,awa@example.org\n"
    forum = add_event(engine, "Forum")
    report, _ = import_sheet(engine, ladder, str(forum), sheet, "sheet", ImportOptions(), "Léa")
    assert [_promotion(m) for m in report.checkins.moves] == [(awa, "shows-up", "follow", "attend")]

    path = tmp_path / "sheet.csv"
    path.write_text("present,email\nx,jean@example.nc\n")
    printed = ladder_cli("attendance", "import", str(add_event(engine, "Marche")), str(path))
    assert printed.exit_code == 0, printed.output
    assert f"  Jean Wamytan (#{jean}): Promoted from follow to attend (rule shows-up).\n" in (
        printed.stdout
    )
