"""Reference data: subjects, officers, items (admin writes) and parties (officers register)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from jiandu.standard import party_id as compute_party_id

from caseentry import reference as ref
from caseentry.permissions import PARTY_WRITERS, REFERENCE_READERS, require_role
from caseentry.routes.common import CurrentUser, Limit, Offset, reading, transaction
from caseentry.schemas import ItemIn, OfficerIn, PartyIn, SubjectIn

router = APIRouter(tags=["基础数据（三库与相对人）"])

Filter = Annotated[str | None, Query()]


def _saved(response: Response, entity: str, row: dict, created: bool) -> dict:
    response.status_code = 201 if created else 200
    return ref.public(entity, row) | {"created": created}


# --- subjects ---------------------------------------------------------------------------------

@router.post("/api/v1/subjects", status_code=201, summary="登记或更新执法主体（管理员）")
def save_subject(request: Request, response: Response, body: SubjectIn, user: CurrentUser) -> dict:
    require_role(user, ("admin",), "维护执法主体")
    with transaction(request) as conn:
        row, created = ref.save_subject(conn, user.actor, body)
    return _saved(response, "subject", row, created)


@router.get("/api/v1/subjects", summary="执法主体列表")
def list_subjects(request: Request, user: CurrentUser, limit: Limit = 50, offset: Offset = 0,
                  region_code: Filter = None, domain_code: Filter = None, name: Filter = None) -> dict:
    require_role(user, REFERENCE_READERS, "查看执法主体")
    with reading(request) as conn:
        return ref.list_records(conn, "subject", {"region_code": region_code, "domain_code": domain_code},
                                limit, offset, name_contains=name, name_column="subject_name")


@router.get("/api/v1/subjects/{subject_code}", summary="一个执法主体")
def get_subject(request: Request, subject_code: str, user: CurrentUser) -> dict:
    require_role(user, REFERENCE_READERS, "查看执法主体")
    with reading(request) as conn:
        return ref.get_record(conn, "subject", subject_code, "执法主体")


# --- officers ---------------------------------------------------------------------------------

@router.post("/api/v1/officers", status_code=201, summary="登记或更新执法人员（管理员）")
def save_officer(request: Request, response: Response, body: OfficerIn, user: CurrentUser) -> dict:
    require_role(user, ("admin",), "维护执法人员")
    with transaction(request) as conn:
        row, created = ref.save_officer(conn, user.actor, body)
    return _saved(response, "officer", row, created)


@router.get("/api/v1/officers", summary="执法人员列表（姓名、身份证号已脱敏）")
def list_officers(request: Request, user: CurrentUser, limit: Limit = 50, offset: Offset = 0,
                  subject_code: Filter = None, cert_status: Filter = None) -> dict:
    require_role(user, REFERENCE_READERS, "查看执法人员")
    with reading(request) as conn:
        return ref.list_records(conn, "officer", {"subject_code": subject_code, "cert_status": cert_status},
                                limit, offset)


@router.get("/api/v1/officers/{cert_no}", summary="一名执法人员")
def get_officer(request: Request, cert_no: str, user: CurrentUser) -> dict:
    require_role(user, REFERENCE_READERS, "查看执法人员")
    with reading(request) as conn:
        return ref.get_record(conn, "officer", ref.normalise_code(cert_no), "执法人员")


# --- items ------------------------------------------------------------------------------------

@router.post("/api/v1/items", status_code=201, summary="登记或更新执法事项（管理员）")
def save_item(request: Request, response: Response, body: ItemIn, user: CurrentUser) -> dict:
    require_role(user, ("admin",), "维护执法事项")
    with transaction(request) as conn:
        row, created = ref.save_item(conn, user.actor, body)
    return _saved(response, "item", row, created)


@router.get("/api/v1/items", summary="执法事项列表")
def list_items(request: Request, user: CurrentUser, limit: Limit = 50, offset: Offset = 0,
               item_category: Filter = None, domain_code: Filter = None, name: Filter = None) -> dict:
    require_role(user, REFERENCE_READERS, "查看执法事项")
    with reading(request) as conn:
        return ref.list_records(conn, "item", {"item_category": item_category, "domain_code": domain_code},
                                limit, offset, name_contains=name, name_column="item_name")


@router.get("/api/v1/items/{item_code}", summary="一个执法事项")
def get_item(request: Request, item_code: str, user: CurrentUser) -> dict:
    require_role(user, REFERENCE_READERS, "查看执法事项")
    with reading(request) as conn:
        return ref.get_record(conn, "item", item_code, "执法事项")


# --- parties ----------------------------------------------------------------------------------

@router.post("/api/v1/parties", status_code=201,
             summary="登记行政相对人（同一证件再次登记时更新名称与区划），返回 party_id")
def save_party(request: Request, response: Response, body: PartyIn, user: CurrentUser) -> dict:
    require_role(user, PARTY_WRITERS, "登记行政相对人")
    with transaction(request) as conn:
        row, created = ref.save_party(conn, user.actor, body)
    return _saved(response, "party", row, created)


@router.get("/api/v1/parties", summary="行政相对人列表（自然人的姓名、证件号已脱敏）")
def list_parties(request: Request, user: CurrentUser, limit: Limit = 50, offset: Offset = 0,
                 party_type: Filter = None, region_code: Filter = None, party_id: Filter = None,
                 credential_type: Filter = None, credential_no: Filter = None, name: Filter = None) -> dict:
    require_role(user, REFERENCE_READERS, "查看行政相对人")
    if credential_type and credential_no:
        # Look a party up by its credential without the number ever being stored or shown.
        party_id = compute_party_id(credential_type, credential_no)
    with reading(request) as conn:
        return ref.list_records(conn, "party", {"party_type": party_type, "region_code": region_code,
                                                "party_id": party_id, "credential_type": credential_type},
                                limit, offset, name_contains=name, name_column="party_name")


@router.get("/api/v1/parties/{party_id}", summary="一个行政相对人")
def get_party(request: Request, party_id: str, user: CurrentUser) -> dict:
    require_role(user, REFERENCE_READERS, "查看行政相对人")
    with reading(request) as conn:
        return ref.get_record(conn, "party", party_id, "行政相对人")
