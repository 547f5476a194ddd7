"""``ladder export osdi``: the database as OSDI 1.2 HAL+JSON collections, one file each.

``people.json`` (``osdi:people``), ``tags.json`` (``osdi:tags``), ``taggings.json``
(``osdi:taggings``), ``events.json`` (``osdi:events``) and ``attendances.json``
(``osdi:attendances``). Every record names itself ``ladder:<id>`` among its ``identifiers``,
with the other tools' ids this database keeps (``supporter_identifiers``, ``event_identifiers``)
as ``namespace:value``. Links between records are relative hrefs (``people/12``,
``events/3``, ``tags/5``), which ``ladder import osdi`` reads back.

Streamed: each collection is read from the database in batches (a server-side cursor on
PostgreSQL) and written one document at a time, so memory stays flat at any size. Files are
written owner-only and replace the old ones only once complete (:func:`ladder.files.replacing`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine

from ladder.files import replacing
from ladder.progress import SILENT, Progress, counted
from ladder.storage.engine import reading

COLLECTIONS = {
    "people.json": "osdi:people",
    "tags.json": "osdi:tags",
    "taggings.json": "osdi:taggings",
    "events.json": "osdi:events",
    "attendances.json": "osdi:attendances",
}
LIVE = "s.merged_into_id IS NULL AND s.status <> 'erased'"
_BATCH = 10_000
# custom fields ladder writes and reads back (other tools ignore them)
RUNG, RECRUITER, KIND, KEY_DATE = (
    "ladder_rung",
    "ladder_recruiter",
    "ladder_kind",
    "ladder_key_date",
)
CONSENT = {
    "email": "ladder_consent_email",
    "sms": "ladder_consent_sms",
    "photo": "ladder_consent_photo",
}


@dataclass
class ExportReport:
    counts: dict[str, int] = field(default_factory=dict)  # file name -> documents


def export_files(directory: Path) -> list[Path]:
    """The files an export into ``directory`` writes."""
    return [directory / name for name in COLLECTIONS]


def export_osdi(engine: Engine, directory: Path, progress: Progress = SILENT) -> ExportReport:
    """Write the five collections into ``directory`` (which exists), in one read transaction
    (the files agree with each other; on SQLite it takes no write lock).

    ``progress``: one stage, the documents of all five collections (counted first, only when
    someone watches: one more read), by :data:`ladder.progress.EVERY`."""
    with reading(engine) as connection, connection.begin():
        report = _export(connection, directory, progress)
    progress.finish()
    return report


def document_count(connection: Connection) -> int:
    """How many documents an export writes (the five collections together)."""
    live = f"JOIN supporters s ON s.id = {{}}.supporter_id WHERE {LIVE}"
    parts = [
        f"SELECT COUNT(*) FROM supporters s WHERE {LIVE}",
        "SELECT COUNT(*) FROM tags",
        "SELECT COUNT(*) FROM supporter_tags t " + live.format("t"),
        "SELECT COUNT(*) FROM events",
        "SELECT COUNT(*) FROM attendances a " + live.format("a"),
    ]
    sql = "SELECT " + " + ".join(f"({part})" for part in parts)
    return int(connection.exec_driver_sql(sql).scalar_one())


def _export(connection: Connection, directory: Path, progress: Progress) -> ExportReport:
    report = ExportReport()
    if progress is not SILENT:
        progress.start("Exporting OSDI documents", document_count(connection))
    writers: dict[str, Callable[[Connection], Iterator[dict[str, Any]]]] = {
        "people.json": _people,
        "tags.json": _tags,
        "taggings.json": _taggings,
        "events.json": _events,
        "attendances.json": _attendances,
    }
    for name, collection in COLLECTIONS.items():
        with (
            replacing(directory / name) as temporary,
            open(temporary, "w", encoding="utf-8") as out,
        ):
            documents = counted(writers[name](connection), progress)
            report.counts[name] = _write_collection(out, collection, documents)
    return report


def _write_collection(out: IO[str], collection: str, documents: Iterable[dict[str, Any]]) -> int:
    out.write(f'{{\n"origin_system": "ladder",\n"_embedded": {{\n"{collection}": [')
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for document in documents:
        out.write(",\n" if count else "\n")
        out.write(dumps(document))
        count += 1
    out.write(f'\n]\n}},\n"total_records": {count}\n}}\n')
    return count


def _rows(connection: Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples, fetched in batches: a named (server-side) cursor on PostgreSQL, where a
    plain cursor would fetch the whole result at once."""
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"osdi_export_{next(_NAMES)}")  # type: ignore[union-attr]
    else:
        cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(_BATCH):
            yield from batch
    finally:
        cursor.close()


