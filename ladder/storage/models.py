"""The tables of the whole domain (see DESIGN.md, "Domain"), as SQLAlchemy Core tables.

Each table is declared as a class whose attributes are its columns (``Supporter.id``,
``Supporter.__table__``), read by Core statements; nothing is mapped with the ORM, whose
mapping and per-statement ORM compilation cost a quarter of every command's start-up.

Times are naive UTC everywhere (SQLite keeps no time zone). Rungs are stored by name: the
ladder file gives their order, so a movement can add a rung without renumbering anyone.
Enumerations are strings with CHECK constraints, which both databases enforce alike.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, overload

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnClause
    from sqlalchemy.sql.type_api import TypeEngine

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


_T = TypeVar("_T")


@overload
def column(
    type_: type[TypeEngine[_T]] | TypeEngine[_T], /, *args: Any, **kwargs: Any
) -> ColumnClause[_T]: ...
@overload
def column(foreign_key: ForeignKey, /, *args: Any, **kwargs: Any) -> ColumnClause[int]: ...
def column(*args: Any, **kwargs: Any) -> ColumnClause[Any]:
    """A Column (its name is the attribute's), typed as the column expression it is where the
    class is read: Column's own typing forbids reading it from a class (``Supporter.id``) and
    a foreign key's type comes from the column it refers to (every one here is an id)."""
    return Column(*args, **kwargs)


class Base:
    """A table declared as a class: its ``Column`` attributes, in order, become the columns of
    ``__table__`` (named after the attribute), with ``__table_args__`` (constraints, indexes).

    The attributes are the table's own Column objects, so ``Supporter.id`` goes anywhere a
    column does, and the class anywhere a table does (``insert(Supporter)``, ``.join(Event)``).
    There are no instances: rows are read and written with Core statements.
    """

    metadata: ClassVar[MetaData] = MetaData(naming_convention=NAMING_CONVENTION)
    __tablename__: ClassVar[str]
    __table__: ClassVar[Table]
    __table_args__: ClassVar[tuple[Any, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        columns = []
        for key, value in vars(cls).items():
            if isinstance(value, Column):
                value.name = value.key = key
                columns.append(value)
        cls.__table__ = Table(cls.__tablename__, cls.metadata, *columns, *cls.__table_args__)

    @classmethod
    def __clause_element__(cls) -> Table:
        """The table, where a statement takes a FROM or DML target (SQLAlchemy's coercion)."""
        return cls.__table__


class LocalGroup(Base):
    """A local group in a town: the unit organisers filter and report by."""

    __tablename__ = "local_groups"

    id = column(Id, primary_key=True)
    name = column(String(NAME), unique=True, nullable=False)
    town = column(String(NAME))
    created_at = column(DateTime, nullable=False)


class PartnerOrganisation(Base):
    """A partner organisation (school, association, council) the movement works with."""

    __tablename__ = "partner_organisations"

    id = column(Id, primary_key=True)
    name = column(String(TITLE), unique=True, nullable=False)
    kind = column(String(KIND))
    contact_email = column(String(EMAIL))
    local_group_id = column(ForeignKey("local_groups.id"))
    notes = column(Text)
    created_at = column(DateTime, nullable=False)
    member = column(Boolean)  # of the network (None: not said)
    postcode = column(String(POSTCODE))
    website = column(String(TITLE))
    last_digest_at = column(DateTime)  # `orgs digest` wrote one


class Affiliation(Base):
    """A person who represents (works for, belongs to) a partner organisation, in a role."""

    __tablename__ = "affiliations"
    __table_args__ = (
        UniqueConstraint("supporter_id", "organisation_id"),
        Index("ix_affiliations_organisation_id", "organisation_id", "supporter_id"),
    )

    id = column(Id, primary_key=True)
    supporter_id = column(ForeignKey("supporters.id", ondelete="CASCADE"), nullable=False)
    organisation_id = column(
        ForeignKey("partner_organisations.id", ondelete="CASCADE"), nullable=False
    )
    role = column(String(TITLE))
    since = column(Date)
    created_at = column(DateTime, nullable=False)


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

    id = column(Id, primary_key=True)
    first_name = column(String(NAME))
    last_name = column(String(NAME))
    email = column(String(EMAIL), unique=True)
    phone = column(String(PHONE))
    postcode = column(String(POSTCODE))
    local_group_id = column(ForeignKey("local_groups.id"))
    consent_email = column(Boolean, default=False, nullable=False)
    consent_sms = column(Boolean, default=False, nullable=False)
    consent_photo = column(Boolean, default=False, nullable=False)
    source = column(String(KIND))
    created_at = column(DateTime, nullable=False)
    updated_at = column(DateTime)
    rung = column(String(KIND), nullable=False)
    rung_since = column(DateTime, nullable=False)
    rung_set_manually = column(Boolean, default=False, nullable=False)
    status = column(String(STATUS), default="active", nullable=False)
    status_since = column(DateTime)
    lapse_condition_since = column(DateTime)
    recruiter_id = column(ForeignKey("supporters.id"))
    merged_into_id = column(ForeignKey("supporters.id"))
    # the first recorded action's time and campaign, kept by every write of actions
    # (ladder.actions.firsts): who joined through which campaign, in one indexed read
    first_action_at = column(DateTime)
    first_campaign_id = column(ForeignKey("campaigns.id"))


class Tag(Base):
    __tablename__ = "tags"

    id = column(Id, primary_key=True)
    name = column(String(TAG), unique=True, nullable=False)


class SupporterTag(Base):
    __tablename__ = "supporter_tags"
    __table_args__ = (Index("ix_supporter_tags_tag_id", "tag_id"),)

    supporter_id = column(ForeignKey("supporters.id", ondelete="CASCADE"), primary_key=True)
    tag_id = column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class Campaign(Base):
    """A named push with numeric goals."""

    __tablename__ = "campaigns"

    id = column(Id, primary_key=True)
    name = column(String(TITLE), unique=True, nullable=False)
    description = column(Text)
    starts_on = column(Date)
    ends_on = column(Date)
    created_at = column(DateTime, nullable=False)
    local_group_id = column(ForeignKey("local_groups.id"))


class CampaignGoal(Base):
    """One numeric goal: e.g. 25,000 actions of kind 'petition', or 50 people at a rung."""

    __tablename__ = "campaign_goals"
    __table_args__ = (
        UniqueConstraint("campaign_id", "metric"),
        CheckConstraint("target > 0", name="positive_target"),
    )

    id = column(Id, primary_key=True)
    campaign_id = column(ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    metric = column(String(RULE_ID), nullable=False)
    label = column(String(TITLE))
    target = column(Integer, nullable=False)


class ActionKind(Base):
    """A kind of action that counts as evidence for a rung (synced from the ladder file)."""

    __tablename__ = "action_kinds"

    id = column(Id, primary_key=True)
    name = column(String(KIND), unique=True, nullable=False)
    label = column(String(TITLE))
    rung = column(String(KIND))


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

    id = column(Id, primary_key=True)
    title = column(String(TITLE), nullable=False)
    kind = column(String(KIND), nullable=False)
    starts_at = column(DateTime, nullable=False)
    ends_at = column(DateTime)
    place = column(String(TITLE))
    postcode = column(String(POSTCODE))
    local_group_id = column(ForeignKey("local_groups.id"))
    campaign_id = column(ForeignKey("campaigns.id"))
    host_id = column(ForeignKey("supporters.id"))
    partner_id = column(ForeignKey("partner_organisations.id"))
    capacity = column(Integer)
    key_date = column(Boolean, default=False, nullable=False)
    status = column(String(STATUS), default="confirmed", nullable=False)
    external_id = column(String(EXTERNAL_ID), unique=True)
    closed_at = column(DateTime)
    created_at = column(DateTime, nullable=False)


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

    id = column(Id, primary_key=True)
    event_id = column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    supporter_id = column(ForeignKey("supporters.id"), nullable=False)
    invited_at = column(DateTime)
    invited_by = column(String(NAME))
    rsvp = column(String(STATUS))
    rsvp_at = column(DateTime)
    presence = column(String(STATUS), default="unknown", nullable=False)
    checked_in_at = column(DateTime)
    checked_in_by = column(String(NAME))
    walk_in = column(Boolean, default=False, nullable=False)
    brought_by_id = column(ForeignKey("supporters.id"))


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

    id = column(Id, primary_key=True)
    supporter_id = column(ForeignKey("supporters.id"), nullable=False)
    action_kind_id = column(ForeignKey("action_kinds.id"), nullable=False)
    occurred_at = column(DateTime, nullable=False)
    event_id = column(ForeignKey("events.id", ondelete="SET NULL"))
    campaign_id = column(ForeignKey("campaigns.id"))
    logged_by = column(String(NAME))
    external_id = column(String(EXTERNAL_ID), unique=True)
    created_at = column(DateTime, nullable=False)
    note = column(Text)


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

    id = column(Id, primary_key=True)
    supporter_id = column(ForeignKey("supporters.id"), nullable=False)
    from_rung = column(String(KIND))
    to_rung = column(String(KIND))
    from_status = column(String(STATUS))
    to_status = column(String(STATUS))
    changed_at = column(DateTime, nullable=False)
    rule_id = column(String(RULE_ID))
    changed_by = column(String(NAME))
    reason = column(Text)
    evidence = column(JSON)


class Contact(Base):
    """An ask made to a supporter (an invitation, a call): feeds the fatigue window."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(_in("channel", Channel), name="channel"),
        Index("ix_contacts_supporter_contacted", "supporter_id", "contacted_at"),
    )

    id = column(Id, primary_key=True)
    supporter_id = column(ForeignKey("supporters.id"), nullable=False)
    channel = column(String(STATUS), nullable=False)
    purpose = column(String(TITLE))
    event_id = column(ForeignKey("events.id", ondelete="SET NULL"))
    target_rung = column(String(KIND))
    contacted_at = column(DateTime, nullable=False)
    contacted_by = column(String(NAME))


class Merge(Base):
    """A record that one supporter was merged into another, and by whom."""

    __tablename__ = "merges"

    id = column(Id, primary_key=True)
    kept_id = column(ForeignKey("supporters.id"), nullable=False)
    merged_id = column(ForeignKey("supporters.id"), nullable=False)
    merged_at = column(DateTime, nullable=False)
    merged_by = column(String(NAME))
    details = column(JSON)


class SupporterIdentifier(Base):
    """Another tool's own id for a person (``nationbuilder_id``, ``action_network:<uuid>``):
    a later file from that tool matches on it. Never read as a ladder id."""

    __tablename__ = "supporter_identifiers"
    __table_args__ = (
        UniqueConstraint("namespace", "value"),
        Index("ix_supporter_identifiers_supporter_id", "supporter_id"),
    )

    id = column(Id, primary_key=True)
    supporter_id = column(ForeignKey("supporters.id", ondelete="CASCADE"), nullable=False)
    namespace = column(String(KIND), nullable=False)
    value = column(String(EXTERNAL_ID), nullable=False)
    created_at = column(DateTime, nullable=False)


class EventIdentifier(Base):
    """Another tool's own id for an event (a Mobilize event id, an OSDI identifier)."""

    __tablename__ = "event_identifiers"
    __table_args__ = (
        UniqueConstraint("namespace", "value"),
        Index("ix_event_identifiers_event_id", "event_id"),
    )

    id = column(Id, primary_key=True)
    event_id = column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    namespace = column(String(KIND), nullable=False)
    value = column(String(EXTERNAL_ID), nullable=False)
    created_at = column(DateTime, nullable=False)


class ConsentRecord(Base):
    """One statement a person made about one channel: the consent ledger (GDPR art. 7).

    The latest record per channel is the current state, which ``supporters.consent_*`` keep
    (written only by ``ladder.privacy.consent``)."""

    __tablename__ = "consent_records"
    __table_args__ = (
        CheckConstraint(_in("channel", ConsentChannel), name="channel"),
        Index("ix_consent_records_supporter_channel", "supporter_id", "channel", "recorded_at"),
    )

    id = column(Id, primary_key=True)
    supporter_id = column(ForeignKey("supporters.id", ondelete="CASCADE"), nullable=False)
    channel = column(String(STATUS), nullable=False)
    given = column(Boolean, nullable=False)
    source = column(String(TITLE))
    wording = column(String(KIND))
    evidence = column(Text)
    recorded_by = column(String(NAME))
    recorded_at = column(DateTime, nullable=False)


class AuditEntry(Base):
    """Who did what, when, with which command, to which field names: never a personal value."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_at", "at"),)

    id = column(Id, primary_key=True)
    at = column(DateTime, nullable=False)
    actor = column(String(NAME), nullable=False)
    command = column(String(TITLE), nullable=False)
    fields = column(JSON)
    people = column(Integer, nullable=False)  # how many people it touched
    detail = column(JSON)  # ids and counts only


class AuditPerson(Base):
    """A person an audit entry touched (so ``audit --person`` reads an index)."""

    __tablename__ = "audit_people"
    __table_args__ = (Index("ix_audit_people_supporter_id", "supporter_id", "entry_id"),)

    entry_id = column(ForeignKey("audit_entries.id", ondelete="CASCADE"), primary_key=True)
    supporter_id = column(Id, primary_key=True)


class ApiToken(Base):
    """A token for the web API: only a hash of the secret is kept, and a visible prefix."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)

    id = column(Id, primary_key=True)
    name = column(String(NAME), nullable=False)
    role = column(String(STATUS), nullable=False)
    prefix = column(String(PREFIX), unique=True, nullable=False)
    secret_hash = column(String(SECRET_HASH), nullable=False)
    created_at = column(DateTime, nullable=False)
    created_by = column(String(NAME))
    expires_at = column(DateTime)
    last_used_at = column(DateTime)
    revoked_at = column(DateTime)


class CheckinLink(Base):
    """A volunteer's signed, revocable link to check people in at one event."""

    __tablename__ = "checkin_links"
    __table_args__ = (Index("ix_checkin_links_event_id", "event_id"),)

    id = column(Id, primary_key=True)
    event_id = column(ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    prefix = column(String(PREFIX), unique=True, nullable=False)
    secret_hash = column(String(SECRET_HASH), nullable=False)
    created_at = column(DateTime, nullable=False)
    created_by = column(String(NAME))
    expires_at = column(DateTime)
    revoked_at = column(DateTime)
