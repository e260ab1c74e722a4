"""The text of a warning digest, in Chinese, with personal data masked.

Events carry no person's name by construction (case numbers, rule names, dates); the rule's
free-text detail may quote a source value, so any resident ID number in it is masked
(`resident_id_anywhere`) before it leaves the warehouse.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from jiandu.standard import mask_resident_ids_in_text

LEVEL_LABEL = {"red": "红牌", "yellow": "黄牌", "green": "绿牌", "cleared": "已消除", "not_judgeable": "不可判定"}
EVENT_LABEL = {"raised": "发出", "turned_yellow": "转为", "turned_red": "转为"}
CHINESE_ORDINAL = ["一", "二", "三"]


@dataclass(frozen=True)
class NoticeEvent:
    history_key: str
    warning_key: str | None
    case_id: str
    case_no: str | None
    rule_id: str
    rule_name: str | None
    event: str
    level: str                       # yellow or red: the level the event reached
    effective_date: dt.date
    due_date: dt.date | None = None
    current_level: str | None = None
    detail: str | None = None
    reason: str | None = None


@dataclass
class Digest:
    subject_code: str
    subject_name: str
    as_of_date: dt.date
    title: str
    body: str
    payload: dict
    events: list[NoticeEvent] = field(default_factory=list)


def _line(n: int, e: NoticeEvent) -> str:
    case = e.case_no or e.case_id
    rule = f"{e.rule_id} {e.rule_name}" if e.rule_name else e.rule_id
    what = f"{e.effective_date:%Y年%m月%d日}{EVENT_LABEL.get(e.event, '')}{LEVEL_LABEL[e.level]}"
    parts = [f"{n}. 案件 {case}：{rule}，{what}"]
    if e.due_date:
        parts.append(f"期限 {e.due_date:%Y年%m月%d日}")
    if e.current_level and e.current_level != e.level:
        parts.append(f"目前：{LEVEL_LABEL.get(e.current_level, e.current_level)}")
    text = "，".join(parts) + "。"
    detail = mask_resident_ids_in_text(e.detail)
    if detail:
        text += f"\n   说明：{detail}"
    if e.reason:
        text += f"\n   原因：{mask_resident_ids_in_text(e.reason)}"
    return text


def build_digest(subject_code: str, subject_name: str | None, as_of_date: dt.date,
                 events: list[NoticeEvent]) -> Digest:
    """One subject's digest: red cards first, then yellow, each in date order."""
    name = subject_name or subject_code
    red = sorted((e for e in events if e.level == "red"), key=lambda e: (e.effective_date, e.case_id, e.history_key))
    yellow = sorted((e for e in events if e.level == "yellow"), key=lambda e: (e.effective_date, e.case_id, e.history_key))
    counts = "、".join(f"{label}{len(group)}件" for label, group in (("红牌", red), ("黄牌", yellow)) if group)
    title = f"【行政执法监督预警】{name}：新增{counts}（{as_of_date:%Y年%m月%d日}）"
    lines = [f"{name}：", "",
             f"截至{as_of_date:%Y年%m月%d日}，行政执法监督平台发现贵单位有以下新增预警，请及时核查处理，"
             "并按规定在办案系统中补正或说明。", ""]
    section = 0
    for label, group in (("红牌", red), ("黄牌", yellow)):
        if not group:
            continue
        lines.append(f"{CHINESE_ORDINAL[section]}、{label}（{len(group)}件）")
        lines.extend(_line(i, e) for i, e in enumerate(group, 1))
        lines.append("")
        section += 1
    lines.append("每项预警只通知一次；预警消除后不另行通知。本通知由系统自动发送，请勿直接回复。")
    body = "\n".join(lines)
    payload = {
        "type": "jiandu.warning_digest",
        "subject_code": subject_code,
        "subject_name": name,
        "as_of_date": as_of_date.isoformat(),
        "title": title,
        "text": body,
        "events": [{"history_key": e.history_key, "warning_key": e.warning_key, "case_id": e.case_id,
                    "case_no": e.case_no, "rule_id": e.rule_id, "rule_name": e.rule_name, "event": e.event,
                    "level": e.level, "level_label": LEVEL_LABEL[e.level],
                    "effective_date": e.effective_date.isoformat(),
                    "due_date": e.due_date.isoformat() if e.due_date else None}
                   for e in red + yellow],
    }
    return Digest(subject_code, name, as_of_date, title, body, payload, red + yellow)
