"""``ladder actions import FILE``: a petition or action export, as organisers have them.

The file is a people import (:mod:`ladder.people.importing.importer`: the same reading of
encodings, delimiters and French or English headers, the same validation, the same matching
of people, planned on a read snapshot and written under the write lock) whose rows also carry
an action: the date signed (as organisers write dates, :mod:`ladder.actions.dates`, in the
movement's zone), a kind (a column, or ``--kind`` for the whole file), a campaign (a column,
or ``--campaign``) and an optional external id.

- Each row's action columns are read and checked while the people rows stream past
  (``keep_row``): a bad date, a date in the future, an unknown kind or campaign refuses the row
  (line, column, reason), and with it the whole file unless ``skip_invalid``.
- Unknown people are refused unless ``create_people`` (then created with their consent
  columns, as ``people import`` creates them).
- In the same transaction as the people (``after_write``, with each row's person), the
  actions are staged in a temporary table and inserted with one ``INSERT ... SELECT`` leaving
  out those already recorded: same external id, or same person, kind and time. Importing the
  same file twice adds nothing. An external id that is already another person's action
  refuses its row.
- Then the rules run once for the people who got a new action (or were created), and the
  level changes are reported.

Rows that name a person the base knows, exactly as stored, with nothing else about them (a
petition export against a base that holds its signers) are not planned through the people
importer: :mod:`ladder.actions.known_rows` matches them in SQL a chunk at a time and stages
their actions as the file is read; the people importer gets the other rows only (or, when
its order could decide between rows of both kinds, the whole file). Either way the import
does what the people importer alone would do with every row (a property test checks it).

Progress (:mod:`ladder.progress`): the people importer's stages (rows checked, by
:data:`ladder.progress.EVERY` lines; people written), then each step of the actions' write
(staging, inserting, the rules).

A dry run plans on a read snapshot only (no write lock: a check-in at the door goes on): the
people are planned as ``people import --dry-run`` plans them, and the actions are staged in a
temporary table and counted with the insert's own conditions, so the counts are exactly what
the import would do. Who would climb is not known: the rules run only on written actions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, cast

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    select,
    text,
)

from ladder.actions import known_rows
from ladder.actions.dates import MINUTES, DateReader
from ladder.campaigns.goals import check_kind, known_kind
from ladder.campaigns.lookup import campaign_hint, find_campaign
from ladder.clock import utcnow, wall_clock
from ladder.domain.ladderfile import LadderFile
from ladder.domain.names import fold
from ladder.domain.text import EXTERNAL_ID, text_problem
from ladder.errors import InputError
from ladder.people.importing.importer import (
    SOURCE,
    WRITTEN,
    ImportOptions,
    ImportReport,
    PeopleWritten,
    RollBack,
    import_people,
    without_cyclic_gc,
)
from ladder.people.importing.layout import LayoutReading, lost_columns
from ladder.people.importing.rows import PEOPLE_ALIASES, Rejection
from ladder.people.importing.write import insert_people_from
from ladder.privacy import audit
from ladder.progress import SILENT, Progress
from ladder.rules import Move, after_checkins, apply_rules, before, moves_since
from ladder.storage.bulk import copy_rows
from ladder.storage.engine import reading
from ladder.storage.firsts import refresh_after_insert
from ladder.storage.indexes import rebuilt_after
from ladder.storage.models import Action, ActionKind, Campaign
from ladder.storage.snapshot import data_version, lock_tables, snapshot
from ladder.tabular.csvfile import CsvRow, CsvTable, read_csv
from ladder.tabular.headers import aliases_for

DATE, KIND, CAMPAIGN, EXTERNAL = "date", "kind", "campaign", "external_id"
ACTION_FIELDS = (DATE, KIND, CAMPAIGN, EXTERNAL)
# The people's columns and the action's, from the one header table (ladder/tabular/headers.toml).
# A petition export's own "id" is its signature's id, not a ladder id ("ladder id", "#12").
ACTION_ALIASES: dict[str, list[str]] = {
    **PEOPLE_ALIASES,
    "id": [a for a in PEOPLE_ALIASES["id"] if a != "id"],
    **aliases_for(ACTION_FIELDS),
}
ACTION_ALIASES[EXTERNAL] = ["id", *ACTION_ALIASES[EXTERNAL]]
SHOWN_CLIMBERS = 5
CACHED = 100_000  # distinct date or campaign cells remembered (a file repeats them)
_LAST_MINUTE = timedelta(minutes=59)
# The rules run once for everyone touched, restricted to them by ``IN (:ids)``: in batches of
# this many ids (a million bound parameters is over SQLite's limit).
RULES_BATCH = 20_000
# Above one batch, touching more than 1/7 of the base: one whole-base run is faster (measured:
# about 50 us per person named in a restricted run, 7 us per person in a whole-base run).
WHOLE_BASE_SHARE = 7
# The lines whose repeats (same person, kind and time, or external id) are told in memory
# as they are staged (a set of hashes); a bigger file's are found in SQL (_once).
ONCE_IN_MEMORY = 100_000
WRITE_STEPS = 3  # staged and checked, inserted, rules run
READING_CACHE_KIB = 32_768  # SQLite's page cache while the file is read (see _small_cache)
# The indexes on actions that the insert updates in no particular order and does not read
# (kind and time; campaign, time, kind and person): on SQLite, built again after an insert of
# at least REBUILD_FLOOR actions that are at least 1/REBUILD_SHARE of the table's rows
# (ladder.storage.indexes). Measured, 1M actions into an empty table: the insert 7.3 s of CPU
# with both updated row by row, 3.6 s with both built after; a build costs about a third of
# the scattered updates per row, so it pays once the new rows are half the old ones; at
# 37,758 actions into an empty table (the half-new petition), the insert took 128 ms with
# both updated, 101 ms with both built after. The indexes the insert's checks read (person
# and time; the external id) stay.
REBUILT_INDEXES = ("ix_actions_kind_occurred", "ix_actions_campaign_occurred")
REBUILD_FLOOR = 20_000
REBUILD_SHARE = 3

_METADATA = MetaData()
# The rows of one import, in the write transaction only (dropped before it ends).
STAGED = Table(
    "ladder_staged_actions",
    _METADATA,
    Column("line", Integer, primary_key=True),
    Column("supporter_id", Integer, nullable=False),
    Column("action_kind_id", Integer, nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("campaign_id", Integer),
    Column("external_id", String(EXTERNAL_ID)),
    prefixes=["TEMPORARY"],
)
_STAGED_COLUMNS = known_rows.STAGED_COLUMNS  # line, person, kind, time, campaign, external id
# A staged action not yet recorded: no action with its external id, nor with its person, kind
# and time (the staged rows are distinct on both: see _ActionWriter._stage).
_NOT_RECORDED = (
    "NOT EXISTS (SELECT 1 FROM actions a WHERE a.external_id = s.external_id) "
    "AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.supporter_id = s.supporter_id "
    "AND a.occurred_at = s.occurred_at AND a.action_kind_id = s.action_kind_id)"
)


@dataclass
class ActionImportReport:
    """What an action import did (or would do)."""

    people: ImportReport  # rows, people created/updated, every refused row
    kind: str | None = None  # --kind
    campaign: str | None = None  # --campaign, as stored
    added: int = 0
    already: int = 0  # recorded before (same external id, or person + kind + time)
    repeated: int = 0  # the same action on several lines of the file
    moves: list[Move] = field(default_factory=list)

    @property
    def climbed(self) -> list[Move]:
        """Who climbed, once each, in the order they first did: from the rung before the
        import to the rung after it (moved up twice in one run of the rules, follow ->
        attend -> mobilise, is follow -> mobilise)."""
        climbs: dict[int, Move] = {}
        for move in self.moves:
            if move.from_rung != move.to_rung and move.to_rung is not None:
                first = climbs.get(move.supporter_id)
                climbs[move.supporter_id] = (
                    move if first is None else dataclasses.replace(first, to_rung=move.to_rung)
                )
        return list(climbs.values())


def import_actions(
    engine: Engine,
    ladder: LadderFile,
    data: bytes,
    source: str,
    options: ImportOptions,
    zone: tzinfo,
    user: str,
    kind: str | None = None,
    campaign: str | None = None,
    now: datetime | None = None,
    progress: Progress = SILENT,
) -> tuple[ActionImportReport, CsvTable]:
    """Import the actions of ``data``; all or nothing unless ``options.skip_invalid``.

    ``options.create_people`` says whether unknown people are created (else refused).
    ``progress`` hears of the rows checked (the people importer's stages), then of each step
    of the actions' write.
    """
    now = now or utcnow()
    with reading(engine) as connection:  # refuse a bad --kind or --campaign before reading
        reader = _ActionReader(connection, ladder, zone, now, kind, campaign)
    dry_run = options.dry_run
    options.aliases = ACTION_ALIASES
    options.keep_row = reader.keep
    options.refused_rows = reader.refused
    options.by_line = True
    options.consent_source = options.consent_source or f"actions import {source}"
    options.actor = options.actor or user

    writer = _ActionWriter(reader, ladder, user, now, options.skip_invalid, progress)
    options.after_write = writer.write
    options.after_plan = writer.plan  # a dry run: counted on the read snapshot
    try:
        with without_cyclic_gc():
            fast = _import_known(engine, data, source, options, reader, writer, progress)
        if fast is None:
            people, table = import_people(engine, ladder, data, source, options, progress, now=now)
        else:
            people, table = fast
    finally:
        progress.finish()
    report = ActionImportReport(people, reader.kind_name, reader.campaign_name)
    if writer.done:
        report.added, report.already = writer.added, writer.already
        report.repeated = writer.repeated
        report.moves = writer.moves
    people.written = writer.done and not dry_run
    if writer.late_rejections:
        people.rejected = sorted(
            [*people.rejected, *writer.late_rejections], key=lambda r: (r.line, r.column)
        )
    return report, table


def _import_known(
    engine: Engine,
    data: bytes,
    source: str,
    options: ImportOptions,
    reader: _ActionReader,
    writer: _ActionWriter,
    progress: Progress,
) -> tuple[ImportReport, CsvTable] | None:
    """The import when the file's rows name known people as stored (:mod:`known_rows`):
    those rows matched a chunk at a time in SQL and staged as they are read, the others (new
    people, rows refused, rows changing their person) through the people importer. None:
    the file is for the people importer alone (other people columns; on PostgreSQL, rows
    left to it)."""
    layout = LayoutReading(options.aliases, options.source_tool)
    table = read_csv(
        data, source, options.aliases, options.overrides, options.encoding, layout.detect
    )
    if not known_rows.eligible(table):
        return None
    reader.start(table)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        try:
            known, seen = None, None
            if sqlite:  # read on a snapshot; written under the lock if nobody wrote meanwhile
                with snapshot(connection):
                    seen = data_version(connection)
                    known = _split(connection, table, reader, options, progress)
                    if options.dry_run and not known.left:
                        report = _known_report(connection, table, layout, options, known)
                        writer.plan_staged(connection, Staged(known.rows, known.repeats))
                        progress.finish()  # the people's stages end (as the people importer's)
                        return report, table
                if known.left:
                    return _import_left(engine, data, source, options, reader, writer, progress,
                                        connection, table, layout, known, seen)  # fmt: skip
            text = [table]  # the file's text (twice the file at worst) goes once read
            del table
            found = _write_known(connection, options, reader, writer, progress, text, layout,
                                 known, seen)  # fmt: skip
        finally:
            _drop_staged(connection)
    if found is None or not writer.late_rejections:
        return found
    # rows refused: the caller writes them out from the file's text, read again
    detect = LayoutReading(options.aliases, options.source_tool).detect
    return found[0], read_csv(
        data, source, options.aliases, options.overrides, options.encoding, detect
    )


def _write_known(
    connection: Connection,
    options: ImportOptions,
    reader: _ActionReader,
    writer: _ActionWriter,
    progress: Progress,
    text: list[CsvTable],
    layout: LayoutReading,
    known: known_rows.KnownRows | None,
    seen: int | None,
) -> tuple[ImportReport, CsvTable] | None:
    """Every row known, or fresh (:mod:`known_rows`: the new signers of ``--create-people``):
    their new people created, then the actions written, under the lock (the rows read again
    there when they were read on a snapshot someone wrote after, or on PostgreSQL: not read
    yet). ``text`` holds the table, let go before the write (the table returned has no
    text)."""
    table = text.pop()
    transaction = connection.begin()
    try:
        lock_tables(connection, WRITTEN)
        if known is None or data_version(connection) != seen:
            _drop_staged(connection)
            known = _split(connection, table, reader, options, progress)
            if known.left:
                transaction.rollback()
                return None  # the whole file through the people importer
        report = _known_report(connection, table, layout, options, known)
        if options.dry_run:
            writer.plan_staged(connection, Staged(known.rows, known.repeats))
            transaction.rollback()
            progress.finish()  # the people's stages end (as the people importer's)
            return report, table
        table = reader.table = dataclasses.replace(table, _data=b"")  # the file let go
        staged = known.rows
        if known.fresh:
            staged += _create_fresh(connection, known, report, writer, progress)
        writer.write_staged(connection, Staged(staged, known.repeats))
    except RollBack:
        transaction.rollback()
        progress.finish()
        return report, table
    except BaseException:
        transaction.rollback()
        raise
    transaction.commit()
    progress.finish()
    report.written = True
    return report, table


def _create_fresh(
    connection: Connection,
    known: known_rows.KnownRows,
    report: ImportReport,
    writer: _ActionWriter,
    progress: Progress,
) -> int:
    """The fresh rows' new people created (one each email, as the people importer creates
    them), then their actions staged beside the known rows' (how many); counted in
    ``report`` as the people importer counts them."""
    progress.start(f"Writing {known.fresh:,} people", 1)
    people = known_rows.fresh_people(STAGED, known.emails_repeat)
    created = insert_people_from(
        connection, people, known.fresh, writer.now, writer.ladder.first_rung, SOURCE
    )
    progress.advance()
    report.created = created
    report.duplicates += known.fresh - created
    return known_rows.stage_fresh(connection, STAGED)


def _split(
    connection: Connection,
    table: CsvTable,
    reader: _ActionReader,
    options: ImportOptions,
    progress: Progress,
) -> known_rows.KnownRows:
    """Read the file: its known rows staged (:data:`STAGED`, a temporary table: no write
    lock), the lines left to the people importer listed, or the fresh rows kept when their
    people may be created (``--create-people``, not a dry run)."""
    create = options.create_people and not options.dry_run
    progress.start(f"Checking {table.approximate_rows:,} rows", table.approximate_rows)
    STAGED.create(connection)
    with _small_cache(connection):  # while the file's text is in memory
        return known_rows.split_rows(connection, table, reader.actions_of(table), STAGED,
                                     progress, ONCE_IN_MEMORY, create)  # fmt: skip


@contextmanager
def _small_cache(connection: Connection) -> Iterator[None]:
    """SQLite's page cache at :data:`READING_CACHE_KIB` at most, then as it was: the chunks'
    lookups read the email index, whose pages the write does not need, while the file's text
    (up to twice its bytes) is held; the write then has the whole cache."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    size = raw.execute("PRAGMA cache_size").fetchone()[0]  # type: ignore[union-attr]
    if size < 0 and -size > READING_CACHE_KIB:
        raw.execute(f"PRAGMA cache_size = -{READING_CACHE_KIB}")  # type: ignore[union-attr]
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(size)}")  # type: ignore[union-attr]


