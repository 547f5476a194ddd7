"""SQLAlchemy 2.x typed models for the whole domain (see DESIGN.md, "Domain").

Times are naive UTC everywhere (SQLite keeps no time zone). Rungs are stored by name: the
ladder file gives their order, so a movement can add a rung without renumbering anyone.
Enumerations are strings with CHECK constraints, which both databases enforce alike.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ladder.domain.text import (
    EMAIL,
    EXTERNAL_ID,
    KIND,
    NAME,
    PHONE,
    POSTCODE,
    PREFIX,
    RULE_ID,
    SECRET_HASH,
    STATUS,
    TAG,
    TITLE,
)
from ladder.domain.vocabulary import (
    Channel,
    ConsentChannel,
    EventStatus,
    Presence,
    Role,
    Rsvp,
    SupporterStatus,
    names,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Integer ids: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


def _in(column: str, vocabulary: type[StrEnum]) -> str:
    quoted = ", ".join(f"'{v}'" for v in names(vocabulary))
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LocalGroup(Base):
    """A local group in a town: the unit organisers filter and report by."""

    __tablename__ = "local_groups"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    town: Mapped[str | None] = mapped_column(String(NAME))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PartnerOrganisation(Base):
    """A partner organisation (school, association, council) the movement works with."""

    __tablename__ = "partner_organisations"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(TITLE), unique=True)
    kind: Mapped[str | None] = mapped_column(String(KIND))
    contact_email: Mapped[str | None] = mapped_column(String(EMAIL))
    local_group_id: Mapped[int | None] = mapped_column(ForeignKey("local_groups.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    member: Mapped[bool | None] = mapped_column(Boolean)  # of the network (None: not said)
    postcode: Mapped[str | None] = mapped_column(String(POSTCODE))
    website: Mapped[str | None] = mapped_column(String(TITLE))
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime)  # `orgs digest` wrote one


class Affiliation(Base):
    """A person who represents (works for, belongs to) a partner organisation, in a role."""

    __tablename__ = "affiliations"
    __table_args__ = (
        UniqueConstraint("supporter_id", "organisation_id"),
        Index("ix_affiliations_organisation_id", "organisation_id", "supporter_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("partner_organisations.id", ondelete="CASCADE")
    )
    role: Mapped[str | None] = mapped_column(String(TITLE))
    since: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Supporter(Base):
    """A person on the ladder, with at most one recruiter."""

    __tablename__ = "supporters"
    __table_args__ = (
        CheckConstraint(_in("status", SupporterStatus), name="status"),
        CheckConstraint("recruiter_id IS NULL OR recruiter_id <> id", name="not_own_recruiter"),
        Index("ix_supporters_rung_status", "rung", "status"),
        Index("ix_supporters_group_rung", "local_group_id", "rung"),
        Index("ix_supporters_postcode", "postcode"),
        Index("ix_supporters_phone", "phone"),
        Index("ix_supporters_recruiter_id", "recruiter_id"),
        Index("ix_supporters_last_name", "last_name", "first_name"),
        Index("ix_supporters_first_campaign", "first_campaign_id", "first_action_at"),
        Index("ix_supporters_first_name", "first_name", "last_name"),  # the door search
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(NAME))
    last_name: Mapped[str | None] = mapped_column(String(NAME))
    email: Mapped[str | None] = mapped_column(String(EMAIL), unique=True)
    phone: Mapped[str | None] = mapped_column(String(PHONE))
    postcode: Mapped[str | None] = mapped_column(String(POSTCODE))
    local_group_id: Mapped[int | None] = mapped_column(ForeignKey("local_groups.id"))
    consent_email: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_photo: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(KIND))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    rung: Mapped[str] = mapped_column(String(KIND))
    rung_since: Mapped[datetime] = mapped_column(DateTime)
    rung_set_manually: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(STATUS), default="active")
    status_since: Mapped[datetime | None] = mapped_column(DateTime)
    lapse_condition_since: Mapped[datetime | None] = mapped_column(DateTime)
    recruiter_id: Mapped[int | None] = mapped_column(ForeignKey("supporters.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("supporters.id"))
    # the first recorded action's time and campaign, kept by every write of actions
    # (ladder.actions.firsts): who joined through which campaign, in one indexed read
    first_action_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(TAG), unique=True)


class SupporterTag(Base):
    __tablename__ = "supporter_tags"
    __table_args__ = (Index("ix_supporter_tags_tag_id", "tag_id"),)

    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporters.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class Campaign(Base):
    """A named push with numeric goals."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(TITLE), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    local_group_id: Mapped[int | None] = mapped_column(ForeignKey("local_groups.id"))


