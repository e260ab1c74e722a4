"""Records in the standard's form: exactly the dataset's fields, typed as the standard says.

This is what the change feed publishes (and what the API shows, masked). Values follow the
standard's types: datetime 'YYYY-MM-DDTHH:MM:SS+08:00', date 'YYYY-MM-DD', decimal as a string
with two decimals, lists as JSON arrays of distinct items, bool, int. Absent values are null.
Every record also carries ``record_version`` and an ``extra`` object with what the service keeps
beyond the standard.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Mapping

from jiandu.standard import FieldType, load_standard

from caseentry.labels import ENTITY_DATASET
from caseentry.timefmt import format_date, format_datetime

SOURCE_SYSTEM = "LP"

# Per entity: the service's own fields published under "extra".
EXTRA_FIELDS: dict[str, tuple[str, ...]] = {
    "case": ("revoked_at", "revoke_reason"),
    "penalty": ("discretion_reason", "flags"),
}


def case_key(case_id: int) -> str:
    """rules.case_id for this source: 'LP:<the service's case id>'."""
    return f"{SOURCE_SYSTEM}:{case_id}"


def parse_case_key(value: str) -> int | None:
    """'LP:12' or '12' -> 12; anything else -> None."""
    text = value.strip()
    if text.upper().startswith(SOURCE_SYSTEM + ":"):
        text = text[len(SOURCE_SYSTEM) + 1:]
    return int(text) if text.isdigit() and len(text) < 19 else None


def _convert(ftype: FieldType, value: Any) -> Any:
    if value is None:
        return None
    base = ftype.base
    if base == "datetime":
        return format_datetime(value)
    if base == "date":
        return format_date(value)
    if base == "decimal":
        return f"{Decimal(value).quantize(Decimal('0.01'))}"
    if base == "list":
        seen: list = []
        for item in value:
            converted = _convert(ftype.item, item)
            if converted not in seen:
                seen.append(converted)
        return seen
    if base == "bool":
        return bool(value)
    if base == "int":
        return int(value)
    return str(value)


def to_standard(entity: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A table row of ``entity`` as the standard dataset's record."""
    ds = load_standard().datasets[ENTITY_DATASET[entity]]
    out: dict[str, Any] = {}
    for f in ds.fields:
        if f.name == "case_id":
            value = case_key(row["id"] if entity == "case" else row["case_id"])
            out[f.name] = value
            continue
        if f.name == "source_system":
            out[f.name] = SOURCE_SYSTEM
            continue
        out[f.name] = _convert(f.type, row[f.name])
    out["record_version"] = format_datetime(row["record_version"])
    out["extra"] = {name: _plain(row[name]) for name in EXTRA_FIELDS.get(entity, ())}
    return out


def record_key(entity: str, data: Mapping[str, Any]) -> str:
    """The dataset's key as a string, several fields joined with '|' (ZF20: 'LP:1234|3')."""
    ds = load_standard().datasets[ENTITY_DATASET[entity]]
    return "|".join(str(data[k]) for k in ds.key)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01'))}"
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
