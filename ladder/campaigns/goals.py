"""What a campaign goal counts, written in ``campaign_goals.metric``.

- ``actions`` every action of the campaign; ``actions:petition,share`` only those kinds;
- ``people`` / ``people:petition``: distinct people with such an action (a person who signs
  twice counts once);
- ``rung:mobilise``: people at that rung or above (the demo's ambassadors goal), not tied
  to the campaign's actions, so it has no pace.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ladder.domain.ladderfile import LadderFile
from ladder.errors import InputError

ACTIONS = "actions"
PEOPLE = "people"
RUNG = "rung"
METRIC_LENGTH = 80  # campaign_goals.metric


@dataclass(frozen=True)
class Metric:
    unit: str  # actions, people, rung, or something this version cannot count
    kinds: tuple[str, ...] = ()  # actions/people: only these kinds (empty: every kind)
    rung: str | None = None

    @property
    def from_actions(self) -> bool:
        return self.unit in (ACTIONS, PEOPLE)

    def describe(self) -> str:
        """What the goal counts, in words: ``actions (petition)``, ``people (any kind)``."""
        if self.unit == RUNG:
            return f"people at {self.rung} or above"
        return f"{self.unit} ({', '.join(self.kinds) or 'any kind'})"


def parse_metric(text: str) -> Metric:
    unit, _, rest = text.partition(":")
    if unit == RUNG:
        return Metric(RUNG, rung=rest or None)
    kinds = tuple(k for k in rest.split(",") if k) if rest else ()
    return Metric(unit, kinds)


def metric_text(kinds: list[str], people: bool) -> str:
    unit = PEOPLE if people else ACTIONS
    text = f"{unit}:{','.join(kinds)}" if kinds else unit
    if len(text) > METRIC_LENGTH:
        raise InputError(f"too many --kind for one goal: at most {METRIC_LENGTH} characters")
    return text


def check_kind(ladder: LadderFile, kind: str) -> str:
    """``kind`` if the ladder file declares it, else an InputError listing the known ones
    and suggesting a close one."""
    return known_kind(kind, ladder.kind_names, "the ladder file's kinds are")


def known_kind(kind: str, known: list[str], listing: str = "known kinds:") -> str:
    """``kind`` as spelt in ``known`` (case ignored), else an InputError that suggests a
    close one and lists them all."""
    typed = kind.strip()
    if typed in known:
        return typed
    folded = {k.lower(): k for k in known}
    if typed.lower() in folded:
        return folded[typed.lower()]
    close = difflib.get_close_matches(typed.lower(), list(folded), n=1, cutoff=0.6)
    hint = f"did you mean {folded[close[0]]}? " if close else ""
    raise InputError(f"unknown action kind {typed!r}: {hint}{listing} {', '.join(known)}")