class CampaignGoal(Base):
    """One numeric goal: e.g. 25,000 actions of kind 'petition', or 50 people at a rung."""

    __tablename__ = "campaign_goals"
    __table_args__ = (
        UniqueConstraint("campaign_id", "metric"),
        CheckConstraint("target > 0", name="positive_target"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(RULE_ID))
    label: Mapped[str | None] = mapped_column(String(TITLE))
    target: Mapped[int] = mapped_column(Integer)


class ActionKind(Base):
    """A kind of action that counts as evidence for a rung (synced from the ladder file)."""

    __tablename__ = "action_kinds"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(KIND), unique=True)
    label: Mapped[str | None] = mapped_column(String(TITLE))
    rung: Mapped[str | None] = mapped_column(String(KIND))


class Event(Base):
    """A field event, online action or key-date gathering."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(_in("status", EventStatus), name="status"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
        Index("ix_events_starts_at", "starts_at"),
        Index("ix_events_group_starts_at", "local_group_id", "starts_at"),
        Index("ix_events_campaign_id", "campaign_id"),
        Index("ix_events_host_id", "host_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE))
    kind: Mapped[str] = mapped_column(String(KIND))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    place: Mapped[str | None] = mapped_column(String(TITLE))
    postcode: Mapped[str | None] = mapped_column(String(POSTCODE))
    local_group_id: Mapped[int | None] = mapped_column(ForeignKey("local_groups.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    host_id: Mapped[int | None] = mapped_column(ForeignKey("supporters.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner_organisations.id"))
    capacity: Mapped[int | None] = mapped_column(Integer)
    key_date: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(STATUS), default="confirmed")
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID), unique=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Attendance(Base):
    """One supporter at one event. RSVP and presence are separate facts.

    ``presence`` is three-state: attended, no_show, unknown. Unknown never counts against anyone.
    """

    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("event_id", "supporter_id"),
        CheckConstraint(f"rsvp IS NULL OR {_in('rsvp', Rsvp)}", name="rsvp"),
        CheckConstraint(_in("presence", Presence), name="presence"),
        Index("ix_attendances_supporter_presence", "supporter_id", "presence"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id"))
    invited_at: Mapped[datetime | None] = mapped_column(DateTime)
    invited_by: Mapped[str | None] = mapped_column(String(NAME))
    rsvp: Mapped[str | None] = mapped_column(String(STATUS))
    rsvp_at: Mapped[datetime | None] = mapped_column(DateTime)
    presence: Mapped[str] = mapped_column(String(STATUS), default="unknown")
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    checked_in_by: Mapped[str | None] = mapped_column(String(NAME))
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    brought_by_id: Mapped[int | None] = mapped_column(ForeignKey("supporters.id"))


class Action(Base):
    """One thing a supporter did. ``external_id`` makes re-imports idempotent."""

    __tablename__ = "actions"
    __table_args__ = (
        # campaign_id: who joined through a campaign is read from the index alone
        Index("ix_actions_supporter_occurred", "supporter_id", "occurred_at", "campaign_id"),
        Index("ix_actions_kind_occurred", "action_kind_id", "occurred_at"),
        Index("ix_actions_event_id", "event_id"),
        # a campaign's progress is read from this index alone (ladder.campaigns.progress)
        Index(
            "ix_actions_campaign_occurred",
            "campaign_id",
            "occurred_at",
            "action_kind_id",
            "supporter_id",
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id"))
    action_kind_id: Mapped[int] = mapped_column(ForeignKey("action_kinds.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    logged_by: Mapped[str | None] = mapped_column(String(NAME))
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)


class LevelChange(Base):
    """One change of rung or status, with the rule (or organiser) and the evidence behind it."""

    __tablename__ = "level_changes"
    __table_args__ = (
        CheckConstraint(
            "rule_id IS NOT NULL OR changed_by IS NOT NULL", name="has_rule_or_organiser"
        ),
        Index("ix_level_changes_supporter_changed", "supporter_id", "changed_at"),
        Index("ix_level_changes_rule_id", "rule_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id"))
    from_rung: Mapped[str | None] = mapped_column(String(KIND))
    to_rung: Mapped[str | None] = mapped_column(String(KIND))
    from_status: Mapped[str | None] = mapped_column(String(STATUS))
    to_status: Mapped[str | None] = mapped_column(String(STATUS))
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    rule_id: Mapped[str | None] = mapped_column(String(RULE_ID))
    changed_by: Mapped[str | None] = mapped_column(String(NAME))
    reason: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Contact(Base):
    """An ask made to a supporter (an invitation, a call): feeds the fatigue window."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(_in("channel", Channel), name="channel"),
        Index("ix_contacts_supporter_contacted", "supporter_id", "contacted_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id"))
    channel: Mapped[str] = mapped_column(String(STATUS))
    purpose: Mapped[str | None] = mapped_column(String(TITLE))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    target_rung: Mapped[str | None] = mapped_column(String(KIND))
    contacted_at: Mapped[datetime] = mapped_column(DateTime)
    contacted_by: Mapped[str | None] = mapped_column(String(NAME))


