"""`ladder people affiliate / unaffiliate`: who represents which organisation, in which role.

A person may represent several organisations; one row per (person, organisation). The merge
moves a merged record's affiliations to the kept one (``ladder.people.merge``); an erasure
keeps the row, so the organisation's counts stay true, and blanks its role
(``ladder.privacy.erasure``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, delete, insert, select, update

from ladder.clock import utcnow
from ladder.domain.text import TITLE, text_problem
from ladder.errors import ConflictError, InputError, NotFoundError
from ladder.orgs.manage import OrgRef, find_org
from ladder.people.lookup import PersonRef, find_person
from ladder.privacy import audit
from ladder.storage.models import Affiliation


@dataclass(frozen=True)
class Affiliated:
    person: PersonRef
    org: OrgRef
    role: str | None
    since: date | None
    changed: bool = True  # False: the same affiliation was already there


def affiliate(
    engine: Engine,
    person_ref: str,
    org_ref: str,
    role: str | None = None,
    since: date | None = None,
    *,
    by: str,
    update_role: bool = False,
) -> Affiliated:
    """Say that a person represents an organisation. A person already affiliated to it is
    refused (ConflictError), unless ``update_role``: then the role and date given replace
    the old ones."""
    role = _role(role)
    with engine.begin() as connection:
        person = find_person(connection, person_ref)
        org = find_org(connection, org_ref)
        existing = connection.execute(
            select(Affiliation.id).where(
                Affiliation.supporter_id == person.id, Affiliation.organisation_id == org.id
            )
        ).scalar()
        fields = [n for n, v in (("role", role), ("since", since)) if v is not None]
        if existing is not None and not update_role:
            raise ConflictError(
                f"#{person.id} {person.name} already represents {org.name}: "
                "pass --update to change the role or date"
            )
        if existing is not None:
            values = {k: v for k, v in (("role", role), ("since", since)) if v is not None}
            if values:
                connection.execute(
                    update(Affiliation).where(Affiliation.id == existing).values(**values)
                )
        else:
            add_affiliations(connection, [(person.id, org.id, role, since)], utcnow())
        audit.record(
            connection,
            by,
            "people affiliate",
            people=[person.id],
            fields=["organisation", *fields],
            detail={"organisation": org.id},
        )
        return Affiliated(person, org, role, since, existing is None or bool(fields))


def unaffiliate(engine: Engine, person_ref: str, org_ref: str, *, by: str) -> Affiliated:
    """Say that a person no longer represents an organisation (the row goes)."""
    with engine.begin() as connection:
        person = find_person(connection, person_ref)
        org = find_org(connection, org_ref)
        gone = connection.execute(
            delete(Affiliation).where(
                Affiliation.supporter_id == person.id, Affiliation.organisation_id == org.id
            )
        ).rowcount
        if not gone:
            raise NotFoundError(f"#{person.id} {person.name} does not represent {org.name}")
        audit.record(
            connection,
            by,
            "people unaffiliate",
            people=[person.id],
            fields=["organisation"],
            detail={"organisation": org.id},
        )
        return Affiliated(person, org, None, None)


def add_affiliations(
    connection: Connection,
    rows: Sequence[tuple[int, int, str | None, date | None]],
    now: datetime,
) -> None:
    """Insert (person, organisation, role, since) rows, in one executemany."""
    if rows:
        connection.execute(
            insert(Affiliation),
            [
                {
                    "supporter_id": person,
                    "organisation_id": org,
                    "role": role,
                    "since": since,
                    "created_at": now,
                }
                for person, org, role, since in rows
            ],
        )


def _role(role: str | None) -> str | None:
    if role is None:
        return None
    role = role.strip()
    if problem := text_problem(role, TITLE):
        raise InputError(f"--role has {problem}")
    return role or None