_NAMES = itertools.count()


def _date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return str(value.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _identifiers(connection: Connection, sql: str) -> Callable[[int], list[str]]:
    """A merge join with rows ordered by owner id: ``of(owner)`` (called in ascending owner
    order) gives that owner's ``namespace:value`` identifiers."""
    rows = _rows(connection, sql)
    pending: list[Any] = [next(rows, None)]

    def of(owner: int) -> list[str]:
        found = []
        row = pending[0]
        while row is not None and row[0] <= owner:
            if row[0] == owner:
                found.append(f"{row[1]}:{row[2]}")
            row = next(rows, None)
        pending[0] = row
        return found

    return of


# The SELECTs the documents are made from (the web API adds its WHERE, ORDER BY and LIMIT):
# one row each, in the column order the ``*_document`` functions read.
PEOPLE_SELECT = (
    "SELECT s.id, s.first_name, s.last_name, s.email, s.phone, s.postcode, "
    "s.consent_email, s.consent_sms, s.consent_photo, s.created_at, s.updated_at, s.rung, "
    "r.id FROM supporters s LEFT JOIN supporters r ON r.id = s.recruiter_id "
    "AND r.merged_into_id IS NULL AND r.status <> 'erased'"
)
EVENTS_SELECT = (
    "SELECT id, title, kind, starts_at, ends_at, place, postcode, capacity, key_date, "
    "status, created_at FROM events"
)
ATTENDANCES_SELECT = (
    "SELECT a.id, a.event_id, a.supporter_id, a.rsvp, a.rsvp_at, a.presence "
    "FROM attendances a JOIN supporters s ON s.id = a.supporter_id"
)
Href = Callable[[str], str]  # a relative href ("people/12") -> the href written


def _relative(path: str) -> str:
    return path


def person_document(
    row: Sequence[Any], identifiers: list[str], namespace: str = "ladder", href: Href = _relative
) -> dict[str, Any]:
    """A person document from a :data:`PEOPLE_SELECT` row and its other tools' identifiers."""
    (pid, first, last, email, phone, postcode, c_email, c_sms, c_photo, created, updated,
     rung, recruiter) = row  # fmt: skip
    document: dict[str, Any] = {
        "identifiers": [f"{namespace}:{pid}", *identifiers],
        "created_date": _date(created),
        "modified_date": _date(updated or created),
    }
    if first is not None:
        document["given_name"] = first
    if last is not None:
        document["family_name"] = last
    custom: dict[str, str] = {RUNG: rung}
    if email is not None:
        status = "subscribed" if c_email else "unsubscribed"
        document["email_addresses"] = [{"primary": True, "address": email, "status": status}]
    elif c_email:
        custom[CONSENT["email"]] = "true"
    if phone is not None:
        status = "subscribed" if c_sms else "unsubscribed"
        document["phone_numbers"] = [{"primary": True, "number": phone, "status": status}]
    elif c_sms:
        custom[CONSENT["sms"]] = "true"
    if postcode is not None:
        document["postal_addresses"] = [{"primary": True, "postal_code": postcode}]
    if c_photo:
        custom[CONSENT["photo"]] = "true"
    if recruiter is not None:
        custom[RECRUITER] = f"{namespace}:{recruiter}"
    document["custom_fields"] = custom
    document["_links"] = {"self": {"href": href(f"people/{pid}")}}
    return document


def _people(connection: Connection) -> Iterator[dict[str, Any]]:
    others = _identifiers(
        connection,
        "SELECT i.supporter_id, i.namespace, i.value FROM supporter_identifiers i "
        "ORDER BY i.supporter_id, i.namespace, i.value",
    )
    for row in _rows(connection, f"{PEOPLE_SELECT} WHERE {LIVE} ORDER BY s.id"):
        yield person_document(row, others(row[0]))


def tag_document(
    tag_id: int, name: str, namespace: str = "ladder", href: Href = _relative
) -> dict[str, Any]:
    return {
        "identifiers": [f"{namespace}:{tag_id}"],
        "name": name,
        "_links": {"self": {"href": href(f"tags/{tag_id}")}},
    }


def _tags(connection: Connection) -> Iterator[dict[str, Any]]:
    for tag_id, name in _rows(connection, "SELECT id, name FROM tags ORDER BY id"):
        yield tag_document(tag_id, name)


def tagging_document(tag_id: int, person: int, href: Href = _relative) -> dict[str, Any]:
    return {
        "item_type": "osdi:person",
        "_links": {
            "osdi:tag": {"href": href(f"tags/{tag_id}")},
            "osdi:person": {"href": href(f"people/{person}")},
        },
    }


def _taggings(connection: Connection) -> Iterator[dict[str, Any]]:
    sql = (
        "SELECT t.tag_id, t.supporter_id FROM supporter_tags t "
        f"JOIN supporters s ON s.id = t.supporter_id WHERE {LIVE} "
        "ORDER BY t.tag_id, t.supporter_id"
    )
    for tag_id, person in _rows(connection, sql):
        yield tagging_document(tag_id, person)


def event_document(
    row: Sequence[Any], identifiers: list[str], namespace: str = "ladder", href: Href = _relative
) -> dict[str, Any]:
    """An event document from an :data:`EVENTS_SELECT` row and its other tools' identifiers."""
    (eid, title, kind, starts, ends, place, postcode, capacity, key_date, status,
     created) = row  # fmt: skip
    document: dict[str, Any] = {
        "identifiers": [f"{namespace}:{eid}", *identifiers],
        "created_date": _date(created),
        "title": title,
        "name": title,
        "start_date": _date(starts),
        "status": status,
    }
    if ends is not None:
        document["end_date"] = _date(ends)
    if capacity is not None:
        document["capacity"] = capacity
    location = {k: v for k, v in (("venue", place), ("postal_code", postcode)) if v is not None}
    if location:
        document["location"] = location
    custom = {KIND: kind}
    if key_date:
        custom[KEY_DATE] = "true"
    document["custom_fields"] = custom
    document["_links"] = {"self": {"href": href(f"events/{eid}")}}
    return document


def _events(connection: Connection) -> Iterator[dict[str, Any]]:
    others = _identifiers(
        connection,
        "SELECT event_id, namespace, value FROM event_identifiers "
        "ORDER BY event_id, namespace, value",
    )
    for row in _rows(connection, f"{EVENTS_SELECT} ORDER BY id"):
        yield event_document(row, others(row[0]))


_STATUS = {"accepted": "accepted", "tentative": "tentative", "declined": "declined"}
_ATTENDED = {"attended": True, "no_show": False}


def attendance_document(
    row: Sequence[Any], namespace: str = "ladder", href: Href = _relative
) -> dict[str, Any]:
    """An attendance document from an :data:`ATTENDANCES_SELECT` row."""
    aid, event, person, rsvp, rsvp_at, presence = row
    document: dict[str, Any] = {"identifiers": [f"{namespace}:{aid}"]}
    if rsvp is not None:
        document["status"] = _STATUS[rsvp]
    if rsvp_at is not None:
        document["action_date"] = _date(rsvp_at)
    if presence in _ATTENDED:
        document["attended"] = _ATTENDED[presence]
    document["_links"] = {
        "osdi:event": {"href": href(f"events/{event}")},
        "osdi:person": {"href": href(f"people/{person}")},
    }
    return document


def _attendances(connection: Connection) -> Iterator[dict[str, Any]]:
    sql = f"{ATTENDANCES_SELECT} WHERE {LIVE} ORDER BY a.id"
    for row in _rows(connection, sql):
        yield attendance_document(row)
