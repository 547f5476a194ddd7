"""Headers and values as organisers write them (issue #15): the French Excel sheet keeps its
phones and consents, a column that looks lost is a warning on the first line, a recruiter
slip is refused with "did you mean", and a file of different people sharing emails is
reported, not merged."""

from pathlib import Path

import pytest
from sqlalchemy import select

from ladder.people.importing.known import fold_email, one_edit_apart
from ladder.storage.models import Supporter
from tests.factories import dump, person, write

pytestmark = pytest.mark.usefixtures("known_both_ways")

SHEET = (
    "Prénom;Nom;Adresse e-mail;Téléphone portable;Code postal;Accepte les e-mails;"
    "Accepte les SMS;Parrainé par\r\n"
    "Zoé;Cœur;zoe.cœur@exemple.fr;06 12 34 56 78;75011;oui;non;\r\n"
    "Léa;Martin;lea@exemple.fr;0698765432;75012;non;;zoe.cœur@exemple.fr\r\n"
    "Hugo;Bernard;hugo@exemple.fr;;69001;;oui;\r\n"
)
# ../shared/interop/osdi/ beside the repository (or beside the worktrees' folder)
FAKE_DATA = next(
    (
        found
        for parent in Path(__file__).resolve().parents
        if (found := parent / "shared" / "interop" / "osdi" / "fake_data.csv").exists()
    ),
    Path("fake_data.csv"),
)


def _consents(engine):
    with engine.connect() as connection:
        return connection.execute(
            select(
                Supporter.email, Supporter.phone, Supporter.consent_email, Supporter.consent_sms
            ).order_by(Supporter.id)
        ).all()


def test_the_french_excel_sheet_keeps_its_phones_and_consents(ladder_cli, engine, tmp_path):
    path = write(tmp_path, "adherents.csv", SHEET, "cp1252")

    result = ladder_cli("people", "import", path)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"Read {path} (cp1252, semicolon-separated): 3 rows."
    assert "ignored" not in result.stdout
    assert _consents(engine) == [
        ("zoe.cœur@exemple.fr", "+33612345678", True, False),
        ("lea@exemple.fr", "+33698765432", False, False),
        ("hugo@exemple.fr", None, False, True),
    ]


def test_a_blank_consent_is_not_asked_and_never_overwrites_a_known_yes(
    ladder_cli, engine, tmp_path
):
    person(
        engine, first_name="Awa", last_name="Diallo", email="awa@example.org", consent_email=True
    )
    content = (
        "Voornaam;Achternaam;E-mailadres;GSM;Postcode;Nieuwsbrief\n"
        "Awa;Diallo;awa@example.org;06 12 34 56 78;1000;\n"
    )

    result = ladder_cli("people", "import", write(tmp_path, "leden.csv", content))

    assert result.exit_code == 0, result.output
    assert _consents(engine) == [("awa@example.org", "+33612345678", True, False)]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("oui", True), ("non", False), ("yes", True), ("no", False), ("ja", True),
        ("nee", False), ("true", True), ("FALSE", False), ("1", True), ("0", False),
        ("x", True), ("X", True), ("✓", True), ("", False), ("-", False),
    ],
)  # fmt: skip
def test_consent_values_as_organisers_write_them(ladder_cli, engine, tmp_path, written, read):
    content = f"email;accepte les e-mails\nawa@example.org;{written}\n"

    result = ladder_cli("people", "import", write(tmp_path, "f.csv", content))

    assert result.exit_code == 0, result.output
    assert _consents(engine)[0][2] is read


def test_a_column_that_looks_lost_is_a_warning_on_the_first_line_with_its_map(
    ladder_cli, engine, tmp_path
):
    content = (
        "Prénom,Courriel,Tél. domicile,Newsletter ok ?,Remarques\n"
        "Awa,awa@example.org,01 45 67 89 10,oui,végétarienne\n"
        "Ben,ben@example.org,01 45 67 89 11,non,\n"
    )

    result = ladder_cli("people", "import", write(tmp_path, "f.csv", content))

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "warning: column 'Tél. domicile' looks like phone numbers but no field reads it, so it "
        'is not imported: add --map "Tél. domicile=phone" to import it (or --map "Tél. '
        'domicile=" to say it stays out)',
        "warning: column 'Newsletter ok ?' looks like yes/no answers (a consent?) but no field "
        'reads it, so it is not imported: add --map "Newsletter ok ?=consent_email" to import '
        'it (or --map "Newsletter ok ?=" to say it stays out)',
    ]
    assert "Remarques" not in result.stdout.splitlines()[0]
    mapped = ladder_cli(
        "people",
        "import",
        write(tmp_path, "f.csv", content),
        "--map",
        "Tél. domicile=phone",
        "--map",
        "Newsletter ok ?=",
    )
    assert not mapped.stdout.startswith("warning"), mapped.stdout
    assert _consents(engine)[0][1] == "+33145678910"


def test_dry_run_shows_how_each_column_is_read_first(ladder_cli, engine, tmp_path):
    path = write(tmp_path, "adherents.csv", SHEET, "cp1252")
    before = dump(engine)

    result = ladder_cli("people", "import", path, "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:10] == [
        f"How {path} is read:",
        "  Prénom -> first_name",
        "  Nom -> last_name",
        "  Adresse e-mail -> email",
        "  Téléphone portable -> phone",
        "  Code postal -> postcode",
        "  Accepte les e-mails -> consent_email",
        "  Accepte les SMS -> consent_sms",
        "  Parrainé par -> recruited_by",
        f"Read {path} (cp1252, semicolon-separated): 3 rows.",
    ]
    assert dump(engine) == before


