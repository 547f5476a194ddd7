"""Erasure (GDPR art. 17): a person's details go, the anonymous node stays.

``erase_person(engine, "12", actor)`` erases one person; :func:`erase_people` erases any set
of people given as a SELECT of ids (the retention sweep passes thousands), inside the caller's
transaction, with one statement per table: never a loop over people. As CiviCRM's "forget me"
does, the row keeps its id and what hangs off it, so recruiters keep their reach and counts,
events their attendance totals, campaigns their action totals; what could name the person goes.

What happens to each table (``ladder.storage.models``), and why:

- ``supporters`` (the person, and every record merged into them: a merged-away record still
  holds their old names): ``first_name``, ``last_name``, ``email``, ``phone``, ``postcode``,
  ``source`` become NULL; ``status`` = erased, ``status_since`` = ``updated_at`` = now,
  ``lapse_condition_since`` NULL (no rule looks at an erased person). Kept: ``id``, ``rung``,
  ``rung_since``, ``rung_set_manually``, ``recruiter_id`` (and the recruits pointing here),
  ``merged_into_id``, ``local_group_id`` (group totals), ``created_at`` (join counts),
  ``consent_*`` (the current state of the ledger, whose rows stay: see ``consent_records``;
  an erased person is never contacted whatever they say, as every list leaves them out).
- ``actions``: ``note`` (free text) becomes NULL; ``external_id`` too (another tool's id for
  the action, copied from a file: it leads back to the person's record in that tool), except
  ladder's own ``attendance:<event>:<person>`` ids, made of ids only. Kept: kind, time, event,
  campaign, ``logged_by`` (the organiser's name, not theirs): campaign totals do not move.
  (Re-importing the same actions file then gives the actions to whoever the file names now:
  a new person, as re-importing an erased person's email makes a new person.)
- ``attendances``: kept whole (events keep their totals); ``invited_by`` and
  ``checked_in_by`` name the organisers who acted, ``brought_by_id`` is an id.
- ``level_changes``: ``reason`` becomes NULL (an organiser's free text about the person).
  ``evidence`` is kept: its only writers are the rules (``{"counts": {...}, "ids": {...}}``,
  counts and row ids, ``ladder.rules.plan``) and merges (``{"merged_id": id}``), numbers only
  (the tests check it). One row is added: the change of status to erased (by the actor).
- ``consent_records``: ``source``, ``wording`` and ``evidence`` become NULL (the issue: the
  consent evidence goes; a source or a wording label is typed text). The rows stay with
  channel, yes/no, when and who recorded it: history for an anonymous id (how many had agreed
  to emails in 2025), no longer a proof about anyone.
- ``supporter_identifiers`` (another tool's id for the person) and ``supporter_tags``
  (tags can say what the person believes or is): deleted.
- ``merges`` involving them (kept or merged): ``details`` loses its ``merged`` snapshot (the
  merged record's old name, email, phone); the ``moved`` counts stay.
- ``affiliations`` (the organisations they represented): kept, so an organisation's counts
  (its people, how many of them came to each event) do not move; ``role`` becomes NULL (free
  text typed about the person: "mayor's deputy" can name someone in a small town).
- ``contacts``: kept (channel, time, organiser; ``purpose`` is written by ladder from the
  event's title, never about the person), so fatigue counts stay consistent.
- ``events`` they host: ``host_id`` stays; nothing in an event is about the host.
- ``audit_entries`` / ``audit_people``: kept (ids, counts and field names only, by design).
  The erasure itself is audited with counts; its ``--reason`` is NOT stored: a free text
  typed by an organiser can name or describe the person it is about, which is exactly what
  was just erased. Keep the request itself where your organisation keeps such requests.
- Not reachable from a person's id, so not touched: organisers' names in ``logged_by``,
  ``invited_by``, ``checked_in_by``, ``changed_by``, ``recorded_by``, ``merged_by``,
  ``contacted_by`` and the audit's ``actor`` (they name users of ladder, not supporters), and
  ``partner_organisations.contact_email``.

Bytes, not just rows. On SQLite the erasing connection runs with ``PRAGMA secure_delete =
ON``, so every cell and page the erasure frees (the old row, the old entries of the email,
phone and name indexes) is overwritten with zeros, and after the commit ``PRAGMA
wal_checkpoint(TRUNCATE)`` copies the WAL into the file and empties it, so no frame holds an
older copy of a page. No VACUUM is needed for what the erasure itself frees (the byte-level
test greps the file and the WAL, and a control shows the grep finds the bytes when
secure_delete is off). Every ladder connection runs with secure_delete on
(``ladder.storage.engine``; Debian's SQLite has it on by default, python.org's and macOS's do
not), so an earlier edit (an email changed last year) left zeros too; only a file last written
by something else (an older ladder on another build) may hold such bytes in free space, which
a VACUUM (the whole file rewritten: minutes at 1M people, see ``bench privacy``) removes. If
another process holds a read
snapshot, the checkpoint cannot finish: it waits CHECKPOINT_WAIT_MS, then the result says so
(``wal_truncated`` False) and the WAL empties when that reader is gone.

On PostgreSQL, after the commit, each table touched is VACUUMed (on an autocommit
connection: VACUUM cannot run in a transaction) with ``INDEX_CLEANUP ON`` (else a few dead
rows let VACUUM skip the indexes), once every transaction older than the erasure has ended
(at most SNAPSHOT_WAIT_S: VACUUM must keep a dead tuple an open snapshot may still read; the
result counts those still open). No live or dead tuple, index entry or TOAST chunk then holds
the values (the test reads every page with pageinspect). Their bytes may remain in a page's
free space, referenced by nothing, until the page is rewritten (VACUUM FULL rewrites the
tables under an exclusive lock; not done); PostgreSQL's own WAL (pg_wal) keeps old pages
until it recycles its segments, as it keeps every write.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    Select,
    Table,
    func,
    literal,
    select,
    text,
)

from ladder.clock import utcnow
from ladder.domain.vocabulary import SupporterStatus
from ladder.people.lookup import PersonRef, find_person
from ladder.privacy.audit import record
from ladder.storage.engine import SQLITE_BUSY_TIMEOUT_MS
from ladder.storage.models import Supporter

_METADATA = MetaData()
# The ids being erased, in the erasing transaction only (dropped before it ends).
ERASING = Table(
    "ladder_erasing",
    _METADATA,
    Column("id", Integer, primary_key=True, autoincrement=False),
    prefixes=["TEMPORARY"],
)
_IN_SET = "SELECT id FROM ladder_erasing"
S = cast(Table, Supporter.__table__)

# what each statement blanks or removes: the audit's field names
ERASED_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "source",
    "status",
    "actions.note",
    "actions.external_id",
    "level_changes.reason",
    "consent_records.source",
    "consent_records.wording",
    "consent_records.evidence",
    "supporter_identifiers",
    "supporter_tags",
    "merges.details",
    "affiliations.role",
)
# tables the erasure may leave dead tuples or freed cells in
TOUCHED_TABLES = (
    "supporters",
    "actions",
    "level_changes",
    "consent_records",
    "supporter_identifiers",
    "supporter_tags",
    "merges",
    "affiliations",
)
CHECKPOINT_WAIT_MS = 5_000  # SQLite: how long the checkpoint waits for readers to move on
SNAPSHOT_WAIT_S = 30.0  # PostgreSQL: how long to wait for older transactions to end
OWN_EXTERNAL_IDS = "attendance:%"  # ladder's own action ids: attendance:<event>:<person>


@dataclass
class Erasure:
    """What an erasure did: people erased, rows changed per table, and the storage clean-up."""

    people: int = 0  # people erased (the merged-away records with them not counted)
    merged_records: int = 0  # records merged into them, erased with them
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows blanked or deleted
    wal_truncated: bool | None = None  # SQLite: WAL checkpointed and emptied (None: not SQLite)
    vacuumed: list[str] = field(default_factory=list)  # PostgreSQL: tables vacuumed
    xid: str | None = None  # PostgreSQL: the erasing transaction's id
    waited_for: int = 0  # PostgreSQL: older transactions still open when VACUUM ran

    def storage_notes(self) -> list[str]:
        """What was done so that no copy stays in the database files, or why not yet."""
        notes = []
        if self.wal_truncated is True:
            notes.append(
                "storage: freed space zeroed (secure_delete), WAL checkpointed and emptied"
            )
        elif self.wal_truncated is False:
            notes.append(
                "warning: another process is reading the database, so its WAL still holds old "
                "pages: they go when every ladder process using it has stopped"
            )
        if self.vacuumed:
            notes.append(f"storage: vacuumed {', '.join(self.vacuumed)}")
        if self.waited_for:
            notes.append(
                f"warning: {self.waited_for} older transaction(s) were still open, so VACUUM "
                "had to keep the old row versions they may read: run VACUUM once they end"
            )
        return notes

    def counts(self) -> dict[str, int]:
        """Counts only (for the audit): never a value."""
        return {"people": self.people, "merged_records": self.merged_records, **self.rows}


def erase_person(engine: Engine, ref: str, actor: str) -> tuple[PersonRef, Erasure]:
    """Erase the one live person ``ref`` names (an id, email, phone or name), audited.

    An unknown, merged-away or already erased person is refused (NotFoundError), nothing
    written. Then the storage is scrubbed (see the module's docstring).
    """
    with erasing(engine) as connection:
        with connection.begin():
            person = find_person(connection, ref)
            erasure = erase_people(
                connection, select(literal(person.id)), utcnow(), actor, "people erase"
            )
        scrub_storage(connection, erasure)
    return person, erasure


@contextmanager
def erasing(engine: Engine) -> Iterator[Connection]:
    """A connection to erase on: on SQLite with ``secure_delete`` on (set back after)."""
    with engine.connect() as connection:
        previous = _secure_delete(connection, True)
        try:
            yield connection
        finally:
            _secure_delete(connection, previous)


def erase_people(
    connection: Connection,
    people: Select[Any],
    now: datetime,
    actor: str,
    command: str,
    detail: Mapping[str, Any] | None = None,
) -> Erasure:
    """Erase the people ``people`` selects (one id column), and the records merged into them,
    inside the caller's transaction: one statement per table; already erased people are left
    as they are. One audit entry (``command``, the counts and ``detail``) names everyone
    erased. The caller calls :func:`scrub_storage` after its commit."""
    ERASING.create(connection)
    erasure = _erase_set(connection, people, now, actor)
    record(
        connection,
        actor,
        command,
        people=select(ERASING.c.id),
        fields=ERASED_FIELDS if erasure.people else (),
        detail={**(detail or {}), **erasure.counts()},
    )
    ERASING.drop(connection)  # (an error rolls the whole transaction back, this too)
    return erasure


def _erase_set(connection: Connection, people: Select[Any], now: datetime, actor: str) -> Erasure:
    erasure = Erasure()
    live = f"status <> '{SupporterStatus.ERASED}'"
    connection.execute(
        ERASING.insert().from_select(
            ["id"],
            select(S.c.id).where(
                S.c.status != SupporterStatus.ERASED,
                S.c.id.in_(select(people.subquery().c[0])),
            ),
        )
    )
    erasure.people = _count(connection)
    connection.execute(
        text(
            # merged records come from the small merges table (a merge writes one row each):
            # supporters has no index on merged_into_id (reading every row: seconds at 1M)
            f"INSERT INTO ladder_erasing (id) SELECT id FROM supporters WHERE {live} "
            "AND id IN (SELECT merged_id FROM merges) "
            f"AND merged_into_id IN ({_IN_SET}) AND id NOT IN ({_IN_SET})"
        )
    )
    erasure.merged_records = _count(connection) - erasure.people
    if not erasure.people:
        return erasure
    if connection.dialect.name == "postgresql":
        xid = connection.execute(text("SELECT CAST(CAST(pg_current_xact_id() AS xid) AS text)"))
        erasure.xid = xid.scalar_one()
    params = {"now": now, "actor": actor, "erased": str(SupporterStatus.ERASED)}
    connection.execute(
        text(
            "INSERT INTO level_changes (supporter_id, from_rung, to_rung, from_status, "
            "to_status, changed_at, changed_by) SELECT id, rung, rung, status, :erased, :now, "
            f":actor FROM supporters WHERE merged_into_id IS NULL AND id IN ({_IN_SET})"
        ),
        params,
    )
    statements = {
        "supporters": (
            "UPDATE supporters SET first_name = NULL, last_name = NULL, email = NULL, "
            "phone = NULL, postcode = NULL, source = NULL, status = :erased, "
            "status_since = :now, updated_at = :now, lapse_condition_since = NULL "
            f"WHERE id IN ({_IN_SET})"
        ),
        "actions": (
            "UPDATE actions SET note = NULL, external_id = CASE WHEN external_id LIKE "
            f"'{OWN_EXTERNAL_IDS}' THEN external_id END WHERE supporter_id IN ({_IN_SET}) "
            f"AND (note IS NOT NULL OR external_id NOT LIKE '{OWN_EXTERNAL_IDS}')"
        ),
        "level_changes": (
            "UPDATE level_changes SET reason = NULL "
            f"WHERE supporter_id IN ({_IN_SET}) AND reason IS NOT NULL"
        ),
        "consent_records": (
            "UPDATE consent_records SET source = NULL, wording = NULL, evidence = NULL "
            f"WHERE supporter_id IN ({_IN_SET}) AND (source IS NOT NULL "
            "OR wording IS NOT NULL OR evidence IS NOT NULL)"
        ),
        "supporter_identifiers": (
            f"DELETE FROM supporter_identifiers WHERE supporter_id IN ({_IN_SET})"
        ),
        "supporter_tags": f"DELETE FROM supporter_tags WHERE supporter_id IN ({_IN_SET})",
        "affiliations": (
            "UPDATE affiliations SET role = NULL "
            f"WHERE supporter_id IN ({_IN_SET}) AND role IS NOT NULL"
        ),
        "merges": (
            f"UPDATE merges SET details = {_without_snapshot(connection)} "
            f"WHERE (kept_id IN ({_IN_SET}) OR merged_id IN ({_IN_SET})) AND details IS NOT NULL"
        ),
    }
    for table, sql in statements.items():
        changed = connection.execute(text(sql), params).rowcount
        erasure.rows[table] = max(changed, 0)
    return erasure


def _count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(ERASING)).scalar_one())


def _without_snapshot(connection: Connection) -> str:
    """``details`` without its ``merged`` key (the merged record as it was)."""
    if connection.dialect.name == "postgresql":
        return "CAST(CAST(details AS jsonb) - 'merged' AS json)"
    return "json_remove(details, '$.merged')"


def scrub_storage(connection: Connection, erasure: Erasure) -> None:
    """After the commit: leave no copy of what was erased in the database's files.

    SQLite: checkpoint the WAL into the file and truncate it (the erasing connection ran with
    secure_delete, so freed cells are zeros already). PostgreSQL: VACUUM each table the
    erasure changed, on an autocommit connection. Nothing to do when nobody was erased.
    """
    if not erasure.people:
        return
    if connection.in_transaction():
        raise RuntimeError("scrub_storage runs after the erasing transaction is committed")
    if connection.dialect.name == "sqlite":
        driver = _driver(connection)
        driver.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")  # a reader may hold on
        try:
            busy, _, _ = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            driver.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        erasure.wal_truncated = not busy
        return
    erasure.waited_for = _wait_for_older_snapshots(connection, erasure.xid)
    changed = [t for t in TOUCHED_TABLES if t == "supporters" or erasure.rows.get(t)]
    autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
    for table in changed:  # INDEX_CLEANUP ON: a few dead rows would otherwise skip the indexes
        autocommit.exec_driver_sql(f"VACUUM (INDEX_CLEANUP ON) {table}")
    erasure.vacuumed = changed
    if connection.in_transaction():  # the VACUUMs ran in autocommit, nothing is open
        connection.commit()


# Transactions of this database that may still see the erased rows' old versions: VACUUM must
# keep a dead tuple any of them may see (autovacuum's own snapshot is ignored by VACUUM).
_OLDER_SNAPSHOTS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND backend_type <> 'autovacuum worker' AND ("
    "(backend_xmin IS NOT NULL AND age(backend_xmin) >= age(CAST(:xid AS xid))) OR "
    "(backend_xid IS NOT NULL AND age(backend_xid) > age(CAST(:xid AS xid))))"
)


def _wait_for_older_snapshots(connection: Connection, xid: str | None) -> int:
    """Wait (at most SNAPSHOT_WAIT_S) until no other transaction started before the erasure
    commit is still open; the number still open when the wait ended (0: none)."""
    if xid is None:
        return 0
    deadline = time.monotonic() + SNAPSHOT_WAIT_S
    while True:
        with connection.begin():
            older = int(connection.execute(_OLDER_SNAPSHOTS, {"xid": xid}).scalar_one())
        if not older or time.monotonic() > deadline:
            return older
        time.sleep(0.05)


def _secure_delete(connection: Connection, on: bool) -> bool:
    """SQLite: set ``secure_delete`` on this connection (outside any transaction); the
    previous setting is returned so the pooled connection gets it back. No-op elsewhere."""
    if connection.dialect.name != "sqlite":
        return on
    driver = _driver(connection)
    previous = bool(driver.execute("PRAGMA secure_delete").fetchone()[0])
    driver.execute(f"PRAGMA secure_delete = {int(on)}")
    return previous


def _driver(connection: Connection) -> Any:
    """The DB-API connection under ``connection`` (statements on it open no transaction)."""
    return connection.connection.driver_connection


def counts_text(rows: Mapping[str, int]) -> str:
    """``actions 3, consent_records 2``: the tables where rows changed (supporters left out)."""
    return ", ".join(
        f"{t.replace('_', ' ')} {n}" for t, n in rows.items() if n and t != "supporters"
    )
