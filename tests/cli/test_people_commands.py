"""add, edit, tag, untag, set/clear recruiter, list and show, on both databases."""

import csv
import io
import json

import pytest
from sqlalchemy import insert

from ladder.storage.models import LocalGroup, Supporter
from tests.factories import WHEN, dump, people_rows, person


@pytest.fixture
def trio(engine):
    """Awa recruited Jean, who recruited Zoé."""
    awa = person(
        engine, first_name="Awa", last_name="Diallo", email="awa@example.org", postcode="75011"
    )
    jean = person(
        engine,
        first_name="Jean",
        last_name="Wamytan",
        phone="+33687654321",
        postcode="98800",
        recruiter_id=awa,
    )
    zoe = person(
        engine,
        first_name="Zoé",
        last_name="Nguyen",
        email="zoe@example.org",
        postcode="75020",
        recruiter_id=jean,
        rung="attend",
    )
    return awa, jean, zoe


def test_add_puts_a_new_person_on_the_first_rung_with_their_recruiter(ladder_cli, engine, trio):
    result = ladder_cli(
        "people",
        "add",
        "--first-name",
        "Léa",
        "--last-name",
        "Martin",
        "--email",
        "Lea@Example.fr",
        "--phone",
        "07 55 66 77 88",
        "--recruited-by",
        "zoe@example.org",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Added #4 Léa Martin.")
    assert people_rows(engine)[-1] == (
        4,
        "Léa",
        "Martin",
        "lea@example.fr",
        "+33755667788",
        None,
        trio[2],
    )


def test_add_refuses_an_email_someone_else_has_and_changes_nothing(ladder_cli, engine, trio):
    before = dump(engine)
    result = ladder_cli("people", "add", "--first-name", "Fatou", "--email", "awa@example.org")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: awa@example.org already belongs to #1 Awa Diallo: see `ladder people show 1`\n"
    )
    assert dump(engine) == before


def test_add_with_a_bad_email_names_the_option(ladder_cli, engine):
    result = ladder_cli("people", "add", "--email", "awa(at)example.org")
    assert result.stderr == "Error: --email: 'awa(at)example.org' is not an email address\n"
    assert people_rows(engine) == []


def test_an_unknown_group_is_refused_with_close_names_unless_created(ladder_cli, engine):
    with engine.begin() as connection:
        connection.execute(insert(LocalGroup).values(name="Lyon Nord", created_at=WHEN))
    typo = ladder_cli("people", "add", "--first-name", "Awa", "--group", "Lyon Nrod")
    assert (
        typo.stderr
        == "Error: unknown group 'Lyon Nrod' (did you mean Lyon Nord?): check the name, "
        "or create it with --create-group\n"
    )
    assert people_rows(engine) == []
    created = ladder_cli(
        "people", "add", "--first-name", "Awa", "--group", "Lyon Sud", "--create-group"
    )
    assert "note: created the local group 'Lyon Sud'" in created.stdout


def test_edit_changes_only_what_is_given(ladder_cli, engine, trio):
    result = ladder_cli(
        "people", "edit", "awa@example.org", "--postcode", "69001", "--phone", "06 12 34 56 78"
    )
    assert result.stdout == "Updated #1 Awa Diallo.\n"
    assert people_rows(engine)[0] == (
        1,
        "Awa",
        "Diallo",
        "awa@example.org",
        "+33612345678",
        "69001",
        None,
    )


def test_an_ambiguous_name_lists_the_candidates(ladder_cli, engine, trio):
    person(engine, first_name="Jeanne", last_name="Kasarhérou")
    result = ladder_cli("people", "edit", "jean", "--postcode", "98000")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: 'jean' matches 2 people: use an id or email",
        "  #4 Jeanne Kasarhérou",
        "  #2 Jean Wamytan (+33687654321, 98800)",
    ]


def test_set_recruiter_refuses_a_cycle_naming_everyone_in_it(ladder_cli, engine, trio):
    before = dump(engine)
    result = ladder_cli("people", "set-recruiter", "awa@example.org", "zoe@example.org")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: recruitment cycle: #1 Awa Diallo -> #3 Zoé Nguyen -> #2 Jean Wamytan "
        "-> #1 Awa Diallo (each recruited by the next)\n"
    )
    selfish = ladder_cli("people", "edit", "2", "--recruited-by", "+33687654321")
    assert selfish.stderr == "Error: #2 Jean Wamytan cannot be their own recruiter\n"
    assert dump(engine) == before


def test_set_and_clear_recruiter(ladder_cli, engine, trio):
    assert (
        ladder_cli("people", "set-recruiter", "3", "#1").stdout
        == "#3 Zoé Nguyen is now recruited by #1 Awa Diallo.\n"
    )
    assert people_rows(engine)[2][6] == 1
    assert ladder_cli("people", "clear-recruiter", "3").exit_code == 0
    assert people_rows(engine)[2][6] is None


