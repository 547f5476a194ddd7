"""The access export (GDPR article 15): everything held about one person, in one JSON file.

``ladder people export PERSON -o FILE.json`` writes one UTF-8 JSON object (the file is
created owner-only, :mod:`ladder.files`), and records the export in the audit (``people
export``) in the same transaction: no file without its audit entry, no entry without its file.

The format (``"format": "ladder-access-export"``, ``"version": 1``)::

    {
      "format": "ladder-access-export",
      "version": 1,
      "exported_at": "2026-11-30T08:00:00Z",      # times are UTC, ISO 8601, with a Z
      "exported_by": "marie",                      # the actor (--as, $LADDER_USER, login)
      "person": {...},        # every column of their row in supporters (names, email, phone,
                              # postcode, rung, status, consents as they stand, source...),
                              # plus "local_group" (its name) and "tags" (their names)
      "recruiter": 12,        # who recruited them, by id (null: nobody)
      "recruits": [40, 41],   # whom they recruited, by id only (the recruits' details are
                              # the recruits' own)
      "merged_records": [...],# records merged into theirs (duplicates of them), every column
      "records": {            # every row of every table that names them, by table name
        "actions": [...],             # every action (not capped), with "action_kind",
                                      # "campaign" and "event" names beside the ids
        "attendances": [...],         # RSVPs, invitations, check-ins, no-shows; and the
                                      # rows where they brought someone (brought_by_id)
        "contacts": [...],            # suggestions recorded by `ladder next --record`
        "level_changes": [...],       # every move of rung or status, with its evidence
        "consent_records": [...],     # the consent ledger: channel, yes/no, source, wording
        "supporter_identifiers": [...],  # their ids in other tools
        "supporter_tags": [...],      # their tags, with "tag" names
        "merges": [...],              # merges that kept or retired one of their records
        "affiliations": [...],        # the organisations they represent, with "organisation"
                                      # names beside the ids, their role and since when
        "events": [...]               # events they host (host_id)
      },
      "audit": [              # every audit entry about them, oldest first, this export too:
        {"id": 7, "at": "...", "actor": "marie", "command": "people edit",
         "fields": ["phone"], "people": 1, "detail": null}
      ]
    }

``records`` is built from the schema: every table with a foreign key to ``supporters.id``
is read (``WHERE column = :id`` for each such column), so a table added later is exported
without a change here. A row's foreign key to a table of names (action kinds, campaigns,
events, tags, local groups, partners) gets the name beside it (``action_kind_id`` ->
``action_kind``). One query per table, none per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Column, Connection, Engine, Table, or_, select

from ladder.clock import utcnow
from ladder.people.lookup import PersonRef, find_person
from ladder.privacy import audit
from ladder.privacy.audit_log import entries_about
from ladder.storage.models import Base, LocalGroup, Supporter, SupporterTag, Tag

FORMAT = "ladder-access-export"
VERSION = 1
COMMAND = "people export"
SUPPORTERS = cast(Table, Supporter.__table__)
NAMES = {  # a table of names -> its name column
    "action_kinds": "name",
    "campaigns": "name",
    "events": "title",
    "tags": "name",
    "local_groups": "name",
    "partner_organisations": "name",
}


@dataclass
class Exported:
    person: PersonRef
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows exported
    audit_entries: int = 0


def export_person(engine: Engine, ref: str, by: str, write: Callable[[bytes], None]) -> Exported:
    """Gather the document about the person ``ref`` names, record the export in the audit,
    and hand the JSON bytes to ``write`` (which writes the file), in one transaction: when
    ``write`` raises, the audit entry is rolled back."""
    with engine.begin() as connection:
        person = find_person(connection, ref)
        audit.record(connection, by, COMMAND, people=[person.id])
        document = access_document(connection, person.id, by)
        write(json.dumps(document, default=_json, indent=2, ensure_ascii=False).encode("utf-8"))
    counts = {name: len(rows) for name, rows in document["records"].items()}
    return Exported(person, counts, len(document["audit"]))


def access_document(connection: Connection, supporter_id: int, by: str) -> dict[str, Any]:
    """The JSON-able document of the module's docstring, on the caller's connection."""
    row = connection.execute(select(SUPPORTERS).where(SUPPORTERS.c.id == supporter_id)).one()
    person = dict(row._mapping)
    group = person.get("local_group_id")
    person["local_group"] = (
        connection.execute(select(LocalGroup.name).where(LocalGroup.id == group)).scalar()
        if group is not None
        else None
    )
    person["tags"] = list(
        connection.execute(
            select(Tag.name)
            .join(SupporterTag, SupporterTag.tag_id == Tag.id)
            .where(SupporterTag.supporter_id == supporter_id)
            .order_by(Tag.name)
        ).scalars()
    )
    s = SUPPORTERS.c
    recruits = select(s.id).where(s.recruiter_id == supporter_id).order_by(s.id)
    merged = select(SUPPORTERS).where(s.merged_into_id == supporter_id).order_by(s.id)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow(),
        "exported_by": by,
        "person": person,
        "recruiter": person["recruiter_id"],
        "recruits": list(connection.execute(recruits).scalars()),
        "merged_records": [dict(r._mapping) for r in connection.execute(merged)],
        "records": {
            table.name: _rows_naming(connection, table, columns, supporter_id)
            for table, columns in naming_tables().items()
        },
        "audit": entries_about(connection, supporter_id),
    }


def naming_tables() -> dict[Table, list[Column[Any]]]:
    """Every table but ``supporters`` with a foreign key to ``supporters.id``, and those
    columns (``attendances``: ``supporter_id`` and ``brought_by_id``)."""
    found: dict[Table, list[Column[Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if table is SUPPORTERS:
            continue
        columns = [fk.parent for fk in table.foreign_keys if fk.column.table is SUPPORTERS]
        if columns:
            found[table] = sorted(columns, key=lambda c: c.name)
    return found


def _rows_naming(
    connection: Connection, table: Table, columns: list[Column[Any]], supporter_id: int
) -> list[dict[str, Any]]:
    query = (
        select(table)
        .where(or_(*(c == supporter_id for c in columns)))
        .order_by(*table.primary_key.columns)
    )
    rows = [dict(r._mapping) for r in connection.execute(query)]
    for fk in table.foreign_keys:
        target = fk.column.table
        if target.name not in NAMES or not rows:
            continue
        key = fk.parent.name.removesuffix("_id")
        if key == fk.parent.name or key in table.c:
            continue
        ids = sorted({r[fk.parent.name] for r in rows if r[fk.parent.name] is not None})
        name = target.c[NAMES[target.name]]
        names = dict(connection.execute(select(fk.column, name).where(fk.column.in_(ids))).all())
        for r in rows:
            r[key] = names.get(r[fk.parent.name])
    return rows


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"  # stored naive UTC
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
