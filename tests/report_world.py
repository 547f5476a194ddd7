"""A small movement with a known level history, for the funnel and cohort reports' tests.

Every change is written as the code that makes it would write it (from/to of rung and status).
Times are UTC noon unless said; the numbers each report must give are worked out by hand in
the tests that use it.

- Awa (group Nord): joined 2026-01-05 on follow; up to attend 02-10; up to mobilise 03-15.
- Bastien: joined 01-20 on follow; lapsed 03-01 (still follow).
- Chloé (group Nord): joined 02-03 on follow; up to attend 02-20; lapsed 03-10; back 03-25.
- Dan: joined 03-05 straight onto attend (imported so), no change since.
- Eve: joined 01-10 on follow; set to mobilise by hand 02-15; set down to attend 03-20.
- Hana: joined 01-15 on follow; up to attend 05-01 (after the reports' end, 04-01).
- Fay: joined 01-06, up to attend 01-25, then erased: never counted.
- Gus: joined 01-07, up to attend 01-26, merged into Awa: never counted (as a record).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert

from ladder.storage.models import LevelChange
from tests.factories import add_group, add_person

END = datetime(2026, 4, 1)


def noon(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, 0)


def build(engine: Engine) -> dict[str, int]:
    """Writes the world; returns name -> id (and ``nord``: the group's id)."""
    nord = add_group(engine, "Nord")
    ids = {"nord": nord}

    def join(name: str, month: int, day: int, rung: str, status: str = "active", **more: object):
        at = noon(month, day)
        ids[name] = add_person(
            engine, name, None, rung=rung, status=status, created_at=at, rung_since=at, **more
        )

    join("Awa", 1, 5, "mobilise", local_group_id=nord)
    join("Bastien", 1, 20, "follow", "lapsed")
    join("Chloé", 2, 3, "attend", local_group_id=nord)
    join("Dan", 3, 5, "attend")
    join("Eve", 1, 10, "attend")
    join("Hana", 1, 15, "attend")
    join("Fay", 1, 6, "attend", "erased")
    join("Gus", 1, 7, "attend", merged_into_id=ids["Awa"])
    moves = [
        ("Awa", "follow", "attend", "active", "active", noon(2, 10)),
        ("Awa", "attend", "mobilise", "active", "active", noon(3, 15)),
        ("Bastien", "follow", "follow", "active", "lapsed", noon(3, 1)),
        ("Chloé", "follow", "attend", "active", "active", noon(2, 20)),
        ("Chloé", "attend", "attend", "active", "lapsed", noon(3, 10)),
        ("Chloé", "attend", "attend", "lapsed", "active", noon(3, 25)),
        ("Eve", "follow", "mobilise", "active", "active", noon(2, 15)),
        ("Eve", "mobilise", "attend", "active", "active", noon(3, 20)),
        ("Hana", "follow", "attend", "active", "active", noon(5, 1)),
        ("Fay", "follow", "attend", "active", "active", noon(1, 25)),
        ("Fay", "attend", "attend", "active", "erased", noon(3, 2)),
        ("Gus", "follow", "attend", "active", "active", noon(1, 26)),
    ]
    with engine.begin() as connection:
        connection.execute(
            insert(LevelChange),
            [
                {
                    "supporter_id": ids[name],
                    "from_rung": from_rung,
                    "to_rung": to_rung,
                    "from_status": from_status,
                    "to_status": to_status,
                    "changed_at": at,
                    "changed_by": "report-world",
                }
                for name, from_rung, to_rung, from_status, to_status, at in moves
            ],
        )
    return ids


def seeded_style(engine: Engine) -> None:
    """As `ladder seed` writes history: a climb without statuses, a lapse without rungs.
    Iris joined 01-02 on follow, climbed to attend 02-05, lapsed 03-05; Kim joined 01-04 on
    attend and lapsed 02-10."""

    def join(name: str, day: int, rung: str) -> int:
        at = datetime(2026, 1, day, 12)
        return add_person(engine, name, None, rung=rung, status="lapsed", created_at=at)

    iris, kim = join("Iris", 2, "attend"), join("Kim", 4, "attend")
    rows = [
        (iris, "follow", "attend", None, None, datetime(2026, 2, 5, 12)),
        (iris, None, None, "active", "lapsed", datetime(2026, 3, 5, 12)),
        (kim, None, None, "active", "lapsed", datetime(2026, 2, 10, 12)),
    ]
    keys = ["supporter_id", "from_rung", "to_rung", "from_status", "to_status", "changed_at"]
    with engine.begin() as connection:
        connection.execute(
            insert(LevelChange), [dict(zip(keys, r, strict=True), changed_by="seed") for r in rows]
        )
