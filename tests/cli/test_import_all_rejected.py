"""`people import --skip-invalid` that imports nothing at all fails, and says so."""

from tests.factories import dump, write

BAD_ROWS = "first name,last name,email\nAwa,Diallo,awa(at)example.org\nJean,Wamytan,jean(at)x\n"


def test_skip_invalid_with_every_row_rejected_exits_1_and_says_where_the_rows_are(
    ladder_cli, engine, tmp_path
):
    before = dump(engine)
    path = write(tmp_path, "people.csv", BAD_ROWS)
    rejected = tmp_path / "people.rejected.csv"

    result = ladder_cli("people", "import", path, "--skip-invalid")

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: no row imported: all 2 rows were rejected, see {rejected}"
    ]
    assert rejected.read_text(encoding="utf-8-sig").count("is not an email address") == 2
    assert dump(engine) == before


def test_skip_invalid_with_one_good_row_still_exits_0(ladder_cli, engine, tmp_path):
    path = write(tmp_path, "people.csv", BAD_ROWS.replace("awa(at)", "awa@"))
    result = ladder_cli("people", "import", path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Created 1, updated 0, unchanged 0, rejected 1." in result.stdout
