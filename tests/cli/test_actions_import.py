"""`ladder actions import`: petition and action exports, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ladder.clock import utcnow
from ladder.storage.models import Action, Supporter
from tests.cli.test_actions import actions_of, add_campaign
from tests.factories import add_person, dump

# every test twice: reading only the people a small file names, and reading everyone
pytestmark = pytest.mark.usefixtures("known_both_ways")


def _file(tmp_path, text: str, encoding: str = "utf-8", name: str = "signatures.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def _day(days_ago: int, time: str = "") -> str:
    moment = utcnow() - timedelta(days=days_ago)
    return f"{moment:%d/%m/%Y}" + (f" {time}" if time else "")


def _count(engine, model) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture
def known(engine):
    awa = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    jean = add_person(engine, "Jean", "Wamytan", email="jean@example.nc")
    return awa, jean


def test_french_petition_export_is_imported_then_reimported_adds_nothing(
    ladder_cli, engine, tmp_path, known
):
    awa, jean = known
    campaign = add_campaign(engine, "Pétition #ZéroTolérance")
    path = _file(
        tmp_path,
        "Prénom;Nom;Courriel;Signé le;Référence\n"
        "Awa;Diallo;awa@example.org;31/10/2026 18:30;sig-1\n"
        "Jean;Wamytan;jean@example.nc;01/11/2026;sig-2\n",
        encoding="cp1252",
    )
    args = (
        "actions",
        "import",
        path,
        "--kind",
        "petition",
        "--campaign",
        "Pétition #ZéroTolérance",
    )
    result = ladder_cli(*args)
    assert result.exit_code == 0, result.output
    assert "(cp1252, semicolon-separated): 2 rows." in result.stdout
    assert "Signé le -> date" in result.stdout
    assert "Référence -> external_id" in result.stdout
    assert "People: created 0, updated 0, unchanged 2." in result.stdout
    assert "Actions: added 2, 0 already recorded." in result.stdout
    rows = actions_of(engine)
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (awa, "petition", campaign),
        (jean, "petition", campaign),
    ]
    assert str(rows[0][2]) == "2026-10-31 18:30:00"  # tests run in UTC
    before = dump(engine)
    again = ladder_cli(*args)
    assert again.exit_code == 0, again.output
    assert "Actions: added 0, 2 already recorded." in again.stdout
    assert dump(engine) == before


def test_without_external_id_person_kind_and_time_identify_an_action(
    ladder_cli, engine, tmp_path, known
):
    path = _file(
        tmp_path,
        "email,date,kind\n"
        "awa@example.org,2026-10-31 18:30,petition\n"
        "awa@example.org,2026-10-31 18:30,petition\n"
        "awa@example.org,2026-10-31 18:30,share_toolkit\n",
    )
    result = ladder_cli("actions", "import", path)
    assert result.exit_code == 0, result.output
    assert "Actions: added 2, 0 already recorded, 1 repeated in the file." in result.stdout
    before = dump(engine)
    again = ladder_cli("actions", "import", path)
    assert "Actions: added 0, 2 already recorded, 1 repeated in the file." in again.stdout
    assert dump(engine) == before


def test_unknown_people_are_refused_without_create_people(ladder_cli, engine, tmp_path, known):
    path = _file(
        tmp_path,
        "email,date\nawa@example.org,2026-10-31\nchloe@example.nc,2026-10-31\n",
    )
    before = dump(engine)
    result = ladder_cli("actions", "import", path, "--kind", "petition")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"1 row is invalid in {path}: nothing was imported. Fix them and import again, "
        "or import the valid rows with --skip-invalid.",
        "  line 3: nobody in the database matches this row (by email, phone, or name and "
        "postcode): add --create-people to create them, or import them first with ladder "
        "people import",
    ]
    assert dump(engine) == before


def test_create_people_creates_them_with_their_consent(ladder_cli, engine, tmp_path, known):
    path = _file(
        tmp_path,
        "prénom,nom,email,newsletter,date\n"
        "Chloé,Gope,chloe@example.nc,oui,2026-10-31\n"
        "Chloé,Gope,chloe@example.nc,oui,2026-11-01\n"
        "Awa,Diallo,awa@example.org,,2026-10-31\n",
    )
    dry = ladder_cli(
        "actions", "import", path, "--kind", "petition", "--create-people", "--dry-run"
    )
    assert dry.exit_code == 0, dry.output
    assert (
        "Dry run, nothing written. People: would create 1, update 0, leave 1 unchanged; "
        "1 row names someone an earlier row named." in dry.stdout
    )
    assert "Actions: would add 3, 0 already recorded." in dry.stdout
    assert _count(engine, Action) == 0 and _count(engine, Supporter) == 2
    result = ladder_cli("actions", "import", path, "--kind", "petition", "--create-people")
    assert result.exit_code == 0, result.output
    assert (
        "People: created 1, updated 0, unchanged 1; 1 row names someone an earlier row named."
        in result.stdout
    )
    assert "Actions: added 3, 0 already recorded." in result.stdout
    with engine.connect() as connection:
        chloe = connection.execute(
            select(Supporter.id, Supporter.consent_email).where(
                Supporter.email == "chloe@example.nc"
            )
        ).one()
    assert chloe.consent_email is True
    assert [r[0] for r in actions_of(engine)] == [chloe.id, chloe.id, known[0]]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "awa@example.org,31/10/2026,sharee,\n",
            "  line 2, column 'kind': unknown action kind 'sharee': known kinds: like, follow, "
            "subscribe, merch, petition, event_attendance, mass_action, photos, live_post, "
            "education_session, host_event, share_toolkit, recruit, lead_group, signup_sheets",
        ),
        (
            "awa@example.org,31/10/2026,petition,Marche\n",
            "  line 2, column 'campaign': unknown campaign 'Marche' "
            "(campaigns: Pétition #ZéroTolérance)",
        ),
        (
            "awa@example.org,le 31 octobre,petition,\n",
            "  line 2, column 'date': 'le 31 octobre' is not a date: expected a date such as "
            "31/12/2026, 31/12/2026 18:30 or 2026-12-31",
        ),
        (
            "awa@example.org,31/12/2999,petition,\n",
            "  line 2, column 'date': 2999-12-31 00:00 is in the future: only actions that "
            "happened",
        ),
        (
            ",31/10/2026,petition,\n",
            "  line 2: no name, email or phone: nothing says who this is",
        ),
    ],
)
def test_bad_rows_are_refused_one_line_each_and_nothing_is_written(
    ladder_cli, engine, tmp_path, known, body, message
):
    add_campaign(engine, "Pétition #ZéroTolérance")
    path = _file(
        tmp_path, "email,date,kind,campaign\nawa@example.org,2026-10-30,petition,\n" + body
    )
    before = dump(engine)
    result = ladder_cli("actions", "import", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [message.replace("line 2", "line 3")]
    assert dump(engine) == before


def test_not_a_csv_and_missing_columns_are_refused(ladder_cli, engine, tmp_path, known):
    before = dump(engine)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = ladder_cli("actions", "import", str(binary), "--kind", "petition")
    assert result.exit_code == 1
    no_date = _file(tmp_path, "email\nawa@example.org\n", name="nodate.csv")
    result = ladder_cli("actions", "import", no_date, "--kind", "petition")
    assert result.exit_code == 1
    assert (
        f"{no_date}: no date column (signé le, date, created_at...); name a column with "
        "--map COLUMN=FIELD" in result.stderr
    )
    no_kind = _file(tmp_path, "email,date\nawa@example.org,2026-10-31\n", name="nokind.csv")
    result = ladder_cli("actions", "import", no_kind)
    assert result.exit_code == 1
    assert "no kind column: give one kind for the file with --kind" in result.stderr
    result = ladder_cli("actions", "import", no_kind, "--kind", "petitoin")
    assert result.exit_code == 1
    assert "did you mean petition?" in result.stderr
    result = ladder_cli("actions", "import", no_kind, "--kind", "petition", "--campaign", "Nope")
    assert result.exit_code == 1
    assert "unknown campaign 'Nope'" in result.stderr
    assert dump(engine) == before


def test_skip_invalid_imports_the_valid_rows_and_writes_the_others(
    ladder_cli, engine, tmp_path, known
):
    path = _file(
        tmp_path,
        "email,date\nawa@example.org,2026-10-31\nchloe@example.nc,2026-10-31\n"
        "jean@example.nc,hier\n",
    )
    result = ladder_cli("actions", "import", path, "--kind", "petition", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Actions: added 1, 0 already recorded." in result.stdout
    rejected = (tmp_path / "signatures.rejected.csv").read_text("utf-8-sig").splitlines()
    assert rejected[0] == "reason,email,date"
    assert rejected[1].startswith('"nobody in the database matches this row')
    assert rejected[2].startswith("\"date: 'hier' is not a date")
    assert [r[0] for r in actions_of(engine)] == [known[0]]


def test_an_external_id_of_another_persons_action_is_refused(ladder_cli, engine, tmp_path, known):
    first = _file(tmp_path, "email,date,id\nawa@example.org,2026-10-31,s1\n", name="a.csv")
    assert ladder_cli("actions", "import", first, "--kind", "petition").exit_code == 0
    before = dump(engine)
    second = _file(tmp_path, "email,date,id\njean@example.nc,2026-10-31,s1\n", name="b.csv")
    result = ladder_cli("actions", "import", second, "--kind", "petition")
    assert result.exit_code == 1
    assert (
        "  line 2, column 'id': 's1' is already the id of another person's action: "
        "correct the id, or clear it" in result.stderr
    )
    assert dump(engine) == before


@pytest.mark.parametrize(
    ("batch", "share"),
    [(20_000, 7), (1, 0), (1, 7)],
    ids=["restricted to them", "in batches", "whole base"],
)
def test_people_climb_after_an_import_and_the_report_names_them(
    ladder_cli, engine, tmp_path, known, monkeypatch, batch, share
):
    monkeypatch.setattr("ladder.actions.importing.RULES_BATCH", batch)
    monkeypatch.setattr("ladder.actions.importing.WHOLE_BASE_SHARE", share)
    awa, _jean = known
    path = _file(
        tmp_path,
        "email,date,kind\n"
        f"awa@example.org,{_day(10, '18:00')},mass_action\n"
        f"awa@example.org,{_day(5, '18:00')},photos\n"
        f"awa@example.org,{_day(2, '18:00')},live_post\n"
        f"jean@example.nc,{_day(2, '18:00')},petition\n",
    )
    result = ladder_cli("actions", "import", path)
    assert result.exit_code == 0, result.output
    assert "Actions: added 4, 0 already recorded." in result.stdout
    assert f"1 climbed a rung: Awa Diallo (#{awa}) follow -> attend." in result.stdout
    with engine.connect() as connection:
        rung = connection.execute(select(Supporter.rung).where(Supporter.id == awa)).scalar()
    assert rung == "attend"


def test_a_person_who_climbs_two_rungs_in_one_import_is_named_once(
    ladder_cli, engine, tmp_path, known
):
    """follow -> attend -> mobilise in one run of the rules: one person, from the rung
    before the import to the rung after it."""
    awa, _jean = known
    kinds = ["mass_action", "photos", "live_post", "host_event", "share_toolkit", "recruit"]
    rows = "".join(
        f"awa@example.org,{_day(10 - i, '18:00')},{kind}\n" for i, kind in enumerate(kinds)
    )
    result = ladder_cli("actions", "import", _file(tmp_path, "email,date,kind\n" + rows))
    assert result.exit_code == 0, result.output
    assert f"1 climbed a rung: Awa Diallo (#{awa}) follow -> mobilise." in result.stdout
    with engine.connect() as connection:
        rung = connection.execute(select(Supporter.rung).where(Supporter.id == awa)).scalar()
    assert rung == "mobilise"


def test_one_external_id_for_two_people_in_a_file_is_refused(ladder_cli, engine, tmp_path, known):
    path = _file(
        tmp_path, "email,date,id\nawa@example.org,2026-10-31,s1\njean@example.nc,2026-10-31,s1\n"
    )
    before = dump(engine)
    result = ladder_cli("actions", "import", path, "--kind", "petition")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  line 3, column 'id': 's1' is also the id on line 2, for another person: "
        "give each action its own id"
    ]
    assert dump(engine) == before


def test_map_names_an_unrecognised_date_column_and_stdin_is_read(ladder_cli, engine, known):
    data = "courriel,Horodatage,quoi\nawa@example.org,31/10/2026 09:15,Petition\n"
    result = ladder_cli(
        "actions", "import", "-", "--map", "Horodatage=date", "--map", "quoi=kind", input=data
    )
    assert result.exit_code == 0, result.output
    assert "Horodatage -> date, quoi -> kind" in result.stdout
    assert "Actions: added 1, 0 already recorded." in result.stdout
    assert [(r[0], r[1], str(r[2])) for r in actions_of(engine)] == [
        (known[0], "petition", "2026-10-31 09:15:00")
    ]