class Merge(Base):
    """A record that one supporter was merged into another, and by whom."""

    __tablename__ = "merges"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("supporters.id"))
    merged_id: Mapped[int] = mapped_column(ForeignKey("supporters.id"))
    merged_at: Mapped[datetime] = mapped_column(DateTime)
    merged_by: Mapped[str | None] = mapped_column(String(NAME))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SupporterIdentifier(Base):
    """Another tool's own id for a person (``nationbuilder_id``, ``action_network:<uuid>``):
    a later file from that tool matches on it. Never read as a ladder id."""

    __tablename__ = "supporter_identifiers"
    __table_args__ = (
        UniqueConstraint("namespace", "value"),
        Index("ix_supporter_identifiers_supporter_id", "supporter_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"))
    namespace: Mapped[str] = mapped_column(String(KIND))
    value: Mapped[str] = mapped_column(String(EXTERNAL_ID))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class EventIdentifier(Base):
    """Another tool's own id for an event (a Mobilize event id, an OSDI identifier)."""

    __tablename__ = "event_identifiers"
    __table_args__ = (
        UniqueConstraint("namespace", "value"),
        Index("ix_event_identifiers_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    namespace: Mapped[str] = mapped_column(String(KIND))
    value: Mapped[str] = mapped_column(String(EXTERNAL_ID))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ConsentRecord(Base):
    """One statement a person made about one channel: the consent ledger (GDPR art. 7).

    The latest record per channel is the current state, which ``supporters.consent_*`` keep
    (written only by ``ladder.privacy.consent``)."""

    __tablename__ = "consent_records"
    __table_args__ = (
        CheckConstraint(_in("channel", ConsentChannel), name="channel"),
        Index("ix_consent_records_supporter_channel", "supporter_id", "channel", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporters.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(STATUS))
    given: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(TITLE))
    wording: Mapped[str | None] = mapped_column(String(KIND))
    evidence: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(NAME))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who did what, when, with which command, to which field names: never a personal value."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_at", "at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(NAME))
    command: Mapped[str] = mapped_column(String(TITLE))
    fields: Mapped[list[str] | None] = mapped_column(JSON)
    people: Mapped[int] = mapped_column(Integer)  # how many people it touched
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # ids and counts only


class AuditPerson(Base):
    """A person an audit entry touched (so ``audit --person`` reads an index)."""

    __tablename__ = "audit_people"
    __table_args__ = (Index("ix_audit_people_supporter_id", "supporter_id", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("audit_entries.id", ondelete="CASCADE"), primary_key=True
    )
    supporter_id: Mapped[int] = mapped_column(Id, primary_key=True)


class ApiToken(Base):
    """A token for the web API: only a hash of the secret is kept, and a visible prefix."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME))
    role: Mapped[str] = mapped_column(String(STATUS))
    prefix: Mapped[str] = mapped_column(String(PREFIX), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(SECRET_HASH))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(NAME))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class CheckinLink(Base):
    """A volunteer's signed, revocable link to check people in at one event."""

    __tablename__ = "checkin_links"
    __table_args__ = (Index("ix_checkin_links_event_id", "event_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    prefix: Mapped[str] = mapped_column(String(PREFIX), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(SECRET_HASH))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(NAME))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
