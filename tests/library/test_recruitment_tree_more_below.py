"""`ladder recruiters tree`: "+N more below" counts everyone under the cut, both databases.

Awa recruited Jean; Jean recruited Paul; Paul recruited Lise; Lise recruited Zoé and Max;
Max recruited Noé. Drawn two levels deep from Awa, Paul is the cut: four people lie below him.
"""

from __future__ import annotations

from sqlalchemy import Engine, update

from ladder.recruitment.tree import recruitment_tree
from ladder.storage.models import Supporter
from tests.factories import add_person

CHAIN = [("Awa", None), ("Jean", "Awa"), ("Paul", "Jean"), ("Lise", "Paul")]
CHAIN += [("Zoé", "Lise"), ("Max", "Lise"), ("Noé", "Max")]


def _movement(engine: Engine) -> dict[str, int]:
    ids: dict[str, int] = {}
    for first, recruiter in CHAIN:
        recruited_by = ids[recruiter] if recruiter else None
        ids[first] = add_person(engine, first, "Test", recruiter_id=recruited_by)
    return ids


def test_more_below_counts_every_descendant_beyond_the_depth_not_only_direct_recruits(
    ladder_cli, engine
):
    ids = _movement(engine)
    result = ladder_cli("recruiters", "tree", str(ids["Awa"]), "--depth", "2")
    assert result.exit_code == 0, result.stderr
    assert f"#{ids['Paul']} Paul Test [follow]  (+4 more below)" in result.stdout
    with engine.connect() as connection:
        tree = recruitment_tree(connection, ids["Awa"], 2)
    assert tree.nodes[ids["Paul"]]["more"] == 4
    assert tree.nodes[ids["Jean"]]["more"] == 0


def test_more_below_ends_on_a_recruitment_cycle_and_counts_nobody_already_drawn(engine):
    ids = _movement(engine)
    with engine.begin() as connection:  # Noé "recruited" Awa: a cycle through the whole chain
        connection.execute(
            update(Supporter).where(Supporter.id == ids["Awa"]).values(recruiter_id=ids["Noé"])
        )
    with engine.connect() as connection:
        tree = recruitment_tree(connection, ids["Awa"], 2)
    assert tree.nodes[ids["Paul"]]["more"] == 4  # Lise, Zoé, Max, Noé; Awa and Jean are drawn
