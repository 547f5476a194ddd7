"""``ladder attendance import [EVENT] FILE`` for another tool's export (Mobilize, Action Network).

A participation / attendee export is a people file with four more columns, read without
``--map``: the tool's own person id, its event id, the RSVP status and whether the person
attended. The people part goes through the people importer unchanged (matching, validation,
all-or-nothing, written under the write lock); this module reads the four columns first (one
pass over the file), refuses the rows it cannot place, and, in the importer's write
transaction, records each row's RSVP and presence with a fixed number of statements.

Three-state attendance (:class:`ladder.domain.vocabulary.Presence`): ``attended`` true is a
check-in (the same records as the door: :func:`ladder.events.checkin.check_in_many`); false is a
no-show only for someone whose RSVP is accepted (the same rule as ``attendance close``); blank is
unknown and never counts against anyone. A check-in already recorded in ladder is never undone
by a file's false or blank. See :data:`STATUS_RSVP` and :func:`outcome`.

Events: a file whose event column names one event is imported into the EVENT given; a file
naming several needs ``--event-map FILE_ID=EVENT`` for each (or an id stored by an earlier
import); rows of unmapped events are refused. The tool's ids are kept in
``supporter_identifiers`` and ``event_identifiers`` (namespace ``mobilize`` or
``action_network``), so a later file from the same tool finds the same people and events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.domain.text import EXTERNAL_ID, text_problem
from ladder.domain.vocabulary import EventStatus, Presence, Rsvp
from ladder.errors import ConflictError, MisuseError
from ladder.events.agenda import EventRef, find_event
from ladder.events.checkin import CheckinCounts, check_in_many, checkable_event, refuse_late
from ladder.events.sheets import PRESENT, SHEET_ALIASES, SheetReport, import_sheet
from ladder.people.importing.importer import (
    ImportOptions,
    ImportReport,
    PeopleWritten,
    import_people,
)
from ladder.people.importing.rows import Rejection
from ladder.privacy import audit
from ladder.progress import SILENT, Progress
from ladder.storage.engine import reading
from ladder.storage.models import Attendance, EventIdentifier
from ladder.tabular.cells import restore
from ladder.tabular.csvfile import IGNORE, CsvRow, CsvTable, normalise_header, read_csv
from ladder.tabular.headers import aliases_for

TOOL_PERSON = "tool_id"  # the tool's own id for the person (never a ladder id): the people
# importer matches on it and keeps it (ladder/tabular/headers.toml, the layout names the tool)
TOOL_EVENT = "event"  # the tool's own id for the event (fields of ladder/tabular/headers.toml)
RSVP = "rsvp_status"
ATTENDED = "attended"
TOOL_FIELDS = (TOOL_PERSON, TOOL_EVENT, RSVP, ATTENDED)

# ---------------------------------------------------------------------------------------------
# Which tool wrote a file, from headers only it writes (normalised); its ids' namespace.
TOOL_MARKS: dict[str, tuple[str, ...]] = {
    "mobilize": (
        "user__given_name",
        "user__email_address",
        "timeslot_id",
        "timeslot id",
        "mobilize user id",
        "mobilize event id",
    ),
    "action_network": ("uuid", "can2_phone", "action network id"),
}
# A column no alias should read as a ladder id in a tool's file: the participation's own key.
_NOT_LADDER_IDS = ("id",)

# Status as the tools write it (case-blind) -> ladder's RSVP; None: no answer recorded.
STATUS_RSVP: dict[str, Rsvp | None] = {
    "registered": Rsvp.ACCEPTED,  # Mobilize: signed up
    "confirmed": Rsvp.ACCEPTED,  # Mobilize: confirmed their signup; OSDI's example
    "cancelled": Rsvp.DECLINED,  # Mobilize
    "canceled": Rsvp.DECLINED,
    "accepted": Rsvp.ACCEPTED,  # OSDI / Action Network
    "declined": Rsvp.DECLINED,
    "tentative": Rsvp.TENTATIVE,
    "maybe": Rsvp.TENTATIVE,
    "needs action": None,  # OSDI: invited, no answer yet
    "yes": Rsvp.ACCEPTED,
    "no": Rsvp.DECLINED,
}
_TRUE = {"true", "t", "yes", "y", "1", "x", "oui", "vrai", "attended"}
_FALSE = {"false", "f", "no", "n", "0", "non", "faux", "no show", "no-show", "absent"}
_RANK = {Rsvp.ACCEPTED: 3, Rsvp.TENTATIVE: 2, Rsvp.DECLINED: 1}
_CHUNK = 500


def read_status(value: str) -> Rsvp | None:
    """``CONFIRMED`` -> accepted, blank -> None; ValueError for anything else."""
    word = " ".join(value.strip().lower().replace("_", " ").split())
    if not word:
        return None
    if word not in STATUS_RSVP:
        raise ValueError(
            f"{value.strip()!r} is not an RSVP status: use registered, confirmed or cancelled "
            "(or accepted, tentative, declined)"
        )
    return STATUS_RSVP[word]


def read_attended(value: str) -> bool | None:
    """true / false / blank (blank: nobody said, which is not a no)."""
    word = value.strip().lower()
    if not word:
        return None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{value.strip()!r} is not true, false or blank")


def outcome(rsvp: Rsvp | None, attended: bool | None) -> tuple[Rsvp | None, Presence]:
    """The RSVP and presence a file's row records (before what ladder already knows).

    Attended is a check-in whatever the RSVP; not attended is a no-show only for an accepted
    RSVP (someone who cancelled or never answered did not fail to come); blank is unknown.
    """
    if attended is True:
        return rsvp, Presence.ATTENDED
    if attended is False and rsvp == Rsvp.ACCEPTED:
        return rsvp, Presence.NO_SHOW
    return rsvp, Presence.UNKNOWN


@dataclass
class ToolRow:
    """The attendance columns of one file line."""

    event: str | None  # the file's event id ("" when the file has no event column)
    rsvp: Rsvp | None
    attended: bool | None


@dataclass
class AttendanceCounts:
    rsvps: int = 0  # RSVPs recorded or changed
    checkins: CheckinCounts = field(default_factory=CheckinCounts)
    no_shows: int = 0
    unknown: int = 0  # rows with no attended value: left as they were
    kept_attended: int = 0  # rows saying not attended of people ladder has checked in
    events: list[EventRef] = field(default_factory=list)


@dataclass
class ToolReport:
    people: ImportReport
    counts: AttendanceCounts
    tool: str | None  # the namespace, None when the file's tool is not recognised
    skipped: int = 0


def attendance_aliases() -> dict[str, list[str]]:
    """The sign-in sheet's aliases with the tools' columns, all from the header table
    ("attended" is a tool column here; a file with no status, event or tool id column reads
    it as the sheet's "present")."""
    aliases = {name: list(names) for name, names in SHEET_ALIASES.items()}
    aliases[PRESENT] = [n for n in aliases[PRESENT] if n != ATTENDED]
    aliases.update(aliases_for((TOOL_EVENT, RSVP, ATTENDED)))
    return aliases


ATTENDANCE_ALIASES = attendance_aliases()


def is_tool_file(columns: Iterable[str]) -> bool:
    return bool({TOOL_PERSON, TOOL_EVENT, RSVP} & set(columns))


def tool_of(header: Sequence[str]) -> str | None:
    names = {normalise_header(h) for h in header}
    for tool, marks in TOOL_MARKS.items():
        if names & {normalise_header(m) for m in marks}:
            return tool
    return None


def parse_event_map(items: Iterable[str]) -> dict[str, str]:
    """``["77=12", "78=#13"]`` -> ``{"77": "12", "78": "#13"}``."""
    mapping: dict[str, str] = {}
    for item in items:
        file_id, sep, event = item.partition("=")
        if not sep or not file_id.strip() or not event.strip():
            raise MisuseError(f"--event-map {item!r}: write FILE_EVENT_ID=EVENT (e.g. 77=12)")
        if file_id.strip() in mapping:
            raise MisuseError(f"--event-map: {file_id.strip()} is mapped twice")
        mapping[file_id.strip()] = event.strip()
    return mapping


def import_attendance(
    engine: Engine,
    ladder: LadderFile,
    event_ref: str | None,
    data: bytes,
    source: str,
    options: ImportOptions,
    user: str,
    event_map: Mapping[str, str] | None = None,
    now: datetime | None = None,
    late: bool = False,
    progress: Progress = SILENT,
) -> tuple[SheetReport | ToolReport, CsvTable]:
    """A sign-in sheet, or another tool's attendance export; all or nothing unless
    ``options.skip_invalid``. ``progress``: as :func:`import_people` reports it."""
    now = now or utcnow()
    event_map = dict(event_map or {})
    table = read_csv(data, source, ATTENDANCE_ALIASES, options.overrides, options.encoding)
    if not is_tool_file(table.columns):
        if event_map:
            raise MisuseError(f"--event-map: {source} has no event id column")
        if event_ref is None:
            raise MisuseError(
                "name the EVENT the sheet is for: ladder attendance import EVENT FILE"
            )
        options.aliases = ATTENDANCE_ALIASES
        return import_sheet(
            engine, ladder, event_ref, data, source, options, user, now, late, progress
        )
    return _import_tool_file(
        engine,
        ladder,
        event_ref,
        data,
        source,
        options,
        user,
        event_map,
        now,
        late,
        table,
        progress,
    )


def _import_tool_file(
    engine: Engine,
    ladder: LadderFile,
    event_ref: str | None,
    data: bytes,
    source: str,
    options: ImportOptions,
    user: str,
    event_map: dict[str, str],
    now: datetime,
    late: bool,
    table: CsvTable,
    progress: Progress = SILENT,
) -> tuple[ToolReport, CsvTable]:
    tool = tool_of(table.header)
    overrides = dict(options.overrides)
    given = {normalise_header(c) for c in overrides}
    for column in table.header:  # the participation's own id is no ladder id
        if normalise_header(column) in _NOT_LADDER_IDS and normalise_header(column) not in given:
            overrides[column] = IGNORE
    if overrides != options.overrides:
        table = read_csv(data, source, ATTENDANCE_ALIASES, overrides, options.encoding)
    scan = _scan(table)
    with reading(engine) as connection:  # refuse before writing anything
        events = _events(connection, tool, scan, event_ref, event_map, now, late)
    counts = AttendanceCounts(events=sorted(events.used.values(), key=lambda e: e.id))

    def keep(table: CsvTable, row: CsvRow) -> bool | Rejection:
        for name in TOOL_FIELDS:
            if name != TOOL_PERSON:  # the people importer reads it
                row.values.pop(name, None)
        if row.line in scan.rejected:
            return scan.rejected[row.line]
        tool_row = scan.rows.get(row.line)
        if tool_row is not None and tool_row.event is not None and tool_row.event not in events.ids:
            return _unmapped(table, row.line, tool_row.event)
        return True

    def record(connection: Connection, people: list[int]) -> None:
        nonlocal counts
        by_line = people.by_line if isinstance(people, PeopleWritten) else {}
        counts = _record(connection, ladder, tool, scan, events, by_line, user, now, counts.events)
        if counts.rsvps or counts.checkins.checked_in or counts.no_shows:  # else: no change
            audit.record(
                connection,
                user,
                "attendance import",
                people=people,
                fields=["presence", "rsvp"],
                detail={
                    "events": [e.id for e in counts.events],
                    "rsvps": counts.rsvps,
                    "checked_in": counts.checkins.checked_in,
                    "no_shows": counts.no_shows,
                },
            )

    options.aliases = ATTENDANCE_ALIASES
    options.overrides = overrides
    options.keep_row = keep
    options.by_line = True  # record() gets each row's person
    options.after_write = record
    options.consent_source = options.consent_source or f"attendance import {source}"
    options.actor = options.actor or user
    report, table = import_people(engine, ladder, data, source, options, progress, now=now)
    return ToolReport(report, counts, tool), table


@dataclass
class _Scan:
    rows: dict[int, ToolRow] = field(default_factory=dict)  # line -> its tool columns
    rejected: dict[int, Rejection] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)  # file event id -> first line
    attending: set[str] = field(default_factory=set)  # file events with someone attended
    has_event_column: bool = False


