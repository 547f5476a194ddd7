"""What the database already knows, loaded once per import, and indexes to find people in it.

A big file: one query reads every person's keys (read with the driver: tuples, no ORM
objects). A small one (a sign-in sheet of 500 rows against a base of a million): only the
people its emails, phones and ``#id`` references name, and their recruiters up the chain
(for cycle checks), through the indexes; a name lookup reads everyone's names on demand
(names are matched accent- and case-blind, which no index answers). Either way the indexes
by email, phone and name then answer each row without another query. People from the file
being imported join the same indexes under negative keys ("placeholders") until they are
written, so a later row, or a recruiter column, can name them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from ladder.domain.names import Identity, full_name_key
from ladder.domain.vocabulary import SupporterStatus
from ladder.people.importing.newpeople import NewPeople
from ladder.storage.models import Supporter, SupporterIdentifier
from ladder.storage.sqlfunc import one_of

COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "local_group_id",
    "consent_email",
    "consent_sms",
    "consent_photo",
    "recruiter_id",
)
POSITION = {name: i for i, name in enumerate(COLUMNS)}
UPDATABLE = COLUMNS[1:10]  # what a row can change (the recruiter is resolved separately)
BOOLEAN = {"consent_email", "consent_sms", "consent_photo"}
LIVE = "merged_into_id IS NULL AND status <> 'erased'"
_CHUNK = 500  # values per IN list
# Values per query as one list (no bound-parameter limit; one statement for a small file's
# emails: 18,879 in 38 IN lists of 500 took 35 ms on SQLite, in one list 10 ms)
_LISTED = 20_000


def raw_rows(connection: Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    """Rows as plain tuples from the driver's cursor: 3x lighter than Core rows at 1M."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(50_000):
            yield from batch
    finally:
        cursor.close()


