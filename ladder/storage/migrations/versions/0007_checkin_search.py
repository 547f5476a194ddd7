"""an index on first names, for the check-in page's search as you type

The volunteer's search lists people whose first or last name starts with what was typed; the
last name had an index (``ix_supporters_last_name``), the first name gets one, so both are
index range scans at a million supporters instead of a full scan.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_supporters_first_name", "supporters", ["first_name", "last_name"])


def downgrade() -> None:
    op.drop_index("ix_supporters_first_name", table_name="supporters")