def _drop_staged(connection: Connection) -> None:
    """Drop the staging table: a temporary table outlives the transaction that made it (on
    SQLite through the driver: no BEGIN, no write lock; inside a transaction, in it)."""
    names = (STAGED.name, known_rows.CANDIDATES.name)  # (the fresh rows' kept till written)
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        for name in names:
            raw.execute(f"DROP TABLE IF EXISTS temp.{name}")  # type: ignore[union-attr]
    elif not connection.in_transaction():
        with connection.begin():
            for name in names:
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def _written(
    reader: _ActionReader, known: known_rows.KnownRows, people: dict[int, int], ids: Any = ()
) -> PeopleWritten:
    """What the action writer gets: each line's person, the known rows' and the people
    importer's; the known rows' actions join those the reader kept."""
    by_line = dict(known_rows.merged(known, people))
    reader.actions.update(known.actions)
    return PeopleWritten(sorted({*ids, *known.persons}), by_line)


def _import_left(
    engine: Engine,
    data: bytes,
    source: str,
    options: ImportOptions,
    reader: _ActionReader,
    writer: _ActionWriter,
    progress: Progress,
    connection: Connection,
    table: CsvTable,
    layout: LayoutReading,
    known: known_rows.KnownRows,
    seen: int | None,
) -> tuple[ImportReport, CsvTable] | None:
    """The rows left to the people importer (SQLite): a copy of the file holding only them;
    the known rows (read back from the staging table) join them when the actions are
    written. None (the whole file through the people importer) when a person may be named
    by rows of both kinds, or when someone wrote to the base since the known rows were
    read."""
    raw = connection.connection.driver_connection  # no BEGIN: the import holds the lock
    if known_rows.mixed(connection, known, lambda ids: _staged_names(raw, ids)):
        return None  # the people importer's order decides between the rows: all through it
    columns = ", ".join(_STAGED_COLUMNS)
    known.keep(raw.execute(f"SELECT {columns} FROM {STAGED.name} ORDER BY line"))  # type: ignore[union-attr]
    text = known_rows.left_text(table, known.left, known.people)
    whole = _known_report(connection, table, layout, options, known)
    _drop_staged(connection)

    def unchanged() -> None:
        version = raw.execute("PRAGMA data_version").fetchone()[0]  # type: ignore[union-attr]
        if version != seen:
            raise known_rows.Mixed  # read again, all through the people importer

    def after_write(written: Connection, people: list[int]) -> None:
        assert isinstance(people, PeopleWritten)
        unchanged()
        writer.write(written, _written(reader, known, people.by_line, people))

    def after_plan(snapshot_: Connection, people: list[int]) -> None:
        assert isinstance(people, PeopleWritten)
        unchanged()
        writer.plan(snapshot_, _written(reader, known, people.by_line, people))

    left = dataclasses.replace(
        options, encoding="utf-8", after_write=after_write, after_plan=after_plan
    )
    try:
        report, _left_table = import_people(
            engine, writer.ladder, text.encode("utf-8"), source, left, progress, now=writer.now
        )
    except known_rows.Mixed:
        return None
    report.encoding, report.delimiter = whole.encoding, whole.delimiter
    report.columns, report.ignored, report.warnings = whole.columns, whole.ignored, whole.warnings
    report.layout, report.tool = whole.layout, whole.tool
    report.rows += known.rows
    report.unchanged += whole.unchanged
    report.duplicates += whole.duplicates
    return report, table


