"""What a unit leader does to an officer's case besides recording steps: approve a step (sign it
as approver, with an opinion) and reassign the case to another officer of the unit.

Neither rewrites what the officer recorded: approval fills the step's approver and opinion
(only while no approver is named) and may complete an open step; reassignment changes who
handles the case, which is not part of the standard's record and so is kept out of the change
feed, but is in the audit log like every write.
"""
from __future__ import annotations

from sqlalchemy import Connection, func, select

from caseentry import stages as st
from caseentry import tables as t
from caseentry.auth import User
from caseentry.case_rules import validate_case
from caseentry.cases import _save, load_refs, state_for_user
from caseentry.changes import ChangeLog
from caseentry.errors import (
    APPROVER_NOT_SELF, ASSIGNEE_INVALID, CASE_CLOSED, DATE_ORDER, REQUIRED, STEP_APPROVED, TOO_LONG, Problems, forbidden,
    not_found,
)
from caseentry.labels import code_label
from caseentry.permissions import may_lead
from caseentry.records import case_key
from caseentry.schemas import ApproveIn, ReassignIn
from caseentry.timefmt import format_datetime
from caseentry.validation import check_fields

# Who may be given a case: those who handle cases of their own.
ASSIGNABLE_ROLES = ("officer", "leader")
REASON_MAX = 500


def approve_step(conn: Connection, user: User, case_id: int, seq: int, body: ApproveIn) -> None:
    state = state_for_user(conn, user, case_id, write=True)
    if not may_lead(user, state.case):
        raise forbidden(f"当前账号（{user.username}）的角色无权审批：审批须由本单位负责人办理")
    old = next((s for s in state.steps if s["seq"] == seq), None)
    if old is None:
        raise not_found(f"案件 {case_key(case_id)} 的第 {seq} 个环节")
    problems = Problems(f"案件 {case_key(case_id)} 的第 {seq} 个环节（{code_label('stage', old['stage_code'])}）")
    if state.case["status"] in st.FINAL_STATUSES:
        problems.add(None, CASE_CLOSED, f"案件状态为“{code_label('case_status', state.case['status'])}”，不能再审批")
    if old.get("approver_name"):
        problems.add("approver_name", STEP_APPROVED, f"已由“{old['approver_name']}”审批，不能再次审批")
    # The approver is the leader signing in: their recorded name, never one typed for somebody
    # else. An account without a recorded name (made before names were kept) types it.
    typed = body.approver_name.strip() if body.approver_name else None
    approver = user.full_name or typed
    if user.full_name and typed and typed != user.full_name:
        problems.add("approver_name", APPROVER_NOT_SELF,
                     f"“{body.approver_name}”不是当前登录的负责人：审批以本人姓名（{user.full_name}）签署，不能代他人审批")
    if not approver:
        problems.add("approver_name", REQUIRED, "为必填项：请填写审批人姓名（管理员为账号登记姓名后自动填写）")
    completed = body.completed_at
    if completed is not None and old["completed_at"] is not None:
        problems.add("completed_at", STEP_APPROVED, "该环节已完成，审批不改变其完成时间")
    elif completed is not None and completed < old["entered_at"]:
        problems.add("completed_at", DATE_ORDER,
                     f"（{format_datetime(completed)}）早于进入环节时间（{format_datetime(old['entered_at'])}）")
    check_fields(problems, "case_step", {"approver_name": approver, "opinion": body.opinion})
    problems.raise_if_any()
    new = state.copy()
    step = next(s for s in new.steps if s["seq"] == seq)
    step["approver_name"] = approver
    if body.opinion is not None:
        step["opinion"] = body.opinion
    if completed is not None:
        step["completed_at"] = completed
        step["_new"] = True   # judge its completion time like a new step's (not in the future)
    validate_case(new, load_refs(conn, new), problems, changed=set())
    problems.raise_if_any()
    step.pop("_new", None)
    _save(conn, user, state, new)


def reassign_case(conn: Connection, user: User, case_id: int, body: ReassignIn) -> None:
    state = state_for_user(conn, user, case_id, write=True)
    if not may_lead(user, state.case):
        raise forbidden(f"当前账号（{user.username}）的角色无权改派案件：改派须由本单位负责人办理")
    problems = Problems(f"案件 {case_key(case_id)} 的改派")
    if state.case["status"] in st.FINAL_STATUSES:
        problems.add(None, CASE_CLOSED, f"案件状态为“{code_label('case_status', state.case['status'])}”，不能改派")
    u = t.app_user.c
    target = None
    if not body.username:
        problems.add("username", REQUIRED, "为必填项：请选择接手的执法人员", title="接手人员")
    else:
        target = conn.execute(select(u.id, u.username, u.role, u.subject_code, u.is_active)
                              .where(u.username == body.username)).mappings().first()
        if target is None or not target["is_active"]:
            problems.add("username", ASSIGNEE_INVALID, f"“{body.username}”不是有效的账号", title="接手人员")
        elif target["role"] not in ASSIGNABLE_ROLES or target["subject_code"] != state.case["subject_code"]:
            problems.add("username", ASSIGNEE_INVALID,
                         f"“{body.username}”不是本案执法主体的执法人员或负责人", title="接手人员")
        elif target["id"] == state.case["assigned_to"]:
            problems.add("username", ASSIGNEE_INVALID, f"案件已由“{body.username}”承办", title="接手人员")
    if body.reason and len(body.reason) > REASON_MAX:
        problems.add("reason", TOO_LONG, f"超过 {REASON_MAX} 个字符（现为 {len(body.reason)} 个）", title="改派理由")
    problems.raise_if_any()
    before = state.case["assigned_to"]
    before_name = conn.execute(select(u.username).where(u.id == before)).scalar_one_or_none() if before else None
    conn.execute(t.enforcement_case.update().where(t.enforcement_case.c.id == case_id)
                 .values(assigned_to=target["id"]))
    ChangeLog(conn, user.actor).audit_only("reassign", "case", case_key(case_id),
                                           {"assigned_to": before_name},
                                           {"assigned_to": target["username"], "reason": body.reason})


def assignable_users(conn: Connection, subject_code: str) -> list[str]:
    """Usernames a case of this unit may be given to (for the web UI's choice)."""
    u = t.app_user.c
    return list(conn.execute(select(u.username).where(
        u.subject_code == subject_code, u.role.in_(ASSIGNABLE_ROLES), u.is_active.is_(True))
        .order_by(func.lower(u.username))).scalars())

