"""A paper sign-in sheet, typed up or ticked, read back after the event."""

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from ladder.storage.models import Action, Attendance, Supporter
from tests.factories import add_event, add_person

# every test twice: reading only the people a small file names, and reading everyone
pytestmark = pytest.mark.usefixtures("known_both_ways")

HEADER = "present;prénom;nom;courriel;téléphone;code postal;qui vous a amené ?;consent_email\n"


def _snapshot(engine):
    with engine.connect() as connection:
        return {
            "people": connection.execute(select(func.count()).select_from(Supporter)).scalar(),
            "attendances": connection.execute(
                select(Attendance.supporter_id, Attendance.presence).order_by(
                    Attendance.supporter_id
                )
            ).all(),
            "actions": connection.execute(select(func.count()).select_from(Action)).scalar(),
        }


def _sheet(tmp_path, body, encoding="cp1252"):
    path = tmp_path / "sheet.csv"
    path.write_bytes((HEADER + body).encode(encoding))
    return str(path)


def test_ticked_people_are_checked_in_walk_ins_created_with_their_recruiter(
    ladder_cli, engine, tmp_path
):
    event = add_event(engine, "Fête de la Lagune")
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    jean = add_person(engine, "Jean", "Wamytan", email="jean@example.nc")
    ladder_cli("rsvp", str(event), str(jean), "--status", "accepted")
    sheet = _sheet(
        tmp_path,
        "x;Awa;Diallo;awa@example.org;;;;\n"
        ";Jean;Wamytan;jean@example.nc;;;;\n"
        "x;Chloé;Gope;chloe@example.nc;06 12 34 56 78;98800;awa@example.org;oui\n",
    )
    result = ladder_cli("attendance", "import", str(event), sheet)
    assert result.exit_code == 0, result.output
    assert "(cp1252, semicolon-separated)" in result.stdout
    assert "Created 1" in result.stdout
    assert "Skipped 1 row(s) not ticked present." in result.stdout
    assert "Checked in 2; already checked in 0." in result.stdout
    with engine.connect() as connection:
        chloe = connection.execute(
            select(Supporter).where(Supporter.email == "chloe@example.nc")
        ).one()
        presence = dict(
            connection.execute(select(Attendance.supporter_id, Attendance.presence)).all()
        )
    assert (chloe.first_name, chloe.recruiter_id, chloe.consent_email) == ("Chloé", awa, True)
    assert presence == {awa: "attended", chloe.id: "attended", jean: "unknown"}


def test_regulars_climb_at_once_and_the_report_names_who(ladder_cli, engine, tmp_path):
    fair = add_event(engine, "Marché de Rivière-Salée", timedelta(days=-20))
    event = add_event(engine, "Fête de la Lagune")
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    jean = add_person(engine, "Jean", "Wamytan", phone="+687751234")
    with engine.begin() as connection:
        for regular in (awa, jean):
            connection.execute(
                insert(Attendance).values(event_id=fair, supporter_id=regular, presence="attended")
            )
    sheet = _sheet(
        tmp_path,
        "x;Awa;Diallo;awa@example.org;;;;\n"
        "x;Jean;Wamytan;;+687 75 12 34;;;\n"
        "x;Chloé;Gope;;;98800;Awa DIALLO;\n",  # brought by a name: accents and case ignored
    )
    result = ladder_cli("attendance", "import", str(event), sheet)
    assert result.exit_code == 0, result.output
    assert "Checked in 3; already checked in 0." in result.stdout
    assert f"Awa Diallo (#{awa}): Promoted from follow to attend (rule shows-up)." in result.stdout
    assert f"Jean Wamytan (#{jean}): Promoted from follow to attend" in result.stdout
    assert "Chloé" not in result.stdout.split("already checked in 0.")[1]  # one event: no climb
    with engine.connect() as connection:
        rungs = dict(connection.execute(select(Supporter.first_name, Supporter.rung)).all())
        brought_by = select(Supporter.recruiter_id).where(Supporter.last_name == "Gope")
        chloe_recruiter = connection.execute(brought_by).scalar_one()
    assert rungs == {"Awa": "attend", "Jean": "attend", "Chloé": "follow"}
    assert chloe_recruiter == awa


