"""Re-importing a name in other capitals keeps the better-written one (mixed case wins)."""

import pytest

from tests.factories import dump, people_rows, person, write

pytestmark = pytest.mark.usefixtures("known_both_ways")


def _import(ladder_cli, tmp_path, content: str):
    return ladder_cli("people", "import", write(tmp_path, "again.csv", content))


@pytest.mark.parametrize("written", ["JEAN,DUPONT", "jean,dupont"])
def test_an_all_upper_or_all_lower_name_leaves_a_well_written_one_alone(
    ladder_cli, engine, tmp_path, written
):
    jean = person(engine, first_name="Jean", last_name="Dupont", email="jean@example.org")
    before = dump(engine)

    result = _import(
        ladder_cli, tmp_path, f"first name,last name,email\n{written},jean@example.org\n"
    )

    assert result.exit_code == 0, result.output
    assert "Created 0, updated 0, unchanged 1." in result.stdout
    assert people_rows(engine)[0][:3] == (jean, "Jean", "Dupont")
    assert dump(engine) == before


def test_a_mixed_case_name_replaces_an_all_upper_one(ladder_cli, engine, tmp_path):
    jean = person(engine, first_name="JEAN", last_name="DUPONT", email="jean@example.org")

    result = _import(
        ladder_cli, tmp_path, "first name,last name,email\nJean,Dupont,jean@example.org\n"
    )

    assert "Created 0, updated 1, unchanged 0." in result.stdout
    assert people_rows(engine)[0][:3] == (jean, "Jean", "Dupont")


def test_only_the_badly_cased_part_is_kept_back_and_a_real_change_still_updates(
    ladder_cli, engine, tmp_path
):
    jean = person(engine, first_name="Jean", last_name="Dupont", email="jean@example.org")

    result = _import(
        ladder_cli, tmp_path, "first name,last name,email\nJEAN,Dupont-Martin,jean@example.org\n"
    )

    assert "Created 0, updated 1, unchanged 0." in result.stdout
    assert people_rows(engine)[0][:3] == (jean, "Jean", "Dupont-Martin")
