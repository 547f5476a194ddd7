"""partner organisations: member of the network, postcode, website, last digest; affiliations

``partner_organisations`` gains ``member`` (in the network or not; NULL: not said),
``postcode``, ``website`` and ``last_digest_at`` (when ``ladder orgs digest`` last wrote the
organisation's progress mail: the next digest starts there). Existing partners keep every
value; the new columns are empty. All four are added with a plain ``ALTER TABLE ... ADD
COLUMN`` (no table copy).

``affiliations``: a person who represents an organisation, with a free-text role and the date
they started. One row per (person, organisation): a person may represent several. Rows go
with the person or the organisation (ON DELETE CASCADE); an erasure keeps the row (the
organisation's counts stay true) and blanks its role.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 11:00:00
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
COLUMNS: dict[str, Callable[[], sa.types.TypeEngine[Any]]] = {
    "member": sa.Boolean,
    "postcode": lambda: sa.String(length=16),
    "website": lambda: sa.String(length=200),
    "last_digest_at": sa.DateTime,
}


def upgrade() -> None:
    for name, kind in COLUMNS.items():
        op.add_column("partner_organisations", sa.Column(name, kind(), nullable=True))
    op.create_table(
        "affiliations",
        sa.Column("id", ID, nullable=False),
        sa.Column("supporter_id", ID, nullable=False),
        sa.Column("organisation_id", ID, nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supporter_id"],
            ["supporters.id"],
            name=op.f("fk_affiliations_supporter_id_supporters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["partner_organisations.id"],
            name=op.f("fk_affiliations_organisation_id_partner_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliations")),
        sa.UniqueConstraint(
            "supporter_id",
            "organisation_id",
            name=op.f("uq_affiliations_supporter_id_organisation_id"),
        ),
    )
    op.create_index(
        "ix_affiliations_organisation_id", "affiliations", ["organisation_id", "supporter_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_affiliations_organisation_id", table_name="affiliations")
    op.drop_table("affiliations")
    with op.batch_alter_table("partner_organisations", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
