"""The recruiter column of a people file: who each reference names, and refusing cycles.

A reference is ``#12`` (the file's own id column first, else the database's id), an email,
a phone, or a full name; it may name someone earlier in the file, later in it, or already in
the database. Self-recruitment and cycles (through the file, the database, or both) are
refused with a message naming the people in the cycle; a row whose recruiter was refused is
refused too, since its recruiter will not exist.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from ladder.domain.contact import looks_like_phone, normalise_email, normalise_phone
from ladder.domain.names import full_name_key
from ladder.domain.text import MAX_ID
from ladder.people.importing.known import Known
from ladder.people.importing.newpeople import Recruiters
from ladder.recruitment.cycles import cycle_message, find_new_cycles

if TYPE_CHECKING:
    from ladder.people.importing.plan import Plan

_ID_REFERENCE = re.compile(r"^#(\d+)\b")


class _Unresolved(Exception):
    pass


def resolve_recruiters(
    plan: Plan,
    known: Known,
    refs: Iterable[tuple[int, str | int]],
    column: str,
    accept_suggestions: bool = False,
    forget_matching: bool = False,
) -> None:
    """Fill ``plan.recruiters`` from the references, rejecting the rows that cannot be.

    A reference is as written, or the key of whom it named by email when it was read (an
    email of ``known.by_email``, as written there).

    An email reference that names nobody, but is a slip of exactly one known email (accents,
    case, dots; or one edit), is refused with "did you mean ...?", or taken when
    ``accept_suggestions`` (and listed in ``plan.suggestions``).

    ``forget_matching``: once the references are read, drop the known's matching indexes
    (:meth:`Known.forget_matching`) before the cycles are looked for."""
    suggester = _Suggester(plan, known, accept_suggestions)
    live, matched, by_email = plan.new.live, plan.matched, known.by_email  # live: by line
    plan.recruiters.of_new(len(plan.new.planned))  # room for every new person's, at once
    for key, ref in refs:
        if (not live[-key]) if key < 0 else (key not in matched):  # refused since planned
            continue
        # the usual reference, inline: an email as written once normalised, naming someone
        # known or new and accepted (what _resolve answers first, without its calls); the
        # planner keeps such a reference as the key it named then
        if ref.__class__ is int:
            found: int | None = cast(int, ref)
            reference = known.email_of(cast(int, ref))
        else:
            reference = cast(str, ref)
            found = (
                by_email.get(reference)
                if "@" in reference and reference[:1] != "#" and reference == reference.lower()
                else None
            )
        if found is not None and (found > 0 or live[-found]):  # a key found was planned
            recruiter = found
        else:
            try:
                recruiter = _resolve(reference, plan, known, suggester)
            except _Unresolved as exc:
                plan.reject(key, column, f"recruited by {reference!r}: {exc}")
                continue
        if recruiter == key:
            plan.reject(key, column, f"recruited by {reference!r}: that is this person")
        elif key < 0 or known.parent(key) != recruiter:
            plan.recruiters[key] = recruiter
    if forget_matching:
        known.forget_matching()
    _refuse_cycles(plan, known, column)
    _refuse_orphans(plan, known, column)


@dataclass(frozen=True)
class Reference:
    """A recruiter reference, read once: ``#12`` (an id: the file's id column first, then the
    database's), bare digits (an id, else a phone), an email, a phone, or a full name."""

    kind: str  # "id", "id or phone", "email", "phone", "name" or "invalid"
    number: int | None = None
    text: str = ""  # the email, the phone, the folded name, or why it is invalid


def read_reference(reference: str) -> Reference:
    text = reference.strip()
    id_match = _ID_REFERENCE.match(text)
    if id_match or (text.isascii() and text.isdigit() and not text.startswith("0")):
        number = int(id_match.group(1) if id_match else text)
        if number > MAX_ID:  # no database holds it: nobody has that id
            return Reference("invalid", text=f"no person #{number} in the file or the database")
        if id_match or not looks_like_phone(text):
            return Reference("id", number)
        return Reference("id or phone", number, normalise_phone(text) or "")
    if "@" in text:
        try:
            return Reference("email", text=normalise_email(text) or "")
        except ValueError as exc:
            return Reference("invalid", text=str(exc))
    if looks_like_phone(text):
        return Reference("phone", text=normalise_phone(text) or "")
    return Reference("name", text=full_name_key(text, None))


class _Suggester:
    """Suggestions for email references that name nobody."""

    def __init__(self, plan: Plan, known: Known, accept: bool) -> None:
        self.plan, self.known, self.accept = plan, known, accept

    def suggest(self, reference: str, email: str) -> int:
        """The person ``email`` is a slip for, when accepting; else raises with the
        suggestion (or, without one, that nobody has the email)."""
        found = self.known.suggest_email(email) if email else None
        if found is None:
            raise _Unresolved("nobody in the file or the database has this email")
        suggested, key = found
        if key < 0 and key not in self.plan.new:
            raise _Unresolved(f"{self.known.describe(key, self.plan.lines)} is refused too")
        if key > 0:
            self.known.ensure([key])
        who = self._who(key)
        if not self.accept:
            raise _Unresolved(
                f"nobody has this email: did you mean {suggested} ({who})? Correct it, or "
                "take every such suggestion with --accept-suggestions"
            )
        self.plan.suggestions.append(f"{reference!r} read as {suggested} ({who})")
        return key

    def _who(self, key: int) -> str:
        """``Zoé Cœur, line 6`` (new in the file) or ``#12 Zoé Cœur`` (known)."""
        first, last = self.known.names(key)
        name = " ".join(p for p in (first, last) if p)
        if key > 0:
            return f"#{key} {name}".strip()
        return f"{name}, line {self.plan.lines[key]}" if name else f"line {self.plan.lines[key]}"


