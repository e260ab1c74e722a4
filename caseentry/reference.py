"""Reference data: enforcement subjects, officers and items (三库, ZF01-ZF03) and parties (ZF04).

Subjects, officers and items are kept in step with the province's libraries by an administrator:
POST creates a record, or replaces the one with the same key. Parties are registered by
officers as cases come in; a party is identified by ``party_id`` (the standard's hash of the
credential type and normalised number), so registering the same credential again finds the same
party and updates its name and region.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, func, select

from jiandu.standard import normalise_credential, party_id as compute_party_id

from caseentry import tables as t
from caseentry.changes import Actor, ChangeLog
from caseentry.errors import (
    CREDENTIAL_TYPE_MISMATCH, DATE_ORDER, FIELD_TYPE, RANGE_ORDER, REFERENCE_MISSING, Problems, not_found,
)
from caseentry.masking import mask_record
from caseentry.records import to_standard
from caseentry.schemas import ItemIn, OfficerIn, PartyIn, SubjectIn
from caseentry.validation import check_fields, standard_required

# Which credential types a party type can hold: a natural person has no credit code, an
# organisation no resident ID; an individual business may be registered under either.
CREDENTIAL_TYPES_BY_PARTY_TYPE = {
    "1": {"01", "02", "03", "04", "99"},
    "2": {"10", "99"},
    "3": {"10", "99"},
    "4": {"10", "01", "02", "03", "04", "99"},
}


def _exists(conn: Connection, table: Table, column: str, value: Any) -> bool:
    return conn.execute(select(table.c[column]).where(table.c[column] == value)).first() is not None


def _upsert(conn: Connection, actor: Actor, entity: str, table: Table, key: str,
            values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    log = ChangeLog(conn, actor)
    current = conn.execute(select(table).where(table.c[key] == values[key]).with_for_update()).mappings().first()
    if current is None:
        return log.insert(entity, values), True
    return log.update(entity, {key: values[key]}, values, current=current), False


def normalise_code(value: str | None) -> str | None:
    """Credit codes, ID and certificate numbers as the standard's normalised_credential says."""
    return normalise_credential(value) if value else value


# --- subjects (ZF01) ----------------------------------------------------------------------

def save_subject(conn: Connection, actor: Actor, body: SubjectIn) -> tuple[dict[str, Any], bool]:
    values = body.model_dump()
    values["subject_code"] = normalise_code(values["subject_code"])
    values["parent_subject_code"] = normalise_code(values["parent_subject_code"])
    if values["is_active"] is None:
        values["is_active"] = True
    problems = Problems(f"执法主体 {values['subject_code'] or ''}".strip())
    check_fields(problems, "subject", values, required=standard_required("subject"))
    problems.raise_if_any()
    return _upsert(conn, actor, "subject", t.subject, "subject_code", values)


# --- officers (ZF02) ----------------------------------------------------------------------

def save_officer(conn: Connection, actor: Actor, body: OfficerIn) -> tuple[dict[str, Any], bool]:
    values = body.model_dump()
    values["cert_no"] = normalise_code(values["cert_no"])
    values["id_no"] = normalise_code(values["id_no"])
    values["subject_code"] = normalise_code(values["subject_code"])
    problems = Problems(f"执法人员（执法证号 {values['cert_no'] or '未填'}）")
    check_fields(problems, "officer", values, required=standard_required("officer"))
    if values["subject_code"] and not problems.has("subject_code") and not _exists(
            conn, t.subject, "subject_code", values["subject_code"]):
        problems.add("subject_code", REFERENCE_MISSING, f"“{values['subject_code']}”不是已登记的执法主体")
    if values["cert_valid_from"] and values["cert_valid_to"] and values["cert_valid_to"] < values["cert_valid_from"]:
        problems.add("cert_valid_to", DATE_ORDER, "早于证件有效期起")
    problems.raise_if_any()
    return _upsert(conn, actor, "officer", t.officer, "cert_no", values)


# --- items (ZF03) -------------------------------------------------------------------------

def save_item(conn: Connection, actor: Actor, body: ItemIn) -> tuple[dict[str, Any], bool]:
    values = body.model_dump()
    problems = Problems(f"执法事项 {values['item_code'] or ''}".strip())
    check_fields(problems, "item", values, required=standard_required("item"))
    if values["fine_min"] is not None and values["fine_max"] is not None and values["fine_max"] < values["fine_min"]:
        problems.add("fine_max", RANGE_ORDER, "小于裁量基准罚款下限")
    if values["limitation_years"] is not None and values["limitation_years"] < 1:
        problems.add("limitation_years", FIELD_TYPE, "须为正整数（年）")
    if values["valid_from"] and values["valid_to"] and values["valid_to"] < values["valid_from"]:
        problems.add("valid_to", DATE_ORDER, "早于生效日期")
    problems.raise_if_any()
    return _upsert(conn, actor, "item", t.item, "item_code", values)


# --- parties (ZF04) -----------------------------------------------------------------------

def save_party(conn: Connection, actor: Actor, body: PartyIn) -> tuple[dict[str, Any], bool]:
    values = body.model_dump()
    values["credential_no"] = normalise_code(values["credential_no"])
    problems = Problems("行政相对人")
    check_fields(problems, "party", values, required=standard_required("party", except_=("party_id",)))
    ptype, ctype = values["party_type"], values["credential_type"]
    allowed = CREDENTIAL_TYPES_BY_PARTY_TYPE.get(ptype or "")
    if allowed and ctype and not problems.has("credential_type") and ctype not in allowed:
        problems.add("credential_type", CREDENTIAL_TYPE_MISMATCH,
                     f"“{ctype}”不能用于相对人类别“{ptype}”（可用：{'、'.join(sorted(allowed))}）")
    problems.raise_if_any()
    values["party_id"] = compute_party_id(ctype, values["credential_no"])
    return _upsert(conn, actor, "party", t.party, "party_id", values)


# --- reading --------------------------------------------------------------------------------

LISTS = {
    "subject": (t.subject, "subject_code"),
    "officer": (t.officer, "cert_no"),
    "item": (t.item, "item_code"),
    "party": (t.party, "party_id"),
}


def public(entity: str, row: Any) -> dict[str, Any]:
    """A row as the API shows it: standard form, personal data masked."""
    return mask_record(entity, to_standard(entity, row))


def list_records(conn: Connection, entity: str, filters: dict[str, Any], limit: int, offset: int,
                 *, name_contains: str | None = None, name_column: str | None = None) -> dict[str, Any]:
    table, key = LISTS[entity]
    where = [table.c[k] == v for k, v in filters.items() if v is not None]
    if name_contains and name_column:
        where.append(table.c[name_column].contains(name_contains, autoescape=True))
    total = conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
    rows = conn.execute(select(table).where(*where).order_by(table.c[key]).limit(limit).offset(offset)).mappings()
    return {"items": [public(entity, r) for r in rows], "total": total, "limit": limit, "offset": offset}


def get_record(conn: Connection, entity: str, key_value: str, record: str) -> dict[str, Any]:
    table, key = LISTS[entity]
    row = conn.execute(select(table).where(table.c[key] == key_value)).mappings().first()
    if row is None:
        raise not_found(f"{record}“{key_value}”")
    return public(entity, row)
