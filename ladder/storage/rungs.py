"""Where the ladder file meets the people: no one may stand on a rung the file no longer has.

People's rungs are stored by name. A ladder file that renames or drops a rung would strand
everyone on it (invisible to ``--rung``, ``promote`` and ``next``), so every command refuses
such a file (:func:`require_no_stranded_rungs`, a few index lookups) until
``ladder ladder rename-rung`` (:func:`ladder.rules.rename_rung`) moves them onto one of its rungs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from ladder.domain.ladderfile import LadderFile
from ladder.errors import LadderFileError
from ladder.storage.engine import reading
from ladder.storage.models import Supporter


@dataclass(frozen=True)
class StrandedRung:
    rung: str
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
