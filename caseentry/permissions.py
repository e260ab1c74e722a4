"""Who may do what (the role matrix).

- officer: enters cases for their unit; reads, advances and corrects the cases assigned to them
  (at first the ones they entered)
- leader: reads every case of their unit, records steps on them and decides (C5, Q2), approves
  steps, reassigns cases, revokes; never rewrites what an officer recorded (no corrections of
  another's case or step)
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
# Publishing a decision is the handling unit's act, not the legal reviewer's.
PUBLISHERS = ("officer", "leader", "admin")

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
        return c.assigned_to == user.id
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
        return case["assigned_to"] == user.id
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
        return case["assigned_to"] == user.id
    if user.role in ("leader", "legal_reviewer"):
        return case["subject_code"] == user.subject_code
    return False


def may_correct_case(user: User, case: Mapping[str, Any]) -> bool:
    """Rewrite the case's own record (PATCH): only whoever handles it, or an admin. A leader who
    disagrees approves, reassigns or revokes, and so leaves the officer's record as entered."""
    return user.role == "admin" or (user.role in ("officer", "leader") and case["assigned_to"] == user.id)


def may_correct_step(user: User, step: Mapping[str, Any]) -> bool:
    """Complete or correct a step: only whoever recorded it, or an admin."""
    return user.role == "admin" or step.get("created_by") == user.id


def may_lead(user: User, case: Mapping[str, Any]) -> bool:
    """Approve steps and reassign: the unit's leader, or an admin."""
    return user.role == "admin" or (user.role == "leader" and case["subject_code"] == user.subject_code)


def may_record_stage(user: User, case: Mapping[str, Any], stage_code: str) -> bool:
    if not can_work_on_case(user, case):
        return False
    if stage_code == "C5" and case.get("procedure") == "1":
        return user.role in SUMMARY_DECIDERS
    if user.role == "legal_reviewer":
        return stage_code == "C3"
    roles = STAGE_ROLES.get(stage_code)
    return roles is None or user.role in roles
