"""``ladder people import``: supporters from a CSV file, all or nothing by default.

1. read: encoding, delimiter and header detected (:mod:`ladder.tabular.csvfile`);
2. validate every row with pydantic, in batches (:mod:`ladder.people.importing.rows`);
3. plan: match each row to a known person by email, phone or name, resolve recruiters,
   refuse conflicts and cycles (:mod:`ladder.people.importing.plan`), without a query per row;
4. write in bulk in one transaction (:mod:`ladder.people.importing.write`), unless a row was
   refused (and ``skip_invalid`` is off) or this is a dry run.

Steps 1 to 3 run on a read snapshot: on SQLite the write lock (which a check-in at the door
waits for) is held only for step 4, after checking that nothing the plan read has changed
(:mod:`ladder.people.importing.recheck`); if it has, the import plans again.

Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.people.importing import recheck
from ladder.people.importing.known import Known, Wanted, load_identifiers, raw_rows
from ladder.people.importing.layout import (
    LayoutReading,
    lost_columns,
    refuse_different_repeats,
)
from ladder.people.importing.plan import Plan, Planner
from ladder.people.importing.recruiters import read_reference
from ladder.people.importing.rows import PEOPLE_ALIASES, PersonRow, Rejection, validate_rows
from ladder.people.importing.write import TagLinks, people_named, write_plan
from ladder.privacy import audit
from ladder.progress import EVERY, SILENT, Progress
from ladder.storage.snapshot import data_version, lock_tables, snapshot
from ladder.tabular.csvfile import CsvRow, CsvTable, read_csv
from ladder.tabular.headers import Layout

# After the people are written, in the same transaction: (connection, ids of everyone the
# accepted rows name) -> nothing. The sign-in sheet import checks them in here. With
# ``ImportOptions.by_line`` the list is a :class:`PeopleWritten` (each row's person too).
AfterWrite = Callable[[Connection, list[int]], None]
# More rows the caller refuses for its own columns (an action's date or kind), asked once the
# plan is made: they count as refused rows (nothing written unless ``skip_invalid``).
RefusedRows = Callable[[], Iterable[Rejection]]
NOBODY = (
    "nobody in the database matches this row (by email, phone, or name and postcode): "
    "add --create-people to create them, or import them first with ladder people import"
)
# Up to this many rows, load only the people the file names (a sign-in sheet against a big
# base); above, read everyone's keys in one pass (:mod:`ladder.people.importing.known`).
SMALL_FILE_ROWS = 20_000
# Which data rows to import at all (the sheet import skips rows not ticked 'present'); a
# Rejection refuses the row with that reason (an attendance file's unmapped event).
KeepRow = Callable[[CsvTable, CsvRow], bool | Rejection]
# SQLite: plans made on a read snapshot before planning once more under the write lock.
SNAPSHOT_TRIES = 3
PLANNING_CACHE_KIB = -8_192  # SQLite's page cache while planning (negative: KiB, as PRAGMA says)
# ... and while writing the people: about the room planning's matching indexes gave back, not
# the connection's 256 MiB on top of the plan. A million new people, load ~2.5: 128 MiB wrote
# them in 17.5-19.2 s, max RSS 560 MiB; 64 MiB in 17.9-19.1 s, 495 (planning's). Since a big
# load builds the secondary indexes after its insert (write.py), the insert itself updates only
# the table and its unique indexes, and an index build sorts in memory up to the cache's size:
# the 1M first import (load 1.0 to 1.6) took 24.5-25.1 s and 530 MiB with 64 MiB, 22.5-22.7 s
# and 490 MiB with 32, 22.8-23.1 s and 481-488 MiB with 16
WRITING_CACHE_KIB = -32_768
SOURCE = "import"  # the source of the people an import creates
WRITTEN = (
    "local_groups",
    "tags",
    "supporters",
    "supporter_tags",
    "supporter_identifiers",
    "consent_records",
    "partner_organisations",
    "affiliations",
)  # locked on PostgreSQL


@dataclass
class ImportOptions:
    overrides: Mapping[str, str] = field(default_factory=dict)  # --map COLUMN=FIELD
    encoding: str | None = None
    skip_invalid: bool = False
    dry_run: bool = False
    create_groups: bool = False
    aliases: Mapping[str, list[str]] = field(default_factory=lambda: PEOPLE_ALIASES)
    keep_row: KeepRow | None = None
    after_write: AfterWrite | None = None
    source_tool: str | None = None  # --source-tool: whose ids the file's tool_id column holds
    accept_suggestions: bool = False  # a recruiter "did you mean" is taken, not refused
    create_people: bool = True  # False: a row naming nobody known is refused (NOBODY)
    by_line: bool = False  # after_write gets a PeopleWritten: each accepted line's person
    refused_rows: RefusedRows | None = None
    # A dry run: called on the read snapshot once the plan is made (no write lock), with the
    # PeopleWritten of the plan: new people under negative placeholder keys
    after_plan: AfterWrite | None = None
    # the consent ledger's source for the file's consents ("people import FILE" by default)
    consent_source: str | None = None
    actor: str | None = None  # who imports: the consent records' author and the audit's actor
    # the audit entry this import writes ("people import"); None when the caller writes its
    # own (actions import, attendance import, osdi import)
    audit_command: str | None = None


class RollBack(Exception):
    """Raised by ``after_write`` to undo the whole write: the import then returns its report
    as planned, with nothing written (an action import's refused rows, or its dry run)."""


class PeopleWritten(list[int]):
    """The ids ``after_write`` gets, and (``ImportOptions.by_line``) each accepted row's person:
    file line -> person id, new people included."""

    def __init__(self, ids: list[int], by_line: dict[int, int]) -> None:
        super().__init__(ids)
        self.by_line = by_line


@dataclass
class ImportReport:
    """What an import did (or would do): counts, and every refused row with its reason."""

    source: str
    encoding: str
    delimiter: str
    columns: dict[str, str]  # field -> the file's column
    ignored: list[str]
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    tags_created: list[str] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    layout: Layout | None = None  # the other tool's export the header was recognised as
    tool: str = ""  # the namespace of the file's tool ids ("" for none)
    warnings: list[str] = field(default_factory=list)  # columns that look lost, first
    suggestions: list[str] = field(default_factory=list)  # suggestions taken

    @property
    def rejected_lines(self) -> int:
        return len({r.line for r in self.rejected})


def import_people(
    engine: Engine,
    ladder: LadderFile,
    data: bytes,
    source: str,
    options: ImportOptions | None = None,
    progress: Progress = SILENT,
    now: datetime | None = None,
) -> tuple[ImportReport, CsvTable]:
    """Import ``data`` (the file's bytes); returns the report and the read table.

    Writes nothing when a row is refused (unless ``options.skip_invalid``) or on a dry run.
    ``progress`` sees two stages: checking the rows (validated and matched, counted by
    :data:`ladder.progress.EVERY` lines; again if the import must plan again), and writing.
    """
    options = options or ImportOptions()
    with without_cyclic_gc():
        return _import(engine, ladder, data, source, options, progress, now)


def _import(
    engine: Engine,
    ladder: LadderFile,
    data: bytes,
    source: str,
    options: ImportOptions,
    progress: Progress,
    now: datetime | None,
) -> tuple[ImportReport, CsvTable]:
    """Read, validate and plan on a read snapshot, then write under the write lock.

    On SQLite the write lock is taken only to write: if someone committed in between and
    what the plan read changed, the import plans again (:data:`SNAPSHOT_TRIES` times on a
    fresh snapshot, then once more under the lock). PostgreSQL has no database-wide write
    lock: the tables the import writes are locked against other writers while it checks
    the plan and writes (check-ins go on).
    """
    with engine.connect() as connection:
        for _attempt in range(SNAPSHOT_TRIES):
            with snapshot(connection), _page_cache(connection, PLANNING_CACHE_KIB):
                seen = data_version(connection)
                read = _read_and_plan(connection, data, source, options, progress)
                if options.dry_run and not read.refused and options.after_plan is not None:
                    plan = read.planned.plan  # new people under their placeholder keys
                    people = [*plan.new, *sorted(plan.matched)]
                    options.after_plan(connection, PeopleWritten(people, _people_by_line(plan)))
                _after_planning()
            if read.refused or options.dry_run:
                progress.finish()
                return read.report, read.table
            transaction = connection.begin()  # on SQLite, BEGIN IMMEDIATE: the write lock
            try:
                lock_tables(connection, WRITTEN)
                if seen is None or data_version(connection) != seen:  # someone committed
                    if not recheck.still_true(connection, read.planned):
                        transaction.rollback()
                        continue  # what the plan read changed: plan again
                    read.planned.links = TagLinks(connection, read.planned.plan)
                    _count(read.report, read.planned.plan, read.planned.links)
                _write(connection, read, ladder, options, now, progress)
            except RollBack:
                transaction.rollback()
                progress.finish()
                return read.report, read.table
            except BaseException:
                transaction.rollback()
                raise
            transaction.commit()
            progress.finish()
            return read.report, read.table
        try:
            with connection.begin():  # the last resort: plan under the lock
                lock_tables(connection, WRITTEN)
                read = _read_and_plan(connection, data, source, options, progress)
                if not read.refused and not options.dry_run:
                    _write(connection, read, ladder, options, now, progress)
        except RollBack:
            read.report.written = False
        progress.finish()
        return read.report, read.table


def _after_planning() -> None:
    """A seam for tests: runs once the plan is made on its snapshot, before the write lock."""


@dataclass
class _Read:
    table: CsvTable
    report: ImportReport
    planned: recheck.Planned
    refused: bool


def _read_and_plan(
    connection: Connection,
    data: bytes,
    source: str,
    options: ImportOptions,
    progress: Progress,
) -> _Read:
    reading = LayoutReading(options.aliases, options.source_tool)
    table = read_csv(
        data, source, options.aliases, options.overrides, options.encoding, reading.detect
    )
    columns = {name: table.column_of(name) for name in table.columns}
    report = ImportReport(source, table.encoding, table.delimiter, columns, table.ignored)
    report.dry_run = options.dry_run
    report.layout, report.tool = reading.layout, reading.tool(table)
    report.warnings = lost_columns(table, options.aliases, options.overrides)
    progress.start(f"Checking {table.approximate_rows:,} rows", table.approximate_rows)
    counter = _LineCounter(progress)
    keep = options.keep_row
    kept_out: list[Rejection] = []
    data_rows = _kept(table, keep, kept_out) if keep else None  # None: every row
    rows = counter.count(itertools.chain(validate_rows(table, data_rows), kept_out))
    planned = _plan(
        connection, rows, columns, options.create_groups, report.tool, options, table, report.layout
    )
    report.rows = counter.lines
    if options.refused_rows is not None:
        refused_lines = {r.line for r in planned.plan.rejected}
        for rejection in options.refused_rows():
            planned.plan.rejected.append(rejection)
            if rejection.line not in refused_lines:
                refused_lines.add(rejection.line)
                report.rows += 1  # the caller kept it from the people rows
    _count(report, planned.plan, planned.links)
    refused = bool(planned.plan.rejected) and not options.skip_invalid
    return _Read(table, report, planned, refused)


def _kept(table: CsvTable, keep: KeepRow, refused: list[Rejection]) -> Iterator[CsvRow]:
    """The rows ``keep`` keeps; those it refuses go to ``refused`` (read after the others)."""
    for row in table.rows():
        verdict = keep(table, row)
        if isinstance(verdict, Rejection):
            refused.append(verdict)
        elif verdict:
            yield row


def _write(
    connection: Connection,
    read: _Read,
    ladder: LadderFile,
    options: ImportOptions,
    now: datetime | None,
    progress: Progress = SILENT,
) -> None:
    plan, links = read.planned.plan, read.planned.links
    with _page_cache(connection, WRITING_CACHE_KIB):  # after_write gets the connection's own
        write_plan(
            connection,
            plan,
            links,
            now or utcnow(),
            ladder.first_rung,
            SOURCE,
            consent_source=options.consent_source or f"people import {read.report.source}",
            actor=options.actor,
            progress=progress,
        )
    people: list[int] = []  # (a million new people's ids, made only when asked for)
    if options.after_write is not None:
        people = people_named(plan)
    if options.by_line and plan.line_keys is not None:
        people = PeopleWritten(people, _people_by_line(plan))
    touched = _touched(plan, links) if options.audit_command is not None else []
    if options.audit_command is not None and touched:  # changing nothing: no entry
        r = read.report
        detail = {"created": r.created, "updated": r.updated, "unchanged": r.unchanged}
        actor = options.actor or "ladder"
        audit.record(connection, actor, options.audit_command, people=touched, detail=detail)
    if options.after_write is not None:
        options.after_write(connection, people)
    read.report.written = True


def _plan(
    connection: Connection,
    rows: Iterable[PersonRow | Rejection],
    columns: dict[str, str],
    create_groups: bool,
    tool: str = "",
    options: ImportOptions | None = None,
    table: CsvTable | None = None,
    layout: Layout | None = None,
) -> recheck.Planned:
    groups = {name: gid for gid, name in raw_rows(connection, "SELECT id, name FROM local_groups")}
    rest = iter(rows)
    head = list(itertools.islice(rest, SMALL_FILE_ROWS + 1))
    small = len(head) <= SMALL_FILE_ROWS
    wanted = wanted_of(head) if small else None
    identifiers = _identifiers(connection, tool, head if small else None, wanted)
    known = Known.load(connection, wanted)
    known.by_tool_id = identifiers
    planner = Planner(known, dict(groups), columns, create_groups)
    planner.tool = tool
    planner.accept_suggestions = bool(options and options.accept_suggestions)
    planner.forget_matching = wanted is None  # everyone was loaded: matching them ends there
    if options is not None and options.by_line:
        planner.plan.line_keys = {}
    planner.add_rows(head if small else itertools.chain(head, rest))
    plan = planner.finish()
    if options is not None and not options.create_people:
        _refuse_new_people(plan)
    if plan.repeats and table is not None:
        refuse_different_repeats(table, plan, known, layout)
    return recheck.Planned(plan, TagLinks(connection, plan), known, wanted, groups)


def _identifiers(
    connection: Connection,
    tool: str,
    head: list[PersonRow | Rejection] | None,
    wanted: Wanted | None,
) -> dict[str, int]:
    """The tool's ids the database knows -> their live person (a small file: only its own),
    and those people added to what a small file loads."""
    if not tool:
        return {}
    values = None
    if head is not None:
        values = {r["tool_id"] for r in head if not isinstance(r, Rejection) and "tool_id" in r}
    found = load_identifiers(connection, tool, values)
    if wanted is not None:
        wanted.ids.update(found.values())
    return found


def _refuse_new_people(plan: Plan) -> None:
    """Refuse every row naming someone the database does not know (and their repeats)."""
    if not plan.new:
        return
    repeats: dict[int, list[int]] = {}
    for line, key in (plan.line_keys or {}).items():
        if key in plan.new and line != plan.lines[key]:
            repeats.setdefault(key, []).append(line)
    refused = set(plan.new)
    for key in refused:
        plan.reject(key, "", NOBODY)
        plan.rejected.extend(Rejection(line, "", NOBODY) for line in repeats.get(key, ()))
    for key in [k for k, v in plan.recruiters.items() if v in refused]:
        del plan.recruiters[key]


def _people_by_line(plan: Plan) -> dict[int, int]:
    """Each accepted line's person id (a rejected person's lines left out); before the plan
    is written, a new person's placeholder key (negative)."""
    line_keys = plan.line_keys or {}
    live = plan.matched
    ids = plan.new_ids or {key: key for key in plan.new}
    return {
        line: ids[key] if key < 0 else key
        for line, key in line_keys.items()
        if (key < 0 and key in ids) or key in live
    }


def wanted_of(rows: Iterable[PersonRow | Rejection]) -> Wanted:
    """Whom a small file can name: its ids, emails and phones, and its recruiters' references."""
    wanted = Wanted()
    for row in rows:
        if isinstance(row, Rejection):
            continue
        if "id" in row:
            wanted.ids.add(row["id"])
        if email := row.get("email"):
            wanted.emails.add(email)
        if phone := row.get("phone"):
            wanted.phones.add(phone)
        if reference := row.get("recruited_by"):
            ref = read_reference(reference)
            if ref.number is not None:
                wanted.ids.add(ref.number)
            if ref.text and ref.kind == "email":
                wanted.emails.add(ref.text)
            if ref.text and ref.kind in ("phone", "id or phone"):
                wanted.phones.add(ref.text)
    return wanted


def _count(report: ImportReport, plan: Plan, links: TagLinks) -> None:
    recruited = set(plan.recruiters.known)  # (known people's)
    identified = set(plan.identifiers.known)  # (known people's)
    changed = plan.changes.keys() | recruited | (links.people & plan.matched) | identified
    report.created = len(plan.new)
    report.updated = len(changed)
    report.unchanged = len(plan.matched - changed)
    report.duplicates = plan.duplicates
    report.rejected = sorted(plan.rejected, key=lambda r: (r.line, r.column))
    report.groups_created = sorted(plan.new_groups.values())
    report.tags_created = sorted(links.new_tags.values())
    report.suggestions = list(plan.suggestions)


def _touched(plan: Plan, links: TagLinks) -> list[int]:
    """Who the import created or changed (as :func:`_count` counts them), for the audit."""
    recruited = set(plan.recruiters.known)  # (known people's)
    identified = set(plan.identifiers.known)  # (known people's)
    changed = plan.changes.keys() | recruited | (links.people & plan.matched) | identified
    return sorted([*plan.new_ids.values(), *(k for k in changed if k > 0)])  # none twice


@contextmanager
def _page_cache(connection: Connection, kib: int) -> Iterator[None]:
    """On SQLite, a page cache of ``kib`` (negative: KiB) for a while, then the connection's
    own size back. Planning reads everyone once, in order, which a few MiB serve as well as
    a big cache, and a big one would keep a million people's pages in memory beside the
    plan; writing needs the pages of the indexes it inserts into (:data:`WRITING_CACHE_KIB`)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    size = int(raw.execute("PRAGMA cache_size").fetchone()[0])
    raw.execute(f"PRAGMA cache_size = {kib}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {size}")


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Millions of small acyclic dicts make the cyclic collector rescan them over and over
    (2.6x slower at 1M rows); reference counting still frees everything they drop."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _LineCounter:
    """Counts the file lines the rows come from (in order; a line may have several errors)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.lines = 0

    def count(self, rows: Iterable[PersonRow | Rejection]) -> Iterator[PersonRow | Rejection]:
        last = 0
        for row in rows:
            line = row.line if isinstance(row, Rejection) else row["line"]
            if line != last:
                last = line
                self.lines += 1
                if self.lines % EVERY == 0:
                    self.progress.advance(EVERY)
            yield row
        self.progress.advance(self.lines % EVERY)
