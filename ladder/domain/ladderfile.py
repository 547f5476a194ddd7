"""The ladder file: TOML, validated by pydantic, with one-line errors.

A ladder file declares the ordered rungs and the action kinds that count as evidence for each::

    [ladder]
    name = "350-style"

    [[rungs]]
    name = "follow"
    label = "Knowledge and affiliation"

    [[action_kinds]]
    name = "petition"
    rung = "follow"
    label = "Signed a petition"

It may also declare the rules that move people (see :mod:`ladder.domain.rules`)::

    [promotion]
    no_skipping = true          # a rule promotes only from the rung just below its own
    lapse_grace_days = 30
    promote_manually_set = false

    [[rules]]
    id = "two-events-in-90-days"
    promote_to = "attend"
    all = [{ attended_events = 2, within_days = 90 }]

It may name the movement's time zone (an IANA name, before any table; ``$LADDER_TZ``
overrides it, and without either the machine's zone is used)::

    time_zone = "Pacific/Noumea"

A broken file raises :class:`LadderFileError` naming the file, the entry and the field, e.g.
``ladder.toml: action_kinds[3] (name='recruit'): rung: unknown rung 'lead' (rungs: follow, ...)``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator

from ladder.domain.invitations import InvitationSettings
from ladder.domain.rules import Promotion, Rule, Slug, reference_problems
from ladder.domain.rules import StrictModel as _Strict
from ladder.errors import LadderFileError
from ladder.settings import default_ladder_path as default_ladder_path  # its old home
from ladder.settings import unknown_zone


class LadderInfo(_Strict):
    name: str = "ladder"
    description: str = ""


class Rung(_Strict):
    name: Slug
    label: str = ""
    description: str = ""
    requires_previous: bool | None = None  # None: [promotion] no_skipping decides


class ActionKind(_Strict):
    name: Slug
    rung: Slug
    label: str = ""


class LadderFile(_Strict):
    """The validated contents of a ladder file."""

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

    @model_validator(mode="after")
    def _check_references(self) -> LadderFile:
        problems = [
            *_duplicates("rungs", [r.name for r in self.rungs]),
            *_duplicates("action_kinds", [k.name for k in self.action_kinds]),
            *_duplicates("rules", [r.id for r in self.rules], key="id"),
        ]
        rung_names = self.rung_names
        for index, kind in enumerate(self.action_kinds):
            if kind.rung not in rung_names:
                problems.append(
                    _EntryError(
                        f"action_kinds[{index}] (name={kind.name!r})",
                        "rung",
                        f"unknown rung {kind.rung!r} (rungs: {', '.join(rung_names)})",
                    )
                )
        problems += [
            _EntryError(f"rules[{index}] (id={rule.id!r})", field, problem)
            for index, rule in enumerate(self.rules)
            for field, problem in reference_problems(rule, rung_names, self.kind_names)
        ]
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise _EntryErrors(problems)
        return self

    @property
    def kind_names(self) -> list[str]:
        return [k.name for k in self.action_kinds]

    @property
    def promotion_rules(self) -> list[Rule]:
        """Promotion rules in ladder order (lower target rung first), file order within a rung."""
        rules = [r for r in self.rules if r.promote_to is not None]
        return sorted(rules, key=lambda r: self.rung_index(r.promote_to or ""))

    @property
    def lapse_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.lapse]

    def promotes_from(self, rung: str) -> list[str]:
        """The rungs a rule promoting to ``rung`` may move people from (lower rungs only)."""
        index = self.rung_index(rung)
        required = self.rungs[index].requires_previous
        if required is None:
            required = self.promotion.no_skipping
        return self.rung_names[index - 1 : index] if required else self.rung_names[:index]

    def next_rung(self, rung: str) -> str | None:
        names = self.rung_names
        index = names.index(rung) if rung in names else -1
        return names[index + 1] if 0 <= index < len(names) - 1 else None

    @property
    def rung_names(self) -> list[str]:
        return [r.name for r in self.rungs]

    @property
    def first_rung(self) -> str:
        return self.rungs[0].name

    def rung_index(self, name: str) -> int:
        """Position of a rung, 0 for the lowest. Raises KeyError for an unknown rung."""
        try:
            return self.rung_names.index(name)
        except ValueError:
            raise KeyError(name) from None

    def rungs_at_or_above(self, name: str) -> list[str]:
        return self.rung_names[self.rung_index(name) :]

    def kinds_for(self, rung: str) -> list[ActionKind]:
        return [k for k in self.action_kinds if k.rung == rung]


class _EntryError(ValueError):
    """Raised inside validators so the message can name the entry and the field."""

    def __init__(self, entry: str, field: str, problem: str) -> None:
        super().__init__(f"{entry}: {field}: {problem}")


class _EntryErrors(ValueError):
    """Several entry errors found at once (rule references): one line each."""

    def __init__(self, errors: list[_EntryError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _duplicates(section: str, names: list[str], key: str = "name") -> list[_EntryError]:
    seen: set[str] = set()
    problems = []
    for index, name in enumerate(names):
        if name in seen:
            problems.append(
                _EntryError(f"{section}[{index}] ({key}={name!r})", key, f"duplicate {key}")
            )
        seen.add(name)
    return problems


def load_ladder(path: Path) -> LadderFile:
    """Read and validate a ladder file; every problem is a one-line LadderFileError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LadderFileError(f"{path}: ladder file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LadderFileError(f"{path}: cannot read the ladder file: {exc}") from None
    return parse_ladder(text, source=str(path))


def parse_ladder(text: str, source: str = "<ladder>") -> LadderFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LadderFileError(f"{source}: invalid TOML: {exc}") from None
    try:
        return LadderFile.model_validate(data)
    except ValidationError as exc:
        raise LadderFileError(f"{source}: {describe_validation_error(exc, data)}") from None


def ladder_problems(text: str, source: str) -> list[str]:
    """Every problem in a ladder file, one line each (empty when it is valid)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [f"{source}: invalid TOML: {exc}"]
    try:
        LadderFile.model_validate(data)
    except ValidationError as exc:
        return [f"{source}: {line}" for line in _error_lines(exc, data)]
    return []


def describe_validation_error(exc: ValidationError, data: dict[str, Any]) -> str:
    lines = _error_lines(exc, data)
    more = f" (and {len(lines) - 1} more problem(s))" if len(lines) > 1 else ""
    return lines[0] + more


def _error_lines(exc: ValidationError, data: dict[str, Any]) -> list[str]:
    lines = []
    for error in exc.errors():
        context = error.get("ctx") or {}
        inner = context.get("error")
        if isinstance(inner, _EntryError):
            lines.append(str(inner))
            continue
        if isinstance(inner, _EntryErrors):
            lines.extend(str(e) for e in inner.errors)
            continue
        lines.append(_locate(tuple(error["loc"]), data) + _clean(error["msg"]))
    return lines


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
        label = _entry_label(item)
        entry.append(f"{section}[{index}]{label}")
        node = item
    field = ".".join(str(p) for p in parts)
    where = ".".join(entry)
    if where and field:
        return f"{where}: {field}: "
    return f"{where or field}: " if (where or field) else ""


def _entry_label(item: Any) -> str:
    if isinstance(item, dict):
        for key in ("id", "name"):
            if isinstance(item.get(key), str):
                return f" ({key}={item[key]!r})"
    return ""


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ")
