"""The rows of an action file that name someone the database knows, exactly as stored.

A petition export of a million signatures against a base that already holds the signers: most
rows carry an email the base knows, with the same names, and nothing else about the person.
Such a row changes nothing about its person; ``people import`` would match it by its email and
report it unchanged. Planning it through the people importer (a validated row, the matching
indexes of everyone in the base, a plan entry) is most of an action import's time and memory.

So before the people importer runs, the file is read once here: the rows that may be known
stream into a temporary table as they are read (no row is held in memory), then one statement
joins them to the people through the email index and stages the known rows' actions (the
action import's temporary table):

- a row is **known** when the file has no people columns other than email, first and last
  name (no phone, id, consent, tags... : those the people importer reads), its action cells
  are valid (:meth:`~ladder.actions.importing._ActionReader.actions_of`), its email is a
  plain address, and the live person with that email has exactly the row's names;
- every other row is **left** to the people importer, which then reads only those lines (a
  copy of the file where the known rows are blank lines: line numbers, the header, the
  delimiter and every message stay those of the file).

A row that is known is taken as ``people import`` takes it: its person matched, unchanged;
the same person on several known rows is one person (the rows are the same: duplicates). When
a person is named by both a known row and a row left to the people importer, the people
importer's order matters (a later row with other details is refused): the caller then imports
the whole file through the people importer (:class:`Mixed`).

A row that may be known but whose email nobody in the base has (a new signer) is **fresh**.
When every row not known is fresh and their people may be created (``create``: an import
with ``--create-people``, not a dry run), they are not left to the people importer: each
email is one new person (the names of its first row; every row giving it must give the same
names, or the people importer takes the rows left, and refuses as it does), created with one
``INSERT ... SELECT`` from :func:`fresh_people`, and their rows' actions staged from the same
candidates (:func:`stage_fresh`): what the people importer does with such rows, without
reading them again.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Subquery,
    Table,
    func,
    select,
)

from ladder.domain.contact import matched_email, normalise_email
from ladder.domain.text import EMAIL, EXTERNAL_ID, NAME
from ladder.progress import EVERY, SILENT, Progress
from ladder.storage.bulk import copy_rows
from ladder.tabular.cells import restore
from ladder.tabular.csvfile import CsvTable
from ladder.tabular.headers import consent_words

# The fields a file may have for its rows to be taken here (people and action columns).
PEOPLE_FIELDS = ("email", "first_name", "last_name")
ACTION_FIELDS = ("date", "kind", "campaign", "external_id")
CHUNK = 20_000  # emails looked up in one query
# A staged action: its line, its person, then what the action reader gives
STAGED_COLUMNS = (
    "line", "supporter_id", "action_kind_id", "occurred_at", "campaign_id", "external_id"
)  # fmt: skip
_METADATA = MetaData()
# The rows of one file that may be known (as read), until they are joined to the people
CANDIDATES = Table(
    "ladder_action_candidates",
    _METADATA,
    Column("line", Integer, primary_key=True),
    Column("email", String(EMAIL), nullable=False),
    Column("first_name", String(NAME)),
    Column("last_name", String(NAME)),
    Column("action_kind_id", Integer, nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("campaign_id", Integer),
    Column("external_id", String(EXTERNAL_ID)),
    prefixes=["TEMPORARY"],
)
_BLANK = consent_words().blank  # "anonymous": no email, as the people importer reads it
_LIVE = "s.merged_into_id IS NULL AND s.status <> 'erased'"


class Mixed(Exception):
    """A person is named both by a known row and by a row left to the people importer."""


@dataclass
class KnownRows:
    """What reading the file found: how many rows are known (their actions staged), and the
    lines left to the people importer.

    Once the caller reads the known rows back (:meth:`keep`, for the people importer's write,
    when rows are left): each known line's person and action, and the distinct people."""

    rows: int = 0
    left: list[int] = field(default_factory=list)
    # the emails of the rows left that the people importer will plan; True when one of them
    # has none (it may match by name)
    left_emails: set[str] = field(default_factory=set)
    left_unnamed: bool = False
    # the fresh rows, whose people the caller creates (fresh_people; then none is left)
    fresh: int = 0
    # False when no two rows taken here can be one action (same person, kind and time, or
    # same external id), or give one email (told as read, in a small file)
    repeats: bool = True
    emails_repeat: bool = True
    people: dict[int, int] = field(default_factory=dict)  # line -> person, once kept
    actions: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # line -> action
    persons: set[int] = field(default_factory=set)

    def keep(self, rows: Iterable[Sequence[Any]]) -> None:
        """Hold the known rows (line, person, then the action's cells) in memory."""
        for line, person, *action in rows:
            self.people[line] = person
            self.actions[line] = tuple(action)
            self.persons.add(person)

    def note_left(self, cell: str) -> None:
        """A row left to the people importer, with this email cell, that it will plan."""
        typed = restore(cell).strip()
        if not typed or typed.lower() in _BLANK:
            self.left_unnamed = True  # matched by name, if at all
            return
        try:
            email = normalise_email(typed)
        except ValueError:
            return  # refused by the people importer: it names nobody
        if email is not None:
            self.left_emails.add(email)