def _staged_names(raw: Any, ids: list[int]) -> bool:
    """True when a staged (known) row names one of these people."""
    listed = ", ".join(str(int(i)) for i in ids)
    sql = f"SELECT 1 FROM {STAGED.name} WHERE supporter_id IN ({listed}) LIMIT 1"
    return raw.execute(sql).fetchone() is not None


def _known_report(
    connection: Connection,
    table: CsvTable,
    layout: LayoutReading,
    options: ImportOptions,
    known: known_rows.KnownRows,
) -> ImportReport:
    """The people report of the known rows (staged): each person matched, unchanged, and a
    person's other rows duplicates; the rows left counted as read (the people importer
    counts them again when it reads them)."""
    columns = {name: table.column_of(name) for name in table.columns}
    report = ImportReport(table.source, table.encoding, table.delimiter, columns, table.ignored)
    report.dry_run = options.dry_run
    report.layout, report.tool = layout.layout, layout.tool(table)
    report.warnings = lost_columns(table, options.aliases, options.overrides)
    report.rows = known.rows + known.fresh + len(known.left)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:  # through the driver: on SQLite between transactions, no BEGIN (no write lock)
        cursor.execute(f"SELECT count(DISTINCT supporter_id) FROM {STAGED.name}")
        report.unchanged = int(cursor.fetchone()[0])
    finally:
        cursor.close()
    report.duplicates = known.rows - report.unchanged
    return report


