"""When and why a case was revoked (撤销) or not filed (不予立案).

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-02
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("enforcement_case", sa.Column("revoked_at", postgresql.TIMESTAMP(timezone=True)))
    op.add_column("enforcement_case", sa.Column("revoke_reason", sa.String(500)))


def downgrade() -> None:
    op.drop_column("enforcement_case", "revoke_reason")
    op.drop_column("enforcement_case", "revoked_at")
