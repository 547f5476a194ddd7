"""A merged-away record is never the target of an RSVP, an invitation or a host: one lookup,
``find_person``, refuses it and points to the record that was kept."""

from datetime import timedelta

import pytest

from ladder.errors import NotFoundError
from ladder.people.lookup import find_person
from tests.factories import add_event, add_person, dump


@pytest.fixture
def merged(ladder_cli, engine):
    """Awa signed up twice; #other was merged into #keep."""
    keep = add_person(engine, "Awa", "Diallo", email="awa@example.org")
    other = add_person(engine, "Awa", "Diallo", email="awa.d@example.org")
    result = ladder_cli("people", "merge", str(keep), str(other))
    assert result.exit_code == 0, result.output
    return keep, other


def test_an_rsvp_or_invitation_for_a_merged_record_is_refused_pointing_to_the_kept_one(
    ladder_cli, engine, merged
):
    keep, other = merged
    event = add_event(engine, "Forum des associations", starts_in=timedelta(days=3))
    before = dump(engine)
    attempts = [
        ("rsvp", str(event), str(other), "--status", "accepted"),
        ("invite", str(event), f"#{other}"),
        ("checkin", str(add_event(engine, "Ce soir")), f"#{other}"),
    ]
    before = dump(engine)
    for args in attempts:
        result = ladder_cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.strip() == (
            f"Error: #{other} Awa Diallo was merged into #{keep}: use #{keep}"
        ), args
    assert dump(engine) == before


def test_an_event_cannot_be_hosted_by_a_merged_record(ladder_cli, engine, merged):
    keep, other = merged
    before = dump(engine)
    result = ladder_cli(
        "events", "add", "--title", "Atelier", "--start", "2030-01-05 10:00", "--host", f"#{other}"
    )
    assert result.exit_code == 1, result.output
    assert f"was merged into #{keep}: use #{keep}" in result.stderr
    assert dump(engine) == before


def test_a_name_shared_with_a_merged_record_finds_the_kept_one(ladder_cli, engine, merged):
    keep, _other = merged
    event = add_event(engine, "Forum des associations", starts_in=timedelta(days=3))
    result = ladder_cli("rsvp", str(event), "Awa Diallo", "--status", "accepted")
    assert result.exit_code == 0, result.output
    assert any(r[2] == keep and r[5] == "accepted" for r in dump(engine)["attendances"])


def test_find_person_refuses_merged_and_erased_records_unless_asked(workspace, merged):
    keep, other = merged
    erased = add_person(workspace.engine, None, None, status="erased")
    with workspace.engine.connect() as connection:
        with pytest.raises(NotFoundError, match=f"merged into #{keep}: use #{keep}"):
            find_person(connection, f"#{other}")
        with pytest.raises(NotFoundError, match=f"#{erased} was erased"):
            find_person(connection, str(erased))
        assert find_person(connection, f"#{other}", include_merged=True).id == other
        assert find_person(connection, f"#{erased}", include_merged=True).id == erased


def test_why_and_recruiters_tree_point_from_a_merged_record_to_the_kept_one(
    ladder_cli, engine, merged
):
    keep, other = merged
    for args in (("people", "why", str(other)), ("recruiters", "tree", str(other))):
        result = ladder_cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert f"was merged into #{keep}: use #{keep}" in result.stderr
