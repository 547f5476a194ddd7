"""People, one at a time: add, edit, tag and untag, set and clear a recruiter.

Each function takes an engine (or connection) and plain values, commits once, and leaves
nothing written when it raises. Adding someone already known (:func:`same_people`: the same
rule as the import) is refused. Recruiter changes are checked for cycles
(:mod:`ladder.recruitment.cycles`); an unknown local group is refused with the close names
unless the caller asks to create it (a silently created "Lyon Nrod" is a typo trap).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select, update

from ladder.clock import utcnow
from ladder.domain.contact import normalise_email, normalise_phone, normalise_postcode
from ladder.domain.names import SAME_PHONE_AND_NAME, Identity, same_person
from ladder.domain.text import NAME, POSTCODE, text_problem
from ladder.domain.vocabulary import SupporterStatus
from ladder.errors import ConflictError, InputError, NotFoundError
from ladder.people.groups import find_group
from ladder.people.groups import group_hint as group_hint  # its old home (the import plan)
from ladder.people.lookup import find_person
from ladder.privacy import audit
from ladder.privacy.consent import record_consent
from ladder.recruitment.cycles import check_new_recruiter, describe_people
from ladder.storage.models import LocalGroup, Supporter

_TEXTS = ("first_name", "last_name", "email", "phone", "postcode")
_CONSENTS = ("consent_email", "consent_sms", "consent_photo")


class FieldProblem(ValueError):
    """What is wrong with one of a person's fields (``field`` names it: ``postcode``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem


@dataclass(frozen=True, kw_only=True)
class PersonFields:
    """What a user can give for a person (add, edit). None means "not given".

    Checked and normalised when made (names trimmed, email, phone and postcode normalised, "" a
    blank that clears the column); FieldProblem names the first field that is wrong."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    consent_email: bool | None = None
    consent_sms: bool | None = None
    consent_photo: bool | None = None

    def __post_init__(self) -> None:
        for name in _TEXTS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _checked_text(name, value))
        for name in _CONSENTS:
            if not isinstance(getattr(self, name), bool | None):
                raise FieldProblem(name, "Input should be a valid boolean")

    def given(self) -> dict[str, Any]:
        """The given values, consents left out; "" (a blank option) clears the column."""
        return {k: (None if v == "" else v) for k in _TEXTS if (v := getattr(self, k)) is not None}

    def consents(self) -> dict[str, bool]:
        """The consents given (``{"email": True}``), for the consent ledger."""
        return {
            k.removeprefix("consent_"): v for k in _CONSENTS if (v := getattr(self, k)) is not None
        }

    def given_names(self) -> list[str]:
        """The names of the fields given (consents included), for the audit."""
        return [k for k in (*_TEXTS, *_CONSENTS) if getattr(self, k) is not None]


def _checked_text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldProblem(name, "Input should be a valid string")
    limit = {"first_name": NAME, "last_name": NAME, "postcode": POSTCODE}.get(name)
    if limit is not None and (problem := text_problem(value.strip(), limit)):
        raise FieldProblem(name, problem)  # the import's rule too
    normalise = {
        "email": normalise_email,
        "phone": normalise_phone,
        "postcode": normalise_postcode,
    }.get(name)
    if normalise is None:
        return value.strip()
    try:
        return normalise(value) or ""
    except ValueError as exc:
        raise FieldProblem(name, str(exc)) from None


def person_fields(**values: Any) -> PersonFields:
    """PersonFields from raw option values, with a one-line InputError naming the option."""
    try:
        return PersonFields(**values)
    except FieldProblem as exc:
        raise InputError(f"--{exc.field.replace('_', '-')}: {exc.problem}") from None


@dataclass
class Outcome:
    """What a change did, for the command to say: the person, and notes (a group created...)."""

    person: str
    person_id: int
    notes: list[str] = field(default_factory=list)


def add_person(
    engine: Engine,
    first_rung: str,
    fields: PersonFields,
    group: str | None = None,
    recruited_by: str | None = None,
    create_group: bool = False,
    source: str = "manual",
    *,
    by: str,
) -> Outcome:
    with engine.begin() as connection:
        outcome = insert_person(
            connection,
            first_rung,
            fields,
            group,
            recruited_by,
            create_group,
            source,
            actor=by,
            consent_source="people add",
        )
        audit.record(
            connection,
            by,
            "people add",
            people=[outcome.person_id],
            fields=_named(fields, group, recruited_by),
        )
        return outcome


def insert_person(
    connection: Connection,
    first_rung: str,
    fields: PersonFields,
    group: str | None = None,
    recruited_by: str | None = None,
    create_group: bool = False,
    source: str = "manual",
    *,
    actor: str | None = None,
    consent_source: str = "people add",
) -> Outcome:
    """:func:`add_person` inside the caller's transaction (a walk-in signs up and checks in).
    The consents given are the person's first records in the consent ledger."""
    values = fields.given()
    if not any(values.get(k) for k in ("first_name", "last_name", "email", "phone")):
        raise InputError("give at least a name, an email or a phone: nothing says who this is")
    now = utcnow()
    notes = _check_contact(connection, values, person_id=None)
    _refuse_known(connection, values)
    if group is not None:
        values["local_group_id"] = _group_id(connection, group, create_group, notes, now)
    if recruited_by is not None:
        recruiter = find_person(connection, recruited_by)
        values["recruiter_id"] = recruiter.id
        notes.append(f"recruited by {recruiter.describe()}")
    new_id: int = connection.execute(
        insert(Supporter)
        .returning(Supporter.id)
        .values(
            **values,
            rung=first_rung,
            rung_since=now,
            rung_set_manually=False,
            status=SupporterStatus.ACTIVE,
            status_since=now,
            source=source,
            created_at=now,
        )
    ).scalar_one()
    if consents := fields.consents():
        record_consent(connection, new_id, consents, source=consent_source, by=actor, at=now)
    return Outcome(describe_people(connection, [new_id])[0], new_id, notes)


