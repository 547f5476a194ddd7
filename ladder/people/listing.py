"""Listing people with the filters organisers use: rung, group, tag, status, postcode, recruiter,
consent (their latest consent record says yes), and contact lists (``for_channel``: consent,
the address, never erased).

One SELECT. The postcode prefix is a range predicate (it uses the index; LIKE does not).
Merged people never appear; erased ones only when asked for with ``status=SupporterStatus.ERASED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, String, and_, cast, func, literal, select

from ladder.domain.contact import postcode_range
from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import (
    INVITATION_CHANNELS,
    Channel,
    ConsentChannel,
    SupporterStatus,
    names,
)
from ladder.errors import MisuseError, NotFoundError
from ladder.people.groups import find_group
from ladder.people.lookup import find_person
from ladder.privacy.consent import consenting
from ladder.storage.models import LocalGroup, Supporter, SupporterTag, Tag

COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "group",
    "rung",
    "status",
    "recruiter",
)


@dataclass(frozen=True)
class PeopleFilter:
    rung: str | None = None
    group: str | None = None
    tag: str | None = None
    status: str | None = None
    postcode: str | None = None  # a prefix
    recruited_by: str | None = None  # a person reference
    consent: str | None = None  # a channel: people whose latest consent record says yes
    for_channel: str | None = None  # email|sms: a contact list (yes, and the address)
    limit: int | None = None


def list_people(
    connection: Connection, ladder: LadderFile, filters: PeopleFilter
) -> list[dict[str, Any]]:
    """Rows with the keys of :data:`COLUMNS`; ``recruiter`` reads ``#12 Awa Diallo``."""
    query = _filtered(_base_query(), connection, ladder, filters).order_by(Supporter.id)
    if filters.limit:
        query = query.limit(filters.limit)
    return [dict(zip(COLUMNS, row, strict=True)) for row in connection.execute(query)]


def recruiter_label(recruiter_id: Any, first: Any, last: Any) -> Any:
    """SQL for ``#12 Awa Diallo`` (or ``#12``), NULL without a recruiter."""
    name = func.coalesce(first, "") + literal(" ") + func.coalesce(last, "")
    return func.trim(literal("#") + cast(recruiter_id, String) + literal(" ") + func.trim(name))


def _base_query() -> Select:
    recruiter = Supporter.__table__.alias("recruiter")
    return (
        select(
            Supporter.id,
            Supporter.first_name,
            Supporter.last_name,
            Supporter.email,
            Supporter.phone,
            Supporter.postcode,
            LocalGroup.name,
            Supporter.rung,
            Supporter.status,
            recruiter_label(recruiter.c.id, recruiter.c.first_name, recruiter.c.last_name),
        )
        .outerjoin(LocalGroup, LocalGroup.id == Supporter.local_group_id)
        .outerjoin(recruiter, recruiter.c.id == Supporter.recruiter_id)
        .where(Supporter.merged_into_id.is_(None))
    )


def _filtered(query: Select, connection: Connection, ladder: LadderFile, f: PeopleFilter) -> Select:
    if f.rung is not None:
        if f.rung not in ladder.rung_names:
            rungs = ", ".join(ladder.rung_names)
            raise MisuseError(f"--rung: unknown rung {f.rung!r} (rungs: {rungs})")
        query = query.where(Supporter.rung == f.rung)
    query = query.where(
        Supporter.status == f.status if f.status else Supporter.status != SupporterStatus.ERASED
    )
    if f.group is not None:
        query = query.where(Supporter.local_group_id == find_group(connection, f.group))
    if f.tag is not None:
        query = query.where(Supporter.id.in_(_tagged(connection, f.tag)))
    if f.postcode:
        lower, upper = postcode_range(f.postcode)
        query = query.where(and_(Supporter.postcode >= lower, Supporter.postcode < upper))
    if f.recruited_by is not None:
        recruiter = find_person(connection, f.recruited_by)
        query = query.where(Supporter.recruiter_id == recruiter.id)
    if f.consent is not None:
        if f.consent not in names(ConsentChannel):
            shown = ", ".join(names(ConsentChannel))
            raise MisuseError(f"--consent: unknown channel {f.consent!r}: use {shown}")
        query = query.where(consenting(f.consent))
    if f.for_channel is not None:
        if f.for_channel not in INVITATION_CHANNELS:
            shown = ", ".join(INVITATION_CHANNELS)
            raise MisuseError(f"--for: unknown channel {f.for_channel!r}: use {shown}")
        query = query.where(*contactable(f.for_channel))
    return query


def contactable(channel: str) -> list[Any]:
    """Who a list for contacting by ``channel`` (email, sms) may hold: their latest consent
    record for it says yes, they have the address, they are neither erased nor merged."""
    address = Supporter.email if channel == Channel.EMAIL else Supporter.phone
    return [
        consenting(channel),
        address.is_not(None),
        address != "",
        Supporter.status != SupporterStatus.ERASED,
        Supporter.merged_into_id.is_(None),
    ]


def _tagged(connection: Connection, tag: str) -> Select:
    tag_id = connection.execute(
        select(Tag.id).where(func.lower(Tag.name) == tag.strip().lower())
    ).scalar()
    if tag_id is None:
        raise NotFoundError(f"no tag {tag!r}: nobody has it (tag people with `ladder people tag`)")
    return select(SupporterTag.supporter_id).where(SupporterTag.tag_id == tag_id)
