"""``ladder import osdi``: people, tags, taggings, events and attendances from OSDI documents.

Reads OSDI 1.2 HAL+JSON (``ladder export osdi``'s files, Action Network's, the spec's): a
collection (``_embedded`` / ``osdi:people``, ...) or one document per file; the helpers'
requests (``person`` inside a signup or attendance helper) count as the person they carry.

People go through the people importer's own planner and bulk writer
(:mod:`ladder.people.importing`): each person document becomes the row a people file would
give (name, primary email and phone, postcode, consents from ``status``, recruiter), so they
are matched exactly as ``people import`` matches (id, email, phone, name). Identifiers keep
their namespace (``action_network:<uuid>``) in ``supporter_identifiers``/``event_identifiers``,
and a document whose identifier is already stored names that record, so a re-import updates
instead of duplicating. ``ladder:<id>`` is this database's own id (as the id column of a
``people list`` export): it is matched like one, never stored.

Links (a tagging's person, an attendance's event) are hrefs: the ``self`` href of a document in
the same import, ladder's own relative hrefs (``people/12``), or, for another tool, the last
segment of the href matched against stored identifiers. A link that names nobody known is
counted in the report, not an error (the spec's examples link to people they do not include).

All or nothing: the first bad document is refused in one line naming the file and the JSON
path, and nothing is written. Everything is written in one transaction, set-based.
"""

from __future__ import annotations

import gc
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection, Engine, Table, bindparam, insert, select, text, update

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.domain.names import fold
from ladder.domain.text import TAG, text_problem
from ladder.errors import InputError
from ladder.interop import osdi_export as ex
from ladder.interop.osdi_documents import (
    OWN_HREF,
    EventDoc,
    Gathered,
    files_of,
    gather,
    gather_stream,
)
from ladder.people.importing.importer import wanted_of
from ladder.people.importing.known import Known, raw_rows
from ladder.people.importing.plan import Plan, Planner
from ladder.people.importing.rows import PersonRow
from ladder.people.importing.write import TagLinks, write_plan
from ladder.privacy import audit
from ladder.storage.bulk import copy_rows, update_by_id
from ladder.storage.models import (
    Attendance,
    Event,
    EventIdentifier,
    LevelChange,
    Supporter,
    SupporterIdentifier,
    SupporterTag,
    Tag,
)
from ladder.storage.snapshot import data_version, lock_tables, locks_whole_database, snapshot

WRITTEN = (
    "local_groups",
    "tags",
    "supporters",
    "supporter_tags",
    "supporter_identifiers",
    "consent_records",
    "events",
    "event_identifiers",
    "attendances",
    "level_changes",
)
SMALL = 20_000
_CHUNK = 500
_BATCH = TypeAdapter(list[PersonRow])
_ONE = TypeAdapter(PersonRow)
# field -> where it comes from in a person document (for messages)
COLUMNS = {
    "id": "identifiers",
    "first_name": "given_name",
    "last_name": "family_name",
    "email": "email_addresses",
    "phone": "phone_numbers",
    "postcode": "postal_addresses",
    "tags": "add_tags",
    "recruited_by": f"custom_fields.{ex.RECRUITER}",
    "consent_email": "email_addresses",
    "consent_sms": "phone_numbers",
    "consent_photo": f"custom_fields.{ex.CONSENT['photo']}",
}
_LINE = re.compile(r"\bline (\d+)")


@dataclass
class OsdiReport:
    files: int = 0
    documents: int = 0
    people: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    identifiers_added: int = 0
    rungs_set: int = 0
    tags_created: int = 0
    taggings_added: int = 0
    events_created: int = 0
    events_updated: int = 0
    attendances_created: int = 0
    attendances_updated: int = 0
    unlinked: int = 0  # taggings and attendances naming a person, event or tag not found
    skipped: dict[str, int] = field(default_factory=dict)  # kind of document -> count
    written: bool = False
    dry_run: bool = False
    # once written (the web API answers with them): each person document's person in document
    # order, the events written (those matched, then those created), and the (event, person)
    # of each attendance
    person_ids: list[int] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)
    attendances: list[tuple[int, int]] = field(default_factory=list)
    tagged: list[int] = field(default_factory=list)  # the people of the taggings
    tag_ids: list[int] = field(default_factory=list)  # the tags the documents name


