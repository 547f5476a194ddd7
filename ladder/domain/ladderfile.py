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

A broken file raises :class:`LadderFileError` naming the file, the entry and the field, e.g.
``ladder.toml: action_kinds[3] (name='recruit'): rung: unknown rung 'lead' (rungs: follow, ...)``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ladder.errors import LadderFileError

_SLUG = re.compile(r"^[a-z][a-z0-9_-]{0,59}$")


def _slug(value: str) -> str:
    value = value.strip()
    if not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: use lowercase letters, digits, '-' or '_', "
            "starting with a letter"
        )
    return value


Slug = Annotated[str, AfterValidator(_slug)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LadderInfo(_Strict):
    name: str = "ladder"
    description: str = ""


class Rung(_Strict):
    name: Slug
    label: str = ""
    description: str = ""


class ActionKind(_Strict):
    name: Slug
    rung: Slug
    label: str = ""


class LadderFile(_Strict):
    """The validated contents of a ladder file."""

    ladder: LadderInfo = Field(default_factory=LadderInfo)
    rungs: list[Rung] = Field(min_length=1)
    action_kinds: list[ActionKind] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_references(self) -> LadderFile:
        _require_unique("rungs", [r.name for r in self.rungs])
        _require_unique("action_kinds", [k.name for k in self.action_kinds])
        rung_names = self.rung_names
        for index, kind in enumerate(self.action_kinds):
            if kind.rung not in rung_names:
                raise _EntryError(
                    f"action_kinds[{index}] (name={kind.name!r})",
                    "rung",
                    f"unknown rung {kind.rung!r} (rungs: {', '.join(rung_names)})",
                )
        return self

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


def _require_unique(section: str, names: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise _EntryError(f"{section}[{index}] (name={name!r})", "name", "duplicate name")
        seen.add(name)


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
        lines.append(_locate(tuple(error["loc"]), data) + _clean(error["msg"]))
    return lines


def _locate(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Turn ('rules', 2, 'promote_to') into "rules[2] (id='x'): promote_to: "."""
    entry: list[str] = []
    node: Any = data
    parts = list(loc)
    while parts and isinstance(parts[0], str) and len(parts) > 1 and isinstance(parts[1], int):
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
