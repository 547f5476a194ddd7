"""Tagging people: tags are created on first use; tagging twice or untagging twice is harmless."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, insert, select

from ladder.domain.names import fold
from ladder.domain.text import TAG, text_problem
from ladder.errors import InputError
from ladder.people.edit import Outcome
from ladder.people.lookup import find_person
from ladder.privacy import audit
from ladder.recruitment.cycles import describe_people
from ladder.storage.models import SupporterTag, Tag


def tag_person(
    engine: Engine, ref: str, tags: list[str], *, by: str
) -> tuple[Outcome, list[str], list[str]]:
    """Add tags (created on first use); returns (outcome, added, already there)."""
    names = _clean_tags(tags)
    with engine.begin() as connection:
        person = find_person(connection, ref)
        ids = _tag_ids(connection, names, create=True)
        have = _tags_of(connection, person.id)
        added = [n for n in names if ids[n] not in have]
        if added:
            rows = [{"supporter_id": person.id, "tag_id": ids[n]} for n in added]
            connection.execute(insert(SupporterTag), rows)
            audit.record(
                connection,
                by,
                "people tag",
                people=[person.id],
                fields=["tags"],
                detail={"tags": sorted(ids[n] for n in added)},
            )
        outcome = Outcome(describe_people(connection, [person.id])[0], person.id)
        return outcome, added, [n for n in names if n not in added]


def untag_person(
    engine: Engine, ref: str, tags: list[str], *, by: str
) -> tuple[Outcome, list[str], list[str]]:
    """Remove tags; returns (outcome, removed, not there)."""
    names = _clean_tags(tags)
    with engine.begin() as connection:
        person = find_person(connection, ref)
        ids = _tag_ids(connection, names, create=False)
        have = _tags_of(connection, person.id)
        removed = [n for n in names if ids.get(n) in have]
        if removed:
            connection.execute(
                delete(SupporterTag).where(
                    SupporterTag.supporter_id == person.id,
                    SupporterTag.tag_id.in_([ids[n] for n in removed]),
                )
            )
            audit.record(
                connection,
                by,
                "people untag",
                people=[person.id],
                fields=["tags"],
                detail={"tags": sorted(ids[n] for n in removed)},
            )
        outcome = Outcome(describe_people(connection, [person.id])[0], person.id)
        return outcome, removed, [n for n in names if n not in removed]


def _clean_tags(tags: list[str]) -> list[str]:
    names = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    if not names:
        raise InputError("give at least one tag")
    for number, name in enumerate(names, 1):
        if problem := text_problem(name, TAG):
            raise InputError(f"tag {number}: {problem}")
    return names


def _tag_ids(connection: Connection, names: list[str], create: bool) -> dict[str, int]:
    folded = {fold(n) or n.lower(): n for n in names}
    ids: dict[str, int] = {}
    for tag_id, name in connection.execute(select(Tag.id, Tag.name)):
        if (key := fold(name) or name.lower()) in folded:
            ids[folded[key]] = tag_id
    for name in names:
        if name not in ids and create:
            ids[name] = connection.execute(
                insert(Tag).returning(Tag.id).values(name=name)
            ).scalar_one()
    return ids


def _tags_of(connection: Connection, person_id: int) -> set[int]:
    query = select(SupporterTag.tag_id).where(SupporterTag.supporter_id == person_id)
    return set(connection.execute(query).scalars())