@dataclass
class Known:
    """The people (id -> tuple in COLUMNS order), and who each email, phone or name points to.

    Keys are person ids (positive) or placeholders for people new in the file (negative).
    """

    people: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    new_rows: NewPeople = field(default_factory=NewPeople)  # the file's, by placeholder
    by_email: dict[str, int] = field(default_factory=dict)
    by_phone: dict[str, int | list[int]] = field(default_factory=dict)
    by_tool_id: dict[str, int] = field(default_factory=dict)  # the file's tool's ids
    _by_name: dict[str, list[int]] | None = None
    _by_name_postcode: dict[tuple[str, str], int] | None = None
    _by_folded_email: dict[str, list[int]] | None = None
    _texts: dict[str, str] = field(default_factory=dict, repr=False)

    # set when only some people are loaded (:class:`Wanted`): the others are read on demand
    connection: Connection | None = None

    @classmethod
    def load(cls, connection: Connection, wanted: Wanted | None = None) -> Known:
        """Everyone, or (``wanted``) the people a small file can name and their recruiters."""
        known = cls()
        if wanted is None:
            sql = f"SELECT {', '.join(COLUMNS)} FROM supporters WHERE {LIVE}"
            known._add_all(raw_rows(connection, sql))
            return known
        known.connection = connection
        table = Supporter.__table__.c
        for column, values in (
            (table.email, wanted.emails),
            (table.phone, wanted.phones),
            (table.id, wanted.ids),
        ):
            known._add_all(_live_where(connection, column, values))
        known._add_all(_recruiters_above(connection, list(known.people)))
        return known

    @property
    def names_read(self) -> bool:
        """True when a name lookup read everyone's names from the database."""
        loaded = self._by_name is not None or self._by_name_postcode is not None
        loaded = loaded or self._by_folded_email is not None
        return loaded and self.connection is not None

    def ensure(self, keys: Iterable[int]) -> None:
        """Load the people ``keys`` names (and their recruiters) if they are not yet."""
        missing = {k for k in keys if k > 0 and k not in self.people}
        if missing and self.connection is not None:
            self._add_all(_live_where(self.connection, Supporter.__table__.c.id, missing))
            self._add_all(_recruiters_above(self.connection, sorted(missing)))

    def _add_all(self, rows: Iterable[tuple[Any, ...]]) -> None:
        shared = self._texts.setdefault  # one copy of each first name, last name, postcode
        for row in rows:
            if row[0] in self.people:
                continue
            first, last, postcode = row[1], row[2], row[5]
            row = (
                row[0],
                first and shared(first, first),
                last and shared(last, last),
                *row[3:5],
                postcode and shared(postcode, postcode),
                *row[6:],
            )
            self.people[row[0]] = row
            if row[3]:
                self.by_email[row[3]] = row[0]
            if row[4]:
                self.add_phone(row[4], row[0])

    def forget_matching(self) -> None:
        """Once the rows and their references are matched, drop what only that needed (the
        indexes by email and phone): a million-row import writes without them. What
        :mod:`~ladder.people.importing.recheck` compares (``people``) stays, and the file's
        new people (the plan's)."""
        self.by_email, self.by_phone = {}, {}

    def add_phone(self, phone: str, key: int) -> None:
        current = self.by_phone.get(phone)
        if current is None:
            self.by_phone[phone] = key
        elif isinstance(current, list):
            if key not in current:
                current.append(key)
        elif current != key:
            self.by_phone[phone] = [current, key]

    def phone_owners(self, phone: str) -> list[int]:
        owners = self.by_phone.get(phone)
        if owners is None:
            return []
        return list(owners) if isinstance(owners, list) else [owners]

    def names(self, key: int) -> tuple[str | None, str | None]:
        if key > 0:
            known = self.people[key]
            return known[1], known[2]
        new = self.new_rows.person(key)
        return new.first_name, new.last_name

    def identity(self, key: int) -> Identity:
        """Who ``key`` is, for :func:`ladder.domain.names.same_person`."""
        if key > 0:
            known = self.people[key]
            return Identity(known[1], known[2], known[3], known[4])
        new = self.new_rows.person(key)
        return Identity(new.first_name, new.last_name, new.email, new.phone)

    def email_of(self, key: int) -> str:
        """The email of someone :attr:`by_email` names (known, or new in the file)."""
        email = self.people[key][3] if key > 0 else self.new_rows.emails[-key]
        assert email is not None
        return email

    def parent(self, key: int) -> int | None:
        return self.people[key][10] if key > 0 and key in self.people else None

    def add_new(self, key: int) -> None:
        """A person new in the file (planned in :attr:`new_rows`), under a placeholder key."""
        if self._by_name is None and self._by_name_postcode is None:
            return  # the name indexes are built when first needed, with everyone in them
        person = self.new_rows.person(key)
        name = full_name_key(person.first_name, person.last_name)
        if self._by_name is not None and name:
            self._by_name.setdefault(name, []).append(key)
        if self._by_name_postcode is not None and name:
            self._by_name_postcode.setdefault((name, person.postcode or ""), key)

    def by_name(self, name: str) -> list[int]:
        """Everyone (file and database) whose folded full name is ``name``."""
        if self._by_name is None:
            index: dict[str, list[int]] = {}
            for key, first, last, _postcode in self._all_names():
                index.setdefault(full_name_key(first, last), []).append(key)
            self._by_name = index
        found = self._by_name.get(name, [])
        self.ensure(found)
        return found

    def by_name_and_postcode(self, name: str, postcode: str | None) -> int | None:
        """For rows with no email or phone: the same folded name in the same postcode."""
        if self._by_name_postcode is None:
            index: dict[tuple[str, str], int] = {}
            for key, first, last, code in self._all_names():
                index.setdefault((full_name_key(first, last), code or ""), key)
            self._by_name_postcode = index
        found = self._by_name_postcode.get((name, postcode or ""))
        if found is not None:
            self.ensure([found])
        return found

    def _all_names(self) -> Iterator[tuple[int, str | None, str | None, str | None]]:
        if self.connection is None:
            for key, known in self.people.items():
                yield key, known[1], known[2], known[5]
        else:
            sql = f"SELECT id, first_name, last_name, postcode FROM supporters WHERE {LIVE}"
            yield from raw_rows(self.connection, sql)
        for key, new in self.new_rows.everyone():
            yield key, new.first_name, new.last_name, new.postcode

    def suggest_email(self, email: str) -> tuple[str, int] | None:
        """The one email (and its owner) ``email`` is a slip of: the same once accents, case
        and dots are folded, else one edit away; None when there is none, or several.

        Reads everyone's emails once (a small file: from the database), only when a
        reference matched nobody."""
        if self._by_folded_email is None:
            index: dict[str, list[int]] = {}
            self._emails: dict[str, int] = {}
            for key, known_email in self._all_emails():
                if known_email and known_email not in self._emails:
                    self._emails[known_email] = key
                    index.setdefault(fold_email(known_email), []).append(key)
            self._by_folded_email = index
        folded = self._by_folded_email.get(fold_email(email), [])
        if len(folded) == 1:
            return self._email_of(folded[0]), folded[0]
        if folded:
            return None
        close = [e for e in self._emails if one_edit_apart(email, e)]
        if len(close) == 1:
            return close[0], self._emails[close[0]]
        return None

    def _email_of(self, key: int) -> str:
        return next(e for e, k in self._emails.items() if k == key)

    def _all_emails(self) -> Iterator[tuple[int, str | None]]:
        if self.connection is None:
            for key, known in self.people.items():
                yield key, known[3]
        else:
            sql = f"SELECT id, email FROM supporters WHERE {LIVE} AND email IS NOT NULL"
            yield from raw_rows(self.connection, sql)
        for key, new in self.new_rows.everyone():
            yield key, new.email

    def describe(self, key: int, lines: Mapping[int, int]) -> str:
        """``#12 Awa Diallo`` for a known person, ``Awa Diallo (line 5)`` for a new one."""
        if key > 0:
            name = " ".join(p for p in self.names(key) if p)
            return f"#{key} {name}".strip()
        new = self.new_rows.person(key)
        name = " ".join(p for p in (new.first_name, new.last_name) if p)
        return f"{name or new.email or new.phone} (line {lines[key]})"


