"""A small file's people are loaded with every live recruiter above them, up each whole chain
(what the cycle check needs), against a plain-Python walk up a random forest."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, update

from ladder.clock import utcnow
from ladder.people.importing.known import Known, Wanted
from ladder.storage.models import Supporter


def _forest(engine, seed: int) -> dict[int, int | None]:
    """Sixty people; each recruited by someone earlier (chains several levels deep) or not."""
    rng = random.Random(seed)
    now = utcnow()
    parent: dict[int, int | None] = {}
    with engine.begin() as connection:
        for index in range(60):
            person = connection.execute(
                insert(Supporter)
                .values(
                    first_name=f"P{index}",
                    email=f"p{index}@example.org",
                    rung="follow",
                    rung_since=now,
                    created_at=now,
                    status="active",
                )
                .returning(Supporter.id)
            ).scalar_one()
            earlier = list(parent)
            parent[person] = rng.choice(earlier) if earlier and rng.random() < 0.8 else None
        for person, recruiter in parent.items():
            connection.execute(
                update(Supporter).where(Supporter.id == person).values(recruiter_id=recruiter)
            )
    return parent


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_people_named_come_with_every_recruiter_up_their_chains(engine, seed):
    parent = _forest(engine, seed)
    named = random.Random(seed + 100).sample(sorted(parent), 5)
    expected = set(named)
    for person in named:
        above = parent[person]
        while above is not None:
            expected.add(above)
            above = parent[above]
    with engine.connect() as connection:
        known = Known.load(connection, Wanted(ids=set(named)))
    assert set(known.people) == expected
