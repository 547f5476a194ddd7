"""Rules in the ladder file: promote to a rung, or mark lapsed, when conditions hold.

Each condition is an inline table whose one *main* key says what it counts::

    { attended_events = 2, within_days = 90 }     events attended (presence 'attended')
    { hosted_events = 1 }                          events hosted (not cancelled)
    { actions = 3, kinds_of = "attend", within_days = 90 }   actions of the kinds of a rung
    { actions = 2, kinds = ["petition", "share_toolkit"] }   ... or of the kinds named
    { recruits = 3, recruits_at_rung = "attend" }  recruits (at or above a rung), within_days too
    { days_at_rung = 60 }                          days since the current rung was reached
    { has_tag = "driver" }                         carries a tag
    { has_consent = "email" }                      consents to email, sms or photo
    { no_activity_days = 180 }                     no action, attendance or hosting in N days
    { any = [...] } / { all = [...] }              nested combinations

A rule is ``id`` + either ``promote_to = RUNG`` or ``lapse = true`` + ``all = [...]`` or
``any = [...]``. The ``[promotion]`` table holds the settings that apply to every rule.
Each entry is checked by :mod:`ladder.domain.ladder_schema`, references to rungs and kinds by
:func:`ladder.domain.ladderfile.reference_problems`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

COUNT_KEYS = ("actions", "attended_events", "hosted_events", "recruits")
MAIN_KEYS = (
    *COUNT_KEYS,
    "days_at_rung",
    "has_tag",
    "has_consent",
    "no_activity_days",
    "all",
    "any",
)
# modifier -> the main keys it may go with
MODIFIERS = {
    "within_days": COUNT_KEYS,
    "kinds": ("actions",),
    "kinds_of": ("actions",),
    "recruits_at_rung": ("recruits",),
}
CONSENTS = ("email", "sms", "photo")
REACTIVATION = "reactivation"  # the rule id recorded when a lapsed person becomes active again

# The dataclasses below are what commands read: plain, frozen and hashable, built from data
# that :mod:`ladder.domain.ladder_schema` checked (with pydantic, only when the file changed).


@dataclass(frozen=True, kw_only=True)
class Condition:
    """One condition: exactly one main key, plus the modifiers that main key accepts."""

    actions: int | None = None
    attended_events: int | None = None
    hosted_events: int | None = None
    recruits: int | None = None
    days_at_rung: int | None = None
    has_tag: str | None = None
    has_consent: Literal["email", "sms", "photo"] | None = None
    no_activity_days: int | None = None
    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    within_days: int | None = None
    kinds: tuple[str, ...] | None = None
    kinds_of: str | None = None
    recruits_at_rung: str | None = None

    @cached_property
    def kind(self) -> str:
        """The main key: what this condition counts or checks (worked out once: a condition
        is frozen, and the reasons of a ``ladder next`` list ask it often)."""
        return next(key for key in MAIN_KEYS if getattr(self, key) is not None)

    @property
    def children(self) -> tuple[Condition, ...]:
        return self.all or self.any or ()


@dataclass(frozen=True, kw_only=True)
class Rule:
    """Promote to a rung, or mark lapsed, when ``all`` (or ``any``) of its conditions hold."""

    id: str
    description: str = ""
    promote_to: str | None = None
    lapse: bool = False
    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None

    @property
    def condition(self) -> Condition:
        """The rule's conditions as one root condition."""
        return Condition(all=self.all) if self.all is not None else Condition(any=self.any)

    @property
    def combinator(self) -> str:
        return "all" if self.all is not None else "any"


@dataclass(frozen=True, kw_only=True)
class Promotion:
    """``[promotion]``: settings that apply to every rule.

    ``no_skipping``: a rule promoting to a rung applies only to people on the rung just below
    (a rung's own ``requires_previous`` overrides it). ``lapse_grace_days``: a lapse condition
    must have held this long before anyone is marked lapsed. ``promote_manually_set``: may rules
    promote further someone whose rung an organiser set by hand (they never demote anyone).
    """

    no_skipping: bool = True
    lapse_grace_days: int = 30
    promote_manually_set: bool = False


def condition_from(data: dict[str, Any]) -> Condition:
    """A Condition from checked data (:mod:`ladder.domain.ladder_schema`)."""
    values = dict(data)
    for key in ("all", "any", "kinds"):
        if values.get(key) is not None:
            items = values[key]
            values[key] = tuple(items if key == "kinds" else map(condition_from, items))
    return Condition(**values)


def rule_from(data: dict[str, Any]) -> Rule:
    """A Rule from checked data."""
    values = dict(data)
    for key in ("all", "any"):
        if values.get(key) is not None:
            values[key] = tuple(map(condition_from, values[key]))
    return Rule(**values)


def walk(condition: Condition, path: str) -> Iterator[tuple[str, Condition]]:
    """Every condition under ``condition`` with its dotted path, e.g. ``any.0``."""
    yield path, condition
    combinator = "all" if condition.all is not None else "any"
    for index, child in enumerate(condition.children):
        yield from walk(child, f"{path}.{combinator}.{index}" if path else f"{combinator}.{index}")


def reference_problems(
    rule: Rule, rung_names: list[str], kind_names: list[str]
) -> list[tuple[str, str]]:
    """(field, problem) for every reference in ``rule`` to a rung or kind that does not exist."""
    rungs = ", ".join(rung_names)
    problems: list[tuple[str, str]] = []
    if rule.promote_to is not None:
        if rule.promote_to not in rung_names:
            problems.append(("promote_to", f"unknown rung {rule.promote_to!r} (rungs: {rungs})"))
        elif rule.promote_to == rung_names[0]:
            problems.append(("promote_to", "everyone starts on the first rung: promote higher"))
    for path, condition in walk(rule.condition, ""):
        prefix = f"{path}." if path else ""
        for field in ("kinds_of", "recruits_at_rung"):
            value = getattr(condition, field)
            if value is not None and value not in rung_names:
                problems.append((prefix + field, f"unknown rung {value!r} (rungs: {rungs})"))
        for kind in condition.kinds or []:
            if kind not in kind_names:
                known = ", ".join(kind_names) or "none declared"
                problems.append((prefix + "kinds", f"unknown action kind {kind!r} ({known})"))
    return problems