def test_do_not_email_reads_inverted(ladder_cli, engine, tmp_path):
    content = "Contact ID,First Name,Email,Do Not Email,Do Not SMS\n4,Awa,awa@example.org,0,1\n"

    result = ladder_cli("people", "import", write(tmp_path, "civi.csv", content))

    assert result.exit_code == 0, result.output
    assert _consents(engine) == [("awa@example.org", None, True, False)]


SLIP = (
    "Prénom;Nom;Courriel;Parrainé par\n"
    "Zoé;Cœur;zoe.cœur@exemple.fr;\n"
    "Léa;Martin;lea@exemple.fr;Zoé.Cœur@exemple.fr\n"
)


def test_a_bad_value_in_an_inverted_column_names_that_column(ladder_cli, engine, tmp_path):
    content = "Contact ID,First Name,Email,Do Not Email\n5,Awa,awa@example.org,peut-être\n"

    result = ladder_cli("people", "import", write(tmp_path, "civi.csv", content))

    assert result.exit_code == 1
    assert (
        "  line 2, column 'Do Not Email': 'peut-être' is not yes or no (oui/non, ja/nee, x, 1/0 "
        "also work)" in result.stderr.splitlines()
    )


def test_a_recruiter_slip_is_refused_with_did_you_mean(ladder_cli, engine, tmp_path):
    before = dump(engine)

    result = ladder_cli("people", "import", write(tmp_path, "f.csv", SLIP))

    assert result.exit_code == 1
    assert (
        "  line 3, column 'Parrainé par': recruited by 'Zoé.Cœur@exemple.fr': nobody has this "
        "email: did you mean zoe.cœur@exemple.fr (Zoé Cœur, line 2)? Correct it, or take every "
        "such suggestion with --accept-suggestions"
    ) in result.stderr.splitlines()
    assert dump(engine) == before


def test_accept_suggestions_takes_them_and_says_so(ladder_cli, engine, tmp_path):
    result = ladder_cli("people", "import", write(tmp_path, "f.csv", SLIP), "--accept-suggestions")

    assert result.exit_code == 0, result.output
    assert (
        "Suggestion taken: recruiter 'Zoé.Cœur@exemple.fr' read as zoe.cœur@exemple.fr "
        "(Zoé Cœur, line 2)" in result.stdout
    )
    with engine.connect() as connection:
        zoe, lea = connection.execute(
            select(Supporter.id, Supporter.recruiter_id).order_by(Supporter.id)
        ).all()
    assert lea.recruiter_id == zoe.id


def test_a_recruiter_one_letter_off_a_known_email_is_suggested(ladder_cli, engine, tmp_path):
    awa = person(engine, first_name="Awa", last_name="Diallo", email="awa.diallo@example.org")
    content = "email,recruiter\nben@example.org,awa.dialo@example.org\n"

    result = ladder_cli("people", "import", write(tmp_path, "f.csv", content))

    assert result.exit_code == 1
    assert f"did you mean awa.diallo@example.org (#{awa} Awa Diallo)? Correct it" in result.stderr


def test_no_suggestion_when_the_slip_fits_two_people(ladder_cli, engine, tmp_path):
    person(engine, first_name="Awa", last_name="Diallo", email="awa.d@example.org")
    person(engine, first_name="Awa", last_name="Dia", email="awad@example.org")
    content = "email,recruiter\nben@example.org,awa_d@example.org\n"

    result = ladder_cli("people", "import", write(tmp_path, "f.csv", content))

    assert result.exit_code == 1
    assert "nobody in the file or the database has this email" in result.stderr
    assert "did you mean" not in result.stderr


def test_email_folding_and_one_edit():
    assert fold_email("Zoé.Cœur@Exemple.fr") == fold_email("zoe.cœur@exemple.fr")
    assert one_edit_apart("awa@x.org", "awa1@x.org")
    assert one_edit_apart("awa@x.org", "awe@x.org")
    assert not one_edit_apart("awa@x.org", "awa@x.org")
    assert not one_edit_apart("awa@x.org", "wa@y.org")


@pytest.mark.skipif(not FAKE_DATA.exists(), reason="../shared/interop/osdi/fake_data.csv absent")
def test_the_osdi_fake_data_reports_its_shared_emails_instead_of_merging_them(
    ladder_cli, engine, tmp_path
):
    before = dump(engine)

    refused = ladder_cli("people", "import", str(FAKE_DATA))

    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"2760 rows are invalid in {FAKE_DATA}: nothing was imported.")
    assert dump(engine) == before
    assert "two people sharing an email? Give each their own email" in refused.stderr
    result = ladder_cli(
        "people", "import", str(FAKE_DATA), "--skip-invalid", "--rejected-file",
        str(tmp_path / "rejected.csv"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created 8780, updated 0, unchanged 0, rejected 2760." in result.stdout
    assert "Household ID" not in result.stdout.splitlines()[0]  # a household is not a person id
