"""Request bodies. Pydantic only parses types here; lengths, code sets, check characters and
required fields are judged against the standard itself (validation.py), so the standard stays
the one place that says what a field may hold.

Every field is optional at this level and unknown fields are refused. A body's
``model_fields_set`` tells a correction (PATCH) which fields were sent, null included.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from caseentry.timefmt import parse_date, parse_datetime


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PydanticCustomError("text_type", "须为文本")
    text = str(value).strip()
    return text or None


def _datetime(value: Any) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        raise PydanticCustomError(
            "datetime_format", "须为带时间的日期，如 2024-03-01T10:00:00+08:00") from None


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_date(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("date_format", "须为日期，如 2024-03-01") from None


def _money(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise PydanticCustomError("money_format", "须为金额（元），如 \"5000.00\"")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise PydanticCustomError("money_format", "须为金额（元），如 \"5000.00\"") from None
    if not amount.is_finite() or amount < 0:
        raise PydanticCustomError("money_format", "须为不小于 0 的金额（元）")
    if amount != amount.quantize(Decimal("0.01")):
        raise PydanticCustomError("money_format", "最多保留两位小数")
    if amount >= Decimal("1e16"):
        raise PydanticCustomError("money_format", "金额过大（整数部分最多 16 位）")
    return amount.quantize(Decimal("0.01"))


def _text_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise PydanticCustomError("list_type", "须为数组")
    out: list[str] = []
    for item in value:
        text = _text(item)
        if text is not None and text not in out:  # the standard counts list items distinct
            out.append(text)
    return out


Text = Annotated[str | None, BeforeValidator(_text)]
DateTime = Annotated[dt.datetime | None, BeforeValidator(_datetime)]
Date = Annotated[dt.date | None, BeforeValidator(_date)]
Money = Annotated[Decimal | None, BeforeValidator(_money)]
TextList = Annotated[list[str] | None, BeforeValidator(_text_list)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def given(self) -> dict[str, Any]:
        """The fields the client sent (a PATCH changes only these)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


# --- auth and users -----------------------------------------------------------------------

class LoginIn(Body):
    username: Text = None
    password: str | None = None


class UserIn(Body):
    username: Text = None
    password: str | None = None
    role: Text = None
    subject_code: Text = None
    full_name: Text = None


# --- reference data (ZF01-ZF04) -----------------------------------------------------------

class SubjectIn(Body):
    subject_code: Text = None
    subject_name: Text = None
    region_code: Text = None
    subject_level: Text = None
    subject_type: Text = None
    domain_code: Text = None
    parent_subject_code: Text = None
    is_active: bool | None = None


class OfficerIn(Body):
    cert_no: Text = None
    officer_name: Text = None
    id_no: Text = None
    subject_code: Text = None
    cert_valid_from: Date = None
    cert_valid_to: Date = None
    cert_status: Text = None


class ItemIn(Body):
    item_code: Text = None
    item_name: Text = None
    item_category: Text = None
    domain_code: Text = None
    legal_basis: Text = None
    fine_min: Money = None
    fine_max: Money = None
    legal_review_required: bool | None = None
    limitation_years: int | None = None
    valid_from: Date = None
    valid_to: Date = None


class PartyIn(Body):
    party_type: Text = None
    party_name: Text = None
    credential_type: Text = None
    credential_no: Text = None
    region_code: Text = None


# --- cases (ZF10-ZF13) --------------------------------------------------------------------

class InspectionIn(Body):
    inspection_kind: Text = None
    inspected_at: DateTime = None
    result: Text = None
    rectify_deadline: Date = None
    rectified_at: DateTime = None


class PenaltyIn(Body):
    decision_no: Text = None
    decision_at: DateTime = None
    penalty_kinds: TextList = None
    fine_amount: Money = None
    confiscation_amount: Money = None
    legal_review_at: DateTime = None
    collective_discussion_at: DateTime = None
    notified_at: DateTime = None
    hearing_requested: bool | None = None
    hearing_notice_at: DateTime = None
    hearing_at: DateTime = None
    served_at: DateTime = None
    paid_at: DateTime = None
    execution_status: Text = None
    discretion_reason: Text = None


