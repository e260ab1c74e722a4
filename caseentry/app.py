"""The FastAPI application of the case-entry service.

``create_app(database_url, secret_key)`` is all a caller needs; the schema must be up to date
(``caseentry.migrate.upgrade``). OpenAPI documentation is served at /docs.
"""
from __future__ import annotations

import logging
import re
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from caseentry.database import make_engine, release_request_connection
from caseentry.errors import DUPLICATE, NOT_FOUND, ApiError, FieldError, from_pydantic

log = logging.getLogger("caseentry")

DEFAULT_TOKEN_TTL_SECONDS = 3600


def create_app(database_url: str, secret_key: str, *, token_ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS,
               web_ui: bool = True) -> FastAPI:
    if not secret_key:
        raise ValueError("the case-entry service needs a secret key to sign its tokens "
                         "(JIANDU_SERVICE_SECRET_KEY); refusing to start without one")
    engine = make_engine(database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="本地执法办案平台（LP）",
        description="行政执法案件录入服务：案件登记、办案环节、执法公示，以及供数据管道读取的变更订阅接口。",
        version="1.0",
        lifespan=lifespan,
        dependencies=[Depends(release_request_connection)],
    )
    app.state.engine = engine
    app.state.secret_key = secret_key
    app.state.token_ttl_seconds = token_ttl_seconds

    _install_error_handlers(app)

    from caseentry.routes import auth, cases, changes, health, reference, users
    for module in (health, auth, users, reference, cases, changes):
        app.include_router(module.router)
    if web_ui:
        from caseentry.web import routes as web
        app.include_router(web.router)
    return app


# --- errors -----------------------------------------------------------------------------------

_RECORDS = [
    (re.compile(r"^/api/v1/cases/([^/]+)/steps"), "案件 LP:{0} 的办案环节"),
    (re.compile(r"^/api/v1/cases/([^/]+)/publicity"), "案件 LP:{0} 的执法公示"),
    (re.compile(r"^/api/v1/cases/([^/]+)/revoke"), "案件 LP:{0} 的撤销"),
    (re.compile(r"^/api/v1/cases/([^/]+)/reassign"), "案件 LP:{0} 的改派"),
    (re.compile(r"^/api/v1/cases/([^/]+)"), "案件 LP:{0}"),
    (re.compile(r"^/api/v1/cases"), "新案件"),
    (re.compile(r"^/api/v1/parties"), "行政相对人"),
    (re.compile(r"^/api/v1/subjects"), "执法主体"),
    (re.compile(r"^/api/v1/officers"), "执法人员"),
    (re.compile(r"^/api/v1/items"), "执法事项"),
    (re.compile(r"^/api/v1/users"), "用户"),
    (re.compile(r"^/api/v1/auth"), "登录请求"),
    (re.compile(r"^/api/v1/changes"), "变更订阅请求"),
]


def _record_for(path: str) -> str:
    for pattern, label in _RECORDS:
        m = pattern.match(path)
        if m:
            return label.format(*(g.removeprefix("LP:") for g in m.groups()))
    return "请求"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = from_pydantic(exc.errors(), _record_for(request.url.path))
        return JSONResponse(ApiError(422, errors).body(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            error = FieldError(None, NOT_FOUND, f"没有这个地址：{request.url.path}")
        elif exc.status_code == 405:
            error = FieldError(None, "METHOD_NOT_ALLOWED", f"地址 {request.url.path} 不接受 {request.method} 请求")
        else:
            error = FieldError(None, f"HTTP_{exc.status_code}", str(exc.detail))
        return JSONResponse({"detail": [error.__dict__]}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError):
        # Two requests registered the same key at the same moment; the loser is told to retry.
        log.warning("integrity error on %s %s: %s", request.method, request.url.path,
                    exc.orig.__class__.__name__ if exc.orig else exc)
        error = FieldError(None, DUPLICATE, f"{_record_for(request.url.path)}：与同时提交的另一修改冲突，请刷新后重试")
        return JSONResponse({"detail": [error.__dict__]}, status_code=409)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError):
        log.error("database error on %s %s: %s", request.method, request.url.path,
                  exc.orig.__class__.__name__ if exc.orig else exc)
        error = FieldError(None, "DATABASE_UNAVAILABLE", "数据库暂时不可用，请稍后重试")
        return JSONResponse({"detail": [error.__dict__]}, status_code=503)