# Runs in the import's transaction once everything is written (the web API's audit entry);
# raising there undoes the whole import.
AfterWrite = Callable[[Connection, OsdiReport], None]


def import_osdi(
    engine: Engine,
    ladder: LadderFile,
    paths: list[Path],
    dry_run: bool = False,
    now: datetime | None = None,
    event: int | None = None,
    tag: str | None = None,
    by: str = "ladder",
) -> OsdiReport:
    """Import the OSDI documents of ``paths`` (files; a folder's ``*.json``): all or nothing.

    ``event`` (a ladder event id) is the event of attendances that link none, ``tag`` the tag
    of taggings that link none (a POST to ``events/<id>/attendances`` names it in its URL).
    """
    enabled = gc.isenabled()
    gc.disable()  # millions of small acyclic dicts: as in people import (2.6x faster at 1M)
    try:
        sources: list[Path | tuple[str, str]] = list(files_of(paths))
        return _import(engine, ladder, sources, dry_run, now, event, tag, None, False, by)
    finally:
        if enabled:
            gc.enable()


def import_documents(
    engine: Engine,
    ladder: LadderFile,
    documents: list[tuple[str, str]],
    *,
    event: int | None = None,
    tag: str | None = None,
    after_write: AfterWrite | None = None,
    now: datetime | None = None,
    ids_decide: bool = False,
) -> OsdiReport:
    """Import OSDI documents given as text, ``(name for messages, JSON)`` each (an API
    request's body), exactly as :func:`import_osdi` imports files; ``after_write`` runs in the
    same transaction once they are written. ``ids_decide``: a person's ``ladder:<id>`` names
    them even when the document gives another name (an update of that person, by id)."""
    sources: list[Path | tuple[str, str]] = list(documents)
    return _import(engine, ladder, sources, False, now, event, tag, after_write, ids_decide, None)


def _import(
    engine: Engine,
    ladder: LadderFile,
    files: list[Path | tuple[str, str]],
    dry_run: bool,
    now: datetime | None,
    event: int | None,
    tag: str | None,
    after_write: AfterWrite | None,
    ids_decide: bool,
    by: str | None,  # who, for the "import osdi" audit entry; None: after_write audits
) -> OsdiReport:
    gathered = Gathered()
    if tag is not None:
        if problem := text_problem(tag.strip(), TAG) or (None if tag.strip() else "empty"):
            raise InputError(f"--tag {tag!r}: {problem}")
        gathered.default_tag = fold(tag.strip()) or tag.strip()
        gathered.tags.setdefault(gathered.default_tag, tag.strip())
    gathered.default_event = event
    for file in files:
        if isinstance(file, Path):
            gather(gathered, file)
        else:
            gather_stream(gathered, io.StringIO(file[1]), file[0])
    now = now or utcnow()

    def planned_on(connection: Connection) -> _Import:  # a fresh report for each plan
        report = OsdiReport(files=len(files), documents=gathered.documents, dry_run=dry_run)
        report.skipped = dict(gathered.skipped)
        return _Import(connection, ladder, gathered, report, now, ids_decide).plan()

    with engine.connect() as connection:
        if locks_whole_database(connection):  # plan without SQLite's write lock first
            with snapshot(connection):
                seen = data_version(connection)
                planned = planned_on(connection)
                _after_planning()
            if dry_run:
                return planned.report
            with connection.begin():  # BEGIN IMMEDIATE: the write lock, only to write
                if data_version(connection) != seen:  # someone committed: plan again, locked
                    planned = planned_on(connection)
                planned.write()
                if by is not None:
                    _audit(connection, by, planned)
                if after_write is not None:
                    after_write(connection, planned.report)
            return planned.report
        with connection.begin():
            lock_tables(connection, WRITTEN)
            planned = planned_on(connection)
            if not dry_run:
                planned.write()
                if by is not None:
                    _audit(connection, by, planned)
                if after_write is not None:
                    after_write(connection, planned.report)
    return planned.report