def test_importing_the_same_sheet_again_changes_nothing(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Forum")
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    sheet = _sheet(tmp_path, "x;Awa;Diallo;awa@example.org;;;;\nx;Zoé;Naisseline;;;;;\n")
    assert ladder_cli("attendance", "import", str(event), sheet).exit_code == 0
    before = _snapshot(engine)
    again = ladder_cli("attendance", "import", str(event), sheet)
    assert again.exit_code == 0, again.output
    assert "Checked in 0; already checked in 2." in again.stdout
    assert _snapshot(engine) == before


def test_a_typed_list_without_a_present_column_checks_in_every_row(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Forum")
    path = tmp_path / "typed.csv"
    path.write_text("First name,Last name,Email\nAwa,Diallo,awa@example.org\nJean,Wamytan,\n")
    result = ladder_cli("attendance", "import", str(event), str(path))
    assert result.exit_code == 0, result.output
    assert "Checked in 2" in result.stdout
    assert _present(engine, event) == {("Awa", "Diallo"), ("Jean", "Wamytan")}


def _present(engine, event):
    """(first, last) of everyone marked attended at the event."""
    query = (
        select(Supporter.first_name, Supporter.last_name)
        .join(Attendance, Attendance.supporter_id == Supporter.id)
        .where(Attendance.event_id == event, Attendance.presence == "attended")
    )
    with engine.connect() as connection:
        return {tuple(row) for row in connection.execute(query)}


def test_one_invalid_row_means_nobody_is_checked_in_and_nothing_changes(
    ladder_cli, engine, tmp_path
):
    event = add_event(engine, "Forum")
    add_person(engine, "Awa", "Diallo", email="awa@example.org")
    before = _snapshot(engine)
    sheet = _sheet(tmp_path, "x;Awa;Diallo;awa@example.org;;;;\nx;Bruno;Tein;not-an-email;;;;\n")
    result = ladder_cli("attendance", "import", str(event), sheet)
    assert result.exit_code == 1
    assert result.stderr.startswith("1 row is invalid in ")
    assert "line 3, column 'courriel'" in result.stderr
    assert _snapshot(engine) == before


def test_a_sheet_for_a_cancelled_event_is_refused_before_reading_it(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Concert", status="cancelled")
    before = _snapshot(engine)
    sheet = _sheet(tmp_path, "x;Awa;Diallo;awa@example.org;;;;\n")
    result = ladder_cli("attendance", "import", str(event), sheet)
    assert result.exit_code == 1
    assert "is cancelled: nobody can check in" in result.stderr
    assert _snapshot(engine) == before


def test_a_sheet_for_a_far_future_event_is_refused(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Next month", starts_in=timedelta(days=30))
    result = ladder_cli("attendance", "import", str(event), _sheet(tmp_path, "x;A;B;;;;;\n"))
    assert result.exit_code == 1
    assert "more than a day ahead" in result.stderr


def test_a_dry_run_checks_nobody_in(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Forum")
    before = _snapshot(engine)
    sheet = _sheet(tmp_path, "x;Awa;Diallo;awa@example.org;;;;\n")
    result = ladder_cli("attendance", "import", str(event), sheet, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would create 1" in result.stdout
    assert "Dry run: nobody was checked in." in result.stdout
    assert _snapshot(engine) == before


def test_the_printed_sheet_reads_back(ladder_cli, engine, tmp_path):
    event = add_event(engine, "Forum", starts_in=timedelta(hours=1))
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    ladder_cli("rsvp", str(event), str(awa), "--status", "accepted")
    printed = ladder_cli("events", "sheet", str(event), "--format", "csv", "--blank", "1")
    lines = printed.stdout.splitlines()
    lines[1] = "x" + lines[1]
    lines[2] = "x,Léo,Kaouma,leo@example.nc,,,awa@example.org,yes,,"
    path = tmp_path / "filled.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ladder_cli("attendance", "import", str(event), str(path))
    assert result.exit_code == 0, result.output
    assert "Checked in 2" in result.stdout
    assert _present(engine, event) == {("Awa", "Diallo"), ("Léo", "Kaouma")}
    with engine.connect() as connection:
        leo = connection.execute(
            select(Supporter.recruiter_id, Attendance.walk_in)
            .join(Attendance, Attendance.supporter_id == Supporter.id)
            .where(Supporter.email == "leo@example.nc")
        ).one()
    assert tuple(leo) == (awa, True)  # a walk-in, brought by Awa
