"""Who ``ladder next`` may list: the request resolved to ids, and every condition of the list.

Each condition is a :class:`Check` (a SQL truth about the candidate ``supporters AS c`` and
what to say when it fails): the ranking puts them in its WHERE clause, ``--explain`` selects
them as columns. Area filters are index ranges on both databases, never LIKE or a rung scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    and_,
    bindparam,
    exists,
    false,
    func,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.sql.elements import ColumnElement

from ladder.domain.invitations import InvitationSettings
from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import Presence, Rsvp, SupporterStatus
from ladder.memo import ladder_key
from ladder.rules import AS_OF, SUPPORTERS
from ladder.storage.models import Affiliation, Attendance, Contact, SupporterTag
from ladder.storage.sqlfunc import in_constants

C = SUPPORTERS.alias("c")  # the candidate
FATIGUE_SINCE = bindparam("next_fatigue_since", type_=DateTime())
DECLINE_SINCE = bindparam("next_decline_since", type_=DateTime())
# the request's values are parameters, so one statement serves every group, event or tag
GROUP_ID = bindparam("next_group_id", type_=Integer())
POSTCODE_FROM = bindparam("next_postcode_from", type_=String())
POSTCODE_TO = bindparam("next_postcode_to", type_=String())
NEAR_GROUP_ID = bindparam("next_near_group_id", type_=Integer())
NEAR_POSTCODE_FROM = bindparam("next_near_postcode_from", type_=String())
NEAR_POSTCODE_TO = bindparam("next_near_postcode_to", type_=String())
TAG_ID = bindparam("next_tag_id", type_=Integer())
EVENT_ID = bindparam("next_event_id", type_=Integer())
ORG_ID = bindparam("next_org_id", type_=Integer())


@dataclass(frozen=True)
class Area:
    """Where candidates come from, and the reference for proximity.

    ``group_id`` / ``postcodes`` (a range) filter; ``near_group_id`` / ``near_postcodes`` are
    what proximity measures against (the event's group and postcode prefix, or the filters).
    ``either`` means group OR postcode (around an event) rather than both.
    """

    group_id: int | None = None
    postcodes: tuple[str, str] | None = None
    either: bool = False
    near_group_id: int | None = None
    near_postcodes: tuple[str, str] | None = None


@dataclass(frozen=True)
class Check:
    """One condition a candidate must meet, and what to say when they do not."""

    name: str
    keeps: ColumnElement[bool]
    otherwise: str
    ranked: bool = True  # False: implied by another check, only shown by --explain


@dataclass(frozen=True)
class Spec:
    """Everything the statement needs, resolved from the user's request."""

    ladder: LadderFile
    settings: InvitationSettings
    steps: list[tuple[str, str]]  # (from rung, target rung)
    area: Area
    as_of: datetime
    channel: str = "email"
    tag_id: int | None = None
    event_id: int | None = None
    org_id: int | None = None  # only the people who represent this organisation

    def shape(self) -> tuple[Any, ...]:
        """What the statement's text depends on: not the ids and dates, which are parameters."""
        area = self.area
        given = (area.group_id, area.postcodes, area.near_group_id, area.near_postcodes)
        return (
            ladder_key(self.ladder),
            tuple(self.steps),
            tuple(value is not None for value in given),
            area.either,
            self.channel,
            self.tag_id is not None,
            self.event_id is not None,
            self.org_id is not None,
        )

    def values(self) -> dict[str, Any]:
        """The parameters behind the request's ids and postcode ranges."""
        area = self.area
        found: dict[str, Any] = {
            GROUP_ID.key: area.group_id,
            NEAR_GROUP_ID.key: area.near_group_id,
            TAG_ID.key: self.tag_id,
            EVENT_ID.key: self.event_id,
            ORG_ID.key: self.org_id,
        }
        for low, high, postcodes in (
            (POSTCODE_FROM, POSTCODE_TO, area.postcodes),
            (NEAR_POSTCODE_FROM, NEAR_POSTCODE_TO, area.near_postcodes),
        ):
            found[low.key], found[high.key] = postcodes or (None, None)
        return found


def in_area(spec: Spec, table: Any, rungs: list[str]) -> list[ColumnElement[bool]]:
    """The coarse filter: rungs and area, each branch one index range on both databases.

    Around an event (group OR postcodes) it is an explicit union of two index ranges; an OR,
    or a rung test outside the branches, lets a planner scan a whole rung instead.
    """
    area = spec.area
    if area.either and area.group_id is not None and area.postcodes is not None:
        inside = SUPPORTERS.alias("inside")
        ids = union(
            select(inside.c.id).where(*_area_terms(Area(group_id=area.group_id), inside, rungs)),
            select(inside.c.id).where(*_area_terms(Area(postcodes=area.postcodes), inside, rungs)),
        )
        return [table.c.id.in_(ids)]
    return _area_terms(area, table, rungs)


def _area_terms(area: Area, table: Any, rungs: list[str]) -> list[ColumnElement[bool]]:
    terms: list[ColumnElement[bool]] = [in_constants(table.c.rung, rungs)]
    if area.group_id is not None:
        terms.append(table.c.local_group_id == GROUP_ID)  # index (local_group_id, rung)
    elif area.postcodes is not None:
        # ``rung || ''`` cannot use the rung index: without statistics SQLite would prefer
        # scanning a whole rung (an equality) to the postcode range
        terms = [in_constants(table.c.rung.concat(""), rungs)]
    if area.postcodes is not None:
        terms.append(and_(table.c.postcode >= POSTCODE_FROM, table.c.postcode < POSTCODE_TO))
    return terms


def checks(spec: Spec) -> list[Check]:
    """Every condition of the list, in the order ``--explain`` reports them."""
    c = C.c
    from_rungs = [step[0] for step in spec.steps]
    found = [
        Check("merged", c.merged_into_id.is_(None), "merged into another record"),
        Check("erased", c.status != SupporterStatus.ERASED, "erased"),
        Check("joined", c.created_at <= AS_OF, "joined after the date asked about"),
        Check("rung", in_constants(c.rung, from_rungs), f"not on {' or '.join(from_rungs)}", False),
        *(
            Check("area", t, "outside the group or postcodes asked for")
            for t in in_area(spec, C, from_rungs)
        ),
        *_channel_checks(spec),
    ]
    if spec.tag_id is not None:
        tagged = select(SupporterTag.supporter_id).where(SupporterTag.tag_id == TAG_ID)
        found.append(Check("tag", c.id.in_(tagged.correlate(None)), "without the tag asked for"))
    if spec.org_id is not None:
        represents = select(Affiliation.supporter_id).where(Affiliation.organisation_id == ORG_ID)
        found.append(
            Check("org", c.id.in_(represents.correlate(None)), "not one of the organisation's")
        )
    found += _contact_checks(spec)
    return found


def _channel_checks(spec: Spec) -> list[Check]:
    c = C.c
    if spec.channel == "sms":
        consent, address, what = c.consent_sms, c.phone, "a phone number"
    else:
        consent, address, what = c.consent_email, c.email, "an email address"
    return [
        Check(
            "consent", func.coalesce(consent, false()) == true(), f"no consent to {spec.channel}"
        ),
        Check("address", address.is_not(None), f"no {what}"),
    ]


def _contact_checks(spec: Spec) -> list[Check]:
    c, settings = C.c, spec.settings
    contact, attendance = Contact.__table__.alias("contacted"), Attendance.__table__.alias("asked")
    contacted = exists().where(
        contact.c.supporter_id == c.id, contact.c.contacted_at > FATIGUE_SINCE
    )
    invited = exists().where(
        attendance.c.supporter_id == c.id, attendance.c.invited_at > FATIGUE_SINCE
    )
    declined = exists().where(
        attendance.c.supporter_id == c.id,
        attendance.c.rsvp == Rsvp.DECLINED,
        attendance.c.rsvp_at > DECLINE_SINCE,
    )
    found = [
        Check("fatigue", ~contacted, f"contacted within {settings.fatigue_days} days"),
        Check("fatigue", ~invited, f"invited within {settings.fatigue_days} days"),
        Check("declined", ~declined, f"declined an invitation within {settings.decline_days} days"),
    ]
    if spec.event_id is not None:
        here = exists().where(
            attendance.c.supporter_id == c.id,
            attendance.c.event_id == EVENT_ID,
            or_(
                attendance.c.invited_at.is_not(None),
                attendance.c.rsvp.is_not(None),
                attendance.c.presence == Presence.ATTENDED,
            ),
        )
        found.append(Check("event", ~here, "already invited to, answered or at this event"))
    return found