def _scan(table: CsvTable) -> _Scan:
    """One pass over the tool columns: parse them, collect the events and the person ids."""
    scan = _Scan(has_event_column=TOOL_EVENT in table.columns)
    for row in table.rows():
        values = row.values
        event = restore(values.get(TOOL_EVENT, "")).strip() if scan.has_event_column else None
        person = restore(values.get(TOOL_PERSON, "")).strip() or None
        try:
            rsvp = read_status(values.get(RSVP, ""))
        except ValueError as exc:
            scan.rejected[row.line] = Rejection(row.line, table.column_of(RSVP), str(exc))
            continue
        try:
            attended = read_attended(values.get(ATTENDED, ""))
        except ValueError as exc:
            scan.rejected[row.line] = Rejection(row.line, table.column_of(ATTENDED), str(exc))
            continue
        for name, value in ((TOOL_EVENT, event), (TOOL_PERSON, person)):
            if value and (problem := text_problem(value, EXTERNAL_ID)):
                scan.rejected[row.line] = Rejection(row.line, table.column_of(name), problem)
        if row.line in scan.rejected:
            continue
        scan.rows[row.line] = ToolRow(event, rsvp, attended)
        if event:
            scan.events.setdefault(event, row.line)
            if attended:
                scan.attending.add(event)
    return scan


