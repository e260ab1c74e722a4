"""What the law forbids outright, judged on a whole case (ZF10 with its ZF11/ZF12/ZF13/ZF20).

The service refuses such a case rather than storing it and warning later; the warehouse's
supervision rules (supervision-rules.md) still judge everything the service accepts. A fine
outside the item's discretion range (B01) is the one exception the law allows with reasons: it is
accepted with a written reason and flagged.

``validate_case`` judges the case as it would be after a change. Rules that compare the case
with reference data that may change later (an officer's certificate, an item's range) are judged
only when the case's own inputs to them change (``changed``): a certificate suspended in 2026
does not make a correction of a 2024 case impossible.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Callable

from caseentry import thresholds as th
from caseentry.errors import (
    DATE_FUTURE, DATE_ORDER, DEMAND_NOTICE_MISSING, DISCRETION_REASON_REQUIRED, EXTENSION_TOO_LONG,
    FIELD_TYPE, FINE_KIND, HEARING_MISSING, ITEM_MISMATCH, LEGAL_REVIEW_MISSING, MEASURE_KIND,
    NOT_APPLICABLE, NOTIFICATION_MISSING, OFFICERS_MIN, REFERENCE_INACTIVE, REFERENCE_MISSING, REQUIRED,
    STAGE_MISSING, SUMMARY_CEILING, SUMMARY_KIND, TERM_TOO_LONG, TOO_LONG, Problems,
)
from caseentry.labels import code_label, field_title
from caseentry.stages import CLOSED, ARCHIVED, DECIDED_STATUSES, FIELD_OWNERS
from caseentry.timefmt import cst_date, format_datetime, now as clock_now
from caseentry.validation import check_fields, standard_required

B01 = "B01"
CASE_FIELDS_CHECKED = ("case_no", "case_type", "subject_code", "item_code", "party_id", "source_channel",
                       "region_code", "procedure", "officer_cert_nos", "violation_at", "found_at",
                       "registered_at", "closed_at", "archived_at", "time_limit_extended")
DISCRETION_REASON_MAX = 2000


@dataclass
class CaseState:
    """A case and its parts, as plain dicts of column values."""
    case: dict[str, Any]
    inspection: dict[str, Any] | None = None
    penalty: dict[str, Any] | None = None
    coercion: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    publicity: dict[str, Any] | None = None
    # How this request names each part's fields in errors: "penalty." for a case body, "" for a
    # step (whose fields are flat). Measures carry their own prefix under "_path".
    paths: dict[str, str] = field(default_factory=lambda: {"case": "", "inspection": "inspection.",
                                                           "penalty": "penalty."})

    def copy(self) -> "CaseState":
        # The parts hold only dicts, lists and immutable scalars (str, numbers, datetimes, None):
        # copying those containers is a deep copy, at a fraction of copy.deepcopy's cost (which was
        # a tenth of a step's time in the service).
        return CaseState(**{f.name: _fresh(getattr(self, f.name)) for f in fields(self)})

    def stages(self) -> set[str]:
        return {s["stage_code"] for s in self.steps}

    def path(self, part: str, name: str, measure: dict | None = None) -> str:
        if part == "coercion":
            prefix = (measure or {}).get("_path", "coercion.")
            return prefix + name
        return self.paths.get(part, "") + name


def _fresh(value: Any) -> Any:
    if value.__class__ is dict:
        return {k: _fresh(v) for k, v in value.items()}
    if value.__class__ is list:
        return [_fresh(v) for v in value]
    if isinstance(value, (dict, list, set)):   # any other container: leave it to deepcopy
        return copy.deepcopy(value)
    return value


@dataclass
class Refs:
    """Reference data the case points to (None: not registered)."""
    subject: dict[str, Any] | None
    item: dict[str, Any] | None
    party: dict[str, Any] | None
    officers: dict[str, dict[str, Any]]
    assignee: str | None = None     # username of the case's handler, when asked for


def cert_invalid_reason(officer: dict[str, Any] | None, day: dt.date) -> str | None:
    """Why a certificate is not valid on ``day`` (rules P04's definition), or None if it is."""
    if officer is None:
        return "未登记"
    if officer["cert_status"] in ("02", "03"):
        return f"证件状态为“{code_label('cert_status', officer['cert_status'])}”"
    if not officer["cert_valid_from"] <= day <= officer["cert_valid_to"]:
        return (f"{day.isoformat()} 不在证件有效期（{officer['cert_valid_from'].isoformat()} 至 "
                f"{officer['cert_valid_to'].isoformat()}）内")
    return None


def min_officers(case: dict[str, Any]) -> int:
    return 1 if case.get("case_type") == "2" and case.get("procedure") == th.SUMMARY_PROCEDURE else 2


def legal_review_needed(penalty: dict[str, Any], refs: Refs) -> str | None:
    """Why the decision needs legal review first (P02), or None."""
    if refs.item and refs.item["legal_review_required"]:
        return "该执法事项须经法制审核"
    fine = penalty.get("fine_amount")
    party_type = refs.party["party_type"] if refs.party else None
    limit = th.LEGAL_REVIEW_FINE_THRESHOLD.get(party_type or "")
    if fine is not None and limit is not None and fine > limit:
        return f"罚款 {fine} 元超过 {limit} 元（相对人类别“{code_label('party_type', party_type)}”）"
    return None


def validate_case(state: CaseState, refs: Refs, problems: Problems, *,
                  changed: set[str] | None = None, now: dt.datetime | None = None) -> None:
    """Add to ``problems`` whatever the law forbids in ``state``; may set penalty flags.

    ``changed`` holds "part.field" names this request changes (None: everything, a new case).
    """
    def touched(*names: str) -> bool:
        return changed is None or any(n in changed for n in names)

    c = state.case
    now = now or clock_now()
    case_values = {k: c.get(k) for k in CASE_FIELDS_CHECKED}
    check_fields(problems, "case", case_values,
                 required=standard_required("case", except_=("case_id", "status", "source_system")),
                 prefix=state.paths["case"])
    _references(state, refs, problems, touched)
    _future(state, problems, now)
    _datetime_order(state, problems)
    _owned_fields(state, problems)
    if c.get("status") in (CLOSED, ARCHIVED) and c.get("closed_at") is None:
        problems.add(state.path("case", "closed_at"), REQUIRED, "案件已结案，为必填项")
    if c.get("status") == ARCHIVED and c.get("archived_at") is None:
        problems.add(state.path("case", "archived_at"), REQUIRED, "案件已归档，为必填项")

    case_type = c.get("case_type")
    if case_type != "1" and state.inspection is not None:
        problems.add("inspection", NOT_APPLICABLE, "只适用于行政检查案件")
    if case_type != "2" and state.penalty is not None:
        problems.add("penalty", NOT_APPLICABLE, "只适用于行政处罚案件")
    if case_type != "3" and state.coercion:
        problems.add("coercion", NOT_APPLICABLE, "只适用于行政强制案件")
    if case_type == "1":
        _inspection(state, problems)
    elif case_type == "2":
        _penalty(state, refs, problems, touched)
    elif case_type == "3":
        _coercion(state, problems)


# --- references -------------------------------------------------------------------------------

def _references(state: CaseState, refs: Refs, problems: Problems, touched: Callable[..., bool]) -> None:
    c = state.case
    p = state.path
    if c.get("subject_code") and touched("case.subject_code"):
        if refs.subject is None:
            problems.add(p("case", "subject_code"), REFERENCE_MISSING, f"“{c['subject_code']}”不是已登记的执法主体")
        elif not refs.subject["is_active"]:
            problems.add(p("case", "subject_code"), REFERENCE_INACTIVE, f"“{c['subject_code']}”已不是有效的执法主体")
    if c.get("party_id") and touched("case.party_id") and refs.party is None:
        problems.add(p("case", "party_id"), REFERENCE_MISSING, f"“{c['party_id']}”不是已登记的行政相对人，请先登记相对人")
    registered = c.get("registered_at")
    if c.get("item_code") and touched("case.item_code", "case.registered_at"):
        item = refs.item
        if item is None:
            problems.add(p("case", "item_code"), REFERENCE_MISSING, f"“{c['item_code']}”不是已登记的执法事项")
        else:
            if c.get("case_type") and item["item_category"] != c["case_type"]:
                problems.add(p("case", "item_code"), ITEM_MISMATCH,
                             f"“{c['item_code']}”是{code_label('case_type', item['item_category'])}事项，"
                             f"与案件类别“{code_label('case_type', c['case_type'])}”不符")
            if registered is not None:
                day = cst_date(registered)
                if day < item["valid_from"] or (item["valid_to"] is not None and day > item["valid_to"]):
                    problems.add(p("case", "item_code"), REFERENCE_INACTIVE,
                                 f"“{c['item_code']}”在立案日 {day.isoformat()} 不在有效期内")
    certs = c.get("officer_cert_nos") or []
    if certs and touched("case.officer_cert_nos", "case.registered_at", "case.procedure"):
        unknown = [n for n in certs if n not in refs.officers]
        if unknown:
            problems.add(p("case", "officer_cert_nos"), REFERENCE_MISSING,
                         f"中的执法证号 {'、'.join(unknown)} 未登记")
        if registered is not None:
            day = cst_date(registered)
            invalid = {n: cert_invalid_reason(refs.officers.get(n), day) for n in certs}
            valid = [n for n, why in invalid.items() if why is None]
            need = min_officers(c)
            if len(valid) < need:
                reasons = "；".join(f"{n}：{why}" for n, why in invalid.items() if why)
                problems.add(p("case", "officer_cert_nos"), OFFICERS_MIN,
                             f"须有不少于 {need} 名在立案日（{day.isoformat()}）持有效执法证的执法人员，"
                             f"现有 {len(valid)} 名" + (f"（{reasons}）" if reasons else ""))


# --- time -------------------------------------------------------------------------------------

def _datetimes(state: CaseState):
    """(path, value) of every act's datetime in the case."""
    for name, value in state.case.items():
        if isinstance(value, dt.datetime) and name not in ("created_at", "record_version"):
            yield state.path("case", name), value
    for part in ("inspection", "penalty"):
        for name, value in (getattr(state, part) or {}).items():
            if isinstance(value, dt.datetime) and name != "record_version":
                yield state.path(part, name), value
    for m in state.coercion:
        for name, value in m.items():
            if isinstance(value, dt.datetime) and name != "record_version":
                yield state.path("coercion", name, m), value
    for s in state.steps:
        if s.get("_new"):
            for name in ("entered_at", "completed_at"):
                if s.get(name) is not None:
                    yield name, s[name]


def _future(state: CaseState, problems: Problems, now: dt.datetime) -> None:
    limit = now + dt.timedelta(seconds=th.FUTURE_TOLERANCE_SECONDS)
    for path, value in _datetimes(state):
        if value > limit:
            problems.add(path, DATE_FUTURE, f"（{format_datetime(value)}）晚于当前时间，不能登记尚未发生的行为")


def _order(problems: Problems, pairs: list[tuple[str, dt.datetime | None, str, dt.datetime | None]]) -> None:
    for early_path, early, late_path, late in pairs:
        if early is not None and late is not None and late < early and not problems.has(late_path):
            problems.add(late_path, DATE_ORDER,
                         f"（{format_datetime(late)}）早于{field_title(early_path)}（{format_datetime(early)}）")


def _datetime_order(state: CaseState, problems: Problems) -> None:
    """rules.datetime_order: registered_at <= decision_at <= served_at <= closed_at <= archived_at,
    where present, across ZF10 and ZF12 (each against the nearest earlier one present)."""
    c, pen = state.case, state.penalty or {}
    chain = [(state.path("case", "registered_at"), c.get("registered_at")),
             (state.path("penalty", "decision_at"), pen.get("decision_at")),
             (state.path("penalty", "served_at"), pen.get("served_at")),
             (state.path("case", "closed_at"), c.get("closed_at")),
             (state.path("case", "archived_at"), c.get("archived_at"))]
    present = [(p, v) for p, v in chain if v is not None]
    _order(problems, [(a[0], a[1], b[0], b[1]) for a, b in zip(present, present[1:])])


def _owned_fields(state: CaseState, problems: Problems) -> None:
    """A stage's act may be on the case only once the stage is recorded (stages.FIELD_OWNERS)."""
    stages = state.stages()
    parts = [("case", state.case), ("inspection", state.inspection or {}), ("penalty", state.penalty or {})]
    for part, values in parts:
        for name, value in values.items():
            owners = FIELD_OWNERS.get((part, name))
            if owners and value not in (None, [], "") and not stages.intersection(owners):
                problems.add(state.path(part, name), STAGE_MISSING, _owner_text(owners))
    for m in state.coercion:
        for name, value in m.items():
            owners = FIELD_OWNERS.get(("coercion", name))
            if owners and value is not None and not stages.intersection(owners):
                problems.add(state.path("coercion", name, m), STAGE_MISSING, _owner_text(owners))


def _owner_text(owners: tuple[str, ...]) -> str:
    names = "或".join(f"“{code_label('stage', s)}”（{s}）" for s in owners)
    return f"须在记录{names}环节时填写"


# --- the three case types ---------------------------------------------------------------------

def _inspection(state: CaseState, problems: Problems) -> None:
    i = state.inspection
    if i is None:
        problems.add("inspection", REQUIRED, "行政检查案件须填写检查信息（检查类别等）")
        return
    p = lambda name: state.path("inspection", name)  # noqa: E731
    check_fields(problems, "inspection", {k: v for k, v in i.items() if k not in ("case_id", "record_version")},
                 required=("inspection_kind",), prefix=state.paths["inspection"])
    if state.case.get("status") in (CLOSED, ARCHIVED):
        # Both are required by ZF11; an open inspection may not have them yet.
        for name in ("inspected_at", "result"):
            if i.get(name) is None:
                problems.add(p(name), REQUIRED, "行政检查办结前须填写")
    if i.get("result") == "02" and i.get("rectify_deadline") is None:
        problems.add(p("rectify_deadline"), REQUIRED, "检查结果为责令整改时为必填项")
    _order(problems, [(p("inspected_at"), i.get("inspected_at"), p("rectified_at"), i.get("rectified_at"))])
    inspected, deadline = i.get("inspected_at"), i.get("rectify_deadline")
    if inspected is not None and deadline is not None and deadline < cst_date(inspected):
        problems.add(p("rectify_deadline"), DATE_ORDER, f"（{deadline.isoformat()}）早于检查日期")


def _penalty(state: CaseState, refs: Refs, problems: Problems, touched: Callable[..., bool]) -> None:
    c = state.case
    pen = state.penalty if state.penalty is not None else {}
    p = lambda name: state.path("penalty", name)  # noqa: E731
    if not c.get("procedure"):
        problems.add(state.path("case", "procedure"), REQUIRED, "行政处罚案件为必填项")
    check_fields(problems, "penalty",
                 {k: v for k, v in pen.items() if k not in ("case_id", "record_version", "flags", "discretion_reason")},
                 prefix=state.paths["penalty"])
    reason = pen.get("discretion_reason")
    if reason and len(reason) > DISCRETION_REASON_MAX:
        problems.add(p("discretion_reason"), TOO_LONG, f"超过 {DISCRETION_REASON_MAX} 个字符")

    kinds = pen.get("penalty_kinds") or []
    fine = pen.get("fine_amount")
    if "03" in kinds and not fine:
        problems.add(p("fine_amount"), REQUIRED, "处罚种类含罚款时为必填项（大于 0）")
    if fine and kinds and "03" not in kinds:
        problems.add(p("penalty_kinds"), FINE_KIND, "未含罚款（03），但填写了罚款金额")
    if pen.get("confiscation_amount") and kinds and not {"04", "05"} & set(kinds):
        problems.add(p("penalty_kinds"), FINE_KIND, "未含没收违法所得（04）或没收非法财物（05），但填写了没收金额")

    _discretion(state, refs, problems, touched)
    party_type = refs.party["party_type"] if refs.party else None

    # P06, 行政处罚法 art. 51: the summary procedure's ceiling and kinds.
    if c.get("procedure") == th.SUMMARY_PROCEDURE and touched(
            "penalty.fine_amount", "penalty.penalty_kinds", "case.procedure", "case.party_id"):
        ceiling = th.SUMMARY_PROCEDURE_FINE_CEILING.get(party_type or "")
        if fine is not None and ceiling is not None and fine > ceiling:
            problems.add(p("fine_amount"), SUMMARY_CEILING,
                         f"{fine} 元超过简易程序的上限 {ceiling} 元（相对人类别“{code_label('party_type', party_type)}”），"
                         "须适用普通程序")
        extra = sorted(set(kinds) - th.SUMMARY_PROCEDURE_PENALTY_KINDS)
        if extra:
            problems.add(p("penalty_kinds"), SUMMARY_KIND,
                         f"简易程序只能给予警告、通报批评或罚款，不能给予"
                         f"{'、'.join(code_label('penalty_kind', k) for k in extra)}")

    registered = c.get("registered_at")
    acts = ("legal_review_at", "collective_discussion_at", "notified_at", "hearing_notice_at", "hearing_at")
    _order(problems, [(state.path("case", "registered_at"), registered, p(a), pen.get(a)) for a in acts])
    _order(problems, [(p("hearing_notice_at"), pen.get("hearing_notice_at"), p("hearing_at"), pen.get("hearing_at")),
                      (p("decision_at"), pen.get("decision_at"), p("paid_at"), pen.get("paid_at"))])

    if c.get("status") in DECIDED_STATUSES:
        for name in ("decision_no", "decision_at", "penalty_kinds"):
            if pen.get(name) in (None, []):
                problems.add(p(name), REQUIRED, "案件已作出处罚决定，为必填项")
        decided = pen.get("decision_at")
        if decided is not None:
            _before_decision(state, refs, pen, decided, problems, touched)
    if c.get("status") in (CLOSED, ARCHIVED) and pen.get("served_at") is None:
        problems.add(p("served_at"), REQUIRED, "处罚案件结案前须送达决定书")


def _before_decision(state: CaseState, refs: Refs, pen: dict[str, Any], decided: dt.datetime,
                     problems: Problems, touched: Callable[..., bool]) -> None:
    p = lambda name: state.path("penalty", name)  # noqa: E731
    # P02 (行政处罚法 art. 58): legal review before the decision.
    if touched("penalty.decision_at", "penalty.legal_review_at", "penalty.fine_amount", "case.item_code",
               "case.party_id", "case.status"):
        why = legal_review_needed(pen, refs)
        review = pen.get("legal_review_at")
        if why and (review is None or review > decided):
            problems.add(p("legal_review_at"), LEGAL_REVIEW_MISSING,
                         f"{why}，作出决定（{format_datetime(decided)}）前须完成法制审核")
    # P01 (行政处罚法 art. 44, 62-64): notification, and a requested hearing, before the decision.
    if state.case.get("procedure") in th.PROCEDURES_NEEDING_NOTIFICATION:
        notified = pen.get("notified_at")
        if notified is None or notified > decided:
            problems.add(p("notified_at"), NOTIFICATION_MISSING,
                         f"作出决定（{format_datetime(decided)}）前须告知当事人陈述、申辩（及听证）权利")
        if pen.get("hearing_requested"):
            hearing = pen.get("hearing_at")
            if hearing is None or hearing > decided:
                problems.add(p("hearing_at"), HEARING_MISSING,
                             f"当事人申请了听证，作出决定（{format_datetime(decided)}）前须举行听证")


def _discretion(state: CaseState, refs: Refs, problems: Problems, touched: Callable[..., bool]) -> None:
    """B01: a fine outside the item's range stands only with a written reason, and is flagged."""
    pen = state.penalty
    if pen is None or not touched("penalty.fine_amount", "penalty.discretion_reason", "case.item_code"):
        return
    flags = [f for f in (pen.get("flags") or []) if f != B01]
    fine, item = pen.get("fine_amount"), refs.item
    if fine is not None and item is not None:
        low, high = item["fine_min"], item["fine_max"]
        outside = (low is not None and fine < low) or (high is not None and fine > high)
        if outside:
            if not pen.get("discretion_reason"):
                problems.add(state.path("penalty", "discretion_reason"), DISCRETION_REASON_REQUIRED,
                             f"罚款 {fine} 元超出该事项的裁量基准（{_range(low, high)}），须写明理由")
            flags.append(B01)
    pen["flags"] = flags


def _range(low: Decimal | None, high: Decimal | None) -> str:
    return f"{low if low is not None else '不限'} 至 {high if high is not None else '不限'} 元"


def _coercion(state: CaseState, problems: Problems) -> None:
    for m in state.coercion:
        p = lambda name, m=m: state.path("coercion", name, m)  # noqa: E731
        values = {k: v for k, v in m.items() if not k.startswith("_") and k not in ("case_id", "record_version")}
        check_fields(problems, "coercion", values,
                     required=standard_required("coercion", except_=("case_id", "measure_seq")),
                     prefix=m.get("_path", "coercion."))
        kind, measure = m.get("coercion_kind"), m.get("measure_code")
        expected = th.COERCION_MEASURE_KIND.get(measure or "")
        if kind and expected and kind != expected and not problems.has(p("measure_code")):
            problems.add(p("measure_code"), MEASURE_KIND,
                         f"“{code_label('coercion_measure', measure)}”属于{code_label('coercion_kind', expected)}，"
                         f"与强制类别“{code_label('coercion_kind', kind)}”不符")
        term, extended = m.get("term_days"), m.get("extended_days")
        if measure in th.COERCION_MEASURES_WITH_TERM and term is None:
            problems.add(p("term_days"), REQUIRED, "查封、扣押、冻结须填写期限")
        if term is not None:
            if term < 1:
                problems.add(p("term_days"), FIELD_TYPE, "须为正整数（日）")
            elif term > th.COERCION_MAX_TERM_DAYS:
                problems.add(p("term_days"), TERM_TOO_LONG, f"{term} 日超过法定上限 {th.COERCION_MAX_TERM_DAYS} 日")
        if extended is not None:
            if extended < 1:
                problems.add(p("extended_days"), FIELD_TYPE, "须为正整数（日）")
            elif extended > th.COERCION_MAX_EXTENSION_DAYS:
                problems.add(p("extended_days"), EXTENSION_TOO_LONG,
                             f"{extended} 日超过法定上限 {th.COERCION_MAX_EXTENSION_DAYS} 日（只能延长一次）")
            if term is None:
                problems.add(p("extended_days"), NOT_APPLICABLE, "未定期限的措施不能延长")
        _order(problems, [(p("started_at"), m.get("started_at"), p("lifted_at"), m.get("lifted_at"))])
        applied, demanded = m.get("court_applied_at"), m.get("demand_notice_at")
        if applied is not None and (demanded is None or demanded > applied):
            problems.add(p("court_applied_at"), DEMAND_NOTICE_MISSING,
                         "申请法院强制执行前须先送达催告书（行政强制法第五十四条）")
        if state.case.get("status") in (CLOSED, ARCHIVED) and measure in th.COERCION_MEASURES_TO_LIFT \
                and m.get("lifted_at") is None:
            problems.add(p("lifted_at"), REQUIRED, "查封、扣押措施须解除或作出处理后才能结案")
