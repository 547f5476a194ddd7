"""``ladder attendance import EVENT FILE``: a filled sign-in sheet, read back.

The sheet is a people import (same detection of encoding, delimiter and headers, same
validation, same all-or-nothing rule, :mod:`ladder.people.importing.importer`) with two differences:
rows whose ``present`` column is left blank are people who did not come and are skipped, and
everyone the accepted rows name is checked in to the event, in the same transaction. Known
people are matched (and updated), new people are created with their recruiter ("who brought
you?"). Re-importing the same sheet changes nothing.

A sheet is typed in after the event, so a past event takes it; a closed event takes it only
with ``late`` (closing said the attendance was final).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.events.checkin import CheckinCounts, check_in_many, checkable_event
from ladder.people.importing.importer import ImportOptions, ImportReport, import_people
from ladder.people.importing.rows import PEOPLE_FIELDS
from ladder.privacy import audit
from ladder.progress import SILENT, Progress
from ladder.storage.engine import reading
from ladder.tabular.csvfile import CsvRow, CsvTable
from ladder.tabular.headers import aliases_for

PRESENT = "present"
_NOT_PRESENT = {"", "no", "n", "non", "0", "false", "faux", "absent", "-"}

# The people fields and 'present', with the table's aliases (ladder/tabular/headers.toml),
# plus what a sign-in sheet asks: "who brought you?"
SHEET_ALIASES: dict[str, list[str]] = aliases_for((*PEOPLE_FIELDS, PRESENT))
SHEET_ALIASES["recruited_by"] = [
    *SHEET_ALIASES["recruited_by"],
    "brought by",
    "who brought you",
    "qui vous a amené",
    "amené par",
    "amenée par",
    "meegebracht door",
]


@dataclass
class SheetReport:
    people: ImportReport
    checkins: CheckinCounts
    skipped: int  # rows left blank in the 'present' column


def import_sheet(
    engine: Engine,
    ladder: LadderFile,
    event_ref: str,
    data: bytes,
    source: str,
    options: ImportOptions,
    user: str,
    now: datetime | None = None,
    late: bool = False,
    progress: Progress = SILENT,
) -> tuple[SheetReport, CsvTable]:
    """Import a sign-in sheet for ``event_ref``; all or nothing unless ``skip_invalid``."""
    now = now or utcnow()
    with reading(engine) as connection:  # refuse before reading the file
        event = checkable_event(connection, event_ref, now, late, sheet=True)
    counts = CheckinCounts()
    skipped: set[int] = set()  # lines (a file may be read twice, see import_people)

    def keep(table: CsvTable, row: CsvRow) -> bool:
        if PRESENT not in table.columns:
            return True  # a typed-up list of who came
        mark = row.values.pop(PRESENT, "").strip().lower()
        if mark in _NOT_PRESENT:
            skipped.add(row.line)
            return False
        return True

    def check_in_everyone(connection: Connection, people: list[int]) -> None:
        nonlocal counts
        counts = check_in_many(connection, ladder, event, people, user, now)
        if counts.checked_in:  # a sheet imported again changes nothing: no entry
            audit.record(
                connection,
                user,
                "attendance import",
                people=people,
                fields=["presence"],
                detail={
                    "event": event.id,
                    "checked_in": counts.checked_in,
                    "already": counts.already,
                },
            )

    options.aliases = SHEET_ALIASES
    options.keep_row = keep
    options.after_write = check_in_everyone
    options.consent_source = options.consent_source or f"attendance import {source}"
    options.actor = options.actor or user
    report, table = import_people(engine, ladder, data, source, options, progress, now=now)
    return SheetReport(report, counts, len(skipped)), table