class _ActionReader:
    """Reads and checks each row's action columns as the people rows stream past."""

    def __init__(
        self,
        connection: Connection,
        ladder: LadderFile,
        zone: tzinfo,
        now: datetime,
        kind: str | None,
        campaign: str | None,
    ) -> None:
        self.zone, self.now = zone, now
        known = ladder.kind_names
        ids = {
            name: kid for name, kid in connection.execute(select(ActionKind.name, ActionKind.id))
        }
        self.kind_ids = {name: ids[name] for name in known if name in ids}
        self.kind_name = check_kind(ladder, kind) if kind is not None else None
        found = find_campaign(connection, campaign) if campaign is not None else None
        self.campaign_name = found.name if found else None
        self.campaign_id = found.id if found else None
        rows = [(cid, name) for cid, name in connection.execute(select(Campaign.id, Campaign.name))]
        self.campaign_names = sorted(name for _id, name in rows)
        self.campaigns = {name: cid for cid, name in rows}
        self.folded: dict[str, list[int]] = {}
        for cid, name in rows:
            self.folded.setdefault(fold(name) or name.lower(), []).append(cid)
        # line -> (kind id, time as stored, campaign id, external id)
        self.actions: dict[int, tuple[int, Any, int | None, str | None]] = {}
        self.problems: dict[tuple[int, str], Rejection] = {}
        self.table: CsvTable | None = None
        self.sqlite = connection.dialect.name == "sqlite"
        self._date = DateCells(zone, now, self.sqlite)
        self._kinds: dict[str, int | tuple[str, str]] = {}
        self._campaigns: dict[str, int | None | tuple[str, str]] = {}

    def keep(self, table: CsvTable, row: CsvRow) -> bool:
        if self.table is not table:  # a new reading of the file (the import may plan again)
            self._check_columns(table)
            self.table = table
        pop, line = row.values.pop, row.line
        date, kind, campaign = self._date(pop(DATE, "")), self._kind(pop(KIND, "")), None
        if CAMPAIGN in table.columns:
            campaign = self._campaign(pop(CAMPAIGN, ""))
        external = pop(EXTERNAL, "").strip() or None
        problems = [p for p in (date, kind, campaign) if type(p) is tuple]
        fast = external is None or (len(external) <= EXTERNAL_ID and external.isprintable())
        if not fast and (problem := text_problem(str(external), EXTERNAL_ID)):
            problems.append((EXTERNAL, f"has {problem}"))  # printable: no control character
        if problems:
            for field_name, reason in problems:
                column = table.column_of(field_name)
                self.problems[(line, column)] = Rejection(line, column, reason)
            self.actions.pop(line, None)
            return False
        self.actions[line] = (
            kind,
            date,
            self.campaign_id if campaign is None else campaign,
            external,
        )  # type: ignore[assignment]
        return True

    def actions_of(self, table: CsvTable) -> Callable[[list[str]], tuple[Any, ...] | None]:
        """What reads a record's action (as :attr:`actions` holds it) from its cells, None
        when a cell is refused (:meth:`keep` names why). Made for ``table``'s columns (each
        field in one column, :func:`known_rows.eligible`; :meth:`start` checked them), called
        once a record."""
        date, kind_of, campaign_of = self._date, self._kind, self._campaign
        at = {name: positions[0] for name, positions in table.columns.items()}
        date_at, kind_at = at[DATE], at.get(KIND)
        campaign_at, external_at = at.get(CAMPAIGN), at.get(EXTERNAL)
        fixed_kind = self._kind("")  # without a kind column: --kind's (a column: unused)
        fixed_campaign = self.campaign_id

        def action(cells: list[str]) -> tuple[Any, ...] | None:
            when = date(cells[date_at])
            kind = fixed_kind if kind_at is None else kind_of(cells[kind_at])
            campaign = None if campaign_at is None else campaign_of(cells[campaign_at])
            if type(when) is tuple or type(kind) is tuple or type(campaign) is tuple:
                return None
            external = None if external_at is None else (cells[external_at].strip() or None)
            if external is not None and not (
                len(external) <= EXTERNAL_ID and external.isprintable()
            ):
                return None
            return (kind, when, fixed_campaign if campaign is None else campaign, external)

        return action

    def refused(self) -> list[Rejection]:
        return list(self.problems.values())

    def start(self, table: CsvTable) -> None:
        """Read ``table`` (its columns checked), before its rows are read."""
        self._check_columns(table)
        self.table = table

    def _check_columns(self, table: CsvTable) -> None:
        self.problems.clear()
        self.actions.clear()
        missing = []
        if DATE not in table.columns:
            missing.append("no date column (signé le, date, created_at...)")
        if KIND not in table.columns and self.kind_name is None:
            missing.append("no kind column: give one kind for the file with --kind")
        if missing:
            raise InputError(
                f"{table.source}: {'; '.join(missing)}; name a column with --map COLUMN=FIELD"
            )

    def _kind(self, typed: str) -> int | tuple[str, str]:
        found = self._kinds.get(typed)
        if found is None:
            found = self._find_kind(typed.strip())
            self._kinds[typed] = found
        return found

    def _find_kind(self, typed: str) -> int | tuple[str, str]:
        if not typed:
            if self.kind_name is None:
                return (KIND, "no kind: fill it, or give --kind")
            return self.kind_ids[self.kind_name]
        try:
            return self.kind_ids[known_kind(typed, list(self.kind_ids), "known kinds:")]
        except InputError as exc:
            return (KIND, str(exc))

    def _campaign(self, typed: str) -> int | None | tuple[str, str]:
        if typed in self._campaigns:
            return self._campaigns[typed]
        found = self._find_campaign(typed.strip())
        if len(self._campaigns) < CACHED:
            self._campaigns[typed] = found
        return found

    def _find_campaign(self, typed: str) -> int | None | tuple[str, str]:
        if not typed:
            return self.campaign_id
        if typed in self.campaigns:
            return self.campaigns[typed]
        same = self.folded.get(fold(typed) or typed.lower(), [])
        if len(same) == 1:
            return same[0]
        hint = campaign_hint(typed, self.campaign_names)
        return (CAMPAIGN, f"unknown campaign {typed!r}{hint}")


