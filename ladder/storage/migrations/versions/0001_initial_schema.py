"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 14:44:37.590844
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_kinds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("rung", sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_kinds")),
        sa.UniqueConstraint("name", name=op.f("uq_action_kinds_name")),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("name", name=op.f("uq_campaigns_name")),
    )
    op.create_table(
        "local_groups",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("town", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_local_groups_name")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "campaign_goals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("metric", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.CheckConstraint("target > 0", name=op.f("ck_campaign_goals_positive_target")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_goals_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_goals")),
        sa.UniqueConstraint(
            "campaign_id", "metric", name=op.f("uq_campaign_goals_campaign_id_metric")
        ),
    )
    op.create_table(
        "partner_organisations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column(
            "local_group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["local_group_id"],
            ["local_groups.id"],
            name=op.f("fk_partner_organisations_local_group_id_local_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_partner_organisations_name")),
    )
    op.create_table(
        "supporters",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=True),
        sa.Column("last_name", sa.String(length=120), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("postcode", sa.String(length=16), nullable=True),
        sa.Column(
            "local_group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("consent_email", sa.Boolean(), nullable=False),
        sa.Column("consent_sms", sa.Boolean(), nullable=False),
        sa.Column("consent_photo", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("rung", sa.String(length=60), nullable=False),
        sa.Column("rung_since", sa.DateTime(), nullable=False),
        sa.Column("rung_set_manually", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_since", sa.DateTime(), nullable=True),
        sa.Column("lapse_condition_since", sa.DateTime(), nullable=True),
        sa.Column(
            "recruiter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "merged_into_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.CheckConstraint(
            "status IN ('active', 'lapsed', 'erased')", name=op.f("ck_supporters_status")
        ),
        sa.CheckConstraint(
            "recruiter_id IS NULL OR recruiter_id <> id",
            name=op.f("ck_supporters_not_own_recruiter"),
        ),
        sa.ForeignKeyConstraint(
            ["local_group_id"],
            ["local_groups.id"],
            name=op.f("fk_supporters_local_group_id_local_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["supporters.id"],
            name=op.f("fk_supporters_merged_into_id_supporters"),
        ),
        sa.ForeignKeyConstraint(
            ["recruiter_id"], ["supporters.id"], name=op.f("fk_supporters_recruiter_id_supporters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supporters")),
        sa.UniqueConstraint("email", name=op.f("uq_supporters_email")),
    )
    with op.batch_alter_table("supporters", schema=None) as batch_op:
        batch_op.create_index("ix_supporters_group_rung", ["local_group_id", "rung"], unique=False)
        batch_op.create_index("ix_supporters_last_name", ["last_name", "first_name"], unique=False)
        batch_op.create_index("ix_supporters_phone", ["phone"], unique=False)
        batch_op.create_index("ix_supporters_postcode", ["postcode"], unique=False)
        batch_op.create_index("ix_supporters_recruiter_id", ["recruiter_id"], unique=False)
        batch_op.create_index("ix_supporters_rung_status", ["rung", "status"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("postcode", sa.String(length=16), nullable=True),
        sa.Column(
            "local_group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("host_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("key_date", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=120), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('confirmed', 'tentative', 'cancelled')", name=op.f("ck_events_status")
        ),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name=op.f("ck_events_capacity")),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at >= starts_at", name=op.f("ck_events_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_events_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["host_id"], ["supporters.id"], name=op.f("fk_events_host_id_supporters")
        ),
        sa.ForeignKeyConstraint(
            ["local_group_id"],
            ["local_groups.id"],
            name=op.f("fk_events_local_group_id_local_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner_organisations.id"],
            name=op.f("fk_events_partner_id_partner_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("external_id", name=op.f("uq_events_external_id")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_campaign_id", ["campaign_id"], unique=False)
        batch_op.create_index(
            "ix_events_group_starts_at", ["local_group_id", "starts_at"], unique=False
        )
        batch_op.create_index("ix_events_host_id", ["host_id"], unique=False)
        batch_op.create_index("ix_events_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "level_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "supporter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("from_rung", sa.String(length=60), nullable=True),
        sa.Column("to_rung", sa.String(length=60), nullable=True),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("rule_id", sa.String(length=80), nullable=True),
        sa.Column("changed_by", sa.String(length=120), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "rule_id IS NOT NULL OR changed_by IS NOT NULL",
            name=op.f("ck_level_changes_has_rule_or_organiser"),
        ),
        sa.ForeignKeyConstraint(
            ["supporter_id"],
            ["supporters.id"],
            name=op.f("fk_level_changes_supporter_id_supporters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_level_changes")),
    )
    with op.batch_alter_table("level_changes", schema=None) as batch_op:
        batch_op.create_index("ix_level_changes_rule_id", ["rule_id"], unique=False)
        batch_op.create_index(
            "ix_level_changes_supporter_changed", ["supporter_id", "changed_at"], unique=False
        )

    op.create_table(
        "supporter_tags",
        sa.Column(
            "supporter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("tag_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["supporter_id"],
            ["supporters.id"],
            name=op.f("fk_supporter_tags_supporter_id_supporters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_supporter_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("supporter_id", "tag_id", name=op.f("pk_supporter_tags")),
    )
    with op.batch_alter_table("supporter_tags", schema=None) as batch_op:
        batch_op.create_index("ix_supporter_tags_tag_id", ["tag_id"], unique=False)

    op.create_table(
        "actions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "supporter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "action_kind_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("logged_by", sa.String(length=120), nullable=True),
        sa.Column("external_id", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_kind_id"],
            ["action_kinds.id"],
            name=op.f("fk_actions_action_kind_id_action_kinds"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_actions_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_actions_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supporter_id"], ["supporters.id"], name=op.f("fk_actions_supporter_id_supporters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
        sa.UniqueConstraint("external_id", name=op.f("uq_actions_external_id")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_campaign_id", ["campaign_id"], unique=False)
        batch_op.create_index("ix_actions_event_id", ["event_id"], unique=False)
        batch_op.create_index(
            "ix_actions_kind_occurred", ["action_kind_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_actions_supporter_occurred", ["supporter_id", "occurred_at"], unique=False
        )

    op.create_table(
        "attendances",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "supporter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("invited_at", sa.DateTime(), nullable=True),
        sa.Column("invited_by", sa.String(length=120), nullable=True),
        sa.Column("rsvp", sa.String(length=16), nullable=True),
        sa.Column("rsvp_at", sa.DateTime(), nullable=True),
        sa.Column("presence", sa.String(length=16), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(), nullable=True),
        sa.Column("checked_in_by", sa.String(length=120), nullable=True),
        sa.Column("walk_in", sa.Boolean(), nullable=False),
        sa.Column(
            "brought_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.CheckConstraint(
            "presence IN ('attended', 'no_show', 'unknown')", name=op.f("ck_attendances_presence")
        ),
        sa.CheckConstraint(
            "rsvp IS NULL OR rsvp IN ('accepted', 'tentative', 'declined')",
            name=op.f("ck_attendances_rsvp"),
        ),
        sa.ForeignKeyConstraint(
            ["brought_by_id"],
            ["supporters.id"],
            name=op.f("fk_attendances_brought_by_id_supporters"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_attendances_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supporter_id"], ["supporters.id"], name=op.f("fk_attendances_supporter_id_supporters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
        sa.UniqueConstraint(
            "event_id", "supporter_id", name=op.f("uq_attendances_event_id_supporter_id")
        ),
    )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendances_supporter_presence", ["supporter_id", "presence"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.drop_index("ix_attendances_supporter_presence")

    op.drop_table("attendances")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_supporter_occurred")
        batch_op.drop_index("ix_actions_kind_occurred")
        batch_op.drop_index("ix_actions_event_id")
        batch_op.drop_index("ix_actions_campaign_id")

    op.drop_table("actions")
    with op.batch_alter_table("supporter_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_supporter_tags_tag_id")

    op.drop_table("supporter_tags")
    with op.batch_alter_table("level_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_level_changes_supporter_changed")
        batch_op.drop_index("ix_level_changes_rule_id")

    op.drop_table("level_changes")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_starts_at")
        batch_op.drop_index("ix_events_host_id")
        batch_op.drop_index("ix_events_group_starts_at")
        batch_op.drop_index("ix_events_campaign_id")

    op.drop_table("events")
    with op.batch_alter_table("supporters", schema=None) as batch_op:
        batch_op.drop_index("ix_supporters_rung_status")
        batch_op.drop_index("ix_supporters_recruiter_id")
        batch_op.drop_index("ix_supporters_postcode")
        batch_op.drop_index("ix_supporters_phone")
        batch_op.drop_index("ix_supporters_last_name")
        batch_op.drop_index("ix_supporters_group_rung")

    op.drop_table("supporters")
    op.drop_table("partner_organisations")
    op.drop_table("campaign_goals")
    op.drop_table("tags")
    op.drop_table("local_groups")
    op.drop_table("campaigns")
    op.drop_table("action_kinds")
