"""The simulator's HTTP interface: hub-api.md's three calls, plus loopback-only ``/_sim`` controls.

    POST /api/v1/token                                  -> {"access_token", "expires_in"}
    POST /api/v1/datasets/{dataset}/batches             -> the receipt
    GET  /api/v1/datasets/{dataset}/summary?region_code -> the reconciliation summary

    GET/POST /_sim/faults   the fault configuration (see hubsim.faults)
    POST     /_sim/reset    wipe every held record and answered batch (faults stay as set)
    GET      /_sim/stats    {"batches": stored batches, "statements": SQL statements run}

The order of checks is the document's: 429/503 (HubGate, before anything), 401, 404, then the
call's own checks. The hub endpoints read the raw request, not FastAPI models, so that every
malformed input gets the document's ``{"code": ...}`` and not FastAPI's validation format.
"""
from __future__ import annotations

import ipaddress
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from hubsim.answers import (
    BATCH_MALFORMED, NOT_FOUND, TOKEN_INVALID, error, json_answer, raw_json,
)
from hubsim.batches import BatchDesk
from hubsim.body import MAX_BODY_BYTES, Malformed, parse_json, valid_region_code
from hubsim.dropconn import RAW_SEND, drop_connection
from hubsim.faults import FaultConfig, Faults, HubGate, RateLimiter
from hubsim.rules import hub_rules
from hubsim.store import Store
from hubsim.tokens import Tokens


class HubApp(FastAPI):
    """FastAPI keeping the server's own ``send`` in the scope, for dropping a connection."""

    async def __call__(self, scope, receive, send) -> None:
        scope[RAW_SEND] = send
        await super().__call__(scope, receive, send)


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    if host == "testclient":          # Starlette's in-process TestClient
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


async def _read_body(request: Request) -> tuple[bytes, int]:
    """The body up to MAX_BODY_BYTES + 1 bytes kept, and its full length (the rest is read and dropped)."""
    kept, size = bytearray(), 0
    async for chunk in request.stream():
        size += len(chunk)
        if len(kept) <= MAX_BODY_BYTES:
            kept += chunk[: MAX_BODY_BYTES + 1 - len(kept)]
    return bytes(kept), size


def create_app(database_url: str, clients: dict[str, str], token_ttl: int = 3600,
               rate_limit_per_minute: int | None = None) -> FastAPI:
    """The hub simulator on its own database (tables created now, idempotently)."""
    rules = hub_rules()
    store = Store(database_url)
    store.ensure_schema()
    desk = BatchDesk(store, rules)
    tokens = Tokens(clients, token_ttl)
    faults = Faults()
    limiter = RateLimiter(rate_limit_per_minute)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        store.dispose()

    app = HubApp(title="jiandu provincial hub simulator", lifespan=lifespan,
                 docs_url="/_sim/docs", redoc_url=None, openapi_url="/_sim/openapi.json")
    app.state.store, app.state.tokens, app.state.faults, app.state.limiter = store, tokens, faults, limiter
    app.add_middleware(HubGate, faults=faults, limiter=limiter)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error(404, NOT_FOUND)
        if exc.status_code == 405:
            return error(405, "METHOD_NOT_ALLOWED")
        return json_answer(exc.status_code, {"code": "HTTP_" + str(exc.status_code)})

    # --- the hub interface ------------------------------------------------------------------
    @app.post("/api/v1/token", include_in_schema=False)
    async def token(request: Request) -> Response:
        body, _ = await _read_body(request)
        try:
            doc = parse_json(body)
        except Malformed:
            return error(422, BATCH_MALFORMED)
        if not (isinstance(doc, dict) and isinstance(doc.get("client_id"), str)
                and isinstance(doc.get("client_secret"), str)):
            return error(422, BATCH_MALFORMED)
        issued = tokens.issue(doc["client_id"], doc["client_secret"])
        if issued is None:
            return error(401, TOKEN_INVALID)
        return json_answer(200, {"access_token": issued, "expires_in": tokens.ttl})

    @app.post("/api/v1/datasets/{dataset}/batches", include_in_schema=False)
    async def batches(dataset: str, request: Request) -> Response:
        body, size = await _read_body(request)
        if not tokens.valid(request.headers.get("authorization")):
            return error(401, TOKEN_INVALID)
        if dataset not in rules.datasets:
            return error(404, NOT_FOUND)
        batch_id = request.headers.get("idempotency-key", "")
        if not batch_id:
            return error(422, BATCH_MALFORMED)
        answer = await run_in_threadpool(desk.receive, batch_id, dataset, body, size)
        if answer.committed and faults.hit("drop_after_commit"):
            drop_connection(request.scope)
        return raw_json(answer.status, answer.body)

    @app.get("/api/v1/datasets/{dataset}/summary", include_in_schema=False)
    async def summary(dataset: str, request: Request) -> Response:
        if not tokens.valid(request.headers.get("authorization")):
            return error(401, TOKEN_INVALID)
        if dataset not in rules.datasets:
            return error(404, NOT_FOUND)
        region = request.query_params.get("region_code")
        if not valid_region_code(region):
            return error(422, BATCH_MALFORMED)
        return json_answer(200, await run_in_threadpool(store.summary, dataset, region))

    # --- simulator controls (loopback only) -------------------------------------------------
    def _guard(request: Request) -> Response | None:
        return None if _loopback(request) else error(403, "FORBIDDEN")

    @app.get("/_sim/faults")
    async def get_faults(request: Request):
        return _guard(request) or faults.describe()

    @app.post("/_sim/faults")
    async def set_faults(config: FaultConfig, request: Request):
        if refused := _guard(request):
            return refused
        faults.configure(config)
        return faults.describe()

    @app.post("/_sim/reset")
    async def reset(request: Request):
        if refused := _guard(request):
            return refused
        await run_in_threadpool(store.reset)
        limiter.reset()
        return {"reset": True}

    @app.get("/_sim/stats")
    async def stats(request: Request):
        return _guard(request) or {"batches": store.batches, "statements": store.statements}

    return app
