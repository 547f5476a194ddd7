"""`ladder people import` on both databases: real spreadsheets, idempotence, every error path."""

import codecs

import pytest

from tests.factories import dump, people_rows, person, write

# every test twice: reading only the people a small file names, and reading everyone
pytestmark = pytest.mark.usefixtures("known_both_ways")

EXCEL_FR = (
    "Prénom;Nom;Courriel;Portable;Code postal;Tags;Parrain\r\n"
    "Éloïse;Kasarhérou;eloise@example.nc;06 11 22 33 44;98800;bénévole, porte-à-porte;\r\n"
    "Jean;Wamytan;jean@example.nc;;98800;;eloise@example.nc\r\n"
    "Léa;Martin;;07 55 66 77 88;69001;;Jean Wamytan\r\n"
)


def _import(ladder_cli, path, *options):
    return ladder_cli("people", "import", path, *options)


def test_a_semicolon_excel_export_in_windows_1252_imports_with_its_accents(
    ladder_cli, engine, tmp_path
):
    path = write(tmp_path, "adherents.csv", EXCEL_FR, "cp1252")
    result = _import(ladder_cli, path)
    assert result.exit_code == 0, result.output
    assert "(cp1252, semicolon-separated): 3 rows" in result.stdout
    assert "Created 3, updated 0, unchanged 0." in result.stdout
    rows = people_rows(engine)
    assert [r[1:6] for r in rows] == [
        ("Éloïse", "Kasarhérou", "eloise@example.nc", "+33611223344", "98800"),
        ("Jean", "Wamytan", "jean@example.nc", None, "98800"),
        ("Léa", "Martin", None, "+33755667788", "69001"),
    ]
    assert [r[6] for r in rows] == [None, rows[0][0], rows[1][0]]


def test_importing_the_same_file_twice_changes_nothing(ladder_cli, engine, tmp_path):
    path = write(tmp_path, "adherents.csv", EXCEL_FR, "cp1252")
    _import(ladder_cli, path)
    before = dump(engine)
    result = _import(ladder_cli, path)
    assert result.exit_code == 0
    assert "Created 0, updated 0, unchanged 3." in result.stdout
    assert dump(engine) == before


def test_a_utf8_file_with_a_bom_and_english_headers_imports(ladder_cli, engine, tmp_path):
    content = (
        "\ufeffFirst name,Last name,Email,Phone,Zip\n"
        "Awa,Diallo,AWA@example.org,+221 77 123 45 67,\n"
    )
    result = _import(ladder_cli, write(tmp_path, "signups.csv", content))
    assert "(utf-8-sig, comma-separated)" in result.stdout
    assert people_rows(engine)[0][1:5] == ("Awa", "Diallo", "awa@example.org", "+221771234567")


def test_a_tab_separated_file_from_standard_input_imports(ladder_cli, engine):
    result = ladder_cli(
        "people", "import", "-", input="nom\tprénom\tcourriel\nDiallo\tAwa\tawa@example.org\n"
    )
    assert result.exit_code == 0, result.output
    assert "standard input (utf-8, tab-separated): 1 rows" in result.stdout


def test_a_known_email_updates_the_person_instead_of_duplicating_them(ladder_cli, engine, tmp_path):
    awa = person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")
    content = "email,first name,last name,postcode\nawa@example.org,Awa,Diallo,75011\n"
    result = _import(ladder_cli, write(tmp_path, "f.csv", content))
    assert "Created 0, updated 1, unchanged 0." in result.stdout
    assert people_rows(engine) == [(awa, "Awa", "Diallo", "awa@example.org", None, "75011", None)]


def test_a_known_phone_with_the_same_name_updates_that_person(ladder_cli, engine, tmp_path):
    jean = person(engine, first_name="Jean", last_name="Wamytan", phone="+33687654321")
    content = "prénom,nom,téléphone,courriel\nJean,Wamytan,06 87 65 43 21,jean@example.nc\n"
    result = _import(ladder_cli, write(tmp_path, "f.csv", content))
    assert "updated 1" in result.stdout
    assert people_rows(engine)[0][:4] == (jean, "Jean", "Wamytan", "jean@example.nc")