def eligible(table: CsvTable) -> bool:
    """True when the file's rows can be known rows: an email column, and no people column
    but email and names, each field in one column of its own name."""
    allowed = {*PEOPLE_FIELDS, *ACTION_FIELDS}
    if "email" not in table.columns or not set(table.columns) <= allowed:
        return False
    return all(len(positions) == 1 for positions in table.columns.values())


def split_rows(
    connection: Connection,
    table: CsvTable,
    action: Callable[[list[str]], tuple[Any, ...] | None],
    staged: Table,
    progress: Progress = SILENT,
    remembered: int = 0,
    create: bool = False,
) -> KnownRows:
    """Read every row of ``table`` (:func:`eligible`): the known rows' actions staged in
    ``staged`` (a temporary table with :data:`STAGED_COLUMNS`), the other lines left to the
    people importer. ``action`` reads a record's action cells (kind, time as stored,
    campaign, external id), None when it refuses one. In a file of at most ``remembered``
    rows, whether two of them may be one action is told as they are read
    (:attr:`KnownRows.repeats`). With ``create``, fresh rows are kept for
    :func:`fresh_people` when every row not known is one (:attr:`KnownRows.fresh`).

    The rows that may be known (their action read, a plain email and plain names) go to
    :data:`CANDIDATES` as the file is read (its records by position: no dict a row); one
    ``INSERT ... SELECT`` then joins them to the live people with the same email (its unique
    index) and the same names."""
    found = KnownRows()
    names: list[str] = [f for f in ("first_name", "last_name") if f in table.columns]
    width = len(table.header)
    email_at = table.columns["email"][0]
    read_names = _names_reader([table.columns[n][0] for n in names])
    # whether two rows taken give one email, or one external id, told as they are read (in a
    # file of at most ``remembered`` rows): the distinct ones, against the rows taken
    telling = table.approximate_rows <= remembered
    emails: set[str] = set()
    ids: set[str] = set()
    with_ids = 0

    def candidates() -> Iterator[tuple[Any, ...]]:
        nonlocal telling, with_ids
        count = 0
        for line, cells in table.records():
            count += 1
            if count % EVERY == 0:
                progress.advance(EVERY)
                if count > remembered:  # more rows than the file seemed to have
                    telling = False
                    emails.clear()
                    ids.clear()
            stray = len(cells) > width and any(c.strip() for c in cells[width:])
            act = None if stray else action(cells)
            if act is None:  # refused before the people importer plans it
                found.left.append(line)
                continue
            email = _plain_email(cells[email_at])
            given = read_names(cells)
            if email is None or given is None:
                found.left.append(line)
                found.note_left(cells[email_at])
                continue
            if telling:
                emails.add(email)
                if (external := act[3]) is not None:
                    ids.add(external)
                    with_ids += 1
            yield (line, email, *given, *act)
        progress.advance(count % EVERY)

    CANDIDATES.create(connection)  # in the caller's transaction (a snapshot, or the write)
    columns = ("line", "email", *names, *STAGED_COLUMNS[2:])
    taken = copy_rows(connection, CANDIDATES, columns, candidates())
    same = "".join(f" AND s.{n} = c.{n}" for n in names)
    # the same person, kind and time is the same email (the known rows' person by the unique
    # index, the fresh rows' one new person an email): without an email twice, only an id twice
    found.emails_repeat = not telling or len(emails) < taken
    found.repeats = found.emails_repeat or len(ids) < with_ids
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:  # through the driver: on SQLite on the read snapshot, no BEGIN (no write lock)
        cursor.execute(_staging(staged, f"WHERE {_LIVE}{same}"))
        found.rows = max(int(cursor.rowcount), 0)
        unmatched = taken - found.rows
        if unmatched and create and not found.left:
            found.fresh = _all_fresh(cursor, staged, unmatched, found.emails_repeat)
        if unmatched and not found.fresh:
            cursor.execute(
                f"SELECT c.line, c.email FROM {CANDIDATES.name} c WHERE {_unmatched(staged)}"
            )
            for line, email in cursor:
                found.left.append(line)
                found.left_emails.add(email)
    finally:
        cursor.close()
    if not found.fresh:  # (else kept for fresh_people and stage_fresh, which drops it)
        CANDIDATES.drop(connection)  # (an error rolls the caller's transaction back, this too)
    found.left.sort()
    return found


