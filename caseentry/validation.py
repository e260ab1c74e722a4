"""Field checks read from the standard: required, length, code set, check character.

Column names are the standard's field names, so a value is checked against the FieldSpec of the
same name: the service cannot accept what the hub would refuse for its form.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from jiandu.standard import FieldSpec, FieldType, credential_valid, load_standard, resident_id_valid, uscc_valid

from caseentry.errors import CHECKSUM, CODE_UNKNOWN, FIELD_TYPE, REQUIRED, TOO_LONG, Problems
from caseentry.labels import ENTITY_DATASET, field_title

_REGION = re.compile(r"^\d{6}$")


def code_options(code_set: str) -> str:
    values = load_standard().code_sets.get(code_set, {})
    return "、".join(f"{k} {v}" for k, v in values.items())


def _check_code(problems: Problems, path: str, title: str, code_set: str, value: str) -> None:
    if code_set == "region":
        if not _REGION.match(value):
            problems.add(path, CODE_UNKNOWN, f"“{value}”不是六位行政区划代码", title=title)
        return
    if value not in load_standard().code_sets.get(code_set, {}):
        problems.add(path, CODE_UNKNOWN, f"“{value}”不在代码集中（可选：{code_options(code_set)}）", title=title)


def _check_type(problems: Problems, path: str, title: str, ftype: FieldType, value: Any) -> None:
    if ftype.base == "string" and isinstance(value, str) and ftype.length and len(value) > ftype.length:
        problems.add(path, TOO_LONG, f"超过 {ftype.length} 个字符（现为 {len(value)} 个）", title=title)
    elif ftype.base == "code" and isinstance(value, str):
        _check_code(problems, path, title, ftype.code_set, value)
    elif ftype.base == "list" and isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_type(problems, f"{path}[{i}]", title, ftype.item, item)


def _check_rule(problems: Problems, path: str, title: str, spec: FieldSpec, value: Any,
                record: Mapping[str, Any]) -> None:
    if not isinstance(value, str):
        return
    if spec.rule == "uscc" and not uscc_valid(value):
        problems.add(path, CHECKSUM, f"“{value}”不是有效的统一社会信用代码（18 位，校验位按 GB 32100-2015）",
                     title=title)
    elif spec.rule == "resident_id" and not resident_id_valid(value):
        problems.add(path, CHECKSUM, "不是有效的居民身份证号码（18 位，出生日期须真实，校验位按 GB 11643-1999）",
                     title=title)
    elif spec.rule == "by_credential_type":
        ctype = record.get("credential_type")
        if ctype in ("01", "10") and not credential_valid(ctype, value):
            kind = "居民身份证号码" if ctype == "01" else "统一社会信用代码"
            problems.add(path, CHECKSUM, f"不是有效的{kind}（校验位不正确或位数不对）", title=title)


def check_fields(problems: Problems, entity: str, values: Mapping[str, Any], *,
                 required: Iterable[str] = (), prefix: str = "") -> None:
    """Check ``values`` (standard field names) of ``entity``; ``required`` must be present."""
    ds = load_standard().datasets[ENTITY_DATASET[entity]]
    specs = ds.field_map
    for name in required:
        if values.get(name) in (None, "", []):
            problems.add(prefix + name, REQUIRED, "为必填项", title=field_title(name, entity))
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None or value in (None, "", []):
            continue
        path, title = prefix + name, field_title(name, entity)
        _check_type(problems, path, title, spec.type, value)
        if spec.type.base == "int" and spec.min is not None and isinstance(value, int) and value < spec.min:
            problems.add(path, FIELD_TYPE, f"不能小于 {spec.min}", title=title)
        if not problems.has(path):
            _check_rule(problems, path, title, spec, value, values)


def standard_required(entity: str, *, except_: Iterable[str] = ()) -> list[str]:
    skip = set(except_)
    ds = load_standard().datasets[ENTITY_DATASET[entity]]
    return [f.name for f in ds.fields if f.required and f.name not in skip]
