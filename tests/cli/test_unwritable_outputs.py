"""An output file that cannot be written is refused first, in one line, before any work."""

from datetime import timedelta

from tests.factories import add_event, dump, write

TWO_ROWS = "first name,last name,email\nAwa,Diallo,awa@example.org\nJean,Wamytan,jean(at)x\n"


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_graph_export_to_a_missing_folder_is_refused_in_one_line(ladder_cli, tmp_path):
    target = tmp_path / "missing" / "x.gexf"
    result = ladder_cli("graph", "export", "--format", "gexf", "-o", str(target))
    assert result.exit_code == 1
    assert _one_line(result.stderr) == f"Error: cannot write {target}: No such file or directory"
    assert not target.parent.exists()


def test_an_unwritable_rejected_file_is_refused_before_the_valid_rows_are_imported(
    ladder_cli, engine, tmp_path
):
    before = dump(engine)
    target = tmp_path / "missing" / "r.csv"
    path = write(tmp_path, "people.csv", TWO_ROWS)
    result = ladder_cli("people", "import", path, "--skip-invalid", "--rejected-file", str(target))
    assert result.exit_code == 1
    assert _one_line(result.stderr) == f"Error: cannot write {target}: No such file or directory"
    assert result.stdout == ""
    assert dump(engine) == before


def test_a_sign_in_sheet_with_an_unwritable_rejected_file_checks_nobody_in(
    ladder_cli, engine, tmp_path
):
    event = add_event(engine, "Forum", starts_in=timedelta(hours=-2))
    before = dump(engine)
    target = tmp_path / "missing" / "r.csv"
    sheet = "present,first name,last name,email\nx,Awa,Diallo,awa@example.org\nx,Jean,W,j(at)x\n"
    path = write(tmp_path, "sheet.csv", sheet)
    result = ladder_cli(
        "attendance", "import", str(event), path, "--skip-invalid", "--rejected-file", str(target)
    )
    assert result.exit_code == 1
    assert _one_line(result.stderr) == f"Error: cannot write {target}: No such file or directory"
    assert dump(engine) == before


def test_a_writable_rejected_file_that_is_not_needed_is_not_left_behind(
    ladder_cli, engine, tmp_path
):
    target = tmp_path / "r.csv"
    path = write(tmp_path, "people.csv", TWO_ROWS.rsplit("Jean", 1)[0])
    result = ladder_cli("people", "import", path, "--skip-invalid", "--rejected-file", str(target))
    assert result.exit_code == 0, result.output
    assert not target.exists()
