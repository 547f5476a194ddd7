"""Writing a planned people import in bulk, inside the caller's transaction.

New people go in with :func:`ladder.storage.bulk.copy_rows` (executemany on SQLite, COPY on
PostgreSQL) with ids allocated up front in file order, written recruiters first, so recruiter
columns can point at people written in the same batch; changed people are updated with one
executemany per set of changed columns. A plan that changes nothing writes nothing.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    String,
    Subquery,
    Table,
    bindparam,
    func,
    insert,
    literal,
    null,
    select,
    text,
    update,
)

from ladder.domain.names import fold
from ladder.orgs.affiliations import add_affiliations
from ladder.people.importing.known import BOOLEAN, UPDATABLE, raw_rows
from ladder.people.importing.newpeople import NewIds, NewPeople, Recruiters
from ladder.people.importing.plan import Plan
from ladder.privacy.consent import record_many
from ladder.progress import SILENT, Progress, counted
from ladder.storage.bulk import copy_rows, update_by_id
from ladder.storage.indexes import rebuilt_after
from ladder.storage.models import (
    Affiliation,
    LocalGroup,
    PartnerOrganisation,
    Supporter,
    SupporterIdentifier,
    SupporterTag,
    Tag,
)
from ladder.storage.sqlfunc import one_of

SUPPORTERS = cast(Table, Supporter.__table__)
SUPPORTER_TAGS = cast(Table, SupporterTag.__table__)
INSERT_COLUMNS = (
    "id",
    *UPDATABLE,
    "recruiter_id",
    "source",
    "created_at",
    "updated_at",
    "rung",
    "rung_since",
    "rung_set_manually",
    "status",
    "status_since",
)


# The indexes on supporters that the insert of new people updates row by row at scattered
# places and does not read (names, phone, postcode, group and rung, recruiter, first
# action): built again after an insert of at least REBUILD_FLOOR people that are at least
# 1/REBUILD_SHARE of the table's rows (ladder.storage.indexes); on PostgreSQL only into an
# empty table, where no reader waits for anyone. The unique ones (id, email) stay: the insert
# checks them. Measured, the bench's 100k people into an empty table (machine under load):
# SQLite 2.40 s updated row by row, 1.6 to 1.7 s built after; PostgreSQL COPY 3.5 to 3.7 s,
# 1.9 to 2.3 s. Into an empty table it pays from 2,000 rows; the floor keeps small imports
# (sign-in sheets, a form's week) from rewriting the schema.
_REBUILT = [index for index in SUPPORTERS.indexes if not index.unique]
REBUILD_FLOOR = 10_000
# ... of which, for people with only names and an email (insert_people_from), the two on the
# names: the others get the same key for each of them (no phone, no group, the first rung...),
# appended in id order at one place. Measured, the half-new petition (18,879 people into
# 18,879, nine runs each): 0.759 s with all eight built again, 0.730 s with these two.
_BY_NAME = [index for index in _REBUILT if {"first_name", "last_name"} >= set(index.columns.keys())]
REBUILD_SHARE = 2


class TagLinks:
    """Which (person, tag) links a plan adds, decided before writing (for the counts)."""

    def __init__(self, connection: Connection, plan: Plan) -> None:
        all_tags = raw_rows(connection, "SELECT id, name FROM tags")
        self.ids = {fold(name) or name: tag_id for tag_id, name in all_tags}
        self.new_tags: dict[str, str] = {}
        wanted = [(key, tag) for key, tags in plan.tags.items() for tag in tags]
        for _key, tag in wanted:
            if (fold(tag) or tag) not in self.ids:
                self.new_tags.setdefault(fold(tag) or tag, tag)
        named = {self.ids[f] for _k, tag in wanted if (f := fold(tag) or tag) in self.ids}
        existing = self._existing(connection, {k for k, _ in wanted if k > 0}, named)
        self.missing = [
            (key, fold(tag) or tag)
            for key, tag in dict.fromkeys(wanted)
            if (key, self.ids.get(fold(tag) or tag)) not in existing
        ]
        self.people = {key for key, _tag in self.missing}

    def _existing(
        self, connection: Connection, people: set[int], tags: set[int]
    ) -> set[tuple[int, int | None]]:
        if not people or not tags:
            return set()
        listed = ", ".join(str(int(t)) for t in tags)
        sql = f"SELECT supporter_id, tag_id FROM supporter_tags WHERE tag_id IN ({listed})"
        return {(s, t) for s, t in raw_rows(connection, sql) if s in people}


def write_plan(
    connection: Connection,
    plan: Plan,
    links: TagLinks,
    now: datetime,
    first_rung: str,
    source: str,
    *,
    consent_source: str | None = None,
    actor: str | None = None,
    progress: Progress = SILENT,
) -> None:
    """Write the plan (:func:`people_named`: the ids of everyone its accepted rows name).

    ``plan.new_ids`` receives each new person's placeholder key -> written id. The consents
    the rows state go to the consent ledger (:func:`ladder.privacy.consent.record_many`,
    from ``consent_source``): new people start with none, and a statement equal to a
    person's latest record adds nothing. ``progress``: one stage, the new people's rows and
    one step for each of the changes, tags, identifiers and consents."""
    progress.start(f"Writing {len(plan.new) + len(plan.matched):,} people", len(plan.new) + 4)
    group_ids = _create_groups(connection, plan.new_groups, now)
    tag_ids = {**links.ids, **_create_tags(connection, links.new_tags)}
    ids = NewIds(_ids_by_line(plan.new, allocate_ids(connection, len(plan.new))))
    plan.new_ids = ids

    def person(key: int) -> int:
        return ids[key] if key < 0 else key

    def group(value: Any) -> Any:
        return group_ids[fold(value) or value.lower()] if isinstance(value, str) else value

    if ids:
        stamp = _stamp(now)
        rows = _new_rows(plan, ids.by_line, group, stamp, first_rung, source[:60])
        many, empty = _many_new(connection, len(plan.new))
        with rebuilt_after(connection, _REBUILT, many, readers_wait=empty):
            copy_rows(connection, SUPPORTERS, INSERT_COLUMNS, counted(rows, progress))
    _update_people(connection, plan, person, group, now)
    progress.advance()
    if links.missing:
        pairs = ((person(key), tag_ids[tag]) for key, tag in links.missing)
        copy_rows(connection, SUPPORTER_TAGS, ("supporter_id", "tag_id"), pairs)
    progress.advance()
    if plan.identifiers:
        write_identifiers(connection, plan, person, now)
    if plan.organisations:
        write_affiliations(connection, plan, person, now)
    progress.advance()
    if plan.consents:
        statements = (
            (person(key), channel, yes)
            for key, stated in plan.consents.items()
            for channel, yes in stated.items()
        )
        record_many(connection, statements, source=consent_source or source, by=actor, at=now)
    progress.advance()


def _many_new(connection: Connection, count: int) -> tuple[bool, bool]:
    """Whether ``count`` new people are a big load (:data:`REBUILD_FLOOR`, a share of the
    table), and whether the table is empty; the table's size (its largest id: one index
    probe) is read only for a load over the floor."""
    if count < REBUILD_FLOOR:
        return False, False
    size = connection.execute(text("SELECT max(id) FROM supporters")).scalar()
    return count * REBUILD_SHARE >= (size or 0) + count, size is None


def people_named(plan: Plan) -> list[int]:
    """The ids of everyone a written plan's accepted rows name (new and known), sorted."""
    return sorted([*plan.new_ids.values(), *plan.matched])  # (new ids are none of the known)