def _staging(staged: Table, where: str) -> str:
    """The statement staging the candidates joined to the person with their email."""
    listed = ", ".join(STAGED_COLUMNS)
    return (
        f"INSERT INTO {staged.name} ({listed}) SELECT c.line, s.id, "
        + ", ".join(f"c.{c}" for c in STAGED_COLUMNS[2:])
        + f" FROM {CANDIDATES.name} c JOIN supporters s ON s.email = c.email {where}"
    )


def _unmatched(staged: Table) -> str:
    """The candidates not staged (not known), as a WHERE condition on ``c``."""
    return f"NOT EXISTS (SELECT 1 FROM {staged.name} k WHERE k.line = c.line)"


def _all_fresh(cursor: Any, staged: Table, unmatched: int, emails_repeat: bool) -> int:
    """``unmatched``, the candidates not known, when every one is fresh, with the same names
    on every row of an email (``emails_repeat``: two rows may give one); else 0 (they go to
    the people importer)."""
    cursor.execute(
        f"SELECT 1 FROM {CANDIDATES.name} c JOIN supporters s ON s.email = c.email "
        f"WHERE {_unmatched(staged)} LIMIT 1"
    )
    if cursor.fetchone():
        return 0
    if emails_repeat:
        cursor.execute(
            f"SELECT 1 FROM {CANDIDATES.name} c WHERE {_unmatched(staged)} GROUP BY c.email "
            "HAVING count(*) > 1 AND (min(c.first_name) <> max(c.first_name) "
            "OR min(c.last_name) <> max(c.last_name)) LIMIT 1"
        )
        if cursor.fetchone():
            return 0
    return unmatched


def fresh_people(staged: Table, emails_repeat: bool = True) -> Subquery:
    """The fresh rows' people (:func:`split_rows` with ``create``): the first row of each
    email (``line``, ``first_name``, ``last_name``, ``email``; each row, when no two give one
    email), for :func:`~ladder.people.importing.write.insert_people_from`."""
    c = CANDIDATES.c
    unmatched = ~select(staged.c.line).where(staged.c.line == c.line).exists()
    people = select(c.line, c.first_name, c.last_name, c.email)
    if not emails_repeat:
        return people.where(unmatched).subquery()
    first_lines = select(func.min(c.line)).where(unmatched).group_by(c.email)
    return people.where(c.line.in_(first_lines)).subquery()


