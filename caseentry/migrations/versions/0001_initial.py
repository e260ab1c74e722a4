"""Reference data, cases, users, the audit log and the change outbox.

Revision ID: 0001
Revises:
Create Date: 2026-03-01
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from caseentry.tables import Xid8

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = postgresql.TIMESTAMP(timezone=True)
MONEY = sa.Numeric(18, 2)


def _version() -> sa.Column:
    return sa.Column("record_version", TS, nullable=False)


def upgrade() -> None:
    op.create_table(
        "subject",
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("subject_name", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("subject_level", sa.String(1), nullable=False),
        sa.Column("subject_type", sa.String(2), nullable=False),
        sa.Column("domain_code", sa.String(2), nullable=False),
        sa.Column("parent_subject_code", sa.String(18)),
        sa.Column("is_active", sa.Boolean, nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("subject_code", name="pk_subject"),
    )
    op.create_table(
        "officer",
        sa.Column("cert_no", sa.String(32), nullable=False),
        sa.Column("officer_name", sa.String(50), nullable=False),
        sa.Column("id_no", sa.String(18), nullable=False),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("cert_valid_from", sa.Date, nullable=False),
        sa.Column("cert_valid_to", sa.Date, nullable=False),
        sa.Column("cert_status", sa.String(2), nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("cert_no", name="pk_officer"),
        sa.ForeignKeyConstraint(["subject_code"], ["subject.subject_code"], name="fk_officer_subject_code"),
    )
    op.create_index("ix_officer_subject_code", "officer", ["subject_code"])
    op.create_table(
        "item",
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("item_name", sa.String(300), nullable=False),
        sa.Column("item_category", sa.String(1), nullable=False),
        sa.Column("domain_code", sa.String(2), nullable=False),
        sa.Column("legal_basis", sa.String(1000), nullable=False),
        sa.Column("fine_min", MONEY),
        sa.Column("fine_max", MONEY),
        sa.Column("legal_review_required", sa.Boolean, nullable=False),
        sa.Column("limitation_years", sa.Integer),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date),
        _version(),
        sa.PrimaryKeyConstraint("item_code", name="pk_item"),
    )
    op.create_table(
        "party",
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("party_type", sa.String(1), nullable=False),
        sa.Column("party_name", sa.String(200), nullable=False),
        sa.Column("credential_type", sa.String(2), nullable=False),
        sa.Column("credential_no", sa.String(50), nullable=False),
        sa.Column("region_code", sa.String(6)),
        _version(),
        sa.PrimaryKeyConstraint("party_id", name="pk_party"),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("subject_code", sa.String(18)),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("token_generation", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.PrimaryKeyConstraint("id", name="pk_app_user"),
        sa.UniqueConstraint("username", name="uq_app_user_username"),
        sa.ForeignKeyConstraint(["subject_code"], ["subject.subject_code"], name="fk_app_user_subject_code"),
        sa.CheckConstraint("role in ('officer', 'leader', 'legal_reviewer', 'supervisor', 'admin', 'pipeline')",
                           name="ck_app_user_role_known"),
        sa.CheckConstraint("role in ('admin', 'pipeline') or subject_code is not null",
                           name="ck_app_user_unit_bound"),
    )
    op.create_table(
        "enforcement_case",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("case_no", sa.String(100)),
        sa.Column("case_type", sa.String(1), nullable=False),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column("item_code", sa.String(40), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("source_channel", sa.String(2), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("procedure", sa.String(1)),
        sa.Column("officer_cert_nos", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("violation_at", TS),
        sa.Column("found_at", TS),
        sa.Column("registered_at", TS, nullable=False),
        sa.Column("closed_at", TS),
        sa.Column("archived_at", TS),
        sa.Column("status", sa.String(2), nullable=False),
        sa.Column("time_limit_extended", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        _version(),
        sa.PrimaryKeyConstraint("id", name="pk_enforcement_case"),
        sa.ForeignKeyConstraint(["subject_code"], ["subject.subject_code"], name="fk_enforcement_case_subject_code"),
        sa.ForeignKeyConstraint(["item_code"], ["item.item_code"], name="fk_enforcement_case_item_code"),
        sa.ForeignKeyConstraint(["party_id"], ["party.party_id"], name="fk_enforcement_case_party_id"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name="fk_enforcement_case_created_by"),
    )
    op.create_index("ix_enforcement_case_subject_code", "enforcement_case", ["subject_code"])
    op.create_index("ix_enforcement_case_party_id", "enforcement_case", ["party_id"])
    op.create_index("ix_enforcement_case_status", "enforcement_case", ["status"])
    op.create_table(
        "inspection",
        sa.Column("case_id", sa.BigInteger, nullable=False),
        sa.Column("inspection_kind", sa.String(2), nullable=False),
        sa.Column("inspected_at", TS),
        sa.Column("result", sa.String(2)),
        sa.Column("rectify_deadline", sa.Date),
        sa.Column("rectified_at", TS),
        _version(),
        sa.PrimaryKeyConstraint("case_id", name="pk_inspection"),
        sa.ForeignKeyConstraint(["case_id"], ["enforcement_case.id"], name="fk_inspection_case_id"),
    )
    op.create_table(
        "penalty",
        sa.Column("case_id", sa.BigInteger, nullable=False),
        sa.Column("decision_no", sa.String(100)),
        sa.Column("decision_at", TS),
        sa.Column("penalty_kinds", postgresql.ARRAY(sa.String(2)), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("fine_amount", MONEY),
        sa.Column("confiscation_amount", MONEY),
        sa.Column("legal_review_at", TS),
        sa.Column("collective_discussion_at", TS),
        sa.Column("notified_at", TS),
        sa.Column("hearing_requested", sa.Boolean),
        sa.Column("hearing_notice_at", TS),
        sa.Column("hearing_at", TS),
        sa.Column("served_at", TS),
        sa.Column("paid_at", TS),
        sa.Column("execution_status", sa.String(1)),
        sa.Column("discretion_reason", sa.String(2000)),
        sa.Column("flags", postgresql.ARRAY(sa.String(10)), nullable=False, server_default=sa.text("'{}'")),
        _version(),
        sa.PrimaryKeyConstraint("case_id", name="pk_penalty"),
        sa.ForeignKeyConstraint(["case_id"], ["enforcement_case.id"], name="fk_penalty_case_id"),
    )
    op.create_table(
        "coercion",
        sa.Column("case_id", sa.BigInteger, nullable=False),
        sa.Column("measure_seq", sa.Integer, nullable=False),
        sa.Column("coercion_kind", sa.String(1), nullable=False),
        sa.Column("measure_code", sa.String(2), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("term_days", sa.Integer),
        sa.Column("extended_days", sa.Integer),
        sa.Column("lifted_at", TS),
        sa.Column("demand_notice_at", TS),
        sa.Column("court_applied_at", TS),
        sa.Column("emergency", sa.Boolean, nullable=False),
        sa.Column("approved_at", TS),
        _version(),
        sa.PrimaryKeyConstraint("case_id", "measure_seq", name="pk_coercion"),
        sa.ForeignKeyConstraint(["case_id"], ["enforcement_case.id"], name="fk_coercion_case_id"),
        sa.CheckConstraint("measure_seq >= 1", name="ck_coercion_measure_seq_min"),
    )
    op.create_table(
        "case_step",
        sa.Column("case_id", sa.BigInteger, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("stage_code", sa.String(2), nullable=False),
        sa.Column("entered_at", TS, nullable=False),
        sa.Column("completed_at", TS),
        sa.Column("handler_cert_no", sa.String(32)),
        sa.Column("approver_name", sa.String(50)),
        sa.Column("opinion", sa.String(2000)),
        sa.Column("created_by", sa.BigInteger),
        _version(),
        sa.PrimaryKeyConstraint("case_id", "seq", name="pk_case_step"),
        sa.ForeignKeyConstraint(["case_id"], ["enforcement_case.id"], name="fk_case_step_case_id"),
        sa.ForeignKeyConstraint(["handler_cert_no"], ["officer.cert_no"], name="fk_case_step_handler_cert_no"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name="fk_case_step_created_by"),
        sa.CheckConstraint("seq >= 1", name="ck_case_step_seq_min"),
    )
    op.create_table(
        "publicity",
        sa.Column("case_id", sa.BigInteger, nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("withdrawn_at", TS),
        sa.Column("public_text", sa.String(4000), nullable=False),
        _version(),
        sa.PrimaryKeyConstraint("case_id", name="pk_publicity"),
        sa.ForeignKeyConstraint(["case_id"], ["enforcement_case.id"], name="fk_publicity_case_id"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("at", TS, nullable=False, server_default=sa.text("clock_timestamp()")),
        sa.Column("actor_user_id", sa.BigInteger),
        sa.Column("actor_username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("entity", sa.String(30), nullable=False),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("before", postgresql.JSONB),
        sa.Column("after", postgresql.JSONB),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_entity_key", "audit_log", ["entity", "record_key"])
    # The audit trail must survive a careless or malicious application user: refuse every
    # change to written rows, including TRUNCATE, at the database itself.
    op.execute("""
        create function audit_log_append_only() returns trigger language plpgsql as $$
        begin
            raise exception 'audit_log is append-only (% refused)', tg_op
                using errcode = 'insufficient_privilege';
        end $$
    """)
    op.execute("create trigger audit_log_no_update before update or delete on audit_log"
               " for each row execute function audit_log_append_only()")
    op.execute("create trigger audit_log_no_truncate before truncate on audit_log"
               " for each statement execute function audit_log_append_only()")

    op.execute("create sequence change_outbox_seq")
    op.create_table(
        "change_outbox",
        sa.Column("xid", Xid8(), nullable=False, server_default=sa.text("pg_current_xact_id()")),
        sa.Column("seq", sa.BigInteger, nullable=False, server_default=sa.text("nextval('change_outbox_seq')")),
        sa.Column("entity", sa.String(30), nullable=False),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("op", sa.String(6), nullable=False),
        sa.Column("changed_at", TS, nullable=False),
        sa.Column("data", postgresql.JSONB),
        sa.PrimaryKeyConstraint("xid", "seq", name="pk_change_outbox"),
        sa.CheckConstraint("op in ('upsert', 'delete')", name="ck_change_outbox_op_known"),
    )


def downgrade() -> None:
    for table in ("change_outbox", "audit_log", "publicity", "case_step", "coercion", "penalty",
                  "inspection", "enforcement_case", "app_user", "party", "item", "officer", "subject"):
        op.drop_table(table)
    op.execute("drop sequence if exists change_outbox_seq")
    op.execute("drop function if exists audit_log_append_only()")
