"""``ladder ladder rename-rung OLD NEW``: move everyone off a rung the ladder file renamed,
recorded in their history. Until then every command refuses the file
(:mod:`ladder.storage.rungs`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, insert, literal, select, update

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.errors import ConflictError, MisuseError, NotFoundError
from ladder.privacy import audit
from ladder.storage.models import LevelChange, Supporter

RENAMED = "rung renamed"  # the reason kept in each moved person's history


@dataclass(frozen=True)
class RungRenamed:
    old: str
    new: str
    people: int


def rename_rung(
    engine: Engine, ladder: LadderFile, old: str, new: str, by: str, at: datetime | None = None
) -> RungRenamed:
    """Move everyone on rung ``old`` to ``new`` (a rung of ``ladder``), in one transaction.

    One ``INSERT ... SELECT`` records a level change per person moved (who, from ``old`` to
    ``new``, reason "rung renamed"), then one ``UPDATE`` moves them. Their rung's date, status
    and manual pin are kept: it is the same rung under a new name.
    """
    if new not in ladder.rung_names:
        raise NotFoundError(
            f"unknown rung {new!r}: NEW must be a rung of the ladder file "
            f"(rungs: {', '.join(ladder.rung_names)})"
        )
    if old == new:
        raise MisuseError(f"{old!r} is already the rung's name: give the old name, then the new")
    if old in ladder.rung_names:
        raise ConflictError(
            f"{old!r} is still a rung of the ladder file: rename it there first "
            "(`ladder people set-rung` moves one person)"
        )
    at = at or utcnow()
    s = Supporter.__table__.c
    moved = select(
        s.id,
        s.rung,
        literal(new),
        s.status.label("from_status"),
        s.status.label("to_status"),
        literal(at),
        literal(by),
        literal(RENAMED),
    ).where(s.rung == old)
    columns = [
        "supporter_id",
        "from_rung",
        "to_rung",
        "from_status",
        "to_status",
        "changed_at",
        "changed_by",
        "reason",
    ]
    with engine.begin() as connection:
        mark = connection.execute(select(func.coalesce(func.max(LevelChange.id), 0))).scalar_one()
        connection.execute(insert(LevelChange).from_select(columns, moved))
        people = connection.execute(
            update(Supporter).where(Supporter.rung == old).values(rung=new)
        ).rowcount
        if not people:  # nothing was inserted either
            raise NotFoundError(f"nobody stands on rung {old!r}: nothing to rename")
        touched = select(LevelChange.supporter_id).where(
            LevelChange.id > mark, LevelChange.changed_at == at, LevelChange.reason == RENAMED
        )
        audit.record(
            connection,
            by,
            "ladder rename-rung",
            people=touched,
            fields=["rung"],
            detail={"people": people},
        )
    return RungRenamed(old, new, people)
