"""The hub's JSON answers: error bodies are exactly ``{"code": "..."}`` as hub-api.md writes them."""
from __future__ import annotations

from starlette.responses import JSONResponse, Response

TOKEN_INVALID = "TOKEN_INVALID"
BATCH_MALFORMED = "BATCH_MALFORMED"
BATCH_TOO_LARGE = "BATCH_TOO_LARGE"
NOT_FOUND = "NOT_FOUND"


def json_answer(status: int, body: dict, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def error(status: int, code: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if code == TOKEN_INVALID else None
    return json_answer(status, {"code": code}, headers)


def raw_json(status: int, text: str) -> Response:
    """A JSON answer already written (a stored receipt is returned byte for byte)."""
    return Response(text.encode("utf-8"), status_code=status, media_type="application/json")
