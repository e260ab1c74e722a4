"""Every quality rule: its severity, its meaning, and its thresholds. The one place to change them.

Severity: ``blocking`` holds the record back from the hub push (and, through the push, its
children) until the issue closes or is waived; ``warning`` is shown to stewards and lets the
record flow. A rule is blocking when the hub would reject the record for it (hub-api.md, "How a
record is judged") or when pushing it would put a wrong fact in the province's books (a negative
amount, a datetime order the hub rejects); everything the hub accepts and a person should still
look at is a warning. The gate writes this catalogue to quality.rule on every run, so the
stewards' dashboard shows the same words.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleInfo:
    severity: str
    title: str          # Chinese, short
    description: str    # Chinese: what fails and what the steward does about it
    applies_to: str     # standard, staging or source


BLOCKING, WARNING = "blocking", "warning"

RULES: dict[str, RuleInfo] = {
    # --- standard datasets (record by record) --------------------------------------------
    "REQUIRED": RuleInfo(BLOCKING, "必填字段为空", "标准规定的必填字段为空（省级数据中心将以 FIELD_REQUIRED 拒收）。在来源系统补录，或登记更正。", "standard"),
    "REQUIRED_WHEN": RuleInfo(WARNING, "条件必填字段为空", "在特定情形下必填的字段为空（如处罚案件的程序类型、责令整改的整改期限、已决定处罚的文书号）。省级数据中心不拒收，监督规则 P05 据此预警。", "standard"),
    "CODE_SET": RuleInfo(BLOCKING, "代码不在标准代码集", "代码值不在标准代码集中（CODE_UNKNOWN）。补充映射种子或登记更正。", "standard"),
    "REGION_CODE": RuleInfo(BLOCKING, "行政区划代码格式错误", "行政区划代码不是六位数字。", "standard"),
    "CHECKSUM": RuleInfo(BLOCKING, "校验码错误", "统一社会信用代码（GB 32100）或居民身份证号码（GB 11643：校验码及真实出生日期）不正确（CHECKSUM）。", "standard"),
    "MIN_VALUE": RuleInfo(BLOCKING, "序号小于最小值", "序号须从 1 开始。", "standard"),
    "OFFICERS_MIN": RuleInfo(BLOCKING, "承办执法人员不足", "承办人员执法证号（去重）不足两个；简易程序处罚案件不足一个（MIN_ITEMS）。", "standard"),
    "REFERENCE": RuleInfo(BLOCKING, "引用的记录不存在", "所引用的执法主体、人员、事项、相对人或案件在标准层中不存在（省级数据中心将以 REFERENCE_MISSING 拒收）。", "standard"),
    "DATETIME_ORDER": RuleInfo(BLOCKING, "时间先后顺序错误", "立案 ≤ 决定 ≤ 送达 ≤ 结案 ≤ 归档（rules.datetime_order，跨 ZF10 与 ZF12）不成立（ORDER）。问题记在顺序错误的两者中较晚的字段所在记录上。", "standard"),
    "AMOUNT_NEGATIVE": RuleInfo(BLOCKING, "金额为负", "罚没金额或裁量基准金额为负数。", "standard"),
    "AMOUNT_HIGH": RuleInfo(WARNING, "金额异常偏高", "金额超过合理上限（rules.py AMOUNT_CEILING_YUAN），多为单位错误（如以分或万元录入），请核对。", "standard"),
    "FINE_RANGE": RuleInfo(WARNING, "裁量基准上下限颠倒", "执法事项的罚款下限大于上限，B01 无法正确判定。", "standard"),
    "NUMBER_BOUNDS": RuleInfo(WARNING, "天数超出合理范围", "期限或延长期限天数为负或超过合理上限（rules.py DAYS_CEILING）。", "standard"),
    "TIME_SEQUENCE": RuleInfo(WARNING, "记录内时间倒置", "同一记录内较晚的时间早于较早的时间（如环节完成早于进入、解除早于实施、证件有效期止早于起）。", "standard"),
    "FUTURE_TIME": RuleInfo(WARNING, "时间晚于当前", "时间晚于当前时间一天以上，多为录入错误。", "standard"),
    "PARTY_ID": RuleInfo(WARNING, "相对人标识与证件不符", "party_id 不等于证件类型代码与证件号码的 SHA-256（rules.party_id）。", "standard"),
    "RECORD_KEY": RuleInfo(BLOCKING, "记录键重复或为空", "record_key 重复或为空（整表检查，Data Docs 中可见）。", "standard"),
    "CORRECTION_REVIEW": RuleInfo(WARNING, "更正待复核", "来源系统在更正登记后修改了该字段，更正未予应用，以免覆盖较新的数据。请复核后重新登记或撤回。", "standard"),
    # --- staging, per source (what a source gave that could not be read) ---------------------
    "PARSE_FAILED": RuleInfo(WARNING, "来源值无法解析", "来源系统的日期、金额或天数文本无法解析，标准层中该字段为空。请在来源系统更正，或在标准层登记更正。", "staging"),
    # --- source streams (judged from ops.load_batch) ------------------------------------------
    "FRESHNESS": RuleInfo(WARNING, "数据未按时更新", "该来源数据流最近一次成功加载早于时限（rules.py FRESHNESS_MAX_AGE）。", "source"),
    "LOAD_FAILED": RuleInfo(WARNING, "最近一次加载失败", "该来源数据流最近一次加载失败，见 ops.load_batch.error。", "source"),
    "VOLUME": RuleInfo(WARNING, "数据量异常", "今日加载行数与近 7 日日均相比过低或过高（rules.py VOLUME_*）。", "source"),
    # --- filed by the hub push (connectors/hub_push.py), listed here so the dashboard names them --
    "HUB_FIELD_REQUIRED": RuleInfo(WARNING, "省级拒收：必填字段缺失", "省级数据中心拒收。", "hub"),
    "HUB_FIELD_TYPE": RuleInfo(WARNING, "省级拒收：字段类型错误", "省级数据中心拒收。", "hub"),
    "HUB_FIELD_TOO_LONG": RuleInfo(WARNING, "省级拒收：字段超长", "省级数据中心拒收。", "hub"),
    "HUB_CODE_UNKNOWN": RuleInfo(WARNING, "省级拒收：代码未知", "省级数据中心拒收。", "hub"),
    "HUB_CHECKSUM": RuleInfo(WARNING, "省级拒收：校验码错误", "省级数据中心拒收。", "hub"),
    "HUB_REFERENCE_MISSING": RuleInfo(WARNING, "省级拒收：引用缺失", "省级数据中心拒收；父记录送达后自动重试。", "hub"),
    "HUB_ORDER": RuleInfo(WARNING, "省级拒收：时间顺序", "省级数据中心拒收。", "hub"),
    "HUB_MIN_ITEMS": RuleInfo(WARNING, "省级拒收：人员不足", "省级数据中心拒收。", "hub"),
}

# --- thresholds (the bureau may tune them; changing one changes only future judgements) --------

# Above this an amount is implausible for one decision (1 亿元): usually a unit mistake.
AMOUNT_CEILING_YUAN = 100_000_000
# term_days / extended_days above this are implausible (the law allows 30 + 30 for sealing).
DAYS_CEILING = 365
# A datetime this far past the run's time is a typing error, not a plan.
FUTURE_TOLERANCE = dt.timedelta(days=1)

# Freshness: LP and LG are read every 15 minutes; EX reports come monthly, judged per source.
FRESHNESS_MAX_AGE = {"LP": dt.timedelta(hours=2), "LG": dt.timedelta(hours=2), "EX": dt.timedelta(days=40)}
# Volume: today's rows against the average day of the previous VOLUME_DAYS days. Judged only
# when at least VOLUME_MIN_DAYS of those days loaded something, the average is at least
# VOLUME_MIN_AVG rows, and (for "too few") VOLUME_MIN_DAY_FRACTION of today has passed; the
# expectation for "too few" is pro-rated to the part of the day gone. EX (monthly files) is not
# judged by volume.
VOLUME_DAYS = 7
VOLUME_MIN_DAYS = 3
VOLUME_MIN_AVG = 20
VOLUME_LOW_RATIO = 0.5
VOLUME_HIGH_RATIO = 3.0
VOLUME_MIN_DAY_FRACTION = 0.25


def severity(rule: str) -> str:
    return RULES[rule.split(":", 1)[0]].severity
