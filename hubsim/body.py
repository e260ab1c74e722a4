"""Reading request bodies and writing JSON answers.

JSON numbers that are not integers are read as Decimal holding their literal text, so that a
decimal sent as a number is judged "as sent" (1.50 stays 1.50, 1e3 stays an exponent form) and
stored without a float's rounding.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_RECORDS = 500

_REGION_RE = re.compile(r"[0-9]{6}")
# A \u escape of NUL or of a surrogate: neither can end up as PostgreSQL text.
_SUSPECT_ESCAPE = re.compile(r"\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


class Malformed(ValueError):
    """The body is not the shape the document asks (422 BATCH_MALFORMED)."""


def _no_constants(name: str) -> Any:
    raise Malformed(f"{name} is not JSON")


def _unstorable(value: Any) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


def parse_json(body: bytes) -> Any:
    """Strict UTF-8 JSON; raises Malformed."""
    try:
        text = body.decode("utf-8")
        value = json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, int digit limit
        raise Malformed(str(exc)) from None
    if _SUSPECT_ESCAPE.search(text) and _unstorable(value):
        raise Malformed("a string holds NUL or a lone surrogate")
    return value


@dataclass(frozen=True)
class Batch:
    region_code: str
    records: list[dict]


def parse_batch(body: bytes, idempotency_key: str) -> Batch:
    """The batch body's shape (hub-api.md, 422 BATCH_MALFORMED); raises Malformed."""
    doc = parse_json(body)
    if not isinstance(doc, dict):
        raise Malformed("the body is not a JSON object")
    if doc.get("batch_id") != idempotency_key or not isinstance(doc.get("batch_id"), str):
        raise Malformed("batch_id missing or differing from the Idempotency-Key")
    region = doc.get("region_code")
    if not isinstance(region, str) or not _REGION_RE.fullmatch(region):
        raise Malformed("region_code is not six digits")
    records = doc.get("records")
    if not isinstance(records, list):
        raise Malformed("no records list")
    if not all(isinstance(r, dict) for r in records):
        raise Malformed("a record is not a JSON object")
    return Batch(region, records)


def valid_region_code(value: Any) -> bool:
    return isinstance(value, str) and bool(_REGION_RE.fullmatch(value))


def to_json(value: Any) -> str:
    """Compact JSON text; a Decimal is written as the number literal it was read from."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except TypeError:
        return _to_json_slow(value)


def _to_json_slow(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + _to_json_slow(v)
                              for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_to_json_slow(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
