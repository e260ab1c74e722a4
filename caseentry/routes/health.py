from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

from caseentry.routes.common import reading

router = APIRouter(tags=["运行状态"])


@router.get("/api/v1/health", summary="服务与数据库是否可用（无需登录）")
def health(request: Request) -> dict:
    with reading(request) as conn:
        conn.execute(text("select 1"))
    return {"status": "ok"}