def stage_fresh(connection: Connection, staged: Table) -> int:
    """Once the fresh rows' people are created: their actions staged in ``staged`` (each
    row joined to the person with its email), as the known rows' were; how many. The
    candidates are then dropped."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_staging(staged, f"WHERE {_unmatched(staged)}"))
        count = max(int(cursor.rowcount), 0)
    finally:
        cursor.close()
    CANDIDATES.drop(connection)  # in the write (an error rolls it back, this too)
    return count


def mixed(connection: Connection, found: KnownRows, persons: Callable[[list[int]], bool]) -> bool:
    """True when a row left to the people importer may name a person of the known rows
    (``persons``: whether any of these ids is a known row's person)."""
    if not found.rows or not found.left:
        return False
    if found.left_unnamed:
        return True
    lookup = _lookup_sqlite if connection.dialect.name == "sqlite" else _lookup_postgresql
    emails = sorted(found.left_emails)
    for start in range(0, len(emails), CHUNK):
        people = lookup(connection, emails[start : start + CHUNK], [])
        if people and persons([person[0] for person in people.values()]):
            return True
    return False


def _plain_email(cell: str) -> str | None:
    """The cell as its stored form when it is a plain address (no quote to restore, nothing
    a people import would read differently), else None."""
    email = cell.strip()
    if not email or email[0] == "'" or len(email) > EMAIL or not email.isprintable():
        return None
    return matched_email(email)


def _plain_name(name: str) -> bool:
    return bool(name) and name[0] != "'" and len(name) <= NAME and name.isprintable()


def _names_reader(positions: list[int]) -> Callable[[list[str]], tuple[str, ...] | None]:
    """Reads a record's name cells (at ``positions``): stripped, or None when one is not
    plain."""
    if len(positions) == 2:  # the usual export: unrolled
        first_at, last_at = positions

        def both(cells: list[str]) -> tuple[str, ...] | None:
            first, last = cells[first_at].strip(), cells[last_at].strip()
            if _plain_name(first) and _plain_name(last):
                return first, last
            return None

        return both

    def some(cells: list[str]) -> tuple[str, ...] | None:
        given = tuple(cells[i].strip() for i in positions)
        return given if all(_plain_name(n) for n in given) else None

    return some


def _lookup_sqlite(connection: Connection, emails: list[str], names: list[str]) -> dict[str, Any]:
    """email -> (id, *names) of the live people with these emails: one query, the emails a
    JSON array walked by ``json_each`` and joined to the email index."""
    columns = "".join(f", s.{n}" for n in names)
    sql = (
        f"SELECT s.email, s.id{columns} FROM json_each(?) j "
        f"JOIN supporters s ON s.email = j.value WHERE {_LIVE}"
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        rows = cursor.execute(sql, (json.dumps(emails),)).fetchall()
    finally:
        cursor.close()
    return {row[0]: row[1:] for row in rows}


def _lookup_postgresql(
    connection: Connection, emails: list[str], names: list[str]
) -> dict[str, Any]:
    columns = "".join(f", s.{n}" for n in names)
    sql = (
        f"SELECT s.email, s.id{columns} FROM unnest(%s::text[]) AS j(value) "
        f"JOIN supporters s ON s.email = j.value WHERE {_LIVE}"
    )
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(sql, (emails,))
        rows = cursor.fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def left_text(table: CsvTable, left: list[int], known: Iterable[int]) -> str:
    """The file with only its header and the records starting on the ``left`` lines: the
    lines of every other record (those starting on the ``known`` lines) are blank lines, so
    every record keeps its line number. The lines kept are the file's own text (its quoting,
    its line breaks), read again as they were read here.

    A record's lines run from its first line to the next record's (a blank record between
    them, skipped by every reading, goes with the record before it: kept or blanked, it is
    still blank)."""
    kept = set(left)
    starts = iter(sorted(kept.union(known)))
    following = next(starts, None)
    copying = True  # the header, and anything before the first record
    out = io.StringIO()
    for number, line in enumerate(table.lines(), 1):
        if number == following:
            copying = number in kept
            following = next(starts, None)
        out.write(line if copying else line[len(line.rstrip("\r\n")) :])
    return out.getvalue()


def merged(known: KnownRows, by_line: dict[int, int]) -> Iterator[tuple[int, int]]:
    """The known rows' people, then the people importer's (which must name none of them)."""
    if known.persons.intersection(by_line.values()):
        raise Mixed
    yield from known.people.items()
    yield from by_line.items()