class CoercionIn(Body):
    measure_seq: int | None = None
    coercion_kind: Text = None
    measure_code: Text = None
    started_at: DateTime = None
    term_days: int | None = None
    extended_days: int | None = None
    lifted_at: DateTime = None
    demand_notice_at: DateTime = None
    court_applied_at: DateTime = None
    emergency: bool | None = None
    approved_at: DateTime = None


class CaseIn(Body):
    case_type: Text = None
    subject_code: Text = None
    item_code: Text = None
    party_id: Text = None
    source_channel: Text = None
    region_code: Text = None
    procedure: Text = None
    officer_cert_nos: TextList = None
    case_no: Text = None
    violation_at: DateTime = None
    found_at: DateTime = None
    registered_at: DateTime = None
    time_limit_extended: bool | None = None
    # the first step (J1/C1/Q1), recorded with the case
    approver_name: Text = None
    opinion: Text = None
    inspection: InspectionIn | None = None
    penalty: PenaltyIn | None = None
    coercion: list[CoercionIn] | None = None


class CasePatch(Body):
    """Corrections of what was entered. The status moves only with steps, and by revocation."""
    case_no: Text = None
    item_code: Text = None
    party_id: Text = None
    source_channel: Text = None
    region_code: Text = None
    procedure: Text = None
    officer_cert_nos: TextList = None
    violation_at: DateTime = None
    found_at: DateTime = None
    registered_at: DateTime = None
    time_limit_extended: bool | None = None
    closed_at: DateTime = None
    inspection: InspectionIn | None = None
    penalty: PenaltyIn | None = None
    coercion: list[CoercionIn] | None = None


class RevokeIn(Body):
    """End a case outside its stages: 90 revoked (撤销, the default) or 91 not filed (不予立案)."""
    reason: Text = None
    revoked_at: DateTime = None
    status: Text = None


class StepIn(Body):
    """A new step. Besides the ZF20 fields it carries what its stage records (stages.py)."""
    stage_code: Text = None
    entered_at: DateTime = None
    completed_at: DateTime = None
    handler_cert_no: Text = None
    approver_name: Text = None
    opinion: Text = None
    # penalty
    legal_review_at: DateTime = None
    collective_discussion_at: DateTime = None
    notified_at: DateTime = None
    hearing_requested: bool | None = None
    hearing_notice_at: DateTime = None
    hearing_at: DateTime = None
    decision_no: Text = None
    decision_at: DateTime = None
    penalty_kinds: TextList = None
    fine_amount: Money = None
    confiscation_amount: Money = None
    discretion_reason: Text = None
    served_at: DateTime = None
    paid_at: DateTime = None
    execution_status: Text = None
    # the case
    closed_at: DateTime = None
    archived_at: DateTime = None
    # inspection
    inspected_at: DateTime = None
    result: Text = None
    rectify_deadline: Date = None
    rectified_at: DateTime = None
    # coercion: new or completed measures (Q2, Q3), or one measure named by measure_seq: its
    # approval (Q2), execution (Q3), extension, demand notice, court application, lifting (Q4-Q7)
    coercion: list[CoercionIn] | None = None
    measure_seq: int | None = None
    approved_at: DateTime = None
    extended_days: int | None = None
    demand_notice_at: DateTime = None
    court_applied_at: DateTime = None
    lifted_at: DateTime = None


class StepPatch(Body):
    completed_at: DateTime = None
    approver_name: Text = None
    opinion: Text = None


class ApproveIn(Body):
    """A leader's approval of a step: their opinion and (an open step) when it ends. It is signed with
    the leader's recorded name; ``approver_name`` is needed only by an account without one."""
    approver_name: Text = None
    opinion: Text = None
    completed_at: DateTime = None


class ReassignIn(Body):
    username: Text = None
    reason: Text = None


class PublicityIn(Body):
    published_at: DateTime = None
    withdrawn_at: DateTime = None