_CHANGES = {  # the report's counts of what was written
    "created", "updated", "identifiers_added", "rungs_set", "tags_created", "taggings_added",
    "events_created", "events_updated", "attendances_created", "attendances_updated",
}  # fmt: skip


def _audit(connection: Connection, by: str, planned: _Import) -> None:
    """One entry for the whole import: who its documents named, and its counts."""
    plan, r = planned.people_plan, planned.report
    if not any(v for k, v in vars(r).items() if k in _CHANGES):
        return  # documents imported again change nothing: no entry
    people = sorted({*plan.new_ids.values(), *plan.matched})
    counts = {"created": r.created, "updated": r.updated, "attendances": r.attendances_created}
    audit.record(connection, by, "import osdi", people=people, detail=counts)


def _after_planning() -> None:
    """A seam for tests: runs once the plan is made on its snapshot, before the write lock."""


class _Import:
    """Plans every change on the open transaction (a read snapshot on SQLite), refusing the
    first problem; then writes it under the write lock."""

    def __init__(
        self,
        connection: Connection,
        ladder: LadderFile,
        gathered: Gathered,
        report: OsdiReport,
        now: datetime,
        ids_decide: bool = False,
    ) -> None:
        self.ids_decide = ids_decide
        self.connection = connection
        self.ladder = ladder
        self.gathered = gathered
        self.report = report
        self.now = now
        self.named_by: dict[int, str] = {}  # line -> the stored identifier that named its person

    def plan(self) -> _Import:
        """Read what the documents need and refuse the first problem; writes nothing."""
        self.known_ids = self._known_identifiers()
        self._name_by_identifier(self.known_ids)
        rows = self._validated()
        self.people_plan, self.known = self._plan(rows)
        self.line_key = {line: key for key, line in self.people_plan.lines.items()}
        self._check_identifiers(self.people_plan, self.line_key, self.known_ids)
        self.rungs = self._rungs(self.line_key)
        self.events = self._plan_events()
        self._check_default_event()
        self._count_people(self.people_plan)
        return self

    def write(self) -> None:
        """Write what :meth:`plan` planned, on the connection's open write transaction."""
        g, plan = self.gathered, self.people_plan
        links = TagLinks(self.connection, plan)
        write_plan(
            self.connection,
            plan,
            links,
            self.now,
            self.ladder.first_rung,
            "osdi",
            consent_source="osdi import",
        )

        def person(key: int) -> int:
            return plan.new_ids[key] if key < 0 else key

        self._write_identifiers(self.line_key, self.known_ids, person)
        self._write_rungs(self.rungs, person)
        event_ids = self._write_events(self.events)
        people = _PersonRefs(self.connection, g, self.line_key, plan, self.known, person)
        self._write_taggings(people)
        self._write_attendances(people, event_ids)
        self.report.person_ids = [
            person(self.line_key[line]) for line in range(1, len(g.rows) + 1)
            if line in self.line_key
        ]  # fmt: skip
        self.report.written = True

    # people ---------------------------------------------------------------------------------

    def _known_identifiers(self) -> dict[tuple[str, str], int]:
        wanted = {i for ids in self.gathered.identifiers.values() for i in ids}
        return _lookup(self.connection, "supporter_identifiers", "supporter_id", wanted)

    def _name_by_identifier(self, known_ids: dict[tuple[str, str], int]) -> None:
        """A document without ``ladder:<id>`` whose identifier is stored names that person."""
        rows = self.gathered.rows
        for line, identifiers in self.gathered.identifiers.items():
            row = rows[line - 1]
            if "id" in row:
                continue
            owners = {known_ids[i] for i in identifiers if i in known_ids}
            if len(owners) > 1:
                raise InputError(
                    f"{self.gathered.where(line)}.identifiers: these identifiers name "
                    f"{len(owners)} different people here: merge them first (ladder people merge)"
                )
            if owners:
                row["id"] = owners.pop()
                self.named_by[line] = next(":".join(i) for i in identifiers if i in known_ids)

    def _validated(self) -> Iterator[PersonRow]:
        rows = self.gathered.rows
        for start in range(0, len(rows), 5_000):
            batch = rows[start : start + 5_000]
            try:
                yield from _BATCH.validate_python(batch)
            except ValidationError:
                for values in batch:
                    try:
                        yield _ONE.validate_python(values)
                    except ValidationError as exc:
                        error = exc.errors(include_url=False, include_input=False)[0]
                        name = str(error["loc"][0]) if error["loc"] else ""
                        reason = error["msg"].removeprefix("Value error, ")
                        if error["type"] in ("string_too_long", "string_pattern_mismatch"):
                            value = str(values[name])
                            limit = error.get("ctx", {}).get("max_length", len(value))
                            reason = text_problem(value, limit) or reason
                        self._refuse(values["line"], COLUMNS.get(name, name), reason)

    def _plan(self, rows: Iterable[PersonRow]) -> tuple[Plan, Known]:
        connection = self.connection
        groups = {
            name: gid for gid, name in raw_rows(connection, "SELECT id, name FROM local_groups")
        }
        small = len(self.gathered.rows) <= SMALL
        rows = list(rows) if small else rows
        known = Known.load(connection, wanted_of(rows) if small else None)
        planner = Planner(known, groups, COLUMNS, create_groups=False)
        planner.ids_decide = self.ids_decide
        planner.add_rows(rows)
        plan = planner.finish()
        if plan.rejected:
            first = min(plan.rejected, key=lambda r: r.line)
            more = len({r.line for r in plan.rejected}) - 1
            self._refuse(first.line, first.column, first.reason, more)
        return plan, known

    def _refuse(self, line: int, column: str, reason: str, more: int = 0) -> None:
        where = self.gathered.where(line)
        # the planner counts people documents as lines: name them by file and path instead
        if column == "identifiers" and line in self.named_by:
            reason = f"{self.named_by[line]}: {reason}"
        reason = _LINE.sub(lambda m: self.gathered.where(int(m.group(1))), reason)
        tail = f" ({more} more people refused)" if more else ""
        raise InputError(
            f"{where}{'.' + column if column else ''}: {reason}{tail}; nothing imported"
        )

    def _check_identifiers(
        self, plan: Plan, line_key: dict[int, int], known_ids: dict[tuple[str, str], int]
    ) -> None:
        claimed: dict[tuple[str, str], int] = {}
        for line, identifiers in self.gathered.identifiers.items():
            key = line_key.get(line)
            if key is None:
                continue
            for identifier in identifiers:
                owner = known_ids.get(identifier, claimed.setdefault(identifier, key))
                if owner != key:
                    shown = ":".join(identifier)
                    self._refuse(
                        line,
                        "identifiers",
                        f"{shown} is another person's identifier (#{owner})"
                        if owner > 0
                        else f"{shown} also names {self.gathered.where(plan.lines[owner])}",
                    )

    def _rungs(self, line_key: dict[int, int]) -> dict[int, str]:
        names = set(self.ladder.rung_names)
        rungs: dict[int, str] = {}
        for line, rung in self.gathered.rungs.items():
            if rung not in names:
                where = f"{self.gathered.where(line)}.custom_fields.{ex.RUNG}"
                raise InputError(
                    f"{where}: unknown rung {rung!r} (rungs: {', '.join(self.ladder.rung_names)})"
                    ": use this ladder's rung names"
                )
            if (key := line_key.get(line)) is not None:
                rungs[key] = rung
        return rungs

    def _count_people(self, plan: Plan) -> None:
        recruited = {k for k in plan.recruiters if k > 0}
        changed = plan.changes.keys() | recruited
        self.report.people = len(self.gathered.rows)
        self.report.created = len(plan.new)
        self.report.updated = len(changed)
        self.report.unchanged = len(plan.matched - changed)
        self.report.duplicates = plan.duplicates

    def _write_identifiers(
        self, line_key: dict[int, int], known_ids: dict[tuple[str, str], int], person: Any
    ) -> None:
        new: dict[tuple[str, str], int] = {}
        for line, identifiers in self.gathered.identifiers.items():
            key = line_key.get(line)
            if key is None:
                continue
            for identifier in identifiers:
                if identifier not in known_ids:
                    new.setdefault(identifier, person(key))
        rows = ((owner, ns, value, self.now) for (ns, value), owner in new.items())
        table = cast(Table, SupporterIdentifier.__table__)
        self.report.identifiers_added += copy_rows(
            self.connection, table, ("supporter_id", "namespace", "value", "created_at"), rows
        )

    def _write_rungs(self, rungs: dict[int, str], person: Any) -> None:
        if not rungs:
            return
        ids = {person(k): r for k, r in rungs.items()}
        current = dict(_values_in(self.connection, "supporters", "id", "rung", list(ids)))
        changed = [(pid, rung) for pid, rung in ids.items() if current.get(pid) != rung]
        if not changed:
            return
        supporters = cast(Table, Supporter.__table__)
        self.connection.execute(
            update(supporters)
            .where(supporters.c.id == bindparam("_id"))
            .values(rung=bindparam("_rung"), rung_since=bindparam("_now")),
            [{"_id": pid, "_rung": rung, "_now": self.now} for pid, rung in changed],
        )
        history = (
            (pid, current.get(pid), rung, self.now, "osdi import", "rung from an OSDI document")
            for pid, rung in changed
        )
        copy_rows(
            self.connection,
            cast(Table, LevelChange.__table__),
            ("supporter_id", "from_rung", "to_rung", "changed_at", "changed_by", "reason"),
            history,
        )
        self.report.rungs_set = len(changed)

    # events ---------------------------------------------------------------------------------

    def _plan_events(self) -> list[tuple[EventDoc, int | None]]:
        """Each event document with the event it names (None: a new event), refusing one a
        new event could not be made from."""
        docs = self.gathered.events
        wanted = {i for d in docs for i in d.identifiers}
        known = _lookup(self.connection, "event_identifiers", "event_id", wanted)
        own = {d.ladder_id for d in docs if d.ladder_id is not None}
        live = {i for (i,) in _values_in(self.connection, "events", "id", None, list(own))}
        by_title = self._events_by_title_and_start(docs)
        planned = []
        for doc in docs:
            target = doc.ladder_id if doc.ladder_id in live else None
            if target is None:
                owners = {known[i] for i in doc.identifiers if i in known}
                if len(owners) > 1:
                    raise InputError(
                        f"{doc.where}.identifiers: these identifiers name {len(owners)} "
                        "different events; nothing imported"
                    )
                target = owners.pop() if owners else None
            if target is None:  # an event without a known id: the same title at the same time
                found = by_title.get((doc.values.get("title"), doc.values.get("starts_at")), [])
                target = found[0] if len(found) == 1 else None
            if target is None:
                for key in ("title", "starts_at"):
                    if key not in doc.values:
                        what = "title (or name)" if key == "title" else "start_date"
                        raise InputError(
                            f"{doc.where}: a new event needs a {what}; nothing imported"
                        )
            planned.append((doc, target))
        return planned

    def _events_by_title_and_start(self, docs: list[EventDoc]) -> dict[tuple[Any, Any], list[int]]:
        titles = sorted({d.values["title"] for d in docs if "title" in d.values})
        events = cast(Table, Event.__table__)
        found: dict[tuple[Any, Any], list[int]] = defaultdict(list)
        for chunk in _chunks(titles):
            query = select(events.c.id, events.c.title, events.c.starts_at).where(
                events.c.title.in_(chunk)
            )
            for event_id, title, starts_at in self.connection.execute(query):
                found[(title, starts_at)].append(event_id)
        return found

    def _check_default_event(self) -> None:
        event = self.gathered.default_event
        if event is not None and not list(
            _values_in(self.connection, "events", "id", None, [event])
        ):
            raise InputError(f"--event {event}: no such event (ladder events list shows them)")

    def _write_events(self, planned: list[tuple[EventDoc, int | None]]) -> dict[str, int]:
        """Write the events; returns every href (own and others') -> event id."""
        hrefs: dict[str, int] = {}
        events = cast(Table, Event.__table__)
        by_identifier: dict[tuple[str, str], int] = {}
        new_docs: list[EventDoc] = []
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        targets = sorted({t for _, t in planned if t is not None})
        currents = {
            row.id: dict(row._mapping)
            for chunk in _chunks(targets)
            for row in self.connection.execute(select(events).where(events.c.id.in_(chunk)))
        }
        for doc, target in planned:
            existing = next((by_identifier[i] for i in doc.identifiers if i in by_identifier), None)
            target = target if target is not None else existing
            if target is None:
                new_docs.append(doc)
                continue
            current = currents.get(target, {})
            self.report.event_ids.append(target)
            changed = {k: v for k, v in doc.values.items() if current.get(k) != v}
            if changed:
                updates[tuple(sorted(changed))].append({"_id": target, **changed})
                self.report.events_updated += 1
            self._remember_event(doc, target, hrefs, by_identifier)
        update_by_id(self.connection, events, updates)
        if new_docs:
            rows = [
                {"kind": "event", "key_date": False, "status": "confirmed", "ends_at": None,
                 "place": None, "postcode": None, "capacity": None, **d.values,
                 "created_at": self.now}
                for d in new_docs
            ]  # fmt: skip
            ids = (
                self.connection.execute(
                    insert(events).returning(events.c.id, sort_by_parameter_order=True), rows
                )
                .scalars()
                .all()
            )
            for doc, event_id in zip(new_docs, ids, strict=True):
                self._remember_event(doc, event_id, hrefs, by_identifier)
            self.report.event_ids.extend(ids)
            self.report.events_created = len(new_docs)
        known = _lookup(self.connection, "event_identifiers", "event_id", set(by_identifier))
        fresh = [
            (eid, ns, v, self.now) for (ns, v), eid in by_identifier.items() if (ns, v) not in known
        ]
        copy_rows(
            self.connection,
            cast(Table, EventIdentifier.__table__),
            ("event_id", "namespace", "value", "created_at"),
            fresh,
        )
        return hrefs

    def _remember_event(
        self,
        doc: EventDoc,
        event_id: int,
        hrefs: dict[str, int],
        by_identifier: dict[tuple[str, str], int],
    ) -> None:
        if doc.href is not None:
            hrefs[doc.href] = event_id
        if doc.ladder_id is not None:
            hrefs[f"events/{doc.ladder_id}"] = event_id
        for identifier in doc.identifiers:
            by_identifier.setdefault(identifier, event_id)

    # links ----------------------------------------------------------------------------------

    def _write_taggings(self, people: _PersonRefs) -> None:
        g = self.gathered
        wanted_tags = dict(g.tags)
        own_ids = {
            int(m.group(2)) for t in g.taggings if t.other and (m := OWN_HREF.match(t.other))
        }
        own = {
            tag_id: name
            for tag_id, name in _values_in(self.connection, "tags", "id", "name", sorted(own_ids))
        }
        all_tags = {
            fold(n) or n: i for i, n in raw_rows(self.connection, "SELECT id, name FROM tags")
        }
        people.resolve([t.person for t in g.taggings])
        pairs: set[tuple[int, str]] = set()
        for tagging in g.taggings:
            person = people.get(tagging.person)
            folded = g.tag_hrefs.get(tagging.other) if tagging.other else g.default_tag
            m = OWN_HREF.match(tagging.other) if folded is None and tagging.other else None
            if m and m.group(1) == "tags" and int(m.group(2)) in own:
                name = own[int(m.group(2))]
                folded = fold(name) or name
            if person is None or folded is None:
                self.report.unlinked += 1
                continue
            pairs.add((person, folded))
        fresh = {f: n for f, n in wanted_tags.items() if f not in all_tags}
        if fresh:
            self.connection.execute(insert(Tag), [{"name": n} for n in fresh.values()])
            all_tags = {
                fold(n) or n: i for i, n in raw_rows(self.connection, "SELECT id, name FROM tags")
            }
            self.report.tags_created = len(fresh)
        wanted = {(p, all_tags[f]) for p, f in pairs}
        self.report.tagged = sorted({p for p, _ in pairs})
        self.report.tag_ids = [all_tags[f] for f in wanted_tags]
        existing = set(
            _pairs_in(
                self.connection,
                "supporter_tags",
                "supporter_id",
                "tag_id",
                sorted({p for p, _ in wanted}),
            )
        )
        missing = sorted(wanted - existing)
        self.report.taggings_added = copy_rows(
            self.connection,
            cast(Table, SupporterTag.__table__),
            ("supporter_id", "tag_id"),
            missing,
        )

    def _write_attendances(self, people: _PersonRefs, event_ids: dict[str, int]) -> None:
        g = self.gathered
        people.resolve([a.person for a in g.attendances])
        others = {a.other for a in g.attendances if a.other and a.other not in event_ids}
        own = {
            int(m.group(2)) for h in others if (m := OWN_HREF.match(h)) and m.group(1) == "events"
        }
        live = {i for (i,) in _values_in(self.connection, "events", "id", None, sorted(own))}
        segments = {h.rstrip("/").rsplit("/", 1)[-1] for h in others if not OWN_HREF.match(h)}
        by_value = _by_value(self.connection, "event_identifiers", "event_id", segments)
        chosen: dict[tuple[int, int], dict[str, Any]] = {}
        for attendance in g.attendances:
            person = people.get(attendance.person)
            href = attendance.other
            event = event_ids.get(href) if href else g.default_event
            if event is None and href:
                m = OWN_HREF.match(href)
                if m and m.group(1) == "events" and int(m.group(2)) in live:
                    event = int(m.group(2))
                elif not m:
                    event = by_value.get(href.rstrip("/").rsplit("/", 1)[-1])
            if person is None or event is None:
                self.report.unlinked += 1
                continue
            chosen.setdefault((event, person), {}).update(attendance.values)
        self.report.attendances = list(chosen)
        if not chosen:
            return
        existing = {
            (e, s): (aid, rsvp, presence)
            for aid, e, s, rsvp, presence in _attendances_of(
                self.connection, sorted({e for e, _ in chosen})
            )
        }
        table = cast(Table, Attendance.__table__)
        new = []
        changes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for (event, person), values in chosen.items():
            if (event, person) not in existing:
                new.append(
                    (
                        event,
                        person,
                        values.get("rsvp"),
                        values.get("rsvp_at"),
                        values.get("presence", "unknown"),
                        False,
                    )
                )
                continue
            aid, rsvp, presence = existing[(event, person)]
            changed = {
                k: v for k, v in values.items()
                if (k == "rsvp" and v != rsvp) or (k == "presence" and v != presence)
                or (k == "rsvp_at" and "rsvp" in values and values["rsvp"] != rsvp)
            }  # fmt: skip
            if changed:
                changes[tuple(sorted(changed))].append({"_id": aid, **changed})
                self.report.attendances_updated += 1
        self.report.attendances_created = copy_rows(
            self.connection,
            table,
            ("event_id", "supporter_id", "rsvp", "rsvp_at", "presence", "walk_in"),
            new,
        )
        update_by_id(self.connection, table, changes)


