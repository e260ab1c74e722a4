"""Chinese names of fields and records, for messages people read.

Field titles come from the standard itself, so a message names a field as the standard does.
"""
from __future__ import annotations

import re
from functools import lru_cache

from jiandu.standard import load_standard

ENTITY_DATASET = {
    "subject": "ZF01", "officer": "ZF02", "item": "ZF03", "party": "ZF04", "case": "ZF10",
    "inspection": "ZF11", "penalty": "ZF12", "coercion": "ZF13", "case_step": "ZF20",
    "publicity": "ZF30",
}

ENTITY_TITLE = {
    "subject": "执法主体", "officer": "执法人员", "item": "执法事项", "party": "行政相对人",
    "case": "案件", "inspection": "行政检查", "penalty": "行政处罚", "coercion": "行政强制措施",
    "case_step": "办案环节", "publicity": "执法公示", "user": "用户",
}

# Fields the service keeps beyond the standard, and request fields that are no dataset's.
_EXTRA_TITLES = {
    "discretion_reason": "超出裁量基准的理由",
    "flags": "提示标记",
    "username": "用户名",
    "password": "密码",
    "role": "角色",
    "inspection": "行政检查信息",
    "penalty": "行政处罚信息",
    "coercion": "行政强制措施",
    "status": "案件状态",
    "after": "游标",
    "limit": "条数",
    "offset": "起始位置",
    "measure_seq": "措施序号",
    "body": "请求内容",
    "id": "案件编号",
    "is_active": "是否有效",
}


@lru_cache(maxsize=1)
def _titles() -> dict[tuple[str, str], str]:
    out = {}
    for code, ds in load_standard().datasets.items():
        for f in ds.fields:
            out[(code, f.name)] = _short(f.title)
    return out


def _short(title: str) -> str:
    """Drop the standard's explanations: '告知（陈述申辩、听证权利）时间' -> '告知时间'."""
    return re.sub(r"（[^）]*）", "", title)


def field_title(field: str, entity: str | None = None) -> str:
    """Title of a field; ``field`` may be a path like ``penalty.fine_amount`` or ``coercion[1].term_days``."""
    name = field.split(".")[-1].split("[")[0]
    head = field.split(".")[0].split("[")[0] if "." in field else None
    preferred = [ENTITY_DATASET[e] for e in (head, entity) if e in ENTITY_DATASET]
    titles = _titles()
    for code in preferred + list(ENTITY_DATASET.values()):
        if (code, name) in titles:
            return titles[(code, name)]
    return _EXTRA_TITLES.get(name, name)


def code_label(code_set: str, value: str | None) -> str:
    if value is None:
        return ""
    return load_standard().code_sets.get(code_set, {}).get(value, value)
