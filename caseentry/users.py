"""Users of the service: creation, password reset, listing."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from caseentry import tables as t
from caseentry.auth import ROLES, UNBOUND_ROLES, hash_password
from caseentry.changes import SYSTEM, Actor, ChangeLog
from caseentry.database import make_engine
from caseentry.errors import (
    CODE_UNKNOWN, DUPLICATE, PASSWORD_WEAK, REFERENCE_MISSING, REQUIRED, TOO_LONG, ApiError, Problems,
)

MIN_PASSWORD_LENGTH = 8
FULL_NAME_MAX = 50          # the step's approver_name holds it


def _public(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "username": row["username"], "full_name": row["full_name"], "role": row["role"],
            "subject_code": row["subject_code"], "is_active": row["is_active"]}


def check_user(conn: Connection, problems: Problems, username: str | None, password: str | None,
               role: str | None, subject_code: str | None, *, password_required: bool = True,
               full_name: str | None = None) -> None:
    if not username:
        problems.add("username", REQUIRED, "为必填项")
    elif len(username) > 64:
        problems.add("username", TOO_LONG, "超过 64 个字符")
    if full_name is not None and len(full_name) > FULL_NAME_MAX:
        problems.add("full_name", TOO_LONG, f"超过 {FULL_NAME_MAX} 个字符")
    if role == "leader" and not full_name:
        # A leader signs approvals: the name is theirs, not typed on each approval.
        problems.add("full_name", REQUIRED, "为必填项：单位负责人的审批以其姓名签署")
    if password_required and not password:
        problems.add("password", REQUIRED, "为必填项")
    elif password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems.add("password", PASSWORD_WEAK, f"过短，至少 {MIN_PASSWORD_LENGTH} 个字符")
    if role not in ROLES:
        problems.add("role", CODE_UNKNOWN, f"“{role}”不是可用的角色（{'、'.join(ROLES)}）")
    elif role not in UNBOUND_ROLES and not subject_code:
        problems.add("subject_code", REQUIRED, "为必填项：该角色须归属一个执法主体")
    if subject_code and conn.execute(
            select(t.subject.c.subject_code).where(t.subject.c.subject_code == subject_code)).first() is None:
        problems.add("subject_code", REFERENCE_MISSING, f"“{subject_code}”不是已登记的执法主体")


def save_user(conn: Connection, actor: Actor, username: str, password: str, role: str,
              subject_code: str | None, *, reset: bool, full_name: str | None = None) -> dict[str, Any]:
    """Create the user, or (``reset``) reset an existing one's password, role, unit and name.

    A reset raises the token generation, so every token issued before stops working.
    """
    problems = Problems(f"用户 {username}")
    full_name = full_name.strip() or None if full_name else None
    check_user(conn, problems, username, password, role, subject_code, full_name=full_name)
    problems.raise_if_any()
    subject_code = None if role in UNBOUND_ROLES and not subject_code else subject_code
    password_hash = hash_password(password)  # slow on purpose: before any lock is taken
    u = t.app_user
    existing = conn.execute(select(u).where(u.c.username == username).with_for_update()).mappings().first()
    log = ChangeLog(conn, actor)
    if existing is None:
        row = conn.execute(u.insert().values(
            username=username, password_hash=password_hash, role=role, full_name=full_name,
            subject_code=subject_code).returning(*u.c)).mappings().one()
        log.audit_only("insert", "user", username, None, _public(row))
        return _public(row)
    if not reset:
        duplicate = Problems(f"用户 {username}")
        duplicate.add("username", DUPLICATE, "已被使用")
        duplicate.raise_if_any(409)
    row = conn.execute(u.update().where(u.c.id == existing["id"]).values(
        password_hash=password_hash, role=role, subject_code=subject_code, full_name=full_name, is_active=True,
        token_generation=u.c.token_generation + 1, updated_at=func.now()).returning(*u.c)).mappings().one()
    log.audit_only("update", "user", username, _public(existing), _public(row) | {"password": "（已重置）"})
    return _public(row)


def list_users(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(t.app_user).order_by(t.app_user.c.id)).mappings().all()
    return [_public(r) for r in rows]


def ensure_user(database_url: str, username: str, password: str, role: str,
                subject_code: str | None = None, full_name: str | None = None) -> None:
    """Create the user or reset it (password, role, unit; old tokens revoked). For setup: the
    first admin, and the pipeline's reader account (role "pipeline")."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.begin() as conn:
            try:
                save_user(conn, SYSTEM, username, password, role, subject_code, reset=True, full_name=full_name)
            except ApiError as err:
                raise ValueError("; ".join(e.message for e in err.errors)) from None
    finally:
        engine.dispose()


def ensure_admin(database_url: str, username: str, password: str) -> None:
    """Create or reset the first administrator."""
    ensure_user(database_url, username, password, "admin")