def write_affiliations(connection: Connection, plan: Plan, person: Any, now: datetime) -> None:
    """Who represents which organisation, as the rows say: the organisation found by name as
    `ladder orgs` finds it (case and accents ignored), created when none has the name; a new
    affiliation is added, a known one takes the row's role when the row gives one. A few
    statements whatever the number of rows."""
    orgs = {
        fold(name) or name: org_id
        for org_id, name in raw_rows(connection, "SELECT id, name FROM partner_organisations")
    }
    named = {fold(n) or n: n for n, _role in plan.organisations.values()}
    for folded in sorted(named.keys() - orgs.keys()):  # a handful: one INSERT each
        name = named[folded]
        orgs[folded] = connection.execute(
            insert(PartnerOrganisation)
            .values(name=name, created_at=now)
            .returning(PartnerOrganisation.id)
        ).scalar_one()
    wanted = {
        (person(key), orgs[fold(name) or name]): role
        for key, (name, role) in plan.organisations.items()
    }
    listed = ", ".join(str(int(o)) for o in {o for _p, o in wanted})
    known = {
        (p, o): a
        for a, p, o in raw_rows(
            connection,
            "SELECT id, supporter_id, organisation_id FROM affiliations "
            f"WHERE organisation_id IN ({listed})",
        )
        if (p, o) in wanted
    }
    new = [(p, o, role, None) for (p, o), role in wanted.items() if (p, o) not in known]
    add_affiliations(connection, new, now)
    roles = [
        {"b_id": known[pair], "b_role": r} for pair, r in wanted.items() if pair in known and r
    ]
    if roles:
        connection.execute(
            update(Affiliation)
            .where(Affiliation.id == bindparam("b_id"))
            .values(role=bindparam("b_role")),
            roles,
        )