def test_a_family_sharing_an_email_is_a_conflict_not_a_silent_merge(ladder_cli, engine, tmp_path):
    person(engine, first_name="Awa", last_name="Diallo", email="famille.diallo@example.org")
    before = dump(engine)
    content = "prénom,nom,courriel\nFatou,Diallo,famille.diallo@example.org\n"
    result = _import(ladder_cli, write(tmp_path, "f.csv", content))
    assert result.exit_code == 1
    assert (
        "line 2, column 'courriel': famille.diallo@example.org already belongs to "
        "#1 Awa Diallo, not Fatou Diallo" in result.stderr
    )
    assert dump(engine) == before


def test_invalid_rows_mean_nothing_is_imported_and_every_bad_row_is_listed(
    ladder_cli, engine, tmp_path
):
    content = (
        "prénom,nom,courriel,téléphone,consentement sms\n"
        "Awa,Diallo,awa@example.org,,oui\n"
        "Jean,Wamytan,jean(at)example.nc,,\n"
        "Léa,Martin,,12,peut-être\n"
        ",,,,\n"
        ",,,,non\n"
    )
    before = dump(engine)
    result = _import(ladder_cli, write(tmp_path, "f.csv", content))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"3 rows are invalid in {tmp_path / 'f.csv'}: nothing was imported. "
        "Fix them and import again, or import the valid rows with --skip-invalid."
    )
    assert lines[1:] == [
        "  line 3, column 'courriel': 'jean(at)example.nc' is not an email address",
        "  line 4, column 'consentement sms': "
        "'peut-être' is not yes or no (oui/non, ja/nee, x, 1/0 also work)",
        "  line 4, column 'téléphone': '12' is not a phone number",
        "  line 6: no name, email or phone: nothing says who this is",
    ]
    assert result.stdout == ""
    assert dump(engine) == before


def test_skip_invalid_imports_the_good_rows_and_writes_the_bad_ones_to_fix(
    ladder_cli, engine, tmp_path
):
    content = "prénom;nom;courriel\nAwa;Diallo;awa@example.org\nJean;Wamytan;jean(at)example.nc\n"
    path = write(tmp_path, "membres.csv", content)
    result = _import(ladder_cli, path, "--skip-invalid")
    assert result.exit_code == 0
    assert "Created 1, updated 0, unchanged 0, rejected 1." in result.stdout
    rejected = tmp_path / "membres.rejected.csv"
    assert rejected.read_bytes().decode("utf-8-sig") == (
        "reason;prénom;nom;courriel\r\n"
        "courriel: 'jean(at)example.nc' is not an email address;Jean;Wamytan;jean(at)example.nc\r\n"
    )
    rejected.write_bytes(rejected.read_bytes().replace(b"(at)", b"@"))
    again = _import(ladder_cli, str(rejected))
    assert "Created 1" in again.stdout and "ignored: reason" in again.stdout
    assert [r[3] for r in people_rows(engine)] == ["awa@example.org", "jean@example.nc"]


def test_dry_run_reports_what_would_change_and_writes_nothing(ladder_cli, engine, tmp_path):
    person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")
    before = dump(engine)
    content = "email,first name,postcode\nawa@example.org,Awa,75011\nzoe@example.org,Zoé,\n"
    result = _import(ladder_cli, write(tmp_path, "f.csv", content), "--dry-run")
    assert "Dry run, nothing written: would create 1, update 1, leave 0 unchanged." in result.stdout
    assert dump(engine) == before


