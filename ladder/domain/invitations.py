"""``[invitations]`` in the ladder file: who `ladder next` leaves out, and how it scores people.

Every setting has a default, so a ladder file may leave the table out::

    [invitations]
    fatigue_days = 14       # nobody contacted or invited within this many days is suggested
    decline_days = 60       # nobody who declined an invitation within this many days either
    recency_days = 180      # recency: 1 on the day of their last action, 0 after this many days
    frequency_days = 90     # frequency counts the actions of this many days ...
    frequency_cap = 10      # ... and this many actions count as 1 (the most)
    near_prefix = 3         # "near an event": the first 3 characters of its postcode

    [invitations.weights]   # score = sum of weight x part, each part in [0, 1]
    closeness = 0.40        # progress towards the next rung, from the rules engine
    recency = 0.25
    frequency = 0.15
    proximity = 0.10        # 1 in the group of the event (or --group), 0.5 nearby, else 0
    recruiter = 0.10        # the recruiter's rung: 1 at the top rung, 0 at the first or none

Pure: no database, no command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ATTENDANCE_KIND = "event_attendance"  # the action kind a check-in records


@dataclass(frozen=True, kw_only=True)
class Weights:
    """How much each part of the score counts (documented defaults; they sum to 1)."""

    closeness: float = 0.40
    recency: float = 0.25
    frequency: float = 0.15
    proximity: float = 0.10
    recruiter: float = 0.10


@dataclass(frozen=True, kw_only=True)
class InvitationSettings:
    """``[invitations]``: exclusion windows and scoring for ``ladder next`` (checked by
    :mod:`ladder.domain.ladder_schema`: days 0 to 3650, weights 0 to 100...)."""

    fatigue_days: int = 14
    decline_days: int = 60
    recency_days: int = 180
    frequency_days: int = 90
    frequency_cap: int = 10
    near_prefix: int = 3
    weights: Weights = Weights()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> InvitationSettings:
        """From checked data (the weights a nested table)."""
        return cls(**{**data, "weights": Weights(**data["weights"])})


PARTS = ("closeness", "recency", "frequency", "proximity", "recruiter")


def invitation_settings(ladder: Any) -> InvitationSettings:
    """The ladder file's ``[invitations]`` table (the defaults when it has none)."""
    settings: InvitationSettings = ladder.invitations
    return settings


def event_target_rung(ladder: Any) -> str:
    """The rung an event builds: the rung of the ``event_attendance`` kind, else the second rung.

    In the default ladder that is ``attend``: events grow people from follow to attend.
    """
    for kind in ladder.action_kinds:
        if kind.name == ATTENDANCE_KIND:
            return str(kind.rung)
    names = ladder.rung_names
    return str(names[1] if len(names) > 1 else names[0])


def steps_for(
    ladder: Any, rung: str | None, event_rung: str | None, key_date: bool
) -> list[tuple[str, str]]:
    """(from rung, target rung) for the people a list is about.

    ``--rung R``: people one rung below R. An event building rung T: people one rung below T,
    and for a key-date mass action also the people at T (towards the rung above). Otherwise
    everyone below the top rung, towards their own next rung.
    """
    names: list[str] = ladder.rung_names
    target = rung or event_rung
    if target is None:
        return [(names[i], names[i + 1]) for i in range(len(names) - 1)]
    index = names.index(target)
    steps = [(names[index - 1], target)] if index > 0 else []
    if rung is None and key_date and index + 1 < len(names):
        steps.append((target, names[index + 1]))
    return steps
