"""Where the ladder file meets the people: no one may stand on a rung the file no longer has.

People's rungs are stored by name. A ladder file that renames or drops a rung would strand
everyone on it (invisible to ``--rung``, ``promote`` and ``next``), so such a file is refused
(:func:`require_no_stranded_rungs`) until :func:`rename_rung` moves them onto one of its rungs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, insert, literal, select, update

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.errors import ConflictError, LadderFileError, MisuseError, NotFoundError
from ladder.storage.engine import reading
from ladder.storage.models import LevelChange, Supporter

RENAMED = "rung renamed"  # the reason kept in each moved person's history


@dataclass(frozen=True)
class StrandedRung:
    rung: str
    people: int


@dataclass(frozen=True)
class RungRenamed:
    old: str
    new: str
    people: int


def stranded_rungs(connection: Connection, ladder: LadderFile) -> list[StrandedRung]:
    """The rungs people stand on that ``ladder`` lacks, with how many stand on each.

    The distinct rungs are read by a loose index scan (one index seek per distinct rung, on
    ``ix_supporters_rung_status``), so the check costs a few lookups on any base; the people
    are counted only on a rung that is missing.
    """
    s = Supporter.__table__.c
    step = Supporter.__table__.alias("step")
    rungs = select(func.min(s.rung).label("rung")).cte("rungs", recursive=True)
    following = (
        select(step.c.rung)
        .where(step.c.rung > rungs.c.rung)
        .order_by(step.c.rung)
        .limit(1)
        .scalar_subquery()
    )
    rungs = rungs.union_all(select(following).where(rungs.c.rung.is_not(None)))
    present = connection.execute(select(rungs.c.rung).where(rungs.c.rung.is_not(None))).scalars()
    missing = sorted(set(present) - set(ladder.rung_names))
    if not missing:
        return []
    counts = select(s.rung, func.count()).where(s.rung.in_(missing)).group_by(s.rung)
    counts = counts.order_by(s.rung)
    return [StrandedRung(rung, people) for rung, people in connection.execute(counts)]


def stranded_message(source: str, ladder: LadderFile, stranded: StrandedRung) -> str:
    """One line: the file, the rung, how many stand on it, and the command that fixes it."""
    return (
        f"{source}: {stranded.people:,} people stand on rung {stranded.rung!r}, which this "
        f"ladder file no longer has: run `ladder ladder rename-rung {stranded.rung} NEW` "
        f"(NEW one of: {', '.join(ladder.rung_names)})"
    )


def find_stranded_rungs(engine: Engine, ladder: LadderFile) -> list[StrandedRung]:
    """:func:`stranded_rungs` in a read of its own (no write lock on SQLite)."""
    with reading(engine) as connection:
        return stranded_rungs(connection, ladder)


def require_no_stranded_rungs(engine: Engine, ladder: LadderFile, source: str) -> None:
    """Refuse a ladder file whose rungs leave people stranded (a read; writes nothing)."""
    stranded = find_stranded_rungs(engine, ladder)
    if stranded:
        first = stranded_message(source, ladder, stranded[0])
        more = f" (and {len(stranded) - 1} more stranded rung(s))" if len(stranded) > 1 else ""
        raise LadderFileError(first + more)


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
        connection.execute(insert(LevelChange).from_select(columns, moved))
        people = connection.execute(
            update(Supporter).where(Supporter.rung == old).values(rung=new)
        ).rowcount
        if not people:  # nothing was inserted either
            raise NotFoundError(f"nobody stands on rung {old!r}: nothing to rename")
    return RungRenamed(old, new, people)
