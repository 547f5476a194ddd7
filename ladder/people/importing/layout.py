"""Which tool wrote a people file, and which of its columns look lost.

The tool is known from the layout its header matches in ladder/tabular/headers.toml (a
NationBuilder export has ``nationbuilder_id``, ...), or from ``--source-tool NAME`` when the
header fits none or several. Its id column is read as that tool's id for the person
(``tool_id``), kept in supporter_identifiers under the tool's name: a later file from the same
tool finds the same people by it. ``--source-tool NAME`` with ``--map COLUMN=tool_id`` does the
same for a tool the table does not know.

A column no field claims, whose values look like emails, phones or yes/no answers (judged on
a sample of rows), is named in a warning with the ``--map`` that would import it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ladder.domain.contact import looks_like_phone
from ladder.errors import MisuseError
from ladder.people.importing.known import Known
from ladder.people.importing.plan import Plan
from ladder.people.importing.rows import Rejection
from ladder.tabular.csvfile import CsvTable, normalise_header
from ladder.tabular.headers import (
    TOOL_ID,
    Layout,
    check_tool_name,
    consent_words,
    detect_layout,
    known_names,
    layout_overrides,
)

SAMPLE_ROWS = 200
_EMAIL_LIKE = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")


@dataclass
class LayoutReading:
    """Detects the layout when the header is read (``detect`` is read_csv's hook)."""

    aliases: Mapping[str, Sequence[str]]
    source_tool: str | None = None
    layout: Layout | None = None

    def detect(self, header: list[str]) -> dict[str, str]:
        self.layout = detect_layout(header, self.source_tool)
        return layout_overrides(self.layout, header, self.aliases)

    def tool(self, table: CsvTable) -> str:
        """The namespace of the file's tool ids, or "" when it has none."""
        if TOOL_ID not in table.columns:
            return ""
        if self.source_tool:
            return check_tool_name(self.source_tool)
        if self.layout is not None and self.layout.tool:
            return self.layout.tool
        raise MisuseError(
            f"column {table.column_of(TOOL_ID)!r} is read as another tool's id: say which "
            "tool with --source-tool NAME (e.g. --source-tool nationbuilder)"
        )


def lost_columns(
    table: CsvTable, aliases: Mapping[str, Sequence[str]], overrides: Mapping[str, str]
) -> list[str]:
    """A warning for each ignored column whose sampled values look like emails, phones or
    consents, with the --map that imports it. Columns ignored with --map COLUMN= are not."""
    said = {normalise_header(c) for c, target in overrides.items() if not target}
    said |= known_names()  # a column the table knows means something else: not lost
    ignored = {c for c in table.ignored if normalise_header(c) not in said}
    if not ignored:
        return []
    words = consent_words()
    answers = words.yes | words.no
    sample = table.sample(SAMPLE_ROWS)
    warnings = []
    for index, column in enumerate(table.header):
        if column not in ignored:
            continue
        values = [r[index].strip() for r in sample if index < len(r) and r[index].strip()]
        if len(values) < 1:
            continue
        field_name, what = _looks_like(column, values, answers)
        if field_name is None or field_name not in aliases:
            continue
        warnings.append(
            f"warning: column {column!r} looks like {what} but no field reads it, so it is "
            f'not imported: add --map "{column}={field_name}" to import it '
            f'(or --map "{column}=" to say it stays out)'
        )
    return warnings


def _looks_like(column: str, values: list[str], answers: frozenset[str]) -> tuple[str | None, str]:
    half = len(values) / 2
    if sum(1 for v in values if _EMAIL_LIKE.match(v)) > half:
        return "email", "email addresses"
    if sum(1 for v in values if _phone_like(v)) > half:
        return "phone", "phone numbers"
    lowered = {v.lower() for v in values}
    if len(values) >= 2 and lowered <= answers and len(lowered) >= 1:
        name = normalise_header(column)
        if re.search(r"\b(sms|texto|textos|text|mobile|gsm)\b", name):
            return "consent_sms", "yes/no answers"
        if re.search(r"\b(photo|photos|image|foto|beeld)\b", name):
            return "consent_photo", "yes/no answers"
        return "consent_email", "yes/no answers (a consent?)"
    return None, ""


def _phone_like(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if digits.startswith("000") or len(set(digits)) < 3:
        return False  # zero-padded record numbers (a household id), not phones
    return len(digits) >= 9 and looks_like_phone(value)


def refuse_different_repeats(
    table: CsvTable, plan: Plan, known: Known, layout: Layout | None
) -> None:
    """A row repeating an earlier row's person with the same values, whose columns ladder
    ignores differ (another birth date, address...), is two people sharing an email more
    often than a repeat: refused, naming the columns, instead of silently merged.

    Runs only when the file has repeated rows (one more pass over the file then). Columns a
    form export fills per submission (a layout's signature: Timestamp, ID...) do not count.
    """
    skip = {
        normalise_header(c)
        for c in (layout.signature + layout.ignore + layout.per_row if layout else ())
    }
    ignored = set(table.ignored)
    positions = [
        i
        for i, name in enumerate(table.header)
        if name in ignored and normalise_header(name) not in skip
    ]
    if not positions:
        return
    wanted = {line for repeat in plan.repeats for line in repeat[:2]}
    records = table.records_at(wanted)
    for line, first_line, key in plan.repeats:
        now, then = records.get(line), records.get(first_line)
        if now is None or then is None:
            continue
        differ = [table.header[i] for i in positions if _cell(now, i) != _cell(then, i)]
        if not differ:
            continue
        plan.duplicates -= 1
        who = known.describe(key, plan.lines)
        plan.rejected.append(
            Rejection(
                line,
                "",
                f"the same values as line {first_line} ({who}) but another "
                f"{', '.join(differ[:3])}{' ...' if len(differ) > 3 else ''}: two people "
                "sharing an email? Give each their own email, or remove the row",
            )
        )


def _cell(record: list[str], index: int) -> str:
    return record[index].strip() if index < len(record) else ""
