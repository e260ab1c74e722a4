"""A small server-rendered web UI (Chinese): log in, my cases, register a case, record a step;
for leaders also approve a step and reassign a case; the masked public notice of a decision.

It calls the same service functions as the JSON API, so every rule and every message is the
same; messages are shown next to the field they name. The session is the API's signed token in
an HttpOnly, SameSite=Strict cookie; every form also carries a CSRF token derived from it.
Personal data is shown masked, as everywhere outside the hub push.
"""
from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from jiandu.standard import load_standard

from caseentry import cases as svc
from caseentry import stages as st
from caseentry.assignment import approve_step, assignable_users, reassign_case
from caseentry.auth import ROLE_TITLES, User, authenticate
from caseentry.errors import ApiError, FieldError, from_pydantic
from caseentry.labels import code_label, field_title
from caseentry.permissions import CASE_CREATORS, PUBLISHERS, can_work_on_case, may_lead
from caseentry.publicity import preview, publish
from caseentry.reference import list_records, save_party
from caseentry.routes.auth import login
from caseentry.routes.common import case_id_of, reading, transaction
from caseentry.schemas import ApproveIn, CaseIn, PartyIn, PublicityIn, ReassignIn, RevokeIn, StepIn

router = APIRouter(prefix="/ui", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
COOKIE = "lp_session"

# Fields of the step form, grouped by the stages that record them (stages.STAGE_FIELDS).
STEP_FORM_FIELDS = {
    "legal_review_at": "datetime", "collective_discussion_at": "datetime", "notified_at": "datetime",
    "hearing_requested": "bool", "hearing_notice_at": "datetime", "hearing_at": "datetime",
    "decision_no": "text", "decision_at": "datetime", "penalty_kinds": "kinds", "fine_amount": "text",
    "confiscation_amount": "text", "discretion_reason": "text", "served_at": "datetime", "paid_at": "datetime",
    "execution_status": "code:execution_status", "closed_at": "datetime", "archived_at": "datetime",
    "inspected_at": "datetime", "result": "code:inspection_result", "rectify_deadline": "date",
    "rectified_at": "datetime", "measure_seq": "int", "extended_days": "int", "demand_notice_at": "datetime",
    "court_applied_at": "datetime", "lifted_at": "datetime",
}


class _Refused(Exception):
    """Roll the form's transaction back; the errors are already collected."""


def _csrf(request: Request, token: str) -> str:
    key = request.app.state.secret_key.encode("utf-8")
    return hmac.new(key, b"csrf|" + token.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def _session(request: Request) -> tuple[User, str] | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return authenticate(request, token), token
    except ApiError:
        return None


def _render(request: Request, name: str, session: tuple[User, str] | None, status_code: int = 200,
            **context: Any) -> HTMLResponse:
    user, token = session if session else (None, None)
    return templates.TemplateResponse(request, name, {
        "user": user, "role_title": ROLE_TITLES.get(user.role, "") if user else "",
        "csrf": _csrf(request, token) if token else "", "codes": load_standard().code_sets,
        "label": code_label, "title": field_title, **context}, status_code=status_code)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/ui/login", status_code=303)


async def _form(request: Request, session: tuple[User, str]) -> dict[str, Any] | None:
    """The posted form, or None when its CSRF token is not this session's."""
    form = await request.form()
    if not hmac.compare_digest(str(form.get("csrf", "")), _csrf(request, session[1])):
        return None
    out: dict[str, Any] = {}
    for key in form.keys():
        values = [str(v) for v in form.getlist(key)]
        # A field shown under several stages comes once per stage: the filled one counts.
        out[key] = values if key in ("officer_cert_nos", "penalty_kinds") else next((v for v in values if v), "")
    return out


async def _posted(request: Request) -> tuple[tuple[User, str], dict[str, Any]] | Response:
    """The session and its posted form; or the page to answer instead (log in, form expired)."""
    session = _session(request)
    if session is None:
        return _to_login()
    form = await _form(request, session)
    if form is None:
        return _render(request, "message.html", session, status_code=403, message="表单已过期，请刷新页面后重新提交")
    return session, form


NEW_CASE_FORM_FIELDS = {
    "subject_code", "item_code", "case_no", "source_channel", "region_code", "procedure", "registered_at",
    "violation_at", "found_at", "officer_cert_nos", "approver_name", "party.party_type", "party.party_name",
    "party.credential_type", "party.credential_no", "party.region_code", "inspection.inspection_kind",
    "inspection.inspected_at", "coercion[0].coercion_kind", "coercion[0].measure_code", "coercion[0].started_at",
    "coercion[0].term_days"}
STEP_FORM_OWN_FIELDS = {"stage_code", "entered_at", "completed_at", "handler_cert_no", "approver_name", "opinion"}


def _errors_by_field(errors: list[FieldError], shown: set[str]) -> tuple[dict[str, str], list[str]]:
    """Messages next to the fields the form shows; the rest in a list above it."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for e in errors:
        if e.field in shown and e.field not in by_field:
            by_field[e.field] = e.message
        else:
            general.append(e.message)
    return by_field, general


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Blank form fields are absent, not empty strings."""
    return {k: v for k, v in values.items() if v not in ("", None, [])}


# --- pages --------------------------------------------------------------------------------------

@router.get("")
@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/cases", status_code=303)


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return _render(request, "login.html", None)


@router.post("/login")
async def login_submit(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username", ""))
    try:
        token, ttl = login(request, username, str(form.get("password", "")))
    except ApiError as err:
        return _render(request, "login.html", None, status_code=401, error=err.errors[0].message, username=username)
    response = RedirectResponse("/ui/cases", status_code=303)
    response.set_cookie(COOKIE, token, max_age=ttl, httponly=True, samesite="strict", path="/ui")
    return response


@router.post("/logout")
def logout() -> Response:
    response = _to_login()
    response.delete_cookie(COOKIE, path="/ui")
    return response


@router.get("/cases")
def cases_page(request: Request, status: str | None = None, case_type: str | None = None,
               offset: int = 0) -> Response:
    session = _session(request)
    if session is None:
        return _to_login()
    user = session[0]
    if user.role == "pipeline":
        return _render(request, "message.html", session, status_code=403, message="数据管道账号不能使用办案界面")
    with reading(request) as conn:
        page = svc.list_cases(conn, user, {"status": status or None, "case_type": case_type or None}, 50, max(offset, 0))
    return _render(request, "cases.html", session, page=page, status=status or "", case_type=case_type or "",
                   can_create=user.role in CASE_CREATORS)


def _new_case_context(request: Request, user: User, case_type: str) -> dict[str, Any]:
    subject = user.subject_code
    with reading(request) as conn:
        items = list_records(conn, "item", {"item_category": case_type}, 500, 0)["items"]
        officers = list_records(conn, "officer", {"subject_code": subject}, 500, 0)["items"] if subject else []
    return {"items": items, "officers": officers, "case_type": case_type, "subject_code": subject or ""}


@router.get("/cases/new")
def new_case_page(request: Request, case_type: str = "2") -> Response:
    session = _session(request)
    if session is None:
        return _to_login()
    if session[0].role not in CASE_CREATORS:
        return _render(request, "message.html", session, status_code=403, message="当前账号的角色不能登记案件")
    case_type = case_type if case_type in ("1", "2", "3") else "2"
    return _render(request, "case_new.html", session, values={"case_type": case_type}, errors={}, general=[],
                   **_new_case_context(request, session[0], case_type))


@router.post("/cases/new")
async def new_case_submit(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _to_login()
    user = session[0]
    if user.role not in CASE_CREATORS:
        return _render(request, "message.html", session, status_code=403, message="当前账号的角色不能登记案件")
    form = await _form(request, session)
    if form is None:
        return _render(request, "message.html", session, status_code=403, message="表单已过期，请刷新页面后重新提交")
    case_type = form.get("case_type") or "2"
    party_values = _clean({k.removeprefix("party."): v for k, v in form.items() if k.startswith("party.")})
    body = _clean({k: form.get(k) for k in ("case_type", "item_code", "source_channel", "region_code", "procedure",
                                            "case_no", "violation_at", "found_at", "registered_at", "approver_name",
                                            "opinion")})
    body["subject_code"] = form.get("subject_code") or user.subject_code
    body["officer_cert_nos"] = [c for c in form.get("officer_cert_nos") or [] if c]
    body["time_limit_extended"] = form.get("time_limit_extended") == "true"
    if case_type == "1":
        body["inspection"] = _clean({"inspection_kind": form.get("inspection_kind"),
                                     "inspected_at": form.get("inspected_at")})
    if case_type == "3":
        measure = _clean({k: form.get(f"measure.{k}") for k in ("coercion_kind", "measure_code", "started_at",
                                                                "term_days", "approved_at")})
        measure["emergency"] = form.get("measure.emergency") == "true"
        body["coercion"] = [measure]
    errors: list[FieldError] = []
    try:
        party_in = PartyIn.model_validate(party_values)
    except ValidationError as exc:
        errors += [FieldError("party." + (e.field or ""), e.code, e.message)
                   for e in from_pydantic(exc.errors(include_url=False), "行政相对人")]
        party_in = None
    case_id = None
    try:
        # One transaction: a party registered for a case that is then refused is not kept.
        with transaction(request) as conn:
            party_id = None
            if party_in is not None:
                try:
                    party_id = save_party(conn, user.actor, party_in)[0]["party_id"]
                except ApiError as err:
                    errors += [FieldError("party." + (e.field or ""), e.code, e.message) for e in err.errors]
            try:
                # Without a party the case is still judged, so that every message shows at once; it
                # then fails for want of a party and nothing is written.
                case_id = svc.create_case(conn, user, CaseIn.model_validate({**body, "party_id": party_id}))
            except ApiError as err:
                if err.status_code == 403:
                    raise   # not the input but who the user is: rolled back, shown on its own page
                errors += [e for e in err.errors if not (party_id is None and e.field == "party_id")]
                raise _Refused() from None
            if party_id is None:
                raise _Refused()
    except _Refused:
        case_id = None
    except ValidationError as exc:
        errors += from_pydantic(exc.errors(include_url=False), "新案件")
    except ApiError as err:
        refused = _refusal(request, session, err)
        if refused is not None:
            return refused
        errors += err.errors
    if case_id is not None:
        return RedirectResponse(f"/ui/cases/{case_id}", status_code=303)
    by_field, general = _errors_by_field(errors, NEW_CASE_FORM_FIELDS)
    values = {**form, **{f"party.{k}": v for k, v in party_values.items()}}
    return _render(request, "case_new.html", session, status_code=422, values=values, errors=by_field,
                   general=general, **_new_case_context(request, user, case_type))


def _case_context(request: Request, user: User, case_id: int) -> dict[str, Any]:
    with reading(request) as conn:
        case = svc.case_view(conn, user, case_id)
        officers = list_records(conn, "officer", {"subject_code": case["subject_code"]}, 500, 0)["items"]
        notice = preview(conn, user, case_id)
        raw = svc.load_state(conn, case_id).case
        leads = may_lead(user, raw)
        assignees = assignable_users(conn, case["subject_code"]) if leads else []
    prefix = st.CASE_TYPE_PREFIX[case["case_type"]]
    stages = [(code, title) for code, title in load_standard().code_sets["stage"].items()
              if code.startswith(prefix) and code not in st.FIRST_STAGE.values()]
    stage_fields = {code: [name for _, name in st.STAGE_FIELDS[code] if name in STEP_FORM_FIELDS]
                    + (["measure_seq"] if any(p == "measure" for p, _ in st.STAGE_FIELDS[code]) else [])
                    for code, _ in stages}
    return {"case": case, "officers": officers, "stages": stages, "stage_fields": stage_fields,
            "field_kinds": STEP_FORM_FIELDS, "notice": notice, "leads": leads, "assignees": assignees,
            "can_work": can_work_on_case(user, raw) and user.role != "supervisor",
            "can_publish": user.role in PUBLISHERS and can_work_on_case(user, raw)}


def _refusal(request: Request, session: tuple[User, str], err: ApiError) -> Response | None:
    """A refusal of who the user is (401, 403, 404) gets its own page; a refusal of the input is
    shown next to the fields instead (None)."""
    if err.status_code in (401, 403, 404):
        return _render(request, "message.html", session, status_code=err.status_code, message=err.errors[0].message)
    return None


async def _case_action(request: Request, case_id: str, action, schema, form_name: str) -> Response:
    """Post one of the case page's small forms (approve, reassign, revoke, publish) and come back."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    user = session[0]
    try:
        cid = case_id_of(case_id)
        with transaction(request) as conn:
            action(conn, user, cid, schema.model_validate(_clean({k: v for k, v in form.items() if k != "csrf"})))
    except ValidationError as exc:
        errors = from_pydantic(exc.errors(include_url=False), f"案件 LP:{case_id}")
    except ApiError as err:
        refused = _refusal(request, session, err)
        if refused is not None:
            return refused
        errors = err.errors
    else:
        return RedirectResponse(f"/ui/cases/{cid}", status_code=303)
    by_field = {f"{form_name}.{e.field}": e.message for e in errors if e.field}
    general = [e.message for e in errors if not e.field]
    return _render(request, "case_detail.html", session, status_code=422, values={}, errors={},
                   general=[], action_errors=by_field, action_general=general, action_values=form,
                   action_form=form_name, **_case_context(request, user, cid))


@router.post("/cases/{case_id}/steps/{seq}/approve")
async def approve_submit(request: Request, case_id: str, seq: int) -> Response:
    return await _case_action(request, case_id, lambda conn, user, cid, body: approve_step(conn, user, cid, seq, body),
                              ApproveIn, f"approve{seq}")


@router.post("/cases/{case_id}/reassign")
async def reassign_submit(request: Request, case_id: str) -> Response:
    return await _case_action(request, case_id, reassign_case, ReassignIn, "reassign")


@router.post("/cases/{case_id}/revoke")
async def revoke_submit(request: Request, case_id: str) -> Response:
    return await _case_action(request, case_id, svc.end_case, RevokeIn, "revoke")


@router.post("/cases/{case_id}/publicity")
async def publicity_submit(request: Request, case_id: str) -> Response:
    return await _case_action(request, case_id, publish, PublicityIn, "publicity")


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: str) -> Response:
    session = _session(request)
    if session is None:
        return _to_login()
    try:
        context = _case_context(request, session[0], case_id_of(case_id))
    except ApiError as err:
        return _render(request, "message.html", session, status_code=err.status_code, message=err.errors[0].message)
    return _render(request, "case_detail.html", session, values={}, errors={}, general=[], **context)


@router.post("/cases/{case_id}/steps")
async def step_submit(request: Request, case_id: str) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    user = session[0]
    try:
        cid = case_id_of(case_id)
    except ApiError as err:
        return _refusal(request, session, err)
    stage = form.get("stage_code") or ""
    # Only the fields of the chosen stage are sent (the form shows every stage's fields).
    wanted = {"stage_code", "entered_at", "completed_at", "handler_cert_no", "approver_name", "opinion"}
    wanted |= {name for _, name in st.STAGE_FIELDS.get(stage, ())} | {"measure_seq"}
    body = _clean({k: v for k, v in form.items() if k in wanted})
    if "hearing_requested" in body:
        body["hearing_requested"] = body["hearing_requested"] == "true"
    try:
        with transaction(request) as conn:
            svc.add_step(conn, user, cid, StepIn.model_validate(body))
    except ValidationError as exc:
        errors = from_pydantic(exc.errors(include_url=False), f"案件 LP:{cid} 的办案环节")
    except ApiError as err:
        refused = _refusal(request, session, err)
        if refused is not None:
            return refused
        errors = err.errors
    else:
        return RedirectResponse(f"/ui/cases/{cid}", status_code=303)
    by_field, general = _errors_by_field(errors, STEP_FORM_OWN_FIELDS | set(STEP_FORM_FIELDS))
    return _render(request, "case_detail.html", session, status_code=422, values=form, errors=by_field,
                   general=general, **_case_context(request, user, cid))