class _PersonRefs:
    """Who an href (or a person document's line) names."""

    def __init__(
        self,
        connection: Connection,
        gathered: Gathered,
        line_key: dict[int, int],
        plan: Plan,
        known: Known,
        person: Any,
    ) -> None:
        self.connection = connection
        self.gathered = gathered
        self.line_key = line_key
        self.plan = plan
        self.person = person
        self.resolved: dict[str | int, int | None] = {}

    def resolve(self, refs: list[str | int | None]) -> None:
        own: set[int] = set()
        segments: set[str] = set()
        for ref in refs:
            if ref is None or ref in self.resolved:
                continue
            if isinstance(ref, int):
                key = self.line_key.get(ref)
                self.resolved[ref] = None if key is None else self.person(key)
            elif ref in self.gathered.hrefs:
                key = self.line_key.get(self.gathered.hrefs[ref])
                self.resolved[ref] = None if key is None else self.person(key)
            elif (m := OWN_HREF.match(ref)) and m.group(1) == "people":
                number = int(m.group(2))
                if number in self.plan.file_ids:
                    self.resolved[ref] = self.person(self.plan.file_ids[number])
                else:
                    own.add(number)
            else:
                segments.add(ref.rstrip("/").rsplit("/", 1)[-1])
        live = {
            i
            for i, merged, status in _values_in(
                self.connection, "supporters", "id", "merged_into_id, status", sorted(own)
            )
            if merged is None and status != "erased"
        }
        by_value = _by_value(self.connection, "supporter_identifiers", "supporter_id", segments)
        for ref in refs:
            if ref is None or ref in self.resolved:
                continue
            assert isinstance(ref, str)
            m = OWN_HREF.match(ref)
            if m:
                number = int(m.group(2))
                self.resolved[ref] = number if number in live else None
            else:
                self.resolved[ref] = by_value.get(ref.rstrip("/").rsplit("/", 1)[-1])

    def get(self, ref: str | int | None) -> int | None:
        return None if ref is None else self.resolved.get(ref)


