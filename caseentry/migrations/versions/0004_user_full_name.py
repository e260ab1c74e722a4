"""A user's full name (姓名), so that a leader's approval is signed with their own name.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: accounts made before it have none until an administrator records it; until then
    # their approvals name the approver as typed (as before).
    op.add_column("app_user", sa.Column("full_name", sa.String(50)))


def downgrade() -> None:
    op.drop_column("app_user", "full_name")
