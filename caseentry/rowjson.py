"""Rows fetched as JSON, turned back into the Python values a plain SELECT would give.

A case is read in one round trip (the case row with its parts as JSON sub-selects) instead of one
query per part: on a busy server every round trip waits its turn, and a case read was twelve of
them. JSON loses the column types (timestamps become strings, numerics floats), so each value is
decoded by its column's SQLAlchemy type; the rest of the service then sees exactly what it saw
before, and compares old and new values without false changes.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, Table


def _decoder(column_type):
    if isinstance(column_type, DateTime):
        return dt.datetime.fromisoformat
    if isinstance(column_type, Date):
        return dt.date.fromisoformat
    if isinstance(column_type, Numeric):
        return Decimal
    return None


_DECODERS: dict[str, dict[str, Any]] = {}


def _decoders(table: Table) -> dict[str, Any]:
    found = _DECODERS.get(table.name)
    if found is None:
        found = {c.name: d for c in table.columns if (d := _decoder(c.type)) is not None}
        _DECODERS[table.name] = found
    return found


def parse(text: str | None) -> Any:
    """JSON text from PostgreSQL, numbers kept exact (Decimal, never float)."""
    return None if text is None else json.loads(text, parse_float=Decimal)


def decode_row(table: Table, obj: dict[str, Any] | None) -> dict[str, Any] | None:
    """One row of ``table`` from its to_jsonb() form, typed as a SELECT of the table returns it."""
    if obj is None:
        return None
    row = {c.name: obj.get(c.name) for c in table.columns}
    for name, decode in _decoders(table).items():
        value = row[name]
        if value is not None:
            row[name] = decode(str(value)) if decode is Decimal else decode(value)
    return row


def decode_rows(table: Table, objs: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [decode_row(table, o) for o in objs or []]