class DateCells:
    """The date cells of one file, read (:class:`~ladder.actions.dates.DateReader`) and
    checked (not in the future): each one's stored form (text on SQLite, as
    :func:`sqlite_time` writes it; a naive UTC datetime on PostgreSQL), or (field, reason)."""

    def __init__(self, zone: tzinfo, now: datetime, sqlite: bool) -> None:
        self.now, self.sqlite = now, sqlite
        self._read = DateReader(zone)
        self._cells: dict[str, Any] = {}  # cell -> stored time, or (field, reason)
        # "31/10/2026 18" -> that wall-clock hour's start as stored (see __call__)
        self._hours: dict[str, Any] = {}

    def __call__(self, typed: str) -> Any:
        """The stored form of ``typed``, or (field, reason); cached. The common form
        (``31/10/2026 18:30``) of an hour read before, wholly past, is made from that hour's
        stored form and the minutes (most cells of a big file: each minute's text is seldom
        seen twice, each hour's often)."""
        if len(typed) == 16 and typed[13] == ":":
            hour = self._hours.get(typed[:13])
            if hour is not None and (minute := typed[14:]) in MINUTES:
                return f"{hour}{minute}:00.000000" if self.sqlite else hour + MINUTES[minute]
        found = self._cells.get(typed)
        if found is None:
            if len(self._cells) > CACHED:
                self._cells.clear()
            try:
                moment = self._read(typed)
            except ValueError as exc:
                found = (DATE, str(exc))
            else:
                if moment > self.now:
                    found = (
                        DATE,
                        f"{wall_clock(moment)} is in the future: only actions that happened",
                    )
                else:
                    found = sqlite_time(moment) if self.sqlite else moment
                    self._remember_hour(typed)
            self._cells[typed] = found
        return found

    def _remember_hour(self, typed: str) -> None:
        """Remember the stored form of ``typed``'s hour (just read, in the past) when every
        minute of it reads as its start plus the minutes, and its last minute is past."""
        start = self._read.hour_start(typed)
        if start is None or start + _LAST_MINUTE > self.now or len(self._hours) > CACHED:
            return
        if not self.sqlite:
            self._hours[typed[:13]] = start
        elif not (start.minute or start.second):  # whole hours from UTC (India's: not)
            # "2026-10-31 17:", to which "30:00.000000" is added, as sqlite_time writes it
            self._hours[typed[:13]] = sqlite_time(start)[:14]


