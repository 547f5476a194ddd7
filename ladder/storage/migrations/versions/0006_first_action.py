"""each person's first action, stored: who joined through which campaign in one grouped read

``supporters.first_action_at`` and ``supporters.first_campaign_id``: the time and the campaign
of the person's first recorded action (among actions at that same first time, the smallest
campaign id; none when none of them has a campaign). ``campaigns show`` counts the people who
joined through a campaign, and how many of them have since climbed, from the index on
(first_campaign_id, first_action_at) instead of probing every person's actions. Every write of
actions keeps them (``ladder.storage.firsts.refresh_first_actions``); this revision fills them
for the actions already there, in one UPDATE.

Both columns are added with a plain ``ALTER TABLE ... ADD COLUMN`` (no table copy).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# The same statement as ladder.storage.firsts (a migration does not import the library).
BACKFILL = (
    "UPDATE supporters SET "
    "first_action_at = (SELECT min(a.occurred_at) FROM actions a "
    "WHERE a.supporter_id = supporters.id), "
    "first_campaign_id = (SELECT min(a.campaign_id) FROM actions a "
    "WHERE a.supporter_id = supporters.id AND a.occurred_at = ("
    "SELECT min(b.occurred_at) FROM actions b WHERE b.supporter_id = supporters.id)) "
    "WHERE id IN (SELECT supporter_id FROM actions)"
)


def upgrade() -> None:
    op.add_column("supporters", sa.Column("first_action_at", sa.DateTime(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with a REFERENCES clause in place (Alembic would copy the
        # table, which the foreign keys pointing at supporters forbid)
        op.execute(
            "ALTER TABLE supporters ADD COLUMN first_campaign_id INTEGER "
            "CONSTRAINT fk_supporters_first_campaign_id_campaigns REFERENCES campaigns (id)"
        )
    else:
        op.add_column("supporters", sa.Column("first_campaign_id", ID, nullable=True))
        op.create_foreign_key(
            op.f("fk_supporters_first_campaign_id_campaigns"),
            "supporters",
            "campaigns",
            ["first_campaign_id"],
            ["id"],
        )
    op.execute(BACKFILL)
    op.create_index(
        "ix_supporters_first_campaign",
        "supporters",
        ["first_campaign_id", "first_action_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_supporters_first_campaign", table_name="supporters")
    with op.batch_alter_table("supporters", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_supporters_first_campaign_id_campaigns"), type_="foreignkey"
        )
        batch_op.drop_column("first_campaign_id")
        batch_op.drop_column("first_action_at")