@dataclass
class _Events:
    ids: dict[str, int]  # file event id ("" for a row without one) -> ladder event id
    used: dict[int, EventRef]  # ladder event id -> the event
    new: dict[str, int]  # file event ids to remember (not stored yet)


def _events(
    connection: Connection,
    tool: str | None,
    scan: _Scan,
    event_ref: str | None,
    event_map: dict[str, str],
    now: datetime,
    late: bool,
) -> _Events:
    """Where each of the file's events goes: --event-map, ids stored by an earlier import of
    the same tool, or, for a file of one event (or with no event column), EVENT."""
    stored = _stored_events(connection, tool, list(scan.events))
    file_events = list(scan.events)
    refs: dict[str, str] = {}
    if event_map and not scan.has_event_column:
        raise MisuseError("--event-map: the file has no event id column: give the EVENT instead")
    for file_id in event_map:
        if file_id not in scan.events:
            shown = ", ".join(file_events[:10]) or "none"
            raise MisuseError(
                f"--event-map {file_id}=...: the file names no event {file_id} "
                f"(its events: {shown})"
            )
    refs.update(event_map)
    if event_ref is not None:
        if not scan.has_event_column:
            refs[""] = event_ref
        elif len(file_events) > 1:
            shown = " ".join(f"--event-map {e}=EVENT" for e in file_events[:3])
            raise MisuseError(
                f"the file names {len(file_events)} events ({', '.join(file_events[:10])}): "
                f"EVENT is for a file of one event; map each instead, e.g. {shown}"
            )
        else:
            for file_id in file_events or [""]:
                refs.setdefault(file_id, event_ref)
            refs[""] = event_ref  # a row with a blank event id in a file of one event
    elif not scan.has_event_column:
        raise MisuseError("the file has no event column: name the EVENT it is for")
    ids: dict[str, int] = {}
    used: dict[int, EventRef] = {}
    new: dict[str, int] = {}
    for file_id, ref in refs.items():
        attending = file_id in scan.attending or (file_id == "" and bool(scan.attending))
        event = _target(connection, ref, now, late, attending)
        if file_id in stored and stored[file_id] != event.id:
            raise ConflictError(
                f"{tool} event {file_id} was imported into #{stored[file_id]} before, not "
                f"{event.describe()}: map it to #{stored[file_id]}"
            )
        ids[file_id] = event.id
        used[event.id] = event
        if file_id and tool and file_id not in stored:
            new[file_id] = event.id
    for file_id, event_id in stored.items():
        if file_id not in ids:
            event = _target(connection, str(event_id), now, late, file_id in scan.attending)
            ids[file_id] = event.id
            used[event.id] = event
    return _Events(ids, used, new)


