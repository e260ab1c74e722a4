"""The change feed the pipeline follows (see caseentry.changes for its guarantee)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from caseentry.changes import DEFAULT_LIMIT, MAX_LIMIT, Cursor, read_changes
from caseentry.errors import CURSOR_INVALID, Problems
from caseentry.permissions import FEED_READERS, require_role
from caseentry.routes.common import CurrentUser, reading

router = APIRouter(tags=["变更订阅（数据管道）"])


@router.get(
    "/api/v1/changes",
    summary="按提交顺序读取变更；从 next_cursor 继续，不漏不重",
    description=(
        "返回 `after` 之后已最终确定的变更（最多 `limit` 条）。每条变更带 `cursor`；下次以响应的 "
        "`next_cursor` 作为 `after` 继续读取。`data` 为标准数据集字段（未脱敏，仅供数据管道推送省平台），"
        "另有 `record_version` 与 `extra`。同一记录以 `record_version` 最大者为准。"
    ),
    responses={200: {"description": "一页变更（删除的记录没有 data）", "content": {"application/json": {"example": {
        "changes": [
            {"cursor": "7421.1532", "entity": "case", "key": "LP:12", "op": "upsert",
             "changed_at": "2026-03-01T09:00:05+08:00",
             "data": {"case_id": "LP:12", "case_no": "穗城管罚〔2026〕12号", "status": "10",
                      "record_version": "2026-03-01T09:00:05+08:00", "extra": {}}},
            {"cursor": "7430.1540", "entity": "case_step", "key": "LP:13|1", "op": "delete",
             "changed_at": "2026-03-01T09:02:11+08:00"},
        ],
        "next_cursor": "7430.1540", "has_more": False}}}}},
)
def changes(request: Request, user: CurrentUser,
            after: Annotated[str | None, Query(description="上次响应的 next_cursor；省略则从头读取")] = None,
            limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT) -> Response:
    require_role(user, FEED_READERS, "读取变更订阅")
    cursor = None
    if after:
        try:
            cursor = Cursor.parse(after)
        except ValueError:
            problems = Problems("变更订阅请求")
            problems.add("after", CURSOR_INVALID, f"“{after}”不是本服务发出的游标")
            problems.raise_if_any()
    with reading(request) as conn:
        page = read_changes(conn, cursor, limit)
    return Response(page.json(after), media_type="application/json")
