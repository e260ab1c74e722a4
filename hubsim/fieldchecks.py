"""Step 3 of hub-api.md "How a record is judged": one field's type, length, code set and check rule.

Each field of the standard becomes one closure, built once from its FieldSpec, so that judging a
million records does not re-read the standard. A closure takes a present value (absence is
judged by the caller) and the record's data, and returns ``(code, message)`` or None.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Callable

from jiandu.standard import FieldSpec, FieldType, credential_valid, resident_id_valid, uscc_valid

FIELD_REQUIRED = "FIELD_REQUIRED"
FIELD_TYPE = "FIELD_TYPE"
FIELD_TOO_LONG = "FIELD_TOO_LONG"
CODE_UNKNOWN = "CODE_UNKNOWN"
CHECKSUM = "CHECKSUM"
REFERENCE_MISSING = "REFERENCE_MISSING"
ORDER = "ORDER"
MIN_ITEMS = "MIN_ITEMS"

Problem = tuple[str, str]                      # (code, message)
ValueCheck = Callable[[Any, dict], "Problem | None"]

# [0-9], not \d: \d also matches other scripts' digits, which no date or code may hold.
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+08:00")
_REGION_RE = re.compile(r"[0-9]{6}")

DATETIME_FORM = "YYYY-MM-DDTHH:MM:SS+08:00"


def valid_datetime(value: Any) -> bool:
    """Exactly YYYY-MM-DDTHH:MM:SS+08:00 and a real time (fromisoformat rejects 02-30, 24:00)."""
    if not isinstance(value, str) or not _DATETIME_RE.fullmatch(value):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def valid_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def valid_region(value: str) -> bool:
    return bool(_REGION_RE.fullmatch(value))


def is_absent(value: Any) -> bool:
    """Missing, null, "" and [] all count as absent (hub-api.md step 3)."""
    return value is None or (isinstance(value, (str, list)) and len(value) == 0)


def label(spec: FieldSpec) -> str:
    """How a message names a field: its short Chinese title and its name, 案件类别（case_type）."""
    short = spec.title.split("（")[0] if spec.title else ""
    return f"{short}（{spec.name}）" if short else spec.name


def shown(spec: FieldSpec, value: Any) -> str:
    """A value quoted in a message, unless the field holds personal data (PIPL)."""
    return "" if spec.pii else f"“{value}”"


# --- type ------------------------------------------------------------------------------------

def _type_check(t: FieldType, minimum: int | None) -> Callable[[Any], str | None]:
    """Returns a function giving the reason a value is not of type ``t`` (None when it is)."""
    base = t.base
    if base in ("string", "code"):
        return lambda v: None if isinstance(v, str) else "须为字符串"
    if base == "bool":
        return lambda v: None if isinstance(v, bool) else "须为 JSON 布尔值 true 或 false"
    if base == "int":
        def check_int(v: Any) -> str | None:
            if isinstance(v, bool) or not isinstance(v, int):
                return "须为 JSON 整数"
            if minimum is not None and v < minimum:
                return f"须为不小于 {minimum} 的整数"
            return None
        return check_int
    if base == "decimal":
        precision, scale = t.precision or (18, 2)
        fraction = rf"(\.[0-9]{{1,{scale}}})?" if scale else ""
        form = re.compile(rf"-?[0-9]{{1,{precision - scale}}}{fraction}")
        reason = (f"须为十进制数（字符串或数值，形如 -?数字(.数字)?，"
                  f"整数部分至多 {precision - scale} 位，小数至多 {scale} 位）")

        def check_decimal(v: Any) -> str | None:
            # A JSON number arrives as int or as Decimal holding its literal text (body.py).
            if isinstance(v, bool) or not isinstance(v, (str, int, Decimal)):
                return reason
            return None if form.fullmatch(v if isinstance(v, str) else str(v)) else reason
        return check_decimal
    if base == "date":
        return lambda v: None if valid_date(v) else "须为 YYYY-MM-DD 格式的有效日期"
    if base == "datetime":
        return lambda v: None if valid_datetime(v) else f"须严格为 {DATETIME_FORM} 格式的有效时间"
    raise ValueError(f"the hub cannot check type {base!r}")


# --- code set and check rule -------------------------------------------------------------------

def _code_check(code_set: str | None, code_sets: dict[str, dict[str, str]]) -> Callable[[str], bool] | None:
    if code_set is None:
        return None
    if code_set == "region":
        # The standard: "the hub checks the six-digit form only".
        return valid_region
    if code_set not in code_sets:
        raise ValueError(f"code set {code_set!r} is not in the standard")
    members = frozenset(code_sets[code_set])
    return members.__contains__


_USCC_REASON = "不是有效的统一社会信用代码（GB 32100-2015 校验字符）"
_RESIDENT_REASON = "不是有效的居民身份证号码（GB 11643-1999 校验码及真实出生日期）"


def _resident_id(v: str) -> bool:
    # isascii: jiandu.standard.resident_id_valid matches \d, which lets full-width digits through
    # (４４０１０６...4 passes); the hub checks values as sent.
    return v.isascii() and resident_id_valid(v)


def _rule_check(rule: str | None) -> Callable[[str, dict], str | None] | None:
    """The check rules the hub applies (hub-api.md step 3); party_id and case_id are not its to check."""
    if rule is None or rule in ("party_id", "case_id"):
        return None
    if rule == "uscc":
        return lambda v, data: None if uscc_valid(v) else _USCC_REASON
    if rule == "resident_id":
        return lambda v, data: None if _resident_id(v) else _RESIDENT_REASON

    if rule == "by_credential_type":
        def by_type(v: str, data: dict) -> str | None:
            kind = data.get("credential_type")
            if kind == "01":
                return None if _resident_id(v) else f"证件类型为 01（居民身份证），{_RESIDENT_REASON}"
            if kind == "10":
                return None if uscc_valid(v) else f"证件类型为 10（统一社会信用代码），{_USCC_REASON}"
            return None if credential_valid(kind, v) else "不是有效的证件号码"
        return by_type
    raise ValueError(f"the hub does not know check rule {rule!r}")


# --- one field -------------------------------------------------------------------------------

def build_value_check(spec: FieldSpec, code_sets: dict[str, dict[str, str]]) -> ValueCheck:
    """Type, then length, then code set, then check rule, for a present value of ``spec``."""
    lab = label(spec)
    t = spec.type

    if t.base == "list":
        item = t.item
        assert item is not None
        item_type = _type_check(item, None)
        item_length = item.length
        item_code = _code_check(item.code_set, code_sets)
        item_rule = _rule_check(spec.rule)
        code_set_name = item.code_set

        def check_list(value: Any, data: dict) -> Problem | None:
            if not isinstance(value, list):
                return FIELD_TYPE, f"字段 {lab}类型不符：须为 JSON 数组"
            for i, v in enumerate(value, 1):
                reason = item_type(v)
                if reason:
                    return FIELD_TYPE, f"字段 {lab}第 {i} 项类型不符：{reason}"
            if item_length is not None:
                for i, v in enumerate(value, 1):
                    if len(v) > item_length:
                        return FIELD_TOO_LONG, (f"字段 {lab}第 {i} 项超长：至多 {item_length} 个字符，"
                                                f"实有 {len(v)} 个")
            if item_code is not None:
                for i, v in enumerate(value, 1):
                    if not item_code(v):
                        return CODE_UNKNOWN, _code_message(lab, spec, v, code_set_name, i)
            if item_rule is not None:
                for i, v in enumerate(value, 1):
                    reason = item_rule(v, data)
                    if reason:
                        return CHECKSUM, f"字段 {lab}第 {i} 项校验不通过：{reason}"
            return None
        return check_list

    type_reason = _type_check(t, spec.min)
    length = t.length
    code_ok = _code_check(t.code_set, code_sets)
    rule = _rule_check(spec.rule)
    code_set_name = t.code_set

    def check_value(value: Any, data: dict) -> Problem | None:
        reason = type_reason(value)
        if reason:
            return FIELD_TYPE, f"字段 {lab}类型不符：{reason}"
        if length is not None and len(value) > length:
            return FIELD_TOO_LONG, f"字段 {lab}超长：至多 {length} 个字符，实有 {len(value)} 个"
        if code_ok is not None and not code_ok(value):
            return CODE_UNKNOWN, _code_message(lab, spec, value, code_set_name)
        if rule is not None:
            reason = rule(value, data)
            if reason:
                return CHECKSUM, f"字段 {lab}校验不通过：{reason}"
        return None

    return check_value


def _code_message(lab: str, spec: FieldSpec, value: str, code_set: str | None, item: int | None = None) -> str:
    where = f"字段 {lab}" + (f" 第 {item} 项" if item else "")
    if code_set == "region":
        return f"{where}的值{shown(spec, value)}不是六位数字的行政区划代码"
    return f"{where}的值{shown(spec, value)}不在代码集 {code_set} 中"
