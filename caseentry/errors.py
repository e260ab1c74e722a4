"""Errors as the API returns them: 4xx with ``{"detail": [{"field", "code", "message"}]}``.

``code`` is stable and machine-readable (the list below); ``message`` is Chinese, names the record
and the field, and says why. A request that fails changes nothing: errors are raised before the
transaction commits, and raising rolls it back.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable

from caseentry.labels import field_title

# Stable error codes. Clients (the web UI, loaders) may branch on them.
REQUIRED = "REQUIRED"                      # a required value is missing
TOO_LONG = "TOO_LONG"                      # longer than the standard allows
FIELD_TYPE = "FIELD_TYPE"                  # not a value of the expected type or form
UNKNOWN_FIELD = "UNKNOWN_FIELD"            # a field the endpoint does not take
CODE_UNKNOWN = "CODE_UNKNOWN"              # not in the standard's code set
CHECKSUM = "CHECKSUM"                      # resident ID / USCC check character wrong
DATE_ORDER = "DATE_ORDER"                  # datetimes out of order
DATE_FUTURE = "DATE_FUTURE"                # an act dated in the future
RANGE_ORDER = "RANGE_ORDER"                # a range's upper bound below its lower bound
OFFICERS_MIN = "OFFICERS_MIN"              # too few officers with a valid certificate
CERT_INVALID = "CERT_INVALID"              # a step handler's certificate not valid on the step's days
REFERENCE_MISSING = "REFERENCE_MISSING"    # refers to a subject/item/party/officer that does not exist
REFERENCE_INACTIVE = "REFERENCE_INACTIVE"  # refers to a subject no longer active or an item not in force
ITEM_MISMATCH = "ITEM_MISMATCH"            # the item's category is not the case's type
CREDENTIAL_TYPE_MISMATCH = "CREDENTIAL_TYPE_MISMATCH"  # credential type impossible for the party type
NOT_APPLICABLE = "NOT_APPLICABLE"          # a field or object that does not belong to this case/stage
STAGE_ORDER = "STAGE_ORDER"                # a penalty stage after a later one (rules P01)
STAGE_MISSING = "STAGE_MISSING"            # a stage the law requires first has not been recorded
STAGE_REPEATED = "STAGE_REPEATED"          # a stage that happens once recorded again
NOTIFICATION_MISSING = "NOTIFICATION_MISSING"  # decision without prior notification (P01)
HEARING_MISSING = "HEARING_MISSING"        # decision while a requested hearing was not held (P01)
LEGAL_REVIEW_MISSING = "LEGAL_REVIEW_MISSING"  # decision without prior legal review (P02)
SUMMARY_CEILING = "SUMMARY_CEILING"        # summary procedure above its fine ceiling (P06)
SUMMARY_KIND = "SUMMARY_KIND"              # summary procedure with a kind of penalty it cannot give
FINE_KIND = "FINE_KIND"                    # amount and kinds of penalty disagree
DISCRETION_REASON_REQUIRED = "DISCRETION_REASON_REQUIRED"  # fine outside the item's range, no reason (B01)
MEASURE_KIND = "MEASURE_KIND"              # coercion measure does not belong to the coercion kind
TERM_TOO_LONG = "TERM_TOO_LONG"            # coercion term over its legal maximum
EXTENSION_TOO_LONG = "EXTENSION_TOO_LONG"  # coercion extension over its legal maximum
EXTENSION_ONCE = "EXTENSION_ONCE"          # coercion term extended a second time
DEMAND_NOTICE_MISSING = "DEMAND_NOTICE_MISSING"  # court application without a prior demand notice
CASE_CLOSED = "CASE_CLOSED"                # the case's status allows no such change
STEP_APPROVED = "STEP_APPROVED"            # a step approved already
APPROVER_NOT_SELF = "APPROVER_NOT_SELF"    # an approval signed with a name not the leader's own
ASSIGNEE_INVALID = "ASSIGNEE_INVALID"      # a case reassigned to someone who cannot handle it
NOT_DECIDED = "NOT_DECIDED"                # publicity of a penalty not decided
DUPLICATE = "DUPLICATE"                    # the record exists already
NOT_FOUND = "NOT_FOUND"
TOKEN_INVALID = "TOKEN_INVALID"            # no, malformed, expired or revoked token; bad login
FORBIDDEN = "FORBIDDEN"                    # the role or unit may not do this
PASSWORD_WEAK = "PASSWORD_WEAK"            # a new password too short
CURSOR_INVALID = "CURSOR_INVALID"          # a change-feed cursor this service did not issue


@dataclass(frozen=True)
class FieldError:
    field: str | None
    code: str
    message: str


class ApiError(Exception):
    """Raised anywhere below a route; the app turns it into the JSON error response."""

    def __init__(self, status_code: int, errors: list[FieldError]):
        super().__init__("; ".join(e.message for e in errors))
        self.status_code = status_code
        self.errors = errors

    def body(self) -> dict:
        return {"detail": [asdict(e) for e in self.errors]}


class Problems:
    """Collects every problem of a request, so that the officer sees all of them at once."""

    def __init__(self, record: str):
        self.record = record
        self.errors: list[FieldError] = []

    def add(self, field: str | None, code: str, reason: str, *, title: str | None = None) -> None:
        """``reason`` completes "<record>：<title>（<field>）…"."""
        if field is None:
            message = f"{self.record}：{reason}"
        else:
            message = f"{self.record}：{title or field_title(field)}（{field}）{reason}"
        self.errors.append(FieldError(field, code, message))

    def has(self, field: str) -> bool:
        return any(e.field == field for e in self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self, status_code: int = 422) -> None:
        if self.errors:
            raise ApiError(status_code, self.errors)


def not_found(record: str, field: str | None = None) -> ApiError:
    return ApiError(404, [FieldError(field, NOT_FOUND, f"{record}不存在")])


def forbidden(message: str) -> ApiError:
    return ApiError(403, [FieldError(None, FORBIDDEN, message)])


def unauthorised(message: str = "未登录或登录已失效，请重新登录") -> ApiError:
    return ApiError(401, [FieldError("authorization", TOKEN_INVALID, message)])


# --- pydantic's errors, in this form ------------------------------------------------------

def _field_path(loc: tuple[Any, ...]) -> str | None:
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    if not parts:
        return "body" if loc and loc[0] == "body" else None
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_CUSTOM_TYPES = {"text_type", "datetime_format", "date_format", "money_format", "list_type"}


def _reason(err: dict[str, Any]) -> tuple[str, str]:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return REQUIRED, "为必填项"
    if kind == "extra_forbidden":
        return UNKNOWN_FIELD, "不是此接口可接受的字段"
    if kind == "string_too_long":
        return TOO_LONG, f"超过 {ctx.get('max_length')} 个字符"
    if kind in _CUSTOM_TYPES:
        return FIELD_TYPE, err["msg"]
    if kind in ("bool_parsing", "bool_type"):
        return FIELD_TYPE, "须为 true 或 false"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return FIELD_TYPE, "须为整数"
    if kind == "greater_than_equal":
        return FIELD_TYPE, f"不能小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return FIELD_TYPE, f"不能大于 {ctx.get('le')}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return FIELD_TYPE, "须为 JSON 对象"
    if kind == "json_invalid":
        return FIELD_TYPE, "不是有效的 JSON"
    return FIELD_TYPE, "格式不正确"


def from_pydantic(errors: Iterable[dict[str, Any]], record: str) -> list[FieldError]:
    """Pydantic's parse errors as FieldErrors: the field as a path, a stable code, Chinese."""
    out, seen = [], set()
    for err in errors:
        field = _field_path(tuple(err.get("loc") or ()))
        code, reason = _reason(err)
        if (field, code) in seen:
            continue
        seen.add((field, code))
        if field is None or field == "body":
            message = f"{record}：请求内容{reason}"
        else:
            message = f"{record}：{field_title(field)}（{field}）{reason}"
        out.append(FieldError(field, code, message))
    return out
