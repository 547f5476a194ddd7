"""The recruiter column of a people file: who each reference names, and refusing cycles.

A reference is ``#12`` (the file's own id column first, else the database's id), an email,
a phone, or a full name; it may name someone earlier in the file, later in it, or already in
the database. Self-recruitment and cycles (through the file, the database, or both) are
refused with a message naming the people in the cycle; a row whose recruiter was refused is
refused too, since its recruiter will not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ladder.domain.contact import looks_like_phone, normalise_email, normalise_phone
from ladder.domain.names import full_name_key
from ladder.domain.text import MAX_ID
from ladder.people.importing.known import Known
from ladder.recruitment.cycles import cycle_message, find_new_cycles

if TYPE_CHECKING:
    from ladder.people.importing.plan import Plan

_ID_REFERENCE = re.compile(r"^#(\d+)\b")


class _Unresolved(Exception):
    pass


def resolve_recruiters(plan: Plan, known: Known, refs: list[tuple[int, str]], column: str) -> None:
    """Fill ``plan.recruiters`` from the references, rejecting the rows that cannot be."""
    for key, reference in refs:
        if key not in plan.lines or (key not in plan.new and key not in plan.matched):
            continue
        try:
            recruiter = _resolve(reference, plan, known)
        except _Unresolved as exc:
            plan.reject(key, column, f"recruited by {reference!r}: {exc}")
            continue
        if recruiter == key:
            plan.reject(key, column, f"recruited by {reference!r}: that is this person")
        elif key < 0 or known.parent(key) != recruiter:
            plan.recruiters[key] = recruiter
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
    if id_match or (text.isdigit() and not text.startswith("0")):
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


def _resolve(reference: str, plan: Plan, known: Known) -> int:
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
        return _one([] if key is None else [key], "has this email", plan, known)
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
    for cycle in find_new_cycles(dict(plan.recruiters), known.parent):
        message = cycle_message([known.describe(k, plan.lines) for k in cycle])
        for key in set(cycle):
            if key in plan.recruiters:
                plan.reject(key, column, message)


def _refuse_orphans(plan: Plan, known: Known, column: str) -> None:
    """Reject rows whose recruiter is a new person whose own row was rejected (transitively)."""
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
