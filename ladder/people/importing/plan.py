"""Planning a people import: who each row is, what it changes, and which rows are refused.

Read-only and linear: every row is matched against :class:`Known`: by its id column when that
names a live person (a ``people list`` export coming back), else by
:func:`~ladder.domain.names.same_person` (same email, else same phone with an agreeing name),
else by the same name and postcode when the row has neither; rows with distinct ids are never
one person. Then the recruiter column is resolved once the whole file is known (a recruiter
may come later in the file), then cycles are refused. Nothing here queries the database per
row. A name that differs only in capitals keeps its better-written form (``better_cased``).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ladder.domain.names import (
    EMAIL_OF_ANOTHER,
    SAME_EMAIL,
    SAME_PHONE_AND_NAME,
    Identity,
    better_cased,
    fold,
    full_name_key,
    names_agree,
    same_person,
)
from ladder.people.edit import group_hint
from ladder.people.importing.known import BOOLEAN, POSITION, UPDATABLE, Known
from ladder.people.importing.newpeople import ByLine, Lines, NewIds, NewPeople, Recruiters
from ladder.people.importing.recruiters import resolve_recruiters
from ladder.people.importing.rows import PersonRow, Rejection, person_name


@dataclass
class Plan:
    """What an import would do. Keys are person ids, or negative placeholders for new people."""

    new: NewPeople = field(default_factory=NewPeople)  # by placeholder key, in file order
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    matched: set[int] = field(default_factory=set)  # known people named by a row
    tags: dict[int, tuple[str, ...]] = field(default_factory=dict)
    recruiters: Recruiters = field(init=False)  # person -> new recruiter
    lines: Lines = field(init=False)  # person -> the row that names them
    file_ids: dict[int, int] = field(default_factory=dict)  # the file's id column -> person
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: int = 0
    new_groups: dict[str, str] = field(default_factory=dict)  # folded -> name as written
    tool: str = ""  # the namespace of the file's tool ids
    identifiers: ByLine[str] = field(init=False)  # person -> new tool id
    suggestions: list[str] = field(default_factory=list)  # recruiter suggestions taken
    repeats: list[tuple[int, int, int]] = field(default_factory=list)  # line, first line, key
    # every accepted row's line -> its key (repeated rows too), when the importer asks for it
    # (``ImportOptions.by_line``: an action import needs the person of each row)
    line_keys: dict[int, int] | None = None
    new_ids: Mapping[int, int] = field(default_factory=NewIds)  # new key -> id, once written
    # person -> the consents their row states ({"email": True}), for the consent ledger
    consents: ByLine[dict[str, bool]] = field(init=False)
    # person -> (the organisation they represent, their role there), as the row names them
    organisations: dict[int, tuple[str, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lines = Lines(self.new)
        self.recruiters = Recruiters(self.lines)
        self.identifiers = ByLine(self.lines)
        self.consents = ByLine(self.lines)

    def reject(self, key: int, column: str, reason: str) -> None:
        """Refuse the row that named ``key``, after it was planned."""
        self.rejected.append(Rejection(self.lines[key], column, reason))
        self.new.pop(key, None)
        self.changes.pop(key, None)
        self.matched.discard(key)
        self.tags.pop(key, None)
        self.recruiters.pop(key, None)
        self.identifiers.pop(key, None)
        self.consents.pop(key, None)
        self.organisations.pop(key, None)


class Planner:
    """Consumes validated rows in file order; :meth:`finish` resolves recruiters."""

    def __init__(
        self,
        known: Known,
        groups: dict[str, int],
        columns: dict[str, str],
        create_groups: bool,
    ) -> None:
        self.known = known
        self.plan = Plan()
        known.new_rows = self.plan.new  # later rows and references name them too
        self.groups = {fold(name): group_id for name, group_id in groups.items()}
        self.group_names = list(groups)
        self.columns = columns  # field -> header, for messages
        self.create_groups = create_groups
        # each planned row's signature, at its line: 8 bytes a row, where a dict by person
        # held 74 MiB at a million rows
        self._signatures = array("q")
        self._file_id_of: dict[int, int] = {}  # person -> the id column of the row naming them
        self._ref_keys: list[int] = []  # who names a recruiter, and the reference as written
        self._refs: list[str | int] = []  # (two lists: a tuple each weighs 56 bytes more)
        self.tool = ""  # whose ids the file's tool_id column holds
        self._known_ids = set(known.by_tool_id)  # the ids the database already has
        self.accept_suggestions = False
        self.ids_decide = False  # an id names its person whatever the name (an API's PUT)
        self.forget_matching = False  # finish() drops the known's indexes once done with them
        self._statements: dict[tuple[tuple[str, bool], ...], dict[str, bool]] = {}
        self._tag_lists: dict[tuple[str, ...], tuple[str, ...]] = {}

    def add_rows(self, rows: Iterable[PersonRow | Rejection]) -> None:
        for row in rows:
            if isinstance(row, Rejection):
                self.plan.rejected.append(row)
            else:
                self.add(row)

    def add(self, row: PersonRow) -> None:
        # run once a row: each value read once, few calls
        plan, known = self.plan, self.known
        line = row["line"]
        group = self._group(row) if "group" in row else None
        if isinstance(group, Rejection):  # (no cast() a row: each is a call)
            plan.rejected.append(group)
            return
        group_id = group
        email, phone = row.get("email"), row.get("phone")
        found = self._by_tool_id(row) if "tool_id" in row and self.tool else None
        if found is None:
            found = self._match(row, email, phone)
        if isinstance(found, Rejection):
            plan.rejected.append(found)
            return
        key = found
        # its signature: a hash of its values but the line (rows of one file share a key order)
        values: dict[str, Any] = row  # type: ignore[assignment]
        del values["line"]
        signature = hash(tuple(values.items()))
        values["line"] = line
        lines = plan.lines
        if key is None:
            key = plan.new.add(  # -line: their line goes without saying
                line,
                row.get("first_name"),
                row.get("last_name"),
                email,
                phone,
                row.get("postcode"),
                group_id,
            )
            known.add_new(key)
        elif key < 0 or key in lines.known:  # planned already: a repeat (new people are)
            self._repeat(row, key, signature)
            return
        else:
            plan.matched.add(key)
            changes = _changes(known.people[key], row, group_id)
            if changes:
                plan.changes[key] = changes
            lines.known[key] = line
        signatures = self._signatures
        if len(signatures) <= line:  # a quarter more (doubling held 13 MiB for 8)
            more = max(line + 1 - len(signatures), len(signatures) // 4)
            signatures.frombytes(bytes(8 * more))
        signatures[line] = signature
        if "consent_email" in row or "consent_sms" in row or "consent_photo" in row:
            stated = {c[8:]: bool(values[c]) for c in CONSENTS if values.get(c) is not None}
            if stated:  # a few distinct statements, shared (read only): not a dict a row
                plan.consents[key] = self._statements.setdefault(tuple(stated.items()), stated)
        if plan.line_keys is not None:
            plan.line_keys[line] = key
        # what later rows and references find this person by
        if email:
            known.by_email.setdefault(email, key)
        if phone:
            by_phone = known.by_phone
            if phone not in by_phone:
                by_phone[phone] = key  # the usual case, without a call
            else:
                known.add_phone(phone, key)
        if tags := row.get("tags"):  # a few distinct lists of tags, shared (read only)
            plan.tags[key] = self._tag_lists.setdefault(tags, tags)
        if organisation := row.get("organisation"):
            plan.organisations[key] = (organisation, row.get("role"))
        if "id" in row:
            plan.file_ids.setdefault(row["id"], key)
            self._file_id_of.setdefault(key, row["id"])
        if reference := row.get("recruited_by"):
            self._ref_keys.append(key)
            # an email reference naming someone already known or planned is kept as their
            # key: no string a row (their email, as the reference writes it, when needed)
            named = (
                known.by_email.get(reference)
                if "@" in reference and reference[:1] != "#" and reference == reference.lower()
                else None
            )
            self._refs.append(reference if named is None or named == key else named)
        if self.tool and (tool_id := row.get("tool_id")):
            self._identify(key, tool_id)

    def finish(self) -> Plan:
        """Resolve the recruiter references; with :attr:`forget_matching`, the known's
        matching indexes go once they are read (before the search for cycles)."""
        self.plan.tool = self.tool
        resolve_recruiters(
            self.plan,
            self.known,
            self._taken_refs(),
            self.columns.get("recruited_by", ""),
            self.accept_suggestions,
            self.forget_matching,
        )
        return self.plan

    def _taken_refs(self) -> Iterator[tuple[int, str | int]]:
        """Who names a recruiter, and the reference: read once, gone once read."""
        keys, refs = self._ref_keys, self._refs
        self._ref_keys, self._refs = [], []
        yield from zip(keys, refs, strict=True)

    def _by_tool_id(self, row: PersonRow) -> int | None | Rejection:
        """The person the file's tool already named with this id (in the database, or on
        an earlier row); None: matched as usual, then given the id."""
        key = self.known.by_tool_id.get(row["tool_id"])
        if key is None:
            return None
        if key > 0:
            self.known.ensure([key])
        if key > 0 and key not in self.known.people:
            return None
        email = row.get("email")
        owner = self.known.by_email.get(email) if email else None
        if owner is not None and owner != key:
            a, b = (self.known.describe(k, self.plan.lines) for k in (key, owner))
            return Rejection(
                row["line"],
                self.columns.get("tool_id", "tool_id"),
                f"this {self.tool} id is {a}'s but the email is {b}'s: if they are one "
                "person, merge them first (ladder people merge)",
            )
        return key

    def _identify(self, key: int, tool_id: str) -> None:
        """Give ``key`` the file's tool id, unless the database already has it, or an
        earlier row gave it to someone else."""
        owner = self.known.by_tool_id.setdefault(tool_id, key)
        if owner == key and (key < 0 or tool_id not in self._known_ids):
            self.plan.identifiers.setdefault(key, tool_id)

    def _repeat(self, row: PersonRow, key: int, signature: int) -> None:
        first_line = self.plan.lines[key]
        first = self._signatures[first_line]
        if first == signature:
            self.plan.duplicates += 1
            self.plan.repeats.append((row["line"], first_line, key))
            if self.plan.line_keys is not None:
                self.plan.line_keys[row["line"]] = key
            return
        who = self.known.describe(key, self.plan.lines)
        self.plan.rejected.append(
            Rejection(
                row["line"],
                "",
                f"the same person as line {first_line} ({who}) with different details: "
                "keep one row per person",
            )
        )

    def _group(self, row: PersonRow) -> int | str | None | Rejection:
        name = row.get("group")
        if not name:
            return None
        folded = fold(name) or name.lower()
        if folded in self.groups:
            return self.groups[folded]
        if self.create_groups:
            return self.plan.new_groups.setdefault(folded, name)
        return Rejection(
            row["line"],
            self.columns.get("group", "group"),
            f"unknown group {name!r}{group_hint(name, self.group_names)}: fix it, "
            "or create it with --create-groups",
        )

    def _match(
        self, row: PersonRow, email: str | None, phone: str | None
    ) -> int | None | Rejection:
        if "id" in row:
            by_id = self._by_id(row)
            if by_id is not None:
                return by_id
        by_email = self.known.by_email.get(email) if email else None
        if by_email is not None and self._other_id(by_email, row):
            return Rejection(
                row["line"],
                self.columns.get("email", "email"),
                f"{email} is also on line {self.plan.lines[by_email]}, with another id: "
                "give each person their own email",
            )
        if by_email is not None and self._same(by_email, row) == EMAIL_OF_ANOTHER:
            owner = self.known.describe(by_email, self.plan.lines)
            return Rejection(
                row["line"],
                self.columns.get("email", "email"),
                f"{email} already belongs to {owner}, not {person_name(row)}: "
                "give each person their own email, or correct the name",
            )
        by_phone = (
            self._by_phone(phone, row, by_email) if phone and phone in self.known.by_phone else None
        )
        if isinstance(by_phone, Rejection):
            return by_phone
        if by_email is not None and by_phone is not None and by_email != by_phone:
            a, b = (self.known.describe(k, self.plan.lines) for k in (by_email, by_phone))
            return Rejection(
                row["line"],
                "",
                f"the email is {a}'s but the phone is {b}'s: if they are one person, "
                "merge them first (ladder people merge)",
            )
        if by_email is not None or by_phone is not None or email or phone:
            return by_email if by_email is not None else by_phone
        name = full_name_key(row.get("first_name"), row.get("last_name"))
        found = self.known.by_name_and_postcode(name, row.get("postcode"))
        return None if found is not None and self._other_id(found, row) else found

    def _by_id(self, row: PersonRow) -> int | None | Rejection:
        """The live person the row's id column names (None: a new person, or not an id of
        this database, then matched as a row without id)."""
        number = row["id"]
        if number in self.plan.file_ids:
            return self.plan.file_ids[number]  # a repeated row
        if number not in self.known.people:
            return None
        column = self.columns.get("id", "id")
        if not self.ids_decide and not self._agree(number, row):
            name = " ".join(p for p in self.known.names(number) if p)
            return Rejection(
                row["line"],
                column,
                f"#{number} is {name}, not {person_name(row)}: correct the id, or clear it "
                "to match by email or phone",
            )
        email = row.get("email")
        owner = self.known.by_email.get(email) if email else None
        if owner is not None and owner != number:
            a, b = (self.known.describe(k, self.plan.lines) for k in (number, owner))
            return Rejection(
                row["line"],
                column,
                f"the id is {a}'s but the email is {b}'s: if they are one person, "
                "merge them first (ladder people merge)",
            )
        return number

    def _other_id(self, key: int, row: PersonRow) -> bool:
        """True when ``key`` was named by a row with another id than this row's."""
        claimed = self._file_id_of.get(key)
        return claimed is not None and "id" in row and claimed != row["id"]

    def _by_phone(self, phone: str, row: PersonRow, by_email: int | None) -> int | None | Rejection:
        if phone not in self.known.by_phone:
            return None
        owners = [
            k
            for k in self.known.phone_owners(phone)
            if self._same(k, row) in (SAME_EMAIL, SAME_PHONE_AND_NAME)
            and not self._other_id(k, row)
        ]
        if by_email is not None and by_email in owners:
            return by_email
        if len(owners) <= 1:
            return owners[0] if owners else None
        shown = ", ".join(self.known.describe(k, self.plan.lines) for k in owners[:3])
        return Rejection(
            row["line"],
            self.columns.get("phone", "phone"),
            f"{phone} is the phone of {shown}: add an email to say which one this is",
        )

    def _agree(self, key: int, row: PersonRow) -> bool:
        first, last = self.known.names(key)
        return names_agree(first, last, row.get("first_name"), row.get("last_name"))

    def _same(self, key: int, row: PersonRow) -> str | None:
        given = Identity(
            row.get("first_name"), row.get("last_name"), row.get("email"), row.get("phone")
        )
        return same_person(self.known.identity(key), given)


NAMES = {"first_name", "last_name"}
CONSENTS = ("consent_email", "consent_sms", "consent_photo")


def _changes(
    current: tuple[Any, ...], row: PersonRow, group_id: int | str | None
) -> dict[str, Any]:
    """The columns a row changes: only those it gives a value for, and only when different
    (a name differing only in capitals keeps its better-written form)."""
    changes: dict[str, Any] = {}
    for name in UPDATABLE:
        value = group_id if name == "local_group_id" else row.get(name)
        if value is None:
            continue
        old = current[POSITION[name]]
        if name in BOOLEAN:
            old = bool(old)
        elif name in NAMES:
            value = better_cased(old, str(value))  # JEAN never overwrites Jean
        if old != value:
            changes[name] = value
    return changes
