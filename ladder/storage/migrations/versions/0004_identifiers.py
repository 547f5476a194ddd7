"""identifiers other tools give people and events

``supporter_identifiers`` and ``event_identifiers`` keep another tool's own id for a person or
an event (NationBuilder's ``nationbuilder_id``, Action Network's ``uuid``, Mobilize's ``user_id``,
CiviCRM's ``contact_id``, an OSDI ``identifiers`` entry such as ``action_network:d91b4b2e-...``),
as a namespace and a value. One value names one record per namespace (unique), so a later file
from the same tool finds the same people and events; a ladder id is never read from them. They
go with their record (ON DELETE CASCADE).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 05:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OWNERS = {
    "supporter_identifiers": ("supporter_id", "supporters"),
    "event_identifiers": ("event_id", "events"),
}


def upgrade() -> None:
    for table, (column, owner) in OWNERS.items():
        op.create_table(
            table,
            sa.Column("id", ID, nullable=False),
            sa.Column(column, ID, nullable=False),
            sa.Column("namespace", sa.String(length=60), nullable=False),
            sa.Column("value", sa.String(length=120), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                [column],
                [f"{owner}.id"],
                name=op.f(f"fk_{table}_{column}_{owner}"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("namespace", "value", name=op.f(f"uq_{table}_namespace_value")),
        )
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def downgrade() -> None:
    for table, (column, _owner) in OWNERS.items():
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
