from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from caseentry import tables as t
from caseentry.auth import issue_token, verify_or_waste_time
from caseentry.errors import unauthorised
from caseentry.routes.common import CurrentUser, reading
from caseentry.schemas import LoginIn

router = APIRouter(tags=["登录"])


def login(request: Request, username: str | None, password: str | None) -> tuple[str, int]:
    """Check the credentials; return a token and its lifetime in seconds."""
    state = request.app.state
    with reading(request) as conn:
        row = conn.execute(select(t.app_user).where(t.app_user.c.username == (username or ""))).mappings().first()
    usable = row is not None and row["is_active"]
    if not verify_or_waste_time(row["password_hash"] if usable else None, password or ""):
        raise unauthorised("用户名或密码不正确")
    ttl = state.token_ttl_seconds
    return issue_token(state.secret_key, row["id"], row["token_generation"], ttl), ttl


@router.post("/api/v1/auth/token", summary="登录，取得访问令牌")
def token(request: Request, body: LoginIn) -> dict:
    access_token, ttl = login(request, body.username, body.password)
    return {"access_token": access_token, "token_type": "bearer", "expires_in": ttl}


@router.get("/api/v1/auth/me", summary="当前登录的用户")
def me(user: CurrentUser) -> dict:
    return {"id": user.id, "username": user.username, "role": user.role, "subject_code": user.subject_code}