def test_tagging_twice_changes_nothing_and_untag_removes(ladder_cli, engine, trio):
    assert (
        ladder_cli("people", "tag", "1", "bénévole", "orateur").stdout
        == "Tagged #1 Awa Diallo: bénévole, orateur.\n"
    )
    again = ladder_cli("people", "tag", "1", "Bénévole")
    assert again.stdout == "#1 Awa Diallo already had: Bénévole.\n"
    assert len(dump(engine)["supporter_tags"]) == 2
    gone = ladder_cli("people", "untag", "1", "orateur", "inconnu")
    assert (
        gone.stdout
        == "Removed from #1 Awa Diallo: orateur.\n#1 Awa Diallo did not have: inconnu.\n"
    )


def _listed(ladder_cli, *filters):
    result = ladder_cli("people", "list", "--format", "json", *filters)
    assert result.exit_code == 0, result.output
    return [row["id"] for row in json.loads(result.stdout)]


def test_list_filters_by_rung_tag_status_postcode_prefix_and_recruiter(ladder_cli, engine, trio):
    awa, jean, zoe = trio
    ladder_cli("people", "tag", str(jean), "porte-à-porte")
    assert _listed(ladder_cli) == [awa, jean, zoe]
    assert _listed(ladder_cli, "--rung", "attend") == [zoe]
    assert _listed(ladder_cli, "--tag", "Porte-à-porte") == [jean]
    assert _listed(ladder_cli, "--postcode", "750") == [awa, zoe]
    assert _listed(ladder_cli, "--recruited-by", "awa@example.org") == [jean]
    assert _listed(ladder_cli, "--status", "lapsed") == []
    assert _listed(ladder_cli, "--limit", "1") == [awa]


def test_a_table_shows_a_screenful_and_says_how_to_see_everyone(ladder_cli, engine):
    from cli.people.listing import TABLE_ROWS

    rows = [
        {"first_name": f"Bénévole{i}", "rung": "follow", "rung_since": WHEN, "created_at": WHEN}
        for i in range(TABLE_ROWS + 1)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Supporter), rows)
    table = ladder_cli("people", "list")
    assert table.exit_code == 0
    assert (
        f"Bénévole{TABLE_ROWS - 1}" in table.stdout and f"Bénévole{TABLE_ROWS} " not in table.stdout
    )
    assert table.stderr == (
        f"(the first {TABLE_ROWS} shown: --limit N for more, --format csv for everyone)\n"
    )
    assert len(_listed(ladder_cli)) == TABLE_ROWS + 1  # json and csv: everyone
    assert f"Bénévole{TABLE_ROWS}" in ladder_cli("people", "list", "--limit", "500").stdout
    assert ladder_cli("people", "list", "--limit", "500").stderr == ""


def test_list_filters_by_group(ladder_cli, engine, trio):
    ladder_cli("people", "edit", "3", "--group", "Paris 20", "--create-group")
    assert _listed(ladder_cli, "--group", "paris 20") == [trio[2]]
    unknown = ladder_cli("people", "list", "--group", "Paris 21")
    assert unknown.stderr == "Error: unknown group 'Paris 21' (did you mean Paris 20?)\n"


def test_an_unknown_rung_is_misuse(ladder_cli, trio):
    result = ladder_cli("people", "list", "--rung", "ambassador")
    assert result.exit_code == 2
    assert "unknown rung 'ambassador' (rungs: follow, attend, mobilise)" in result.stderr


def test_list_rows_have_the_same_keys_in_csv_and_json(ladder_cli, trio):
    as_json = json.loads(ladder_cli("people", "list", "--format", "json").stdout)
    as_csv = list(
        csv.DictReader(io.StringIO(ladder_cli("people", "list", "--format", "csv").stdout))
    )
    keys = [
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "postcode",
        "group",
        "rung",
        "status",
        "recruiter",
    ]
    assert list(as_json[0]) == keys and list(as_csv[0]) == keys
    assert as_json[2]["recruiter"] == as_csv[2]["recruiter"] == "#2 Jean Wamytan"


def test_show_gives_the_chain_up_and_the_recruits_down(ladder_cli, trio):
    shown = json.loads(ladder_cli("people", "show", "+33687654321", "--format", "json").stdout)
    assert shown["person"]["recruiter"] == "#1 Awa Diallo"
    assert shown["recruiter_chain"] == ["#1 Awa Diallo"]
    assert [r["id"] for r in shown["recruits"]] == [trio[2]]
    table = ladder_cli("people", "show", "3").stdout
    assert "Recruiter chain (up): #2 Jean Wamytan -> #1 Awa Diallo" in table
    assert "rung               attend" in table
