"""Who may do what (the role matrix).

- officer: enters cases for their unit; reads and works on the cases they entered
- leader: reads and works on every case of their unit; decides (C5, Q2)
- legal_reviewer: reads the unit's cases; records legal review (C3)
- supervisor: reads every case of their region (read only)
- admin: everything, including reference data and users
- pipeline: the change feed only
"""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import ColumnElement, false, or_, true

from caseentry import tables as t
from caseentry.auth import User
from caseentry.errors import forbidden

CASE_READERS = ("officer", "leader", "legal_reviewer", "supervisor", "admin")
CASE_CREATORS = ("officer", "leader", "admin")
REFERENCE_READERS = CASE_READERS
PARTY_WRITERS = ("officer", "leader", "legal_reviewer", "admin")
FEED_READERS = ("pipeline", "admin")

# Stages only some roles may record; any other stage: whoever may work on the case.
STAGE_ROLES = {
    "C3": ("legal_reviewer", "leader", "admin"),
    "C5": ("leader", "admin"),
    "Q2": ("leader", "admin"),
}
# On the spot (summary procedure) the officers decide themselves (行政处罚法 art. 51-52).
SUMMARY_DECIDERS = ("officer", "leader", "admin")


def require_role(user: User, roles: tuple[str, ...], action: str) -> None:
    if user.role not in roles:
        raise forbidden(f"当前账号（{user.username}）的角色无权{action}")


def region_prefix(region_code: str) -> str:
    """440100 -> 4401, 440000 -> 44, 440106 -> 440106: the part that names the division."""
    code = region_code
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def case_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on enforcement_case: the cases ``user`` may read."""
    c = t.enforcement_case.c
    if user.role == "admin":
        return true()
    if user.role == "officer":
        return c.created_by == user.id
    if user.role in ("leader", "legal_reviewer"):
        return c.subject_code == user.subject_code
    if user.role == "supervisor" and user.region_code:
        prefix = region_prefix(user.region_code)
        return or_(c.region_code.startswith(prefix), c.subject_code == user.subject_code)
    return false()


def can_read_case(user: User, case: Mapping[str, Any]) -> bool:
    if user.role == "admin":
        return True
    if user.role == "officer":
        return case["created_by"] == user.id
    if user.role in ("leader", "legal_reviewer"):
        return case["subject_code"] == user.subject_code
    if user.role == "supervisor" and user.region_code:
        return (case["region_code"].startswith(region_prefix(user.region_code))
                or case["subject_code"] == user.subject_code)
    return False


def can_work_on_case(user: User, case: Mapping[str, Any]) -> bool:
    """Correct the case, record its steps (subject to STAGE_ROLES), publish it."""
    if user.role == "admin":
        return True
    if user.role == "officer":
        return case["created_by"] == user.id
    if user.role in ("leader", "legal_reviewer"):
        return case["subject_code"] == user.subject_code
    return False


def may_record_stage(user: User, case: Mapping[str, Any], stage_code: str) -> bool:
    if not can_work_on_case(user, case):
        return False
    if stage_code == "C5" and case.get("procedure") == "1":
        return user.role in SUMMARY_DECIDERS
    if user.role == "legal_reviewer":
        return stage_code == "C3"
    roles = STAGE_ROLES.get(stage_code)
    return roles is None or user.role in roles