def fold_email(email: str) -> str:
    """``Zoé.Cœur@Exemple.fr`` -> ``zoecoeur@exemple.fr``: no accents, case or dots."""
    local, _, domain = email.lower().partition("@")
    local = local.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    plain = "".join(c for c in unicodedata.normalize("NFKD", local) if not unicodedata.combining(c))
    return f"{plain.replace('.', '')}@{domain}"


def one_edit_apart(a: str, b: str) -> bool:
    """True when one insertion, deletion or substitution turns ``a`` into ``b`` (a != b)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def load_identifiers(
    connection: Connection, tool: str, values: set[str] | None = None
) -> dict[str, int]:
    """``tool``'s ids of live people -> the person (``values``: only those; None: all)."""
    ids = SupporterIdentifier.__table__.c
    people = Supporter.__table__.c
    query = (
        select(ids.value, ids.supporter_id)
        .join_from(SupporterIdentifier, Supporter, people.id == ids.supporter_id)
        .where(
            ids.namespace == tool,
            people.merged_into_id.is_(None),
            people.status != SupporterStatus.ERASED,
        )
    )
    if values is None:
        return {value: person for value, person in connection.execute(query)}
    found: dict[str, int] = {}
    chosen = sorted(values)
    for start in range(0, len(chosen), _CHUNK):
        part = query.where(ids.value.in_(chosen[start : start + _CHUNK]))
        found.update({value: person for value, person in connection.execute(part)})
    return found


@dataclass
class Wanted:
    """What a small file names: its emails and phones, and those of its recruiter column."""

    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    ids: set[int] = field(default_factory=set)


def _live_where(connection: Connection, column: Any, values: Iterable[Any]) -> Iterator[Any]:
    """The live people whose ``column`` is one of ``values``, as tuples in COLUMNS order:
    :data:`_LISTED` values a query, as one list (``one_of``: a JSON array walked by
    ``json_each`` on SQLite, an array on PostgreSQL, each joined to the column's index)."""
    table = Supporter.__table__.c
    chosen = sorted(set(values))
    for start in range(0, len(chosen), _LISTED):
        query = select(*(table[name] for name in COLUMNS)).where(
            table.merged_into_id.is_(None),
            table.status != SupporterStatus.ERASED,
            one_of(column, chosen[start : start + _LISTED]),
        )
        yield from (tuple(row) for row in connection.execute(query))


def _recruiters_above(connection: Connection, ids: list[int]) -> Iterator[Any]:
    """The live recruiters above these people, up every chain (one recursive query a chunk)."""
    table = Supporter.__table__
    for start in range(0, len(ids), _CHUNK):
        first = select(table.c.recruiter_id.label("id")).where(
            table.c.id.in_(ids[start : start + _CHUNK]), table.c.recruiter_id.is_not(None)
        )
        up = first.cte("up", recursive=True)
        above = table.alias("above")
        # no "recruiter_id IS NOT NULL" in the step: with it, SQLite 3.40 builds a Bloom
        # filter over supporters at every step (0.2 s for a 250-person sheet at 1M people,
        # against 1 ms): a chain's top adds one NULL, dropped here
        up = up.union(select(above.c.recruiter_id).where(above.c.id == up.c.id))
        above_ids = connection.execute(select(up.c.id).where(up.c.id.is_not(None))).scalars()
        yield from _live_where(connection, table.c.id, above_ids)
