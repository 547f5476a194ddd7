"""The ladder file: TOML, checked (by pydantic, when the file changed), with one-line errors.

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

Commands read the file as plain frozen dataclasses. Checking it needs pydantic and its models
(:mod:`ladder.domain.ladder_schema`), a fifth of a command's start-up, so the checked result is
kept in the user's cache, keyed by the file's bytes and the checking code's own source
(:mod:`ladder.domain.ladder_cache`): an unchanged file is read back without pydantic.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ladder.domain.invitations import InvitationSettings
from ladder.domain.rules import Promotion, Rule, reference_problems, rule_from
from ladder.errors import LadderFileError
from ladder.settings import default_ladder_path as default_ladder_path  # its old home


@dataclass(frozen=True, kw_only=True)
class LadderInfo:
    name: str = "ladder"
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class Rung:
    name: str
    label: str = ""
    description: str = ""
    requires_previous: bool | None = None  # None: [promotion] no_skipping decides


@dataclass(frozen=True, kw_only=True)
class ActionKind:
    name: str
    rung: str
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class LadderFile:
    """The checked contents of a ladder file."""

    ladder: LadderInfo = LadderInfo()
    rungs: tuple[Rung, ...]
    action_kinds: tuple[ActionKind, ...] = ()
    promotion: Promotion = Promotion()
    rules: tuple[Rule, ...] = ()
    invitations: InvitationSettings = InvitationSettings()
    time_zone: str | None = None  # IANA name, e.g. "Pacific/Noumea"

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> LadderFile:
        """The dataclasses from checked data (:func:`ladder.domain.ladder_schema.validated`);
        KeyError or TypeError when ``data`` does not have the checked shape."""
        return cls(
            ladder=LadderInfo(**data["ladder"]),
            rungs=tuple(Rung(**rung) for rung in data["rungs"]),
            action_kinds=tuple(ActionKind(**kind) for kind in data["action_kinds"]),
            promotion=Promotion(**data["promotion"]),
            rules=tuple(map(rule_from, data["rules"])),
            invitations=InvitationSettings.from_data(data["invitations"]),
            time_zone=data["time_zone"],
        )

    @classmethod
    def model_validate(cls, data: dict[str, Any]) -> LadderFile:
        """Check the tables of a ladder file (as TOML reads them); LadderFileError if broken.
        (The name it had as a pydantic model.)"""
        return checked(data, "<ladder>")

    def model_dump_json(self) -> str:
        """The checked contents as JSON: what the statements built for this ladder are cached
        under (the rule plans, progress, ranking). Named as the pydantic model's method was."""
        return json.dumps(asdict(self), sort_keys=True)

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


def cross_problems(ladder: LadderFile) -> list[str]:
    """What the entries, each fine on its own, get wrong together: duplicate names, and
    references to rungs and action kinds the file does not declare. One line each."""
    problems = [
        *_duplicates("rungs", ladder.rung_names),
        *_duplicates("action_kinds", ladder.kind_names),
        *_duplicates("rules", [r.id for r in ladder.rules], key="id"),
    ]
    rung_names = ladder.rung_names
    for index, kind in enumerate(ladder.action_kinds):
        if kind.rung not in rung_names:
            problems.append(
                f"action_kinds[{index}] (name={kind.name!r}): rung: "
                f"unknown rung {kind.rung!r} (rungs: {', '.join(rung_names)})"
            )
    problems += [
        f"rules[{index}] (id={rule.id!r}): {field}: {problem}"
        for index, rule in enumerate(ladder.rules)
        for field, problem in reference_problems(rule, rung_names, ladder.kind_names)
    ]
    return problems


def _duplicates(section: str, names: list[str], key: str = "name") -> list[str]:
    seen: set[str] = set()
    problems = []
    for index, name in enumerate(names):
        if name in seen:
            problems.append(f"{section}[{index}] ({key}={name!r}): {key}: duplicate {key}")
        seen.add(name)
    return problems


def load_ladder(path: Path) -> LadderFile:
    """Read and check a ladder file; every problem is a one-line LadderFileError.

    A file whose bytes were checked before (by this version of the checks) is read back from
    the cache, without pydantic."""
    try:
        content = path.read_bytes()
        text = content.decode("utf-8")
    except FileNotFoundError:
        raise LadderFileError(f"{path}: ladder file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LadderFileError(f"{path}: cannot read the ladder file: {exc}") from None
    from ladder.domain import ladder_cache

    data = ladder_cache.read(content)
    if data is not None:
        try:
            return LadderFile.from_data(data)
        except (KeyError, TypeError, ValueError):
            pass  # not the shape this code builds from: check the file again
    ladder, data = _checked_data(_toml(text, str(path)), str(path))
    ladder_cache.write(content, data)
    return ladder


def parse_ladder(text: str, source: str = "<ladder>") -> LadderFile:
    return checked(_toml(text, source), source)


def checked(data: dict[str, Any], source: str) -> LadderFile:
    """A ladder file's tables (as TOML reads them), checked; LadderFileError if broken."""
    return _checked_data(data, source)[0]


def ladder_problems(text: str, source: str) -> list[str]:
    """Every problem in a ladder file, one line each (empty when it is valid)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [f"{source}: invalid TOML: {exc}"]
    return [f"{source}: {line}" for line in _problems_and_data(data)[0]]


def _toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LadderFileError(f"{source}: invalid TOML: {exc}") from None


def _checked_data(data: dict[str, Any], source: str) -> tuple[LadderFile, dict[str, Any]]:
    problems, ladder, checked_data = _problems_and_data(data)
    if problems or ladder is None:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise LadderFileError(f"{source}: {problems[0]}{more}")
    return ladder, checked_data


def _problems_and_data(
    data: dict[str, Any],
) -> tuple[list[str], LadderFile | None, dict[str, Any]]:
    from ladder.domain.ladder_schema import validated

    result = validated(data)
    if isinstance(result, list):
        return result, None, {}
    result = json.loads(json.dumps(result))  # what the cache gives back, exactly
    ladder = LadderFile.from_data(result)
    return cross_problems(ladder), ladder, result