def test_a_recruiter_may_be_later_in_the_file_or_already_in_the_database(
    ladder_cli, engine, tmp_path
):
    awa = person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")
    content = (
        "prénom,nom,courriel,recruté par\n"
        "Jean,Wamytan,jean@example.nc,zoe@example.org\n"
        f"Zoé,Nguyen,zoe@example.org,#{awa}\n"
        "Léa,Martin,lea@example.fr,Jean Wamytan\n"
    )
    result = _import(ladder_cli, write(tmp_path, "f.csv", content))
    assert result.exit_code == 0, result.output
    rows = {r[3]: r for r in people_rows(engine)}
    assert rows["jean@example.nc"][6] == rows["zoe@example.org"][0]
    assert rows["zoe@example.org"][6] == awa
    assert rows["lea@example.fr"][6] == rows["jean@example.nc"][0]


def test_a_recruiter_written_in_unicode_digits_names_nobody(ladder_cli, engine, tmp_path):
    before = dump(engine)
    content = "prénom,nom,courriel,recruté par\nJean,Wamytan,jean@example.nc,²\n"
    result = _import(ladder_cli, write(tmp_path, "f.csv", content))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "line 2" in result.output
    assert dump(engine) == before


def test_a_cycle_within_the_file_is_refused_naming_its_people(ladder_cli, engine, tmp_path):
    content = (
        "prénom,nom,courriel,parrain\n"
        "Awa,Diallo,awa@example.org,jean@example.nc\n"
        "Jean,Wamytan,jean@example.nc,awa@example.org\n"
    )
    result = _import(ladder_cli, write(tmp_path, "f.csv", content))
    assert result.exit_code == 1
    cycle = "recruitment cycle: Awa Diallo (line 2) -> Jean Wamytan (line 3) -> Awa Diallo (line 2)"
    assert f"  line 2, column 'parrain': {cycle}" in result.stderr
    assert "  line 3, column 'parrain': recruitment cycle:" in result.stderr
    assert people_rows(engine) == []


def test_a_cycle_through_the_file_and_the_database_is_refused(ladder_cli, engine, tmp_path):
    awa = person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")
    jean = person(
        engine, first_name="Jean", last_name="Wamytan", email="jean@example.nc", recruiter_id=awa
    )
    content = "courriel,parrain\nawa@example.org,zoe@example.org\nzoe@example.org,jean@example.nc\n"
    _assert_refused_cycle(
        ladder_cli,
        engine,
        write(tmp_path, "f.csv", content),
        f"recruitment cycle: #{awa} Awa Diallo -> zoe@example.org (line 3) -> #{jean} Jean Wamytan "
        f"-> #{awa} Awa Diallo (each recruited by the next)",
    )


@pytest.mark.parametrize("jean_is", ["#{id}", "jean wamytan"])
def test_a_cycle_through_a_chain_the_file_never_names_is_refused(
    ladder_cli, engine, tmp_path, jean_is
):
    # Awa recruited Paul, who recruited Lise, who recruited Jean; the file makes Jean Awa's
    awa = person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")
    paul = person(engine, first_name="Paul", last_name="Neaoutyine", recruiter_id=awa)
    lise = person(engine, first_name="Lise", last_name="Wadrawane", recruiter_id=paul)
    jean = person(engine, first_name="Jean", last_name="Wamytan", recruiter_id=lise)
    content = f"courriel,parrain\nawa@example.org,{jean_is.format(id=jean)}\n"
    _assert_refused_cycle(
        ladder_cli,
        engine,
        write(tmp_path, "f.csv", content),
        f"recruitment cycle: #{awa} Awa Diallo -> #{jean} Jean Wamytan -> #{lise} Lise Wadrawane "
        f"-> #{paul} Paul Neaoutyine -> #{awa} Awa Diallo",
    )


def _assert_refused_cycle(ladder_cli, engine, path, cycle):
    before = dump(engine)
    result = _import(ladder_cli, path)
    assert result.exit_code == 1
    assert cycle in result.stderr
    assert dump(engine) == before


def test_self_recruitment_is_refused(ladder_cli, engine, tmp_path):
    content = "courriel,parrain\nawa@example.org,AWA@example.org\n"
    result = _import(ladder_cli, write(tmp_path, "f.csv", content))
    assert "recruited by 'AWA@example.org': that is this person" in result.stderr
    assert people_rows(engine) == []


