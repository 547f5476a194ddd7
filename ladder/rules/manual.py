"""An organiser's manual change of rung: recorded with who and why, never undone by rules.

Rules never demote anyone, and promote a person whose rung was set by hand only when the
ladder file says ``promote_manually_set = true``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.domain.text import LONG_TEXT, text_problem
from ladder.domain.vocabulary import SupporterStatus
from ladder.errors import ConflictError, MisuseError, NotFoundError
from ladder.privacy import audit
from ladder.storage.models import LevelChange, Supporter


@dataclass(frozen=True)
class ManualChange:
    supporter_id: int
    from_rung: str
    to_rung: str
    changed: bool  # False when they were already pinned on that rung: nothing written


def set_rung(
    connection: Connection,
    ladder: LadderFile,
    supporter_id: int,
    rung: str,
    reason: str,
    by: str,
    at: datetime | None = None,
) -> ManualChange:
    """Put a supporter on ``rung`` by hand, inside the caller's transaction."""
    reason = reason.strip()
    if not reason:
        raise MisuseError("say why with --reason: it is kept in the person's history")
    if problem := text_problem(reason, LONG_TEXT, multiline=True):
        raise MisuseError(f"--reason: {problem}")
    if rung not in ladder.rung_names:
        rungs = ", ".join(ladder.rung_names)
        raise NotFoundError(f"unknown rung {rung!r} (rungs: {rungs})")
    query = select(Supporter.rung, Supporter.status, Supporter.rung_set_manually).where(
        Supporter.id == supporter_id
    )
    current = connection.execute(query).one_or_none()
    if current is None:
        raise NotFoundError(f"no person #{supporter_id}")
    if current.status == SupporterStatus.ERASED:
        raise ConflictError(f"#{supporter_id} was erased: their rung cannot change")
    if current.rung == rung and current.rung_set_manually:
        return ManualChange(supporter_id, rung, rung, changed=False)
    at = at or utcnow()
    connection.execute(
        insert(LevelChange).values(
            supporter_id=supporter_id,
            from_rung=current.rung,
            to_rung=rung,
            from_status=current.status,
            to_status=current.status,
            changed_at=at,
            changed_by=by,
            reason=reason,
        )
    )
    connection.execute(
        update(Supporter)
        .where(Supporter.id == supporter_id)
        .values(rung=rung, rung_since=at, rung_set_manually=True)
    )
    audit.record(connection, by, "people set-rung", people=[supporter_id], fields=["rung"])
    return ManualChange(supporter_id, current.rung, rung, changed=True)
