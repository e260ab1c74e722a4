"""Cases, their steps, corrections and public notices."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from caseentry import cases as svc
from caseentry.assignment import approve_step, reassign_case
from caseentry.permissions import CASE_READERS, require_role
from caseentry.publicity import publish
from caseentry.records import case_key
from caseentry.routes.common import CurrentUser, Limit, Offset, case_id_of, reading, transaction
from caseentry.schemas import ApproveIn, CaseIn, CasePatch, PublicityIn, ReassignIn, RevokeIn, StepIn, StepPatch

router = APIRouter(tags=["案件"])

Filter = Annotated[str | None, Query()]


@router.post("/api/v1/cases", status_code=201, summary="登记案件（同时记录第一个环节 J1/C1/Q1）")
def create_case(request: Request, body: CaseIn, user: CurrentUser) -> dict:
    with transaction(request) as conn:
        case_id = svc.create_case(conn, user, body)
        return svc.case_view(conn, user, case_id)


@router.get("/api/v1/cases", summary="案件列表（按角色限定范围）")
def list_cases(request: Request, user: CurrentUser, limit: Limit = 50, offset: Offset = 0,
               case_type: Filter = None, status: Filter = None, subject_code: Filter = None,
               item_code: Filter = None, party_id: Filter = None) -> dict:
    require_role(user, CASE_READERS, "查看案件")
    with reading(request) as conn:
        return svc.list_cases(conn, user, {"case_type": case_type, "status": status, "subject_code": subject_code,
                                           "item_code": item_code, "party_id": party_id}, limit, offset)


@router.get("/api/v1/cases/{case_id}", summary="一个案件的全部信息（id 可写 12 或 LP:12）")
def get_case(request: Request, case_id: str, user: CurrentUser) -> dict:
    require_role(user, CASE_READERS, "查看案件")
    with reading(request) as conn:
        return svc.case_view(conn, user, case_id_of(case_id))


@router.patch("/api/v1/cases/{case_id}", summary="更正案件信息")
def patch_case(request: Request, case_id: str, body: CasePatch, user: CurrentUser) -> dict:
    require_role(user, CASE_READERS, "更正案件")
    cid = case_id_of(case_id)
    with transaction(request) as conn:
        svc.patch_case(conn, user, cid, body)
        return svc.case_view(conn, user, cid)


@router.delete("/api/v1/cases/{case_id}", summary="删除误录的案件（管理员；已作出决定的不能删除）")
def delete_case(request: Request, case_id: str, user: CurrentUser) -> dict:
    cid = case_id_of(case_id)
    with transaction(request) as conn:
        svc.delete_case(conn, user, cid)
    return {"deleted": case_key(cid)}


@router.post("/api/v1/cases/{case_id}/revoke", summary="撤销案件（90）或不予立案（91），须写明理由（负责人）")
def revoke_case(request: Request, case_id: str, body: RevokeIn, user: CurrentUser) -> dict:
    require_role(user, CASE_READERS, "撤销案件")
    cid = case_id_of(case_id)
    with transaction(request) as conn:
        svc.end_case(conn, user, cid, body)
        return svc.case_view(conn, user, cid)


@router.post("/api/v1/cases/{case_id}/steps", status_code=201, summary="记录下一个办案环节")
def add_step(request: Request, case_id: str, body: StepIn, user: CurrentUser) -> dict:
    require_role(user, CASE_READERS, "办理案件")
    cid = case_id_of(case_id)
    with transaction(request) as conn:
        seq = svc.add_step(conn, user, cid, body)
        view = svc.case_view(conn, user, cid)
    return {"seq": seq, "case": view}


@router.patch("/api/v1/cases/{case_id}/steps/{seq}", summary="完成环节，或更正其审批人、意见")
def patch_step(request: Request, case_id: str, seq: int, body: StepPatch, user: CurrentUser) -> dict:
    require_role(user, CASE_READERS, "办理案件")
    cid = case_id_of(case_id)
    with transaction(request) as conn:
        svc.patch_step(conn, user, cid, seq, body)
        return svc.case_view(conn, user, cid)


@router.post("/api/v1/cases/{case_id}/steps/{seq}/approve",
             summary="审批环节：签署审批人和意见，未完成的环节可同时完成（负责人）")
def approve(request: Request, case_id: str, seq: int, body: ApproveIn, user: CurrentUser) -> dict:
    require_role(user, CASE_READERS, "审批环节")
    cid = case_id_of(case_id)
    with transaction(request) as conn:
        approve_step(conn, user, cid, seq, body)
        return svc.case_view(conn, user, cid)


@router.post("/api/v1/cases/{case_id}/reassign", summary="改派案件给本单位另一名执法人员（负责人）")
def reassign(request: Request, case_id: str, body: ReassignIn, user: CurrentUser) -> dict:
    require_role(user, CASE_READERS, "改派案件")
    cid = case_id_of(case_id)
    with transaction(request) as conn:
        reassign_case(conn, user, cid, body)
        return svc.case_view(conn, user, cid)


@router.post("/api/v1/cases/{case_id}/publicity", status_code=201,
             summary="生成并记录处罚决定的公示（已脱敏）；再次提交则更新或撤回")
def post_publicity(request: Request, case_id: str, body: PublicityIn, user: CurrentUser) -> dict:
    require_role(user, CASE_READERS, "公示案件")
    cid = case_id_of(case_id)
    with transaction(request) as conn:
        return publish(conn, user, cid, body)