def _resolve(reference: str, plan: Plan, known: Known, suggester: _Suggester) -> int:
    if "@" in reference and reference[:1] != "#" and reference == reference.lower():
        key = known.by_email.get(reference)  # an email as written once normalised: the same
        if key is not None:  # as read_reference's, without reading it again
            return _one([key], "has this email", plan, known)
    ref = read_reference(reference)
    if ref.number is not None:
        if ref.number in plan.file_ids:
            return plan.file_ids[ref.number]
        if ref.number in known.people:
            return ref.number
        if ref.kind == "id":
            raise _Unresolved(f"no person #{ref.number} in the file or the database")
    if ref.kind == "invalid":
        raise _Unresolved(ref.text)
    if ref.kind == "email":
        key = known.by_email.get(ref.text) if ref.text else None
        if key is None:
            return suggester.suggest(reference, ref.text)
        return _one([key], "has this email", plan, known)
    if ref.kind != "name":
        owners = known.phone_owners(ref.text) if ref.text else []
        return _one(owners, "has this phone", plan, known)
    return _one(known.by_name(ref.text), "has this name", plan, known)


def _one(keys: list[int], what: str, plan: Plan, known: Known) -> int:
    live = [k for k in keys if k > 0 or k in plan.new]
    if len(live) == 1:
        return live[0]
    if not live and keys:
        raise _Unresolved(f"{known.describe(keys[0], plan.lines)} is refused too")
    if not live:
        raise _Unresolved(f"nobody in the file or the database {what}")
    shown = ", ".join(known.describe(k, plan.lines) for k in live[:3])
    more = f" and {len(live) - 3} more" if len(live) > 3 else ""
    raise _Unresolved(f"{len(live)} people match ({shown}{more}): use an email or #id")


def _refuse_cycles(plan: Plan, known: Known, column: str) -> None:
    for cycle in find_new_cycles(_reaching_cycles(plan.recruiters, known), known.parent):
        message = cycle_message([known.describe(k, plan.lines) for k in cycle])
        for key in set(cycle):
            if key in plan.recruiters:
                plan.reject(key, column, message)


def _reaching_cycles(recruiters: Recruiters, known: Known) -> dict[int, int]:
    """The new edges whose walk up the recruiters ends in a cycle, in ``recruiters``' order:
    all :func:`find_new_cycles` needs to find each cycle as it would from every edge (a walk
    ending elsewhere finds none, and meets no walk that does). Usually none: a million
    edges are walked with a byte by line instead of a set of everyone."""
    end = len(recruiters.lines.new.planned)  # every new person's line (recruiters' too)
    by_line, others = recruiters.of_new(end), recruiters.known
    # a person's walk: 0 not yet, 1 on the current one, 2 ends at the top, 3 ends in a cycle
    lines = bytearray(end)  # new people's, by line
    ids: dict[int, int] = {}  # known people's
    edges: dict[int, int] = {}
    for start in recruiters:
        path: list[int] = []
        node: int | None = start
        while node is not None and not (lines[-node] if node < 0 else ids.get(node, 0)):
            path.append(node)
            if node < 0:
                lines[-node] = 1
                node = by_line[-node] or None
            else:
                ids[node] = 1
                node = others[node] if node in others else known.parent(node)
        ends = 2 if node is None else lines[-node] if node < 0 else ids[node]
        verdict = 2 if ends == 2 else 3  # on this walk (1): a cycle
        for member in path:
            if member < 0:
                lines[-member] = verdict
            else:
                ids[member] = verdict
        if (lines[-start] if start < 0 else ids[start]) == 3:
            edges[start] = recruiters[start]
    return edges


def _refuse_orphans(plan: Plan, known: Known, column: str) -> None:
    """Reject rows whose recruiter is a new person whose own row was rejected (transitively)."""
    live = plan.new.live  # by line: a refused new person's is 0 (a rare case: checked first)
    named = itertools.chain(plan.recruiters.known.values(), filter(None, plan.recruiters.by_line))
    if all(recruiter > 0 or live[-recruiter] for recruiter in named):
        return
    recruits: dict[int, list[int]] = {}
    for key, recruiter in plan.recruiters.items():
        if recruiter < 0:
            recruits.setdefault(recruiter, []).append(key)
    queue = [r for r in recruits if r not in plan.new]
    while queue:
        gone = queue.pop()
        for key in recruits.get(gone, []):
            if key in plan.recruiters:
                who = known.describe(gone, plan.lines)
                plan.reject(key, column, f"its recruiter, {who}, is refused too")
                if key < 0:
                    queue.append(key)
