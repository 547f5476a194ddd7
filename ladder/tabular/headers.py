"""The table of known headers (``headers.toml``, read once): which column names mean which
field, how consent is written, and the documented export layouts of other tools.

Every CSV import reads its aliases here: :func:`aliases_for` gives the alias table
:func:`ladder.tabular.csvfile.read_csv` takes, :func:`detect_layout` recognises another
tool's export from its header, and :func:`layout_overrides` says which of its columns are the
tool's own id for the person (kept as that tool's identifier, never as a ladder id).

A column whose "yes" means "no" for a field (``Do Not Email``) maps to the field's negated
name, ``not_consent_email``: the importer reads it inverted.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ladder.errors import MisuseError
from ladder.tabular.csvfile import normalise_header

NEGATED = "not_"  # "not_consent_email": a yes in this column is a no to consent_email
_INVERTED = "!"  # in headers.toml, "!Do Not Email": the column is read inverted
TOOL_ID = "tool_id"  # the field another tool's own id for the person is read into
LADDER = "ladder"  # the layout of ladder's own export: its id names a ladder person
_TOOL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


@dataclass(frozen=True)
class Layout:
    """A documented export of another tool (or ladder's own)."""

    name: str
    title: str
    source: str
    tool: str  # namespace of its ids in supporter_identifiers ("" for none)
    identifier: str  # the column with the tool's id for the person ("" for none)
    signature: tuple[str, ...]
    header: tuple[str, ...]
    columns: Mapping[str, tuple[str, ...]]  # field (or !field) -> its columns
    ignore: tuple[str, ...] = ()
    # columns about the row, not the person (a participation's event, timeslot, status): a
    # person's repeated rows may differ there without being two people
    per_row: tuple[str, ...] = ()
    note: str = ""

    def matches(self, header: Iterable[str]) -> bool:
        names = {normalise_header(h) for h in header}
        return all(normalise_header(s) in names for s in self.signature)


@dataclass(frozen=True)
class Words:
    """How organisers write a consent: yes, no, or (blank, or one of ``blank``) not asked."""

    yes: frozenset[str]
    no: frozenset[str]
    blank: frozenset[str]


@cache
def _table() -> dict[str, Any]:
    text = resources.files("ladder.tabular").joinpath("headers.toml").read_text("utf-8")
    return tomllib.loads(text)


def fields() -> list[str]:
    """Every field the table knows, in table order."""
    return list(_table()["fields"])


@cache
def layouts() -> dict[str, Layout]:
    """Every layout of the table, by name."""
    found = {}
    for name, spec in _table()["layouts"].items():
        columns: dict[str, tuple[str, ...]] = {}
        for field_name, given in spec.get("columns", {}).items():
            for column in [given] if isinstance(given, str) else given:
                key = field_name
                if column.startswith(_INVERTED):
                    key, column = NEGATED + field_name, column[len(_INVERTED) :]
                columns[key] = (*columns.get(key, ()), column)
        found[name] = Layout(
            name=name,
            title=spec["title"],
            source=spec["source"],
            tool=spec.get("tool", ""),
            identifier=spec.get("identifier", ""),
            signature=tuple(spec["signature"]),
            header=tuple(spec["header"]),
            columns=columns,
            ignore=tuple(spec.get("ignore", ())),
            per_row=tuple(spec.get("per_row", ())),
            note=spec.get("note", ""),
        )
    return found


@cache
def consent_words() -> Words:
    values = _table()["values"]
    return Words(*(frozenset(w.lower() for w in values[k]) for k in ("yes", "no", "blank")))


def aliases_for(wanted: Sequence[str]) -> dict[str, list[str]]:
    """``{field: [aliases]}`` for these fields, as :func:`read_csv` takes it: the table's
    aliases and the layouts' columns for each field, then (for a field with negated names)
    ``{"not_field": [...]}``. A name claimed by an earlier field is left to it."""
    return {k: list(v) for k, v in _aliases_for(tuple(wanted)).items()}


@cache
def _aliases_for(wanted: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    table = _table()["fields"]
    unknown = [f for f in wanted if f not in table]
    if unknown:
        raise ValueError(f"headers.toml has no field {', '.join(unknown)}")
    claimed: set[str] = set()
    result: dict[str, tuple[str, ...]] = {}

    def add(key: str, names: Iterable[str]) -> None:
        kept = []
        for name in names:
            normal = normalise_header(name)
            if normal not in claimed:
                claimed.add(normal)
                kept.append(name)
        result[key] = tuple(kept)

    claimed.update(normalise_header(f) for f in wanted)  # a field's own name is its alias
    for field_name in wanted:
        layout_columns = [
            c
            for layout in layouts().values()
            for c in layout.columns.get(field_name, ())
            if layout.name != LADDER
        ]
        add(field_name, [*table[field_name].get("aliases", ()), *layout_columns])
    for field_name in wanted:
        negated = [
            *table[field_name].get("negated", ()),
            *(
                c
                for layout in layouts().values()
                for c in layout.columns.get(NEGATED + field_name, ())
            ),
        ]
        if negated:
            add(NEGATED + field_name, negated)
    return result


@cache
def known_names() -> frozenset[str]:
    """Every normalised name the table gives a meaning: aliases of every field, and every
    documented column of every layout (a column known to mean something another importer
    reads is not "lost" in this one)."""
    names = set()
    for field_name, spec in _table()["fields"].items():
        names.add(normalise_header(field_name))
        names.update(
            normalise_header(a) for a in (*spec.get("aliases", ()), *spec.get("negated", ()))
        )
    for layout in layouts().values():
        names.update(normalise_header(c) for c in layout.header)
    return frozenset(names)


def detect_layout(header: Sequence[str], source_tool: str | None = None) -> Layout | None:
    """The layout ``header`` is an export of (``source_tool`` names it when given), or None.

    Raises MisuseError when the header fits two tools' layouts equally (then --source-tool
    says which) or ``source_tool`` is not a tool name.
    """
    known = layouts()
    if source_tool:
        if source_tool in known:
            return known[source_tool]
        if not _TOOL_NAME.match(source_tool):
            raise MisuseError(
                f"--source-tool {source_tool!r}: a tool name is lower-case letters, digits "
                f"and _ (known layouts: {', '.join(known)})"
            )
        return None  # a tool ladder has no layout for: its id column comes from --map
    found = [layout for layout in known.values() if layout.matches(header)]
    if not found:
        return None
    best = max(len(layout.signature) for layout in found)
    found = [layout for layout in found if len(layout.signature) == best]
    if len(found) > 1:
        names = " or ".join(layout.name for layout in found)
        raise MisuseError(
            f"the header fits the exports of {names}: say which with --source-tool NAME"
        )
    return found[0]


def layout_overrides(
    layout: Layout | None, header: Sequence[str], alias_table: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """``--map``-style overrides a layout implies for ``header``: its identifier column is
    read as the tool's id (``tool_id``; ladder's own ``id`` stays ``id``), its ignored columns
    and, in another tool's file, any column that would read as a ladder id, are ignored, and
    its documented columns hold their fields (when the importer reads those fields)."""
    if layout is None:
        return {}
    present = {normalise_header(h): h for h in reversed(header) if h}
    overrides: dict[str, str] = {}
    if layout.name != LADDER:
        ladder_id = {normalise_header(a) for a in ("id", *alias_table.get("id", ()))}
        for normal, column in present.items():
            if normal in ladder_id:
                overrides[column] = ""
    for column in layout.ignore:
        if normalise_header(column) in present:
            overrides[present[normalise_header(column)]] = ""
    for field_name, columns in layout.columns.items():
        if field_name in alias_table:
            for column in columns:
                if normalise_header(column) in present:
                    overrides[present[normalise_header(column)]] = field_name
    if layout.identifier and normalise_header(layout.identifier) in present:
        target = "id" if layout.name == LADDER else TOOL_ID
        if target in alias_table:
            overrides[present[normalise_header(layout.identifier)]] = target
    return overrides


def check_tool_name(name: str) -> str:
    if not _TOOL_NAME.match(name):
        raise MisuseError(
            f"--source-tool {name!r}: a tool name is lower-case letters, digits and _ "
            f"(known layouts: {', '.join(layouts())})"
        )
    return name
