"""consent ledger, audit, API tokens and check-in links

``consent_records``: the consent ledger (GDPR art. 7). One row per statement a person made about
one channel (email, sms, photo): yes or no, where it was given (``source``), who recorded it,
when, and which wording they agreed to. The latest record for a channel is the person's current
state; ``supporters.consent_email/sms/photo`` keep that state (written by the one function that
writes records, ``ladder.privacy.consent``) so that rules and contact lists stay one indexed
column read. Existing yes flags become a first record each, with the source
``before the consent ledger``.

``audit_entries`` (+ ``audit_people``): who did what, when, through which command, to which ids
and which field names; never a personal value. ``audit_people`` names the people an entry
touched, so ``ladder audit --person`` and an access export find them by index.

``api_tokens`` and ``checkin_links``: the web face's credentials. Only a hash of each secret is
kept, with a short visible prefix to tell them apart.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CHANNELS = ("email", "sms", "photo")
ROLES = ("organiser", "coordinator")
BEFORE_LEDGER = "before the consent ledger"


def upgrade() -> None:
    op.create_table(
        "consent_records",
        sa.Column("id", ID, nullable=False),
        sa.Column("supporter_id", ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("wording", sa.String(length=60), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=120), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('email', 'sms', 'photo')", name=op.f("ck_consent_records_channel")
        ),
        sa.ForeignKeyConstraint(
            ["supporter_id"],
            ["supporters.id"],
            name=op.f("fk_consent_records_supporter_id_supporters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(
        "ix_consent_records_supporter_channel",
        "consent_records",
        ["supporter_id", "channel", "recorded_at"],
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", ID, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("command", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index("ix_audit_entries_at", "audit_entries", ["at"])
    op.create_table(
        "audit_people",
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("supporter_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["audit_entries.id"],
            name=op.f("fk_audit_people_entry_id_audit_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "supporter_id", name=op.f("pk_audit_people")),
    )
    op.create_index("ix_audit_people_supporter_id", "audit_people", ["supporter_id", "entry_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("role IN ('organiser', 'coordinator')", name=op.f("ck_api_tokens_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_tokens_prefix")),
    )
    op.create_table(
        "checkin_links",
        sa.Column("id", ID, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_checkin_links_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_links")),
        sa.UniqueConstraint("prefix", name=op.f("uq_checkin_links_prefix")),
    )
    op.create_index("ix_checkin_links_event_id", "checkin_links", ["event_id"])
    now = datetime.now(UTC).replace(tzinfo=None)
    for channel in CHANNELS:
        op.get_bind().execute(
            sa.text(
                "INSERT INTO consent_records (supporter_id, channel, given, source, recorded_at) "
                f"SELECT id, :channel, :yes, :source, :now FROM supporters WHERE consent_{channel}"
            ),
            {"channel": channel, "yes": True, "source": BEFORE_LEDGER, "now": now},
        )


def downgrade() -> None:
    op.drop_index("ix_checkin_links_event_id", table_name="checkin_links")
    op.drop_table("checkin_links")
    op.drop_table("api_tokens")
    op.drop_index("ix_audit_people_supporter_id", table_name="audit_people")
    op.drop_table("audit_people")
    op.drop_index("ix_audit_entries_at", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_index("ix_consent_records_supporter_channel", table_name="consent_records")
    op.drop_table("consent_records")
