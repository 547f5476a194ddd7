"""The ladder file's checks: pydantic models of every table, and one-line error messages.

Used only when a ladder file is new or changed (:func:`ladder.domain.ladderfile.load_ladder`
keeps the validated result by content hash) and by ``ladder rules check``: commands read the
plain dataclasses of :mod:`ladder.domain.ladderfile`, built from :func:`validated` data, and
never import pydantic. Each model here has the same fields as its dataclass there
(tests/unit/test_ladder_cache.py checks they agree).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ladder.domain.rules import MAIN_KEYS, MODIFIERS, REACTIVATION
from ladder.domain.text import KIND, text_problem
from ladder.settings import unknown_zone

_SLUG = re.compile(r"^[a-z][a-z0-9_-]{0,59}$")


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
Weight = Annotated[float, Field(ge=0, le=100)]
Days = Annotated[int, Field(ge=0, le=3650)]


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


class Promotion(StrictModel):
    no_skipping: bool = True
    lapse_grace_days: Annotated[int, Field(ge=0)] = 30
    promote_manually_set: bool = False


class Weights(StrictModel):
    closeness: Weight = 0.40
    recency: Weight = 0.25
    frequency: Weight = 0.15
    proximity: Weight = 0.10
    recruiter: Weight = 0.10


class InvitationSettings(StrictModel):
    fatigue_days: Days = 14
    decline_days: Days = 60
    recency_days: Annotated[int, Field(ge=1, le=3650)] = 180
    frequency_days: Annotated[int, Field(ge=1, le=3650)] = 90
    frequency_cap: Annotated[int, Field(ge=1, le=10_000)] = 10
    near_prefix: Annotated[int, Field(ge=1, le=16)] = 3
    weights: Weights = Field(default_factory=Weights)


class LadderInfo(StrictModel):
    name: str = "ladder"
    description: str = ""


class Rung(StrictModel):
    name: Slug
    label: str = ""
    description: str = ""
    requires_previous: bool | None = None  # None: [promotion] no_skipping decides


class ActionKind(StrictModel):
    name: Slug
    rung: Slug
    label: str = ""


class LadderFile(StrictModel):
    """A ladder file's tables, each entry checked on its own (references are checked on the
    dataclasses: :func:`ladder.domain.ladderfile.reference_problems`)."""

    ladder: LadderInfo = Field(default_factory=LadderInfo)
    rungs: list[Rung] = Field(min_length=1)
    action_kinds: list[ActionKind] = Field(default_factory=list)
    promotion: Promotion = Field(default_factory=Promotion)
    rules: list[Rule] = Field(default_factory=list)
    invitations: InvitationSettings = Field(default_factory=InvitationSettings)
    time_zone: str | None = None  # IANA name, e.g. "Pacific/Noumea"

    @field_validator("time_zone")
    @classmethod
    def _check_time_zone(cls, name: str | None) -> str | None:
        if name is None:
            return None
        try:
            ZoneInfo(name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(unknown_zone(name)) from None
        return name.strip()


def validated(data: dict[str, Any]) -> dict[str, Any] | list[str]:
    """The ladder file's tables checked and completed with their defaults (plain JSON data),
    or the problems, one line each, naming the entry and the field."""
    try:
        return LadderFile.model_validate(data).model_dump(mode="json")
    except ValidationError as exc:
        return [_locate(tuple(error["loc"]), data) + _clean(error["msg"]) for error in exc.errors()]


def _locate(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Turn ('rules', 2, 'promote_to') into "rules[2] (id='x'): promote_to: "."""
    entry: list[str] = []
    node: Any = data
    parts = list(loc)
    # only the top-level entry is named ("rules[2] (id='x')"); deeper places are a dotted field
    if parts and isinstance(parts[0], str) and len(parts) > 1 and isinstance(parts[1], int):
        section, index = parts.pop(0), parts.pop(0)
        node = node.get(section, []) if isinstance(node, dict) else []
        item = node[index] if isinstance(node, list) and index < len(node) else {}
        label = entry_label(item)
        entry.append(f"{section}[{index}]{label}")
        node = item
    field = ".".join(str(p) for p in parts)
    where = ".".join(entry)
    if where and field:
        return f"{where}: {field}: "
    return f"{where or field}: " if (where or field) else ""


def entry_label(item: Any) -> str:
    if isinstance(item, dict):
        for key in ("id", "name"):
            if isinstance(item.get(key), str):
                return f" ({key}={item[key]!r})"
    return ""


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ")