def same_people(connection: Connection, given: Identity) -> list[tuple[int, str]]:
    """The live people ``given`` is, by :func:`ladder.domain.names.same_person` (the rule the
    import uses: same email, else same phone and agreeing names), by id, with how."""
    wanted = [Supporter.email == given.email] if given.email else []
    wanted += [Supporter.phone == given.phone] if given.phone else []
    if not wanted:
        return []
    query = (
        select(
            Supporter.id,
            Supporter.first_name,
            Supporter.last_name,
            Supporter.email,
            Supporter.phone,
        )
        .where(
            or_(*wanted),
            Supporter.merged_into_id.is_(None),
            Supporter.status != SupporterStatus.ERASED,
        )
        .order_by(Supporter.id)
    )
    found = []
    for row in connection.execute(query):
        how = same_person(Identity(*row[1:]), given)
        if how is not None:
            found.append((row.id, how))
    return found


def identity_of(fields: PersonFields) -> Identity:
    given = fields.given()
    return Identity(*(given.get(k) for k in ("first_name", "last_name", "email", "phone")))


def _refuse_known(connection: Connection, values: dict[str, Any]) -> None:
    """Refuse to add someone whose phone and name are already someone's (the email is
    refused by :func:`_check_contact`)."""
    given = Identity(*(values.get(k) for k in ("first_name", "last_name", "email", "phone")))
    known = [i for i, how in same_people(connection, given) if how == SAME_PHONE_AND_NAME]
    if known:
        ids = ", ".join(f"#{i}" for i in known)
        raise ConflictError(
            f"{ids} {'has' if len(known) == 1 else 'have'} that phone and name: "
            f"use `ladder people edit {known[0]}`"
        )


def edit_person(
    engine: Engine,
    ref: str,
    fields: PersonFields,
    group: str | None = None,
    recruited_by: str | None = None,
    create_group: bool = False,
    *,
    by: str,
) -> Outcome:
    """Change the given fields; ``group=""`` leaves the group, ``recruited_by`` is cycle-checked.
    Consents given are new records in the consent ledger (source "people edit")."""
    values = fields.given()
    consents = fields.consents()
    now = utcnow()
    with engine.begin() as connection:
        person = find_person(connection, ref)
        notes = _check_contact(connection, values, person_id=person.id)
        if group is not None:
            values["local_group_id"] = (
                _group_id(connection, group, create_group, notes, now) if group else None
            )
        if recruited_by is not None:
            recruiter = find_person(connection, recruited_by)
            check_new_recruiter(connection, person.id, recruiter.id)
            values["recruiter_id"] = recruiter.id
        if not values and not consents:
            raise InputError("nothing to change: give at least one option (see --help)")
        _require_identity(connection, person.id, values)
        connection.execute(
            update(Supporter).where(Supporter.id == person.id).values(**values, updated_at=now)
        )
        if consents:
            record_consent(connection, person.id, consents, source="people edit", by=by, at=now)
        audit.record(
            connection,
            by,
            "people edit",
            people=[person.id],
            fields=_named(fields, group, recruited_by),
        )
        return Outcome(describe_people(connection, [person.id])[0], person.id, notes)


