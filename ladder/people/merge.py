"""Merging two records of one person: ``merge(KEEP, OTHER)``.

Everything OTHER owns moves to KEEP in a handful of set-based statements (actions,
attendances, tags, level history, contacts, hosted events, recruits, affiliations); KEEP's
blank details are filled from OTHER; the higher rung wins (recorded as a level change); OTHER
stays as a record pointing to KEEP (``merged_into_id``) with its contact details moved out, and
the merge is recorded with a snapshot of OTHER. A merge that would close a recruitment cycle is
refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, insert, select, text, update

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import SupporterStatus
from ladder.errors import CycleError, InputError
from ladder.people.lookup import find_person
from ladder.privacy import audit
from ladder.privacy.consent import move_records
from ladder.recruitment.cycles import chain_up, cycle_message, describe_people
from ladder.storage.firsts import refresh_first_actions
from ladder.storage.models import LevelChange, Merge, Supporter

FILLED = ("first_name", "last_name", "email", "phone", "postcode", "local_group_id", "source")
_PRESENCE_RANK = "CASE {} WHEN 'attended' THEN 2 WHEN 'no_show' THEN 1 ELSE 0 END"


@dataclass
class MergeOutcome:
    kept: str
    merged: str
    moved: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def merge_people(
    engine: Engine, ladder: LadderFile, keep_ref: str, other_ref: str, user: str
) -> MergeOutcome:
    now = utcnow()
    with engine.begin() as connection:
        keep_id = find_person(connection, keep_ref).id
        other_id = find_person(connection, other_ref).id
        if keep_id == other_id:
            raise InputError(f"{keep_ref!r} and {other_ref!r} are the same person (#{keep_id})")
        keep, other = (_load(connection, i) for i in (keep_id, other_id))
        _refuse_cycle(connection, keep, other)
        kept, merged = describe_people(connection, [keep_id, other_id])
        outcome = MergeOutcome(kept, merged)
        outcome.moved = _move_everything(connection, keep_id, other_id)
        _retire(connection, other, keep_id, now)
        outcome.notes = _absorb(connection, ladder, keep, other, user, now)
        connection.execute(
            insert(Merge).values(
                kept_id=keep_id,
                merged_id=other_id,
                merged_at=now,
                merged_by=user,
                details={"merged": _snapshot(other), "moved": outcome.moved},
            )
        )
        audit.record(
            connection,
            user,
            "people merge",
            people=[keep_id, other_id],
            detail={"kept": keep_id, "merged": other_id, "moved": outcome.moved},
        )
        return outcome


def _load(connection: Connection, person_id: int) -> Row[Any]:
    return connection.execute(select(Supporter.__table__).where(Supporter.id == person_id)).one()


def _refuse_cycle(connection: Connection, keep: Row[Any], other: Row[Any]) -> None:
    """KEEP keeps its recruiter (or takes OTHER's); refuse if KEEP or OTHER is on its chain up."""
    parent = keep.recruiter_id if keep.recruiter_id is not None else other.recruiter_id
    if parent is None:
        return
    chain = chain_up(connection, parent)
    closing = next((i for i, p in enumerate(chain) if p in (keep.id, other.id)), None)
    if closing is None:
        return
    cycle = [keep.id, *chain[: closing + 1]]
    names = describe_people(connection, cycle)
    if cycle[-1] == other.id:
        names[-1] += f" (merged into #{keep.id})"
    raise CycleError(
        f"merge refused: {cycle_message(names)}; change a recruiter first "
        "(ladder people set-recruiter / clear-recruiter)"
    )


def _move_everything(connection: Connection, keep: int, other: int) -> dict[str, int]:
    ids = {"keep": keep, "other": other}
    _merge_shared_attendances(connection, ids)
    moves = {
        "actions": "UPDATE actions SET supporter_id = :keep WHERE supporter_id = :other",
        "attendances": "UPDATE attendances SET supporter_id = :keep WHERE supporter_id = :other",
        "brought": "UPDATE attendances SET brought_by_id = :keep WHERE brought_by_id = :other",
        "tags": (
            "INSERT INTO supporter_tags (supporter_id, tag_id) SELECT :keep, tag_id "
            "FROM supporter_tags WHERE supporter_id = :other AND tag_id NOT IN "
            "(SELECT tag_id FROM supporter_tags WHERE supporter_id = :keep)"
        ),
        "level_changes": (
            "UPDATE level_changes SET supporter_id = :keep WHERE supporter_id = :other"
        ),
        "contacts": "UPDATE contacts SET supporter_id = :keep WHERE supporter_id = :other",
        "hosted_events": "UPDATE events SET host_id = :keep WHERE host_id = :other",
        "recruits": "UPDATE supporters SET recruiter_id = :keep WHERE recruiter_id = :other",
        "earlier_merges": (
            "UPDATE supporters SET merged_into_id = :keep WHERE merged_into_id = :other"
        ),
        # the organisations the merged record represented that the kept one did not
        # (one row per person and organisation: the others go with the DELETE below)
        "affiliations": (
            "UPDATE affiliations SET supporter_id = :keep WHERE supporter_id = :other "
            "AND organisation_id NOT IN "
            "(SELECT organisation_id FROM affiliations WHERE supporter_id = :keep)"
        ),
        # other tools' ids for the merged person name the kept one (unique per namespace and
        # value: moving never collides)
        "identifiers": (
            "UPDATE supporter_identifiers SET supporter_id = :keep WHERE supporter_id = :other"
        ),
    }
    moved = {name: connection.execute(text(sql), ids).rowcount for name, sql in moves.items()}
    if moved["actions"]:
        refresh_first_actions(connection, [keep, other])
    # the consent ledgers join: KEEP's consent is the latest statement of either record
    moved["consent_records"] = move_records(connection, keep, other)
    connection.execute(text("DELETE FROM supporter_tags WHERE supporter_id = :other"), ids)
    connection.execute(text("DELETE FROM affiliations WHERE supporter_id = :other"), ids)
    return {name: count for name, count in moved.items() if count}


def _merge_shared_attendances(connection: Connection, ids: dict[str, int]) -> None:
    """An event both records attended: KEEP's row takes the stronger facts, OTHER's goes."""
    rank_keep = _PRESENCE_RANK.format("attendances.presence")
    rank_other = _PRESENCE_RANK.format("o.presence")
    same_event = "o.event_id = attendances.event_id AND o.supporter_id = :other"
    connection.execute(
        text(
            f"""
            UPDATE attendances SET
              presence = CASE WHEN (SELECT {rank_other} FROM attendances o WHERE {same_event})
                              > {rank_keep}
                         THEN (SELECT o.presence FROM attendances o WHERE {same_event})
                         ELSE presence END,
              rsvp = COALESCE(rsvp, (SELECT o.rsvp FROM attendances o WHERE {same_event})),
              checked_in_at = COALESCE(checked_in_at,
                  (SELECT o.checked_in_at FROM attendances o WHERE {same_event})),
              checked_in_by = COALESCE(checked_in_by,
                  (SELECT o.checked_in_by FROM attendances o WHERE {same_event}))
            WHERE supporter_id = :keep
              AND event_id IN (SELECT event_id FROM attendances WHERE supporter_id = :other)
            """
        ),
        ids,
    )
    connection.execute(
        text(
            "DELETE FROM attendances WHERE supporter_id = :other AND event_id IN "
            "(SELECT event_id FROM attendances WHERE supporter_id = :keep)"
        ),
        ids,
    )


def _retire(connection: Connection, other: Row[Any], keep_id: int, now: datetime) -> None:
    """OTHER points at KEEP; its email and phone move out (the email is unique)."""
    connection.execute(
        update(Supporter)
        .where(Supporter.id == other.id)
        .values(merged_into_id=keep_id, email=None, phone=None, recruiter_id=None, updated_at=now)
    )


def _absorb(
    connection: Connection,
    ladder: LadderFile,
    keep: Row[Any],
    other: Row[Any],
    user: str,
    now: datetime,
) -> list[str]:
    values: dict[str, Any] = {c: other._mapping[c] for c in FILLED if keep._mapping[c] is None}
    if keep.recruiter_id is None and other.recruiter_id is not None:
        values["recruiter_id"] = other.recruiter_id
    values["created_at"] = min(keep.created_at, other.created_at)
    notes = _higher_rung(ladder, keep, other, values)
    connection.execute(
        update(Supporter).where(Supporter.id == keep.id).values(**values, updated_at=now)
    )
    if notes:
        connection.execute(
            insert(LevelChange).values(
                supporter_id=keep.id,
                from_rung=keep.rung,
                to_rung=values.get("rung", keep.rung),
                from_status=keep.status,
                to_status=values.get("status", keep.status),
                changed_at=now,
                changed_by=user,
                reason=f"merged #{other.id} into #{keep.id}",
                evidence={"merged_id": other.id},
            )
        )
    return notes


def _higher_rung(
    ladder: LadderFile, keep: Row[Any], other: Row[Any], values: dict[str, Any]
) -> list[str]:
    notes = []
    rank = {name: i for i, name in enumerate(ladder.rung_names)}
    if rank.get(other.rung, -1) > rank.get(keep.rung, -1):
        values.update(
            rung=other.rung, rung_since=other.rung_since, rung_set_manually=other.rung_set_manually
        )
        notes.append(f"rung {keep.rung} -> {other.rung} (from #{other.id})")
    elif other.rung == keep.rung and other.rung_since < keep.rung_since:
        values["rung_since"] = other.rung_since
    if keep.status == SupporterStatus.LAPSED and other.status == SupporterStatus.ACTIVE:
        values.update(
            status=SupporterStatus.ACTIVE,
            status_since=other.status_since,
            lapse_condition_since=None,
        )
        notes.append(f"status lapsed -> active (from #{other.id})")
    return notes


def _snapshot(row: Row[Any]) -> dict[str, Any]:
    return {
        key: value.isoformat(sep=" ") if isinstance(value, datetime) else value
        for key, value in row._mapping.items()
    }
