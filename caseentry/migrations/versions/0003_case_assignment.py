"""Who handles a case now (assigned_to), so that a unit leader can reassign it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("enforcement_case", sa.Column("assigned_to", sa.BigInteger))
    op.create_foreign_key("fk_enforcement_case_assigned_to", "enforcement_case", "app_user",
                          ["assigned_to"], ["id"])
    # Until now the officer who entered a case was the one handling it.
    op.execute("update enforcement_case set assigned_to = created_by")
    op.create_index("ix_enforcement_case_assigned_to", "enforcement_case", ["assigned_to"])


def downgrade() -> None:
    op.drop_index("ix_enforcement_case_assigned_to", "enforcement_case")
    op.drop_constraint("fk_enforcement_case_assigned_to", "enforcement_case", type_="foreignkey")
    op.drop_column("enforcement_case", "assigned_to")