@dataclass(frozen=True)
class Staged:
    """The lines' actions staged as the file was read (:mod:`known_rows`): how many, and
    whether two of them may be one action (else :meth:`_ActionWriter._once` has nothing to
    take out)."""

    count: int
    repeats: bool = True


class _ActionWriter:
    """After the people are written, in their transaction: the actions, then the rules."""

    def __init__(
        self,
        reader: _ActionReader,
        ladder: LadderFile,
        user: str,
        now: datetime,
        skip_invalid: bool,
        progress: Progress = SILENT,
    ) -> None:
        self.reader, self.ladder, self.user, self.now = reader, ladder, user, now
        self.progress = progress
        self.skip_invalid = skip_invalid
        self.added = self.already = self.repeated = 0
        self.moves: list[Move] = []
        self.late_rejections: list[Rejection] = []
        self.done = False
        self.table: CsvTable | None = None
        self._people: ImportReport | None = None

    def write(self, connection: Connection, people: list[int]) -> None:
        """``after_write``: the accepted lines' actions (``people.by_line``), staged here."""
        assert isinstance(people, PeopleWritten)
        STAGED.create(connection)
        self._write_all(connection, people.by_line)
        STAGED.drop(connection)  # (an error rolls the whole transaction back, this too)

    def write_staged(self, connection: Connection, staged: Staged) -> None:
        """Every line's action already staged, as read (known rows, fresh rows): written."""
        self._write_all(connection, staged)

    def _write_all(self, connection: Connection, by_line: dict[int, int] | Staged) -> None:
        self._reset()
        self.progress.start("Writing actions", WRITE_STEPS)
        if self._write(connection, by_line):
            raise RollBack  # nothing written: the refused rows are reported
        self.done = True

    def _reset(self) -> None:
        self.table = self.reader.table
        self.added = self.already = self.repeated = 0
        self.late_rejections = []

    def plan(self, connection: Connection, people: list[int]) -> None:
        """A dry run, on the read snapshot: the same staging (in a temporary table, which
        takes no write lock) and checks, and the actions that would be added counted with
        the conditions of the insert; new people are their placeholder keys (negative: no
        action of theirs is recorded). The rules do not run: nothing is written."""
        assert isinstance(people, PeopleWritten)
        STAGED.create(connection)
        try:
            self._plan(connection, people.by_line)
        finally:
            STAGED.drop(connection)

    def plan_staged(self, connection: Connection, staged: Staged) -> None:
        """A dry run with every line's action already staged (every row known)."""
        self._plan(connection, staged)

    def _plan(self, connection: Connection, by_line: dict[int, int] | Staged) -> None:
        self._reset()
        staged = self._checked(connection, by_line, connection.dialect.name == "sqlite")
        if staged is not None:
            self.added = connection.execute(
                text(f"SELECT count(*) FROM {STAGED.name} s WHERE {_NOT_RECORDED}")
            ).scalar_one()
            self.already = staged - self.added
            self.done = True

    def _checked(
        self, connection: Connection, by_line: dict[int, int] | Staged, sqlite: bool
    ) -> int | None:
        """Stage every accepted line (or they are already: :class:`Staged`), refuse
        the lines whose id is already another person's action, then take the others once per
        action (:meth:`_once`): how many are staged, None when rows are refused.

        The lines refused for the base's ids go first, as each would be refused imported
        alone: a line that repeats one of them, or that would take its id, is then judged on
        its own (so a file imported in one go or in parts gives the same actions)."""
        if isinstance(by_line, Staged):
            staged, repeats = by_line.count, by_line.repeats
        else:
            staged, repeats = self._stage(connection, by_line, sqlite)
        conflicts = self._conflicts(connection)
        self.late_rejections += conflicts
        if conflicts:
            lines = ", ".join(str(r.line) for r in conflicts)
            connection.execute(text(f"DELETE FROM {STAGED.name} WHERE line IN ({lines})"))
        if not repeats:  # each line its own action, its own id
            staged -= len(conflicts)
        else:
            staged = self._once(connection)  # refuses ids repeated for others in the file
        if self.late_rejections and not self.skip_invalid:
            return None
        return staged

    def _write(self, connection: Connection, by_line: dict[int, int] | Staged) -> bool:
        """Stage, check, insert, run the rules; True when rows are refused (all or nothing)."""
        staged = self._checked(connection, by_line, connection.dialect.name == "sqlite")
        if staged is None:
            return True
        self.progress.advance()
        before = connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM actions")).scalar_one()
        self._fill_ids(connection)
        many = staged >= REBUILD_FLOOR and staged * REBUILD_SHARE >= before + staged
        with rebuilt_after(connection, _rebuilt_indexes(), many):
            self.added = self._insert(connection)
        self.already = staged - self.added
        refresh_after_insert(connection, before)  # only those whose first action moves
        self.progress.advance()
        new = f"SELECT DISTINCT supporter_id FROM actions WHERE id > {int(before)}"
        touched = connection.exec_driver_sql(f"SELECT count(*) FROM ({new}) t").scalar_one()
        self.moves = self._rules(connection, new, touched)  # who got a new action
        self.progress.advance()
        if touched:  # a file imported again adds nothing: no entry
            detail = {"added": self.added, "already": self.already}
            people = select(Action.supporter_id).where(Action.id > before)
            audit.record(connection, self.user, "actions import", people=people, detail=detail)
        return False

    def _rules(self, connection: Connection, new: str, touched: int) -> list[Move]:
        """The rules once for the ``touched`` people ``new`` selects: restricted to them, in
        batches of ids; or, when they are a large share of the base, one whole-base run (as
        ``ladder promote``), which costs per person in the base what a restricted run costs
        per person named."""
        if touched > RULES_BATCH:
            everyone = connection.execute(text("SELECT count(*) FROM supporters")).scalar_one()
            if touched * WHOLE_BASE_SHARE > everyone:
                ids = apply_rules(connection, self.ladder, self.now)
                return moves_since(connection, before(ids)) if ids else []
        people = sorted(connection.exec_driver_sql(new).scalars())
        moves: list[Move] = []
        for start in range(0, len(people), RULES_BATCH):
            batch = people[start : start + RULES_BATCH]
            moves += after_checkins(connection, self.ladder, batch, self.now)
        return moves

    def _stage(
        self, connection: Connection, by_line: dict[int, int], sqlite: bool
    ) -> tuple[int, bool]:
        """Stage each accepted line's action, in file order: how many, and whether two of
        them may share a person, kind and time, or an external id (else :meth:`_once` has
        nothing to take out: almost every file). Told by their hashes (a collision only
        sends the lines to :meth:`_once`), in a file of at most :data:`ONCE_IN_MEMORY`
        lines (a bigger one's to :meth:`_once`).

        The rows stream into the table as they are made, and each line's action read from the
        file is let go once staged: at 1M rows, neither is held twice."""
        actions = self.reader.actions
        seen: set[int] = set()  # the hashes of (person, kind, time) and of the external ids
        repeats = len(by_line) > ONCE_IN_MEMORY

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal repeats
            for line in sorted(by_line):
                action = actions.pop(line, None)  # read once per reading of the file
                if action is not None:
                    person, (kind, when, _campaign, external) = by_line[line], action
                    if not repeats:
                        same = hash((person, kind, when))
                        repeats = same in seen
                        seen.add(same)
                        if external is not None:
                            named = hash(("id", external))
                            repeats = repeats or named in seen
                            seen.add(named)
                    yield (line, person, *action)

        staged = copy_rows(connection, STAGED, _STAGED_COLUMNS, rows())
        return staged, repeats

    def _first_wins(self, rows: Iterable[tuple[Any, ...]]) -> tuple[list[int], dict[int, str]]:
        """Lines (line, person, kind, time, campaign, external id, in file order) taken in
        order as if each were imported alone: a line is the same action as an earlier one with
        its external id, else with its person, kind and time (first line wins); when that
        earlier action has no id yet, it takes this line's. So a file imported in one go or in
        parts gives the same actions (``_fill_ids`` does the same against the base). An id
        already an earlier line's for another person refuses its line.

        Returns the lines dropped (repeated or refused), and the kept lines whose id came from
        a later line."""
        kept: list[list[Any]] = []
        dropped: list[int] = []
        filled: dict[int, str] = {}
        by_id: dict[str, int] = {}  # external id -> index in kept
        by_same: dict[tuple[int, int, Any], int] = {}  # person, kind, time -> index in kept
        for line, person, kind_id, occurred_at, campaign_id, external in rows:
            same = (person, kind_id, occurred_at)
            known = by_id.get(external) if external is not None else None
            if external is not None and known is not None and kept[known][1] != person:
                first_line = kept[known][0]
                self.late_rejections.append(self._repeated_id(line, external, first_line))
                dropped.append(line)
                continue
            if known is None:
                known = by_same.get(same)
            if known is None:
                by_same[same] = len(kept)
                if external is not None:
                    by_id[external] = len(kept)
                kept.append([line, person, kind_id, occurred_at, campaign_id, external])
                continue
            self.repeated += 1
            dropped.append(line)
            if external is not None and kept[known][5] is None:
                kept[known][5] = external  # the earlier action takes the export's id
                filled[kept[known][0]] = external
                by_id[external] = known
        return dropped, filled

    def _once(self, connection: Connection) -> int:
        """The staged lines once per action of the file, as :meth:`_first_wins` takes them;
        how many are left. Only the lines sharing a person, kind and time, or an external id,
        with another line can be repeats: those alone are read back (two grouped passes over
        the staged rows), and the others, almost all, stay as staged."""
        columns = ", ".join(_STAGED_COLUMNS)
        same = "supporter_id, action_kind_id, occurred_at"
        shared = connection.exec_driver_sql(
            f"SELECT {columns} FROM {STAGED.name} WHERE ({same}) IN "
            f"(SELECT {same} FROM {STAGED.name} GROUP BY {same} HAVING count(*) > 1) "
            f"OR external_id IN (SELECT external_id FROM {STAGED.name} "
            "WHERE external_id IS NOT NULL GROUP BY external_id HAVING count(*) > 1) "
            "ORDER BY line"
        ).all()
        staged = connection.exec_driver_sql(f"SELECT count(*) FROM {STAGED.name}").scalar_one()
        if not shared:
            return int(staged)
        dropped, filled = self._first_wins(tuple(row) for row in shared)
        table = STAGED.c
        if dropped:
            connection.execute(
                STAGED.delete().where(table.line == bindparam("b_line")),
                [{"b_line": line} for line in dropped],
            )
        if filled:
            connection.execute(
                STAGED.update()
                .where(table.line == bindparam("b_line"))
                .values(external_id=bindparam("b_id")),
                [{"b_line": line, "b_id": external} for line, external in filled.items()],
            )
        return int(staged) - len(dropped)

    def _fill_ids(self, connection: Connection) -> None:
        """An action already recorded without an external id takes the id of the staged line
        that is the same action (person, kind and time; the oldest such action when the base
        holds several), unless another action has that id: as the file's own lines do in
        :meth:`_rows`."""
        connection.execute(
            text(
                "UPDATE actions SET external_id = ("
                f"SELECT s.external_id FROM {STAGED.name} s WHERE s.external_id IS NOT NULL "
                "AND s.supporter_id = actions.supporter_id "
                "AND s.action_kind_id = actions.action_kind_id "
                "AND s.occurred_at = actions.occurred_at) "
                "WHERE actions.external_id IS NULL AND actions.id IN ("
                "SELECT min(a.id) FROM actions a JOIN "
                f"{STAGED.name} s ON s.supporter_id = a.supporter_id "
                "AND s.action_kind_id = a.action_kind_id AND s.occurred_at = a.occurred_at "
                "WHERE s.external_id IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM actions b WHERE b.external_id = s.external_id) "
                "GROUP BY a.supporter_id, a.action_kind_id, a.occurred_at)"
            )
        )

    def _conflicts(self, connection: Connection) -> list[Rejection]:
        """Rows whose external id is already another person's action."""
        found = connection.execute(
            text(
                f"SELECT s.line, s.external_id FROM {STAGED.name} s JOIN actions a "
                "ON a.external_id = s.external_id WHERE a.supporter_id <> s.supporter_id "
                "ORDER BY s.line"
            )
        ).all()
        return [self._conflict(line, external) for line, external in found]

    def _repeated_id(self, line: int, external: str, first_line: int) -> Rejection:
        table = self.reader.table
        return Rejection(
            line,
            table.column_of(EXTERNAL) if table else EXTERNAL,
            f"{external!r} is also the id on line {first_line}, for another person: "
            "give each action its own id",
        )

    def _conflict(self, line: int, external: str) -> Rejection:
        table = self.reader.table
        return Rejection(
            line,
            table.column_of(EXTERNAL) if table else EXTERNAL,
            f"{external!r} is already the id of another person's action: "
            "correct the id, or clear it",
        )

    def _insert(self, connection: Connection) -> int:
        result = connection.execute(
            text(
                "INSERT INTO actions (supporter_id, action_kind_id, occurred_at, campaign_id, "
                "logged_by, external_id, created_at) "
                "SELECT s.supporter_id, s.action_kind_id, s.occurred_at, s.campaign_id, "
                f":user, s.external_id, :now FROM {STAGED.name} s WHERE {_NOT_RECORDED} "
                "ORDER BY s.line"
            ),
            {"user": self.user[:60], "now": self.now},
        )
        return int(result.rowcount)


def _rebuilt_indexes() -> list[Index]:
    table = cast(Table, Action.__table__)
    return [index for index in table.indexes if index.name in REBUILT_INDEXES]


def sqlite_time(moment: datetime) -> str:
    """As SQLAlchemy's DateTime stores it on SQLite (equal times compare equal as text)."""
    text = moment.isoformat(" ")
    return text if len(text) > 19 else text + ".000000"
