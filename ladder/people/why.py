"""``ladder people why PERSON``: one person's level history, and what each rule that could
promote them still needs, read in one transaction; ``ladder people set-rung``: an organiser's
hand on that rung. (Kept apart from ``edit`` so plain edits never load the rules engine.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from ladder.domain.ladderfile import LadderFile
from ladder.people.lookup import PersonRef, find_person
from ladder.rules import HistoryEntry, ManualChange, RuleProgress, history, progress_of, set_rung
from ladder.storage.engine import reading
from ladder.storage.models import Supporter


@dataclass(frozen=True)
class Why:
    person: PersonRef
    history: list[HistoryEntry]
    progress: list[RuleProgress]
    held_by_hand: bool  # set by hand, and the ladder file lets no rule promote them


def why(engine: Engine, ladder: LadderFile, person: str, as_of: datetime) -> Why:
    with reading(engine) as connection:
        ref = find_person(connection, person)
        entries = history(connection, ref.id)
        progress = progress_of(connection, ladder, ref.id, ref.rung, as_of)
        manual = connection.scalar(
            select(Supporter.rung_set_manually).where(Supporter.id == ref.id)
        )
    held = bool(manual) and not ladder.promotion.promote_manually_set
    return Why(ref, entries, progress, held)


def set_rung_by_hand(
    engine: Engine, ladder: LadderFile, ref: str, rung: str, reason: str, user: str
) -> tuple[PersonRef, ManualChange]:
    """`people set-rung`: the person ``ref`` names, put on ``rung`` by hand; one transaction."""
    with engine.begin() as connection:
        person = find_person(connection, ref)
        return person, set_rung(connection, ladder, person.id, rung, reason, user)
