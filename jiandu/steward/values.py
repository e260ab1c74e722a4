"""A steward's new value for a field: read in the forms people type, checked with the same rules
as the quality gate (code sets, check characters, lengths, minimums), and written in the one
text form the overlay compares and casts (quality.field_text in ddl/030_quality_functions.sql).

A value that would fail a blocking rule is refused here with the reason, in Chinese, so a
correction never puts a record on hold again.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from expectations.rules import FUTURE_TOLERANCE
from jiandu.standard import (Dataset, FieldSpec, FieldType, Standard, credential_valid, normalise_credential,
                             resident_id_valid, uscc_valid)

CST = dt.timezone(dt.timedelta(hours=8))
# Local columns, keys and the fields a key is computed from: a correction cannot change which
# record it is (fix those at the source).
NOT_CORRECTABLE = {"source_system"}
KEY_INPUTS = {"ZF04": {"credential_type", "credential_no"}}
_DECIMAL = re.compile(r"-?[0-9]{1,16}(\.[0-9]{1,2})?")


class Refused(ValueError):
    """A correction the rules do not allow; the message (Chinese) says why."""


def correctable(ds: Dataset, field: str) -> FieldSpec:
    spec = ds.field_map.get(field)
    if spec is None:
        raise Refused(f"数据集 {ds.code}（{ds.title}）没有字段“{field}”")
    if field in ds.key or field in KEY_INPUTS.get(ds.code, set()):
        raise Refused(f"字段“{spec.title}”决定记录的标识，不能以更正修改，请在来源系统更正")
    if field in NOT_CORRECTABLE:
        raise Refused(f"字段“{spec.title}”由系统生成，不能更正")
    return spec


def canonical(ds: Dataset, spec: FieldSpec, raw: str | None, std: Standard, record: dict,
              now: dt.datetime | None = None) -> str | None:
    """The new value in field_text form, or Refused. ``record`` is the record's current standard
    row (for rules that depend on another field: credential type, case type and procedure)."""
    title = spec.title.split("（")[0]
    text = None if raw is None else raw.strip()
    if not text:
        if spec.required:
            raise Refused(f"“{title}”为必填字段，不能清空")
        return None
    t = spec.type
    if t.base == "list":
        items = [i.strip() for i in re.split(r"[,，、\s]+", text) if i.strip()]
        items = list(dict.fromkeys(_scalar(t.item, i, title, std) for i in items))
        if spec.min_items:
            need = spec.min_items
            if record.get("case_type") == "2" and record.get("procedure") == "1" and spec.min_items_summary:
                need = spec.min_items_summary
            if len(items) < need:
                raise Refused(f"“{title}”须至少 {need} 个不同的值，现为 {len(items)} 个")
        if any("," in i for i in items):
            raise Refused(f"“{title}”的值不能含逗号")
        return ",".join(items)
    if spec.rule in ("uscc", "resident_id", "by_credential_type"):
        text = normalise_credential(text)      # as the standard layer holds credentials
    value = _scalar(t, text, title, std, now=now)
    if spec.rule == "uscc" and not uscc_valid(value):
        raise Refused(f"“{title}”不是有效的统一社会信用代码（GB 32100 校验码错误）")
    if spec.rule == "resident_id" and not resident_id_valid(value):
        raise Refused(f"“{title}”不是有效的居民身份证号码（校验码或出生日期错误）")
    if spec.rule == "by_credential_type" and not credential_valid(record.get("credential_type"), value):
        raise Refused(f"“{title}”与证件类型不符（身份证号或统一社会信用代码校验失败）")
    if spec.min is not None and int(value) < spec.min:
        raise Refused(f"“{title}”须不小于 {spec.min}")
    return value


def _scalar(t: FieldType, text: str, title: str, std: Standard, now: dt.datetime | None = None) -> str:
    if t.base == "string":
        if t.length and len(text) > t.length:
            raise Refused(f"“{title}”超长：最多 {t.length} 个字符，现为 {len(text)} 个")
        return text
    if t.base == "code":
        if t.code_set == "region":
            if not re.fullmatch(r"[0-9]{6}", text):
                raise Refused(f"“{title}”须为六位数字的行政区划代码")
            return text
        codes = std.code_sets.get(t.code_set, {})
        if text not in codes:
            names = {v: k for k, v in codes.items()}
            if text in names:       # a steward may type the name: 行政处罚 -> 2
                return names[text]
            shown = "、".join(f"{k} {v}" for k, v in codes.items())
            raise Refused(f"“{title}”的值“{text}”不在代码集 {t.code_set} 中（可选：{shown}）")
        return text
    if t.base == "bool":
        low = text.lower()
        if low in ("true", "1", "是", "y", "yes"):
            return "true"
        if low in ("false", "0", "否", "n", "no"):
            return "false"
        raise Refused(f"“{title}”须为 是/否（true/false）")
    if t.base == "int":
        if not re.fullmatch(r"-?[0-9]+", text):
            raise Refused(f"“{title}”须为整数")
        return str(int(text))
    if t.base == "decimal":
        plain = text.replace(",", "").removesuffix("元")
        if not _DECIMAL.fullmatch(plain):
            raise Refused(f"“{title}”须为金额（元，最多两位小数，如 5000.00）")
        amount = Decimal(plain)
        if amount < 0:
            raise Refused(f"“{title}”不能为负数")
        return f"{amount:.2f}"
    if t.base == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise Refused(f"“{title}”须为日期 YYYY-MM-DD") from None
    if t.base == "datetime":
        value = _datetime(text, title)
        if value > (now or dt.datetime.now(CST)) + FUTURE_TOLERANCE:
            raise Refused(f"“{title}”晚于当前时间")
        return value.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    raise Refused(f"“{title}”的类型 {t.base} 不能更正")


def _datetime(text: str, title: str) -> dt.datetime:
    """YYYY-MM-DDTHH:MM:SS+08:00 as the hub writes it, or a local time without zone (+08:00)."""
    try:
        value = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except (ValueError, InvalidOperation):
        raise Refused(f"“{title}”须为时间 YYYY-MM-DD HH:MM:SS（北京时间）") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=CST)
    return value.astimezone(CST).replace(microsecond=0)
