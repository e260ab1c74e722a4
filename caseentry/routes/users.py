from __future__ import annotations

from fastapi import APIRouter, Request

from caseentry.permissions import require_role
from caseentry.routes.common import CurrentUser, reading, transaction
from caseentry.schemas import UserIn
from caseentry.users import list_users, save_user

router = APIRouter(tags=["用户"])


@router.post("/api/v1/users", status_code=201, summary="新建用户（管理员）")
def create_user(request: Request, body: UserIn, user: CurrentUser) -> dict:
    require_role(user, ("admin",), "管理用户")
    with transaction(request) as conn:
        return save_user(conn, user.actor, body.username, body.password, body.role, body.subject_code, reset=False,
                         full_name=body.full_name)


@router.put("/api/v1/users/{username}", summary="重置用户的密码、角色、所属主体和姓名（管理员）")
def reset_user(request: Request, username: str, body: UserIn, user: CurrentUser) -> dict:
    require_role(user, ("admin",), "管理用户")
    with transaction(request) as conn:
        return save_user(conn, user.actor, username, body.password, body.role, body.subject_code, reset=True,
                         full_name=body.full_name)


@router.get("/api/v1/users", summary="用户列表（管理员）")
def get_users(request: Request, user: CurrentUser) -> dict:
    require_role(user, ("admin",), "查看用户")
    with reading(request) as conn:
        return {"items": list_users(conn)}