def write_identifiers(connection: Connection, plan: Plan, person: Any, now: datetime) -> None:
    """The tool ids the plan gives people, except those the database already holds (an
    erased person's, say: an id names one person only)."""
    table = cast(Table, SupporterIdentifier.__table__)
    query = select(table.c.value).where(
        table.c.namespace == plan.tool, one_of(table.c.value, set(plan.identifiers.values()))
    )
    taken = set(connection.execute(query).scalars())
    stamp = _stamp(now)
    rows = (
        (person(key), plan.tool, value, stamp)
        for key, value in plan.identifiers.items()
        if value not in taken
    )
    copy_rows(connection, table, ("supporter_id", "namespace", "value", "created_at"), rows)


def _stamp(now: datetime) -> str:
    """The time every written row shares, as text once: SQLite stores its DateTime so, and
    PostgreSQL's COPY reads it as the datetime (psycopg formatting the datetime again on each
    of a row's three stamps cost 0.3 s of the 0.75 s COPY's client side at 100k rows)."""
    return now.isoformat(" ")


def _ids_by_line(new: NewPeople, ids: Iterable[int]) -> array[int]:
    """The ids for the new people, in their order, by line (0 where no new person is)."""
    by_line = array("q", [0]) * len(new.live)
    for key, person_id in zip(new, ids, strict=True):
        by_line[-key] = person_id
    return by_line