def _target(
    connection: Connection, ref: str, now: datetime, late: bool, attending: bool
) -> EventRef:
    """The event a file's rows go to: one people attended must take check-ins; one with
    RSVPs only (an export before the day) need only be open."""
    if attending:
        return checkable_event(connection, ref, now, late, sheet=True)
    event = find_event(connection, ref)
    if event.status == EventStatus.CANCELLED:
        raise ConflictError(f"{event.describe()} is cancelled: it takes no RSVPs")
    refuse_late(event, now, late, past_ok=True)
    return event


def _unmapped(table: CsvTable, line: int, file_id: str) -> Rejection:
    column = table.column_of(TOOL_EVENT)
    if not file_id:
        return Rejection(
            line, column, "no event id: give the EVENT (a file of one event) or fill it in"
        )
    return Rejection(
        line,
        column,
        f"event {file_id} is not mapped to a ladder event: add --event-map {file_id}=EVENT",
    )


def _stored_events(connection: Connection, tool: str | None, values: list[str]) -> dict[str, int]:
    if tool is None or not values:
        return {}
    found: dict[str, int] = {}
    for start in range(0, len(values), _CHUNK):
        query = select(EventIdentifier.value, EventIdentifier.event_id).where(
            EventIdentifier.namespace == tool,
            EventIdentifier.value.in_(values[start : start + _CHUNK]),
        )
        found.update({value: event_id for value, event_id in connection.execute(query)})
    return found