def test_a_recruit_of_a_refused_row_is_refused_too_with_skip_invalid(ladder_cli, engine, tmp_path):
    content = (
        "courriel,parrain\n"
        "awa@example.org,nobody@example.org\n"
        "jean@example.nc,awa@example.org\n"
        "lea@example.fr,\n"
    )
    result = _import(ladder_cli, write(tmp_path, "f.csv", content), "--skip-invalid")
    assert (
        "line 2, column 'parrain': recruited by 'nobody@example.org': "
        "nobody in the file or the database has this email" in result.stdout
    )
    assert (
        "line 3, column 'parrain': recruited by 'awa@example.org': "
        "awa@example.org (line 2) is refused too"
    ) in result.stdout
    assert [r[3] for r in people_rows(engine)] == ["lea@example.fr"]


def test_an_unknown_group_is_refused_unless_created(ladder_cli, engine, tmp_path):
    path = write(tmp_path, "f.csv", "courriel,groupe\nawa@example.org,Lyon Nord\n")
    refused = _import(ladder_cli, path)
    assert (
        "unknown group 'Lyon Nord' (there are no local groups yet): fix it, "
        "or create it with --create-groups"
    ) in refused.stderr
    created = _import(ladder_cli, path, "--create-groups")
    assert "New local groups: Lyon Nord" in created.stdout
    typo = _import(
        ladder_cli, write(tmp_path, "g.csv", "courriel,groupe\nzoe@example.org,Lyon Nrod\n")
    )
    assert "unknown group 'Lyon Nrod' (did you mean Lyon Nord?)" in typo.stderr


def test_tags_are_added_once(ladder_cli, engine, tmp_path):
    path = write(tmp_path, "f.csv", "courriel,tags\nawa@example.org,bénévole; orateur\n")
    _import(ladder_cli, path)
    again = _import(
        ladder_cli, write(tmp_path, "g.csv", 'courriel,tags\nawa@example.org,"Bénévole,nouveau"\n')
    )
    assert "updated 1" in again.stdout and "New tags: nouveau" in again.stdout
    assert len(dump(engine)["supporter_tags"]) == 3


def test_repeated_rows_count_once_and_a_contradicting_repeat_is_refused(
    ladder_cli, engine, tmp_path
):
    content = "courriel,nom\nawa@example.org,Diallo\nawa@example.org,Diallo\n"
    result = _import(ladder_cli, write(tmp_path, "f.csv", content))
    assert "Created 1, updated 0, unchanged 0, repeated rows 1." in result.stdout
    content = (
        "courriel,nom,code postal\nzoe@example.org,Nguyen,75011\nzoe@example.org,Nguyen,69001\n"
    )
    result = _import(ladder_cli, write(tmp_path, "g.csv", content))
    assert (
        "line 3: the same person as line 2 (Nguyen (line 2)) with different details"
        in result.stderr
    )


def test_file_errors_are_one_line_and_change_nothing(ladder_cli, engine, tmp_path):
    person(engine, first_name="Awa", email="awa@example.org")
    before = dump(engine)
    cases = {
        "vide.csv": (b"", "vide.csv is empty"),
        "entete.csv": (b"colonne;autre\nx;y\n", "no column is recognised"),
        "binaire.csv": (b"PK\x03\x04\x00\x00", "is not a text file"),
        "octets.csv": (
            codecs.BOM_UTF8 + b"email\n\xff\n",
            "line 2 has byte 0xff, which is not utf-8 text",
        ),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = _import(ladder_cli, str(path))
        assert result.exit_code == 1, name
        assert message in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert dump(engine) == before


def test_an_unknown_map_column_is_misuse(ladder_cli, tmp_path):
    result = _import(ladder_cli, write(tmp_path, "f.csv", "nom\nDiallo\n"), "--map", "Mail=email")
    assert result.exit_code == 2
    assert "--map: " in result.stderr and "has no column 'Mail' (columns: 'nom')" in result.stderr