def allocate_ids(connection: Connection, count: int) -> Sequence[int]:
    """``count`` fresh supporter ids: from the sequence on PostgreSQL, after max(id) on SQLite
    (where the import holds the write lock)."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        # the sequence's name found once: asked on each row, it cost 7x the nextval itself
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence('supporters', 'id')")
        ).scalar_one()
        query = text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :count)")
        # fetched at once: iterated, the ids cost a fetchone each
        return sorted(
            connection.execute(query, {"sequence": sequence, "count": count}).scalars().all()
        )
    top = connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM supporters")).scalar_one()
    return range(top + 1, top + 1 + count)


_NONE_STATED: dict[str, bool] = {}
# What a new person's row leaves unsaid (INSERT_COLUMNS from phone to recruiter_id): no
# contact but the email, no group, no consent stated (no until asked), no recruiter
_UNSAID = {
    "phone": None,
    "postcode": None,
    "local_group_id": None,
    "consent_email": False,
    "consent_sms": False,
    "consent_photo": False,
    "recruiter_id": None,
}
_NAMED = ("first_name", "last_name", "email")


def _starting(now: Any, first_rung: str, source: str) -> tuple[Any, ...]:
    """What every new person starts with (INSERT_COLUMNS from source on), ``now`` as
    :func:`_stamp` writes it (or as the database takes it)."""
    return (source, now, None, first_rung, now, False, "active", now)


def insert_people_from(
    connection: Connection,
    people: Subquery,
    count: int,
    now: datetime,
    first_rung: str,
    source: str,
) -> int:
    """New people whose rows give only an email and names, inserted straight from the
    database (an action file's new signers, :mod:`ladder.actions.known_rows`): ``people``
    selects ``line``, ``first_name``, ``last_name`` and ``email``, one row a person; they get
    ids in line order (after the largest on SQLite, from the sequence on PostgreSQL) and
    what :func:`write_plan` gives such a row (:data:`_UNSAID`, :func:`_starting`), with one
    ``INSERT ... SELECT``; for ``count`` new people as many as :func:`write_plan` builds its
    indexes again for, the two on the names (:data:`_BY_NAME`) built again after it.
    Returns how many."""
    sqlite = connection.dialect.name == "sqlite"
    stamp = _stamp(now) if sqlite else now  # the text write_plan stores on SQLite
    starting = _starting(stamp, first_rung, source[:60])
    fixed = {**_UNSAID, **dict(zip(INSERT_COLUMNS[-len(starting) :], starting, strict=True))}

    def value(name: str) -> Any:
        if name in _NAMED:
            return people.c[name]
        given = fixed[name]
        if given is None:
            return null()
        kind = String() if sqlite and isinstance(given, str) else SUPPORTERS.c[name].type
        return literal(given, kind)

    columns = INSERT_COLUMNS[1:]
    rows = select(*(value(name) for name in columns)).order_by(people.c.line)
    many, empty = _many_new(connection, count)
    with rebuilt_after(connection, _BY_NAME, many, readers_wait=empty):
        inserted = connection.execute(insert(SUPPORTERS).from_select(columns, rows)).rowcount
    if inserted < 0:  # (psycopg gives no rowcount for INSERT ... SELECT here)
        inserted = connection.execute(select(func.count()).select_from(people)).scalar_one()
    return int(inserted)


def _new_rows(
    plan: Plan, ids: array[int], group: Any, now: str, first_rung: str, source: str
) -> Iterator[tuple[Any, ...]]:
    """Insert tuples in INSERT_COLUMNS order (UPDATABLE's order for the person's columns),
    with ``ids`` by line."""
    consents = plan.consents.new  # by line
    new = plan.new
    texts, firsts, lasts, postcodes = new.texts, new.firsts, new.lasts, new.postcodes
    emails, phones, groups = new.emails, new.phones, new.groups
    recruiters = plan.recruiters.of_new(len(plan.new.live))  # by line
    starting = _starting(now, first_rung, source)
    for key in recruiters_first(plan.new, plan.recruiters):
        line = -key
        recruiter = recruiters[line] or None
        stated = (consents[line] if line < len(consents) else None) or _NONE_STATED
        group_id = None if groups is None else groups[line]
        yield (
            ids[line],
            texts[firsts[line]],
            texts[lasts[line]],
            emails[line],
            phones[line],
            texts[postcodes[line]],
            group_id if group_id is None or group_id.__class__ is int else group(group_id),
            # the consents as the ledger will hold them (write_plan records the row's
            # statements, a new person's only records): no UPDATE of the cache after
            stated.get("email", False),
            stated.get("sms", False),
            stated.get("photo", False),
            recruiter if recruiter is None or recruiter > 0 else ids[-recruiter],
        ) + starting


def recruiters_first(new: Mapping[int, Any], recruiters: Mapping[int, int]) -> Iterator[int]:
    """The new people (keys: minus a line), each after their recruiter when the recruiter is
    new too.

    Foreign keys are checked row by row; deferring them instead makes SQLite search every
    table that references supporters for each inserted row (quadratic at 100k rows).
    """
    live = new.live if isinstance(new, NewPeople) else _live(new)  # by line: 1 for new
    end = len(live)
    # by line: a new person's recruiter (0: none)
    parents = (
        recruiters.of_new(end) if isinstance(recruiters, Recruiters) else _by_line(recruiters, end)
    )
    written = bytearray(end)
    for key in new:
        if written[-key]:
            continue
        recruiter = parents[-key]
        written[-key] = 1
        if not (0 < -recruiter < end and live[-recruiter]) or written[-recruiter]:
            yield key  # the usual person: no new recruiter waiting to be written
            continue
        chain = [key]
        key = recruiter
        while 0 < -key < end and live[-key] and not written[-key]:
            chain.append(key)
            written[-key] = 1
            key = parents[-key]
        yield from reversed(chain)


def _by_line(recruiters: Mapping[int, int], end: int) -> array[int]:
    """The recruiters of new people (keys: minus a line below ``end``), by line."""
    by_line = array("q", [0]) * end
    for key, recruiter in recruiters.items():
        if 0 < -key < end:
            by_line[-key] = recruiter
    return by_line


def _live(new: Mapping[int, Any]) -> bytearray:
    """A byte by line, 1 for each of ``new``'s keys (minus a line)."""
    live = bytearray(1 + max((-key for key in new), default=0))
    for key in new:
        live[-key] = 1
    return live


def _update_people(
    connection: Connection, plan: Plan, person: Any, group: Any, now: datetime
) -> None:
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for key in plan.changes.keys() | plan.recruiters.known.keys():
        values = {k: v for k, v in plan.changes.get(key, {}).items() if k not in BOOLEAN}
        if key in plan.recruiters:
            values["recruiter_id"] = person(plan.recruiters[key])
        if "local_group_id" in values:
            values["local_group_id"] = group(values["local_group_id"])
        values["updated_at"] = now
        by_columns[tuple(sorted(values))].append({"_id": key, **values})
    update_by_id(connection, SUPPORTERS, by_columns)


def _create_groups(connection: Connection, names: dict[str, str], now: datetime) -> dict[str, int]:
    created = {}
    for folded, name in names.items():
        query = insert(LocalGroup).returning(LocalGroup.id).values(name=name, created_at=now)
        created[folded] = connection.execute(query).scalar_one()
    return created


def _create_tags(connection: Connection, names: dict[str, str]) -> dict[str, int]:
    if not names:
        return {}
    connection.execute(insert(Tag), [{"name": name} for name in names.values()])
    query = select(Tag.id, Tag.name).where(Tag.name.in_(list(names.values())))
    return {fold(row.name) or row.name: row.id for row in connection.execute(query)}
