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
References (rungs, kinds) are checked by :class:`ladder.domain.ladderfile.LadderFile`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ladder.domain.text import KIND, text_problem

_SLUG = re.compile(r"^[a-z][a-z0-9_-]{0,59}$")

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


def _slug(value: str) -> str:
    value = value.strip()
    if len(value) > KIND:  # rung and kind columns are the narrowest that hold a name
        raise ValueError(f"{value[:20]!r}... has {text_problem(value, KIND)}")
    if not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: use lowercase letters, digits, '-' or '_', "
            "starting with a letter"
        )
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Positive = Annotated[int, Field(ge=1)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(StrictModel):
    """One condition: exactly one main key, plus the modifiers that main key accepts."""

    actions: Positive | None = None
    attended_events: Positive | None = None
    hosted_events: Positive | None = None
    recruits: Positive | None = None
    days_at_rung: Positive | None = None
    has_tag: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    has_consent: Literal["email", "sms", "photo"] | None = None
    no_activity_days: Positive | None = None
    all: list[Condition] | None = Field(default=None, min_length=1)
    any: list[Condition] | None = Field(default=None, min_length=1)
    within_days: Positive | None = None
    kinds: list[Slug] | None = Field(default=None, min_length=1)
    kinds_of: Slug | None = None
    recruits_at_rung: Slug | None = None

    @model_validator(mode="after")
    def _one_main_key(self) -> Condition:
        given = [key for key in MAIN_KEYS if getattr(self, key) is not None]
        if len(given) != 1:
            found = f" (found: {', '.join(given)})" if given else ""
            raise ValueError(f"give exactly one of {', '.join(MAIN_KEYS)}{found}")
        for modifier, allowed in MODIFIERS.items():
            if getattr(self, modifier) is not None and given[0] not in allowed:
                raise ValueError(f"{modifier} only goes with {' or '.join(allowed)}")
        if self.kinds is not None and self.kinds_of is not None:
            raise ValueError("give kinds or kinds_of, not both")
        return self

    @cached_property
    def kind(self) -> str:
        """The main key: what this condition counts or checks (worked out once: a condition
        is frozen, and the reasons of a ``ladder next`` list ask it often)."""
        return next(key for key in MAIN_KEYS if getattr(self, key) is not None)

    @property
    def children(self) -> list[Condition]:
        return self.all or self.any or []


class Rule(StrictModel):
    """Promote to a rung, or mark lapsed, when ``all`` (or ``any``) of its conditions hold."""

    id: Slug
    description: str = ""
    promote_to: Slug | None = None
    lapse: bool = False
    all: list[Condition] | None = Field(default=None, min_length=1)
    any: list[Condition] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_effect_one_combinator(self) -> Rule:
        if self.id == REACTIVATION:
            raise ValueError(f"the rule id {REACTIVATION!r} is reserved: choose another id")
        if (self.promote_to is None) == (not self.lapse):
            raise ValueError("give either promote_to = RUNG or lapse = true")
        if (self.all is None) == (self.any is None):
            raise ValueError("give either all = [...] or any = [...] (nest one in the other)")
        return self

    @property
    def condition(self) -> Condition:
        """The rule's conditions as one root condition."""
        return Condition(all=self.all) if self.all is not None else Condition(any=self.any)

    @property
    def combinator(self) -> str:
        return "all" if self.all is not None else "any"


class Promotion(StrictModel):
    """``[promotion]``: settings that apply to every rule.

    ``no_skipping``: a rule promoting to a rung applies only to people on the rung just below
    (a rung's own ``requires_previous`` overrides it). ``lapse_grace_days``: a lapse condition
    must have held this long before anyone is marked lapsed. ``promote_manually_set``: may rules
    promote further someone whose rung an organiser set by hand (they never demote anyone).
    """

    no_skipping: bool = True
    lapse_grace_days: Annotated[int, Field(ge=0)] = 30
    promote_manually_set: bool = False


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