def set_recruiter(engine: Engine, ref: str, recruiter_ref: str, *, by: str) -> Outcome:
    with engine.begin() as connection:
        person = find_person(connection, ref)
        recruiter = find_person(connection, recruiter_ref)
        check_new_recruiter(connection, person.id, recruiter.id)
        _set_recruiter_id(connection, person.id, recruiter.id)
        audit.record(
            connection,
            by,
            "people set-recruiter",
            people=[person.id],
            fields=["recruiter"],
            detail={"recruiter": recruiter.id},
        )
        names = describe_people(connection, [person.id, recruiter.id])
        return Outcome(names[0], person.id, [f"recruited by {names[1]}"])


def clear_recruiter(engine: Engine, ref: str, *, by: str) -> Outcome:
    with engine.begin() as connection:
        person = find_person(connection, ref)
        _set_recruiter_id(connection, person.id, None)
        audit.record(
            connection, by, "people clear-recruiter", people=[person.id], fields=["recruiter"]
        )
        return Outcome(describe_people(connection, [person.id])[0], person.id)


def _named(fields: PersonFields, group: str | None, recruited_by: str | None) -> list[str]:
    """The names of the fields given (for the audit): never their values."""
    named = fields.given_names()
    return named + ["group"] * (group is not None) + ["recruiter"] * (recruited_by is not None)


def _group_id(connection: Connection, name: str, create: bool, notes: list[str], now: Any) -> int:
    try:
        return find_group(connection, name)
    except NotFoundError as exc:
        if not create:
            raise NotFoundError(
                f"{exc}: check the name, or create it with --create-group"
            ) from None
    if problem := text_problem(name.strip(), NAME):
        raise InputError(f"--group: {problem}")
    notes.append(f"created the local group {name.strip()!r}")
    return connection.execute(
        insert(LocalGroup).returning(LocalGroup.id).values(name=name.strip(), created_at=now)
    ).scalar_one()


def _check_contact(
    connection: Connection, values: dict[str, Any], person_id: int | None
) -> list[str]:
    """Refuse an email someone else has; note a phone someone else has (a possible duplicate)."""
    notes: list[str] = []
    if email := values.get("email"):
        owner = connection.execute(select(Supporter.id).where(Supporter.email == email)).scalar()
        if owner is not None and owner != person_id:
            who = describe_people(connection, [owner])[0]
            raise ConflictError(
                f"{email} already belongs to {who}: see `ladder people show {owner}`"
            )
    if phone := values.get("phone"):
        query = select(Supporter.id).where(
            Supporter.phone == phone, Supporter.merged_into_id.is_(None)
        )
        others = [i for i in connection.execute(query).scalars() if i != person_id]
        if others:
            shown = ", ".join(describe_people(connection, others[:3]))
            notes.append(f"{shown} has the same phone: a duplicate? see `ladder people duplicates`")
    return notes


def _require_identity(connection: Connection, person_id: int, values: dict[str, Any]) -> None:
    current = (
        connection.execute(
            select(
                Supporter.first_name, Supporter.last_name, Supporter.email, Supporter.phone
            ).where(Supporter.id == person_id)
        )
        .one()
        ._asdict()
    )
    current.update({k: v for k, v in values.items() if k in current})
    if not any(current.values()):
        raise InputError("that would leave no name, email or phone: nothing would say who this is")


def _set_recruiter_id(connection: Connection, person_id: int, recruiter_id: int | None) -> None:
    connection.execute(
        update(Supporter)
        .where(Supporter.id == person_id)
        .values(recruiter_id=recruiter_id, updated_at=utcnow())
    )
