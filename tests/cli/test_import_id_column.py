"""An id column in a people file says who each row is: `people list --format csv` round-trips."""

from datetime import datetime

import pytest

from ladder.domain.ladderfile import default_ladder_path, load_ladder
from seeds.movement import generate_movement
from tests.factories import dump, people_rows, person, write

pytestmark = pytest.mark.usefixtures("known_both_ways")


def _listing(ladder_cli) -> str:
    result = ladder_cli("people", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_two_people_sharing_a_phone_and_a_name_round_trip_through_a_csv_listing(ladder_cli, engine):
    first = person(engine, first_name="Jean", last_name="Dupont", phone="+33612345678")
    second = person(engine, first_name="Jean", last_name="Dupont", phone="+33612345678")
    listing = _listing(ladder_cli)
    before = dump(engine)

    result = ladder_cli("people", "import", "-", input=listing)

    assert result.exit_code == 0, result.output
    assert "Created 0, updated 0, unchanged 2." in result.stdout
    assert dump(engine) == before
    assert [row[0] for row in people_rows(engine)] == [first, second]


def test_a_row_with_an_id_updates_that_person_even_with_a_new_email(ladder_cli, engine, tmp_path):
    awa = person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")
    content = f"id,first_name,last_name,email\n{awa},Awa,Diallo,awa.diallo@example.org\n"

    result = ladder_cli("people", "import", write(tmp_path, "edited.csv", content))

    assert result.exit_code == 0, result.output
    assert "Created 0, updated 1, unchanged 0." in result.stdout
    assert people_rows(engine) == [
        (awa, "Awa", "Diallo", "awa.diallo@example.org", None, None, None)
    ]


def test_rows_with_distinct_ids_are_two_people_even_with_the_same_name_and_postcode(
    ladder_cli, engine
):
    content = (
        "id,first_name,last_name,postcode\n7,Chantal,Philippe,55640\n8,Chantal,Philippe,55640\n"
    )

    result = ladder_cli("people", "import", "-", input=content)

    assert result.exit_code == 0, result.output
    assert "Created 2, updated 0, unchanged 0." in result.stdout
    assert [row[1:3] for row in people_rows(engine)] == [("Chantal", "Philippe")] * 2


def test_a_row_whose_id_names_someone_else_entirely_is_refused_and_nothing_changes(
    ladder_cli, engine, tmp_path
):
    awa = person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")
    before = dump(engine)
    content = f"id,first_name,last_name\n{awa},Paul,Martin\n"

    result = ladder_cli("people", "import", write(tmp_path, "wrong.csv", content))

    assert result.exit_code == 1
    assert f"line 2, column 'id': #{awa} is Awa Diallo, not Paul Martin" in result.stderr
    assert dump(engine) == before


@pytest.mark.slow
def test_a_csv_listing_of_a_seeded_base_imports_back_and_changes_nothing(ladder_cli, engine):
    # seed 11 as of 2026-11-30 has #385 and #3875, both Chantal Philippe in 55640, the second
    # with neither email nor phone: without the id column they look like one person
    ladder = load_ladder(default_ladder_path())
    generate_movement(engine, ladder, 5000, 11, "fr_FR", datetime(2026, 11, 30))
    listing = _listing(ladder_cli)
    before = dump(engine)

    result = ladder_cli("people", "import", "-", input=listing)

    assert result.exit_code == 0, result.output
    assert "Created 0, updated 0, unchanged 5000." in result.stdout
    assert dump(engine) == before
