"""The service's tables (SQLAlchemy Core). Column names are the standard's field names.

The first Alembic migration (``migrations/versions/0001_initial.py``) creates exactly these; a
test compares the two so that they cannot drift apart.

Every record that the change feed publishes carries ``record_version``: the time of its last
change, to the second, strictly increasing per record (see ``changes.py``).
"""
from __future__ import annotations

from sqlalchemy import (
    ARRAY, BigInteger, Boolean, CheckConstraint, Column, Date, ForeignKey, Identity, Index, Integer, MetaData, Numeric, PrimaryKeyConstraint, Sequence, String, Table, Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP
from sqlalchemy.types import UserDefinedType

metadata = MetaData(naming_convention={
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
})


class Xid8(UserDefinedType):
    """PostgreSQL's 64-bit transaction id, which never wraps around (unlike xid)."""
    cache_ok = True

    def get_col_spec(self, **kw):
        return "xid8"


Timestamp = TIMESTAMP(timezone=True)
Money = Numeric(18, 2)


def _version() -> Column:
    return Column("record_version", Timestamp, nullable=False)


subject = Table(
    "subject", metadata,
    Column("subject_code", String(18), primary_key=True),
    Column("subject_name", String(200), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("subject_level", String(1), nullable=False),
    Column("subject_type", String(2), nullable=False),
    Column("domain_code", String(2), nullable=False),
    Column("parent_subject_code", String(18)),
    Column("is_active", Boolean, nullable=False),
    _version(),
)

officer = Table(
    "officer", metadata,
    Column("cert_no", String(32), primary_key=True),
    Column("officer_name", String(50), nullable=False),
    Column("id_no", String(18), nullable=False),
    Column("subject_code", String(18), ForeignKey("subject.subject_code"), nullable=False, index=True),
    Column("cert_valid_from", Date, nullable=False),
    Column("cert_valid_to", Date, nullable=False),
    Column("cert_status", String(2), nullable=False),
    _version(),
)

item = Table(
    "item", metadata,
    Column("item_code", String(40), primary_key=True),
    Column("item_name", String(300), nullable=False),
    Column("item_category", String(1), nullable=False),
    Column("domain_code", String(2), nullable=False),
    Column("legal_basis", String(1000), nullable=False),
    Column("fine_min", Money),
    Column("fine_max", Money),
    Column("legal_review_required", Boolean, nullable=False),
    Column("limitation_years", Integer),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    _version(),
)

party = Table(
    "party", metadata,
    Column("party_id", String(64), primary_key=True),
    Column("party_type", String(1), nullable=False),
    Column("party_name", String(200), nullable=False),
    Column("credential_type", String(2), nullable=False),
    Column("credential_no", String(50), nullable=False),
    Column("region_code", String(6)),
    _version(),
)

app_user = Table(
    "app_user", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("subject_code", String(18), ForeignKey("subject.subject_code")),
    # 姓名 (migration 0004): a leader's approvals are signed with it.
    Column("full_name", String(50)),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    # Raised whenever the password is reset: tokens carry it, so old tokens stop working.
    Column("token_generation", Integer, nullable=False, server_default=text("0")),
    Column("created_at", Timestamp, nullable=False, server_default=text("now()")),
    Column("updated_at", Timestamp, nullable=False, server_default=text("now()")),
    CheckConstraint("role in ('officer', 'leader', 'legal_reviewer', 'supervisor', 'admin', 'pipeline')",
                    name="role_known"),
    CheckConstraint("role in ('admin', 'pipeline') or subject_code is not null", name="unit_bound"),
)

enforcement_case = Table(
    "enforcement_case", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("case_no", String(100)),
    Column("case_type", String(1), nullable=False),
    Column("subject_code", String(18), ForeignKey("subject.subject_code"), nullable=False, index=True),
    Column("item_code", String(40), ForeignKey("item.item_code"), nullable=False),
    Column("party_id", String(64), ForeignKey("party.party_id"), nullable=False, index=True),
    Column("source_channel", String(2), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("procedure", String(1)),
    Column("officer_cert_nos", ARRAY(String(32)), nullable=False),
    Column("violation_at", Timestamp),
    Column("found_at", Timestamp),
    Column("registered_at", Timestamp, nullable=False),
    Column("closed_at", Timestamp),
    Column("archived_at", Timestamp),
    Column("status", String(2), nullable=False),
    Column("time_limit_extended", Boolean, nullable=False),
    # Revocation (撤销) or non-filing (不予立案): when and why (migration 0002).
    Column("revoked_at", Timestamp),
    Column("revoke_reason", String(500)),
    Column("created_by", BigInteger, ForeignKey("app_user.id")),
    # The officer who handles the case now (a leader may reassign it; migration 0003). Not part
    # of the standard's record, so not in the change feed; reassignments are in the audit log.
    Column("assigned_to", BigInteger, ForeignKey("app_user.id"), index=True),
    Column("created_at", Timestamp, nullable=False, server_default=text("now()")),
    _version(),
)

inspection = Table(
    "inspection", metadata,
    Column("case_id", BigInteger, ForeignKey("enforcement_case.id"), primary_key=True),
    Column("inspection_kind", String(2), nullable=False),
    Column("inspected_at", Timestamp),
    Column("result", String(2)),
    Column("rectify_deadline", Date),
    Column("rectified_at", Timestamp),
    _version(),
)

penalty = Table(
    "penalty", metadata,
    Column("case_id", BigInteger, ForeignKey("enforcement_case.id"), primary_key=True),
    Column("decision_no", String(100)),
    Column("decision_at", Timestamp),
    Column("penalty_kinds", ARRAY(String(2)), nullable=False, server_default=text("'{}'")),
    Column("fine_amount", Money),
    Column("confiscation_amount", Money),
    Column("legal_review_at", Timestamp),
    Column("collective_discussion_at", Timestamp),
    Column("notified_at", Timestamp),
    Column("hearing_requested", Boolean),
    Column("hearing_notice_at", Timestamp),
    Column("hearing_at", Timestamp),
    Column("served_at", Timestamp),
    Column("paid_at", Timestamp),
    Column("execution_status", String(1)),
    # Why a fine lies outside the item's discretion range (rules B01); required in that case.
    Column("discretion_reason", String(2000)),
    # Rule ids the service accepted but flags for the supervisor (e.g. B01).
    Column("flags", ARRAY(String(10)), nullable=False, server_default=text("'{}'")),
    _version(),
)

coercion = Table(
    "coercion", metadata,
    Column("case_id", BigInteger, ForeignKey("enforcement_case.id"), nullable=False),
    Column("measure_seq", Integer, nullable=False),
    Column("coercion_kind", String(1), nullable=False),
    Column("measure_code", String(2), nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("term_days", Integer),
    Column("extended_days", Integer),
    Column("lifted_at", Timestamp),
    Column("demand_notice_at", Timestamp),
    Column("court_applied_at", Timestamp),
    Column("emergency", Boolean, nullable=False),
    Column("approved_at", Timestamp),
    _version(),
    PrimaryKeyConstraint("case_id", "measure_seq"),
    CheckConstraint("measure_seq >= 1", name="measure_seq_min"),
)

case_step = Table(
    "case_step", metadata,
    Column("case_id", BigInteger, ForeignKey("enforcement_case.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("stage_code", String(2), nullable=False),
    Column("entered_at", Timestamp, nullable=False),
    Column("completed_at", Timestamp),
    Column("handler_cert_no", String(32), ForeignKey("officer.cert_no")),
    Column("approver_name", String(50)),
    Column("opinion", String(2000)),
    Column("created_by", BigInteger, ForeignKey("app_user.id")),
    _version(),
    PrimaryKeyConstraint("case_id", "seq"),
    CheckConstraint("seq >= 1", name="seq_min"),
)

publicity = Table(
    "publicity", metadata,
    Column("case_id", BigInteger, ForeignKey("enforcement_case.id"), primary_key=True),
    Column("published_at", Timestamp, nullable=False),
    Column("withdrawn_at", Timestamp),
    Column("public_text", String(4000), nullable=False),
    _version(),
)

# Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE): who changed what, when.
# Personal data in before/after is masked as the standard's `masking` says, like any log.
audit_log = Table(
    "audit_log", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", Timestamp, nullable=False, server_default=text("clock_timestamp()")),
    Column("actor_user_id", BigInteger),
    Column("actor_username", String(64), nullable=False),
    Column("action", String(10), nullable=False),
    Column("entity", String(30), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("before", JSONB),
    Column("after", JSONB),
    Index("ix_audit_log_entity_key", "entity", "record_key"),
)

# The change feed's outbox: one row per changed record, written in the same transaction as the
# change. Keyed by the writing transaction's xid8 and a per-row sequence; see changes.py for why.
change_outbox_seq = Sequence("change_outbox_seq", metadata=metadata)
change_outbox = Table(
    "change_outbox", metadata,
    Column("xid", Xid8, nullable=False, server_default=text("pg_current_xact_id()")),
    Column("seq", BigInteger, change_outbox_seq, nullable=False,
           server_default=text("nextval('change_outbox_seq')")),
    Column("entity", String(30), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("op", String(6), nullable=False),
    Column("changed_at", Timestamp, nullable=False),
    Column("data", JSONB),
    PrimaryKeyConstraint("xid", "seq"),
    CheckConstraint("op in ('upsert', 'delete')", name="op_known"),
)

Index("ix_enforcement_case_status", enforcement_case.c.status)