def _record(
    connection: Connection,
    ladder: LadderFile,
    tool: str | None,
    scan: _Scan,
    events: _Events,
    people: dict[int, int],
    user: str,
    now: datetime,
    shown_events: list[EventRef],
) -> AttendanceCounts:
    """Inside the import's write transaction: each accepted row's RSVP and presence, and the
    tool's ids. A fixed number of statements per event."""
    counts = AttendanceCounts(events=shown_events)
    wanted: dict[tuple[int, int], tuple[Rsvp | None, bool | None]] = {}
    for line, person in people.items():
        row = scan.rows.get(line)
        if row is None:
            continue
        if row.attended is None:
            counts.unknown += 1
        key = (events.ids[row.event or ""], person)
        rsvp, attended = wanted.get(key, (None, None))
        if row.rsvp is not None and (rsvp is None or _RANK[row.rsvp] > _RANK[rsvp]):
            rsvp = row.rsvp
        if row.attended is not None and attended is not True:
            attended = row.attended
        wanted[key] = (rsvp, attended)
    by_event: dict[int, dict[int, tuple[Rsvp | None, bool | None]]] = {}
    for (event_id, person), value in wanted.items():
        if value != (None, None):
            by_event.setdefault(event_id, {})[person] = value
    for event_id, rows in by_event.items():
        _record_event(connection, ladder, events.used[event_id], rows, user, now, counts)
    if tool:
        _keep_events(connection, tool, events.new, now)
    return counts


def _record_event(
    connection: Connection,
    ladder: LadderFile,
    event: EventRef,
    rows: dict[int, tuple[Rsvp | None, bool | None]],
    user: str,
    now: datetime,
    counts: AttendanceCounts,
) -> None:
    ids = sorted(rows)
    have: dict[int, tuple[str | None, str]] = {}
    for start in range(0, len(ids), _CHUNK):
        query = select(Attendance.supporter_id, Attendance.rsvp, Attendance.presence).where(
            Attendance.event_id == event.id,
            Attendance.supporter_id.in_(ids[start : start + _CHUNK]),
        )
        have.update({p: (r, s) for p, r, s in connection.execute(query)})
    missing = [
        {
            "event_id": event.id,
            "supporter_id": person,
            "rsvp": rsvp,
            "rsvp_at": now if rsvp else None,
            "presence": Presence.UNKNOWN,
            "walk_in": False,
        }
        for person, (rsvp, _attended) in rows.items()
        if person not in have
    ]
    if missing:
        connection.execute(insert(Attendance), missing)
    changed = [
        {"_person": person, "_rsvp": rsvp, "_at": now}
        for person, (rsvp, _attended) in rows.items()
        if rsvp is not None and person in have and have[person][0] != rsvp
    ]
    if changed:
        connection.execute(
            update(Attendance)
            .where(
                Attendance.event_id == event.id,
                Attendance.supporter_id == bindparam("_person"),
            )
            .values(rsvp=bindparam("_rsvp"), rsvp_at=bindparam("_at")),
            changed,
        )
    counts.rsvps += sum(1 for row in missing if row["rsvp"]) + len(changed)
    came = [p for p, (_r, attended) in rows.items() if attended is True]
    if came:
        done = check_in_many(connection, ladder, event, came, user, now)
        counts.checkins.checked_in += done.checked_in
        counts.checkins.already += done.already
        counts.checkins.moves += done.moves
    no_shows: list[int] = []
    for person, (rsvp, attended) in rows.items():
        if attended is not False:
            continue
        current_rsvp, presence = have.get(person, (None, Presence.UNKNOWN))
        if presence == Presence.ATTENDED:
            counts.kept_attended += 1  # a check-in recorded here is never undone by a file
            continue
        _rsvp, wanted = outcome(rsvp or _as_rsvp(current_rsvp), False)
        if wanted == Presence.NO_SHOW:
            no_shows.append(person)
    for start in range(0, len(no_shows), _CHUNK):
        counts.no_shows += connection.execute(
            update(Attendance)
            .where(
                Attendance.event_id == event.id,
                Attendance.supporter_id.in_(no_shows[start : start + _CHUNK]),
                Attendance.presence == Presence.UNKNOWN,
            )
            .values(presence=Presence.NO_SHOW)
        ).rowcount


def _as_rsvp(value: str | None) -> Rsvp | None:
    return Rsvp(value) if value else None


def _keep_events(connection: Connection, tool: str, new: dict[str, int], now: datetime) -> None:
    stored = _stored_events(connection, tool, list(new))
    rows = [
        {"event_id": event_id, "namespace": tool, "value": value, "created_at": now}
        for value, event_id in new.items()
        if value not in stored
    ]
    if rows:
        connection.execute(insert(EventIdentifier), rows)