# set-based reads ----------------------------------------------------------------------------


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _values_in(
    connection: Connection, table: str, key: str, columns: str | None, values: list[Any]
) -> Iterator[tuple[Any, ...]]:
    """``key, columns`` of the rows of ``table`` whose integer ``key`` is in ``values``."""
    shown = f"{key}, {columns}" if columns else key
    for chunk in _chunks(sorted({int(v) for v in values})):
        listed = ", ".join(str(v) for v in chunk)
        yield from raw_rows(connection, f"SELECT {shown} FROM {table} WHERE {key} IN ({listed})")


def _pairs_in(
    connection: Connection, table: str, key: str, other: str, values: list[int]
) -> Iterator[tuple[int, int]]:
    for row in _values_in(connection, table, key, other, values):
        yield row[0], row[1]


def _attendances_of(connection: Connection, events: list[int]) -> Iterator[tuple[Any, ...]]:
    for chunk in _chunks(events):
        listed = ", ".join(str(int(v)) for v in chunk)
        yield from raw_rows(
            connection,
            "SELECT id, event_id, supporter_id, rsvp, presence FROM attendances "
            f"WHERE event_id IN ({listed})",
        )


def _lookup(
    connection: Connection, table: str, owner: str, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Who owns each stored ``(namespace, value)`` of ``wanted``: by value, in chunks."""
    if not wanted:
        return {}
    found: dict[tuple[str, str], int] = {}
    by_namespace: dict[str, list[str]] = defaultdict(list)
    for namespace, value in wanted:
        by_namespace[namespace].append(value)
    for namespace, values in by_namespace.items():
        if len(values) > SMALL:  # most of a namespace: one pass over it (the index's prefix)
            query = text(f"SELECT value, {owner} FROM {table} WHERE namespace = :ns")
            for value, who in connection.execute(query, {"ns": namespace}):
                if (namespace, value) in wanted:
                    found[(namespace, value)] = who
            continue
        query = text(
            f"SELECT value, {owner} FROM {table} WHERE namespace = :ns AND value IN :values"
        ).bindparams(bindparam("values", expanding=True))
        for chunk in _chunks(sorted(values)):
            for value, who in connection.execute(query, {"ns": namespace, "values": chunk}):
                found[(namespace, value)] = who
    return found


def _by_value(connection: Connection, table: str, owner: str, values: set[str]) -> dict[str, int]:
    """The one owner of each identifier value (any namespace); a value two records share names
    neither."""
    if not values:
        return {}
    query = text(f"SELECT value, {owner} FROM {table} WHERE value IN :values").bindparams(
        bindparam("values", expanding=True)
    )
    owners: dict[str, set[int]] = defaultdict(set)
    if len(values) > SMALL:  # value alone is not an index's prefix: one pass, not one per chunk
        for value, who in raw_rows(connection, f"SELECT value, {owner} FROM {table}"):
            if value in values:
                owners[value].add(who)
    for chunk in _chunks(sorted(values)) if len(values) <= SMALL else ():
        for value, who in connection.execute(query, {"values": chunk}):
            owners[value].add(who)
    return {v: next(iter(w)) for v, w in owners.items() if len(w) == 1}
