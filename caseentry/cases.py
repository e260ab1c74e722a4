"""Cases: registering, correcting, recording steps, deleting; and how the API shows them.

Each operation runs in the caller's (one request's) transaction: it locks the case row, builds
the case as it would be after the change, judges it whole (case_rules), and only then writes the
differences through ChangeLog (versions, audit, change feed). A refused request writes nothing.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, text

from jiandu.standard import load_standard

from caseentry import stages as st
from caseentry import tables as t
from caseentry.auth import User
from caseentry.case_rules import CaseState, Refs, cert_invalid_reason, legal_review_needed, validate_case
from caseentry.changes import ChangeLog
from caseentry.errors import (
    CASE_CLOSED, CODE_UNKNOWN, DATE_ORDER, DUPLICATE, EXTENSION_ONCE, FIELD_TYPE, NOT_APPLICABLE,
    REFERENCE_MISSING, REQUIRED, STAGE_MISSING, STAGE_ORDER, STAGE_REPEATED, CERT_INVALID, TOO_LONG,
    ApiError, Problems, forbidden, not_found,
)
from caseentry.labels import code_label
from caseentry.masking import mask_record
from caseentry.permissions import (
    CASE_CREATORS, can_read_case, can_work_on_case, case_scope, may_correct_case, may_correct_step,
    may_record_stage, require_role,
)
from caseentry.records import case_key, to_standard
from caseentry.reference import normalise_code, public
from caseentry.rowjson import decode_row, decode_rows, parse
from caseentry.schemas import CaseIn, CasePatch, CoercionIn, RevokeIn, StepIn, StepPatch
from caseentry.timefmt import cst_date, format_datetime, now as clock_now
from caseentry.validation import check_fields

# ZF10 fields a case body sets (the rest are the service's: id, status, closed/archived, source)
CASE_INPUT_FIELDS = ("case_no", "case_type", "subject_code", "item_code", "party_id", "source_channel",
                     "region_code", "procedure", "officer_cert_nos", "violation_at", "found_at",
                     "registered_at", "time_limit_extended")
CASE_PATCH_FIELDS = tuple(f for f in CASE_INPUT_FIELDS if f not in ("case_type", "subject_code")) + ("closed_at",)
STEP_OWN_FIELDS = ("stage_code", "entered_at", "completed_at", "handler_cert_no", "approver_name", "opinion")


# --- loading ----------------------------------------------------------------------------------

def load_state(conn: Connection, case_id: int, *, lock: bool = False) -> CaseState | None:
    """The case and all its parts, in one round trip (see rowjson.py for why)."""
    # The case row is the lock of the whole case: every change to any of its parts takes it
    # first, so two requests on one case run one after the other.
    row = conn.execute(text(_STATE_SQL + (" for update of c" if lock else "")), {"id": case_id}).mappings().first()
    return None if row is None else _state_of(row)


def _state_of(row) -> CaseState:
    case = {k: v for k, v in row.items() if not k.startswith(("_part_", "_ref_"))}
    return CaseState(case=case,
                     inspection=decode_row(t.inspection, parse(row["_part_inspection"])),
                     penalty=decode_row(t.penalty, parse(row["_part_penalty"])),
                     coercion=decode_rows(t.coercion, parse(row["_part_coercion"])),
                     steps=decode_rows(t.case_step, parse(row["_part_steps"])),
                     publicity=decode_row(t.publicity, parse(row["_part_publicity"])))


# JSON travels as text so that rowjson parses numbers as Decimal (psycopg's jsonb loader would
# give floats); the case row itself keeps its column types.
_STATE_SQL = """
    select c.*,
      (select to_jsonb(x)::text from inspection x where x.case_id = c.id) as _part_inspection,
      (select to_jsonb(x)::text from penalty x where x.case_id = c.id) as _part_penalty,
      (select jsonb_agg(to_jsonb(x) order by x.measure_seq)::text from coercion x where x.case_id = c.id)
        as _part_coercion,
      (select jsonb_agg(to_jsonb(x) order by x.seq)::text from case_step x where x.case_id = c.id) as _part_steps,
      (select to_jsonb(x)::text from publicity x where x.case_id = c.id) as _part_publicity
    from enforcement_case c where c.id = :id"""

# What the API shows of a case: its parts and the names it points to, in one round trip.
_VIEW_SQL = _STATE_SQL.replace("    from enforcement_case c", """,
      (select to_jsonb(x)::text from subject x where x.subject_code = c.subject_code) as _ref_subject,
      (select to_jsonb(x)::text from item x where x.item_code = c.item_code) as _ref_item,
      (select to_jsonb(x)::text from party x where x.party_id = c.party_id) as _ref_party,
      (select x.username from app_user x where x.id = c.assigned_to) as _ref_assignee
    from enforcement_case c""")

_REFS_SQL = """
    select (select to_jsonb(x)::text from subject x where x.subject_code = :subject) as subject,
           (select to_jsonb(x)::text from item x where x.item_code = :item) as item,
           (select to_jsonb(x)::text from party x where x.party_id = :party) as party,
           (select jsonb_agg(to_jsonb(x))::text from officer x where x.cert_no = any(:certs)) as officers"""


def load_refs(conn: Connection, state: CaseState) -> Refs:
    """The reference data the case points to, in one round trip."""
    c = state.case
    certs = set(c.get("officer_cert_nos") or []) | {s["handler_cert_no"] for s in state.steps if s.get("handler_cert_no")}
    row = conn.execute(text(_REFS_SQL), {
        "subject": c.get("subject_code") or None, "item": c.get("item_code") or None,
        "party": c.get("party_id") or None, "certs": sorted(certs)}).mappings().one()
    officers = {o["cert_no"]: o for o in decode_rows(t.officer, parse(row["officers"]))}
    refs = Refs(subject=decode_row(t.subject, parse(row["subject"])), item=decode_row(t.item, parse(row["item"])),
                party=decode_row(t.party, parse(row["party"])), officers=officers)
    return refs


def _readable(user: User, case_id: int, state: CaseState | None) -> CaseState:
    # A case the user may not read is reported missing, so its existence is not revealed.
    if state is None or not can_read_case(user, state.case):
        raise not_found(f"案件 {case_key(case_id)}")
    return state


def state_for_user(conn: Connection, user: User, case_id: int, *, write: bool) -> CaseState:
    state = _readable(user, case_id, load_state(conn, case_id, lock=write))
    if write and not can_work_on_case(user, state.case):
        raise forbidden(f"当前账号（{user.username}）无权办理案件 {case_key(case_id)}")
    return state


# --- writing ----------------------------------------------------------------------------------

def _columns(values: dict[str, Any], table) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k in table.c and k not in ("record_version", "id", "created_at")}


def _save(conn: Connection, user: User, old: CaseState | None, new: CaseState) -> int:
    log = ChangeLog(conn, user.actor)
    if old is None:
        case_id = log.insert("case", _columns(new.case, t.enforcement_case))["id"]
    else:
        case_id = new.case["id"]
        log.update("case", {"id": case_id}, _columns(new.case, t.enforcement_case), current=old.case)
    for part, table in (("inspection", t.inspection), ("penalty", t.penalty)):
        values = getattr(new, part)
        if values is None:
            continue
        values = _columns({**values, "case_id": case_id}, table)
        if part == "penalty":
            # lists are never null in the table: absent is empty
            values["penalty_kinds"] = values.get("penalty_kinds") or []
            values["flags"] = values.get("flags") or []
        before = getattr(old, part) if old else None
        if before is None:
            log.insert(part, values)
        else:
            log.update(part, {"case_id": case_id}, values, current=before)
    old_measures = {m["measure_seq"]: m for m in (old.coercion if old else [])}
    for m in new.coercion:
        values = _columns({**m, "case_id": case_id}, t.coercion)
        before = old_measures.get(m["measure_seq"])
        if before is None:
            log.insert("coercion", values)
        else:
            log.update("coercion", {"case_id": case_id, "measure_seq": m["measure_seq"]}, values, current=before)
    old_steps = {s["seq"]: s for s in (old.steps if old else [])}
    for s in new.steps:
        values = _columns({**s, "case_id": case_id}, t.case_step)
        before = old_steps.get(s["seq"])
        if before is None:
            log.insert("case_step", values)
        else:
            log.update("case_step", {"case_id": case_id, "seq": s["seq"]}, values, current=before)
    return case_id


def _merge_measures(state: CaseState, items: list[CoercionIn], problems: Problems, changed: set[str],
                    *, prefix: str = "coercion") -> None:
    """Add new measures, or correct existing ones named by measure_seq."""
    by_seq = {m["measure_seq"]: m for m in state.coercion}
    next_seq = max(by_seq, default=0) + 1
    for i, item in enumerate(items):
        given = item.given()
        path = f"{prefix}[{i}]."
        seq = given.pop("measure_seq", None)
        if seq is not None and seq < 1:
            problems.add(path + "measure_seq", FIELD_TYPE, "须为正整数（从 1 开始）")
            continue
        if seq is not None and seq in by_seq:
            measure = by_seq[seq]
            if measure.get("_path", "").startswith(prefix + "[") and measure.get("_fresh"):
                problems.add(path + "measure_seq", DUPLICATE, f"在本次请求中重复（{seq}）")
                continue
            measure.update(given)
        else:
            if seq is None:
                seq = next_seq
            measure = {name: None for name in CoercionIn.model_fields if name != "measure_seq"}
            measure.update(given, measure_seq=seq, _fresh=True)
            if measure.get("emergency") is None:
                measure["emergency"] = False
            state.coercion.append(measure)
            by_seq[seq] = measure
        next_seq = max(next_seq, seq + 1)
        measure["_path"] = path
        changed.update(f"coercion.{k}" for k in given)


def _first_step(case: dict[str, Any], refs: Refs, body: CaseIn) -> dict[str, Any] | None:
    stage = st.FIRST_STAGE.get(case.get("case_type") or "")
    registered = case.get("registered_at")
    if stage is None or registered is None:
        return None
    certs = case.get("officer_cert_nos") or []
    day = cst_date(registered)
    # The handler of the filing is the first listed officer whose certificate is valid that day.
    handler = next((n for n in certs if cert_invalid_reason(refs.officers.get(n), day) is None), None)
    return {"seq": 1, "stage_code": stage, "entered_at": registered, "completed_at": registered,
            "handler_cert_no": handler, "approver_name": body.approver_name, "opinion": body.opinion,
            "created_by": case.get("created_by"), "_new": True}


def create_case(conn: Connection, user: User, body: CaseIn) -> int:
    require_role(user, CASE_CREATORS, "登记案件")
    problems = Problems("新案件" + (f"（案号 {body.case_no}）" if body.case_no else ""))
    case = {name: getattr(body, name) for name in CASE_INPUT_FIELDS}
    case["subject_code"] = normalise_code(case["subject_code"])
    if case["officer_cert_nos"] is not None:
        case["officer_cert_nos"] = list(dict.fromkeys(normalise_code(n) for n in case["officer_cert_nos"]))
    if case["time_limit_extended"] is None:
        case["time_limit_extended"] = False
    if user.role != "admin" and case["subject_code"] != user.subject_code:
        raise forbidden(f"只能为本单位（{user.subject_code}）登记案件")
    case.update(id=None, status=st.OPEN, closed_at=None, archived_at=None, created_by=user.id, assigned_to=user.id)

    state = CaseState(case=case)
    if body.inspection is not None:
        state.inspection = body.inspection.model_dump()
    if case["case_type"] == "2" or body.penalty is not None:
        state.penalty = body.penalty.model_dump() if body.penalty is not None else {}
        state.penalty.setdefault("flags", [])
    changed: set[str] = set()
    if body.coercion:
        _merge_measures(state, body.coercion, problems, changed)
    refs = load_refs(conn, state)
    first = _first_step(case, refs, body)
    if first is not None:
        state.steps.append(first)
    check_fields(problems, "case_step", {"approver_name": body.approver_name, "opinion": body.opinion})
    validate_case(state, refs, problems, changed=None)
    problems.raise_if_any()
    return _save(conn, user, None, state)


def patch_case(conn: Connection, user: User, case_id: int, body: CasePatch) -> None:
    state = state_for_user(conn, user, case_id, write=True)
    problems = Problems(f"案件 {case_key(case_id)}")
    status = state.case["status"]
    if status == st.ARCHIVED:
        problems.add(None, CASE_CLOSED, "已归档的案件不能更正")
        problems.raise_if_any()
    new = state.copy()
    changed: set[str] = set()
    given = body.given()
    for name in CASE_PATCH_FIELDS:
        if name not in given:
            continue
        value = given[name]
        if name == "officer_cert_nos" and value is not None:
            value = list(dict.fromkeys(normalise_code(n) for n in value))
        if name == "time_limit_extended" and value is None:
            value = False
        new.case[name] = value
        changed.add(f"case.{name}")
    if "registered_at" in given and new.steps:
        # The filing step is the registration itself: it moves with it.
        first = new.steps[0]
        if first["entered_at"] == state.case["registered_at"]:
            first["entered_at"] = new.case["registered_at"]
            if first["completed_at"] == state.case["registered_at"]:
                first["completed_at"] = new.case["registered_at"]
    for part in ("inspection", "penalty"):
        sub = getattr(body, part)
        if part in given and sub is not None:
            values = getattr(new, part)
            if values is None:
                values = {"flags": []} if part == "penalty" else {}
                setattr(new, part, values)
            values.update(sub.given())
            changed.update(f"{part}.{k}" for k in sub.given())
    if body.coercion:
        _merge_measures(new, body.coercion, problems, changed)
    _check_correction_rights(user, state, changed)
    refs = load_refs(conn, new)
    validate_case(new, refs, problems, changed=changed)
    problems.raise_if_any()
    _save(conn, user, state, new)


def _check_correction_rights(user: User, state: CaseState, changed: set[str]) -> None:
    """Whoever handles the case corrects it; anyone else (a leader, a legal reviewer) only the acts
    of the stages they recorded themselves (a leader their decision), never the officer's record."""
    if may_correct_case(user, state.case):
        return
    mine = {s["stage_code"] for s in state.steps if s.get("created_by") == user.id}
    for name in sorted(changed):
        part, _, field = name.partition(".")
        if not mine.intersection(st.FIELD_OWNERS.get((part, field), ())):
            raise forbidden(f"当前账号（{user.username}）不能更正案件 {case_key(state.case['id'])} 的“{name}”："
                            "该内容由承办的执法人员记录；负责人可审批环节、改派或撤销案件，但不改写执法人员的记录")


def end_case(conn: Connection, user: User, case_id: int, body: RevokeIn) -> None:
    """Revoke a case (90 撤销) or record that it is not filed (91 不予立案), with a reason."""
    state = state_for_user(conn, user, case_id, write=True)
    if user.role not in ("leader", "admin"):
        raise forbidden(f"当前账号（{user.username}）的角色无权撤销案件：撤销或不予立案须由负责人办理")
    problems = Problems(f"案件 {case_key(case_id)}")
    status = body.status or st.REVOKED
    current = state.case["status"]
    if status not in st.ENDING_STATUSES:
        problems.add("status", CODE_UNKNOWN, "只能是 90（已撤销）或 91（不予立案）")
    elif current not in st.ENDING_STATUSES[status]:
        problems.add("status", CASE_CLOSED, f"案件状态为“{code_label('case_status', current)}”，"
                                            f"不能改为“{code_label('case_status', status)}”")
    elif status == st.NOT_FILED and len(state.steps) > 1:
        problems.add("status", CASE_CLOSED, "案件已进入立案后的环节，不能改为不予立案，只能撤销")
    if not body.reason:
        problems.add("reason", REQUIRED, "为必填项：须写明撤销或不予立案的理由", title="理由")
    elif len(body.reason) > 500:
        problems.add("reason", TOO_LONG, f"超过 500 个字符（现为 {len(body.reason)} 个）", title="理由")
    when = body.revoked_at or clock_now()
    if when < state.case["registered_at"]:
        problems.add("revoked_at", DATE_ORDER, f"（{format_datetime(when)}）早于立案时间", title="撤销时间")
    problems.raise_if_any()
    new = state.copy()
    new.case.update(status=status, revoked_at=when, revoke_reason=body.reason)
    validate_case(new, load_refs(conn, new), problems, changed={"case.status"})
    problems.raise_if_any()
    _save(conn, user, state, new)


def add_step(conn: Connection, user: User, case_id: int, body: StepIn) -> int:
    state = state_for_user(conn, user, case_id, write=True)
    case = state.case
    stage = body.stage_code
    problems = Problems(f"案件 {case_key(case_id)} 的{'“' + code_label('stage', stage) + '”' if stage else ''}环节")
    if not stage:
        problems.add("stage_code", REQUIRED, "为必填项")
        problems.raise_if_any()
    if stage not in load_standard().code_sets["stage"]:
        problems.add("stage_code", CODE_UNKNOWN, f"“{stage}”不是标准中的环节代码")
        problems.raise_if_any()
    if not st.belongs_to(case["case_type"], stage):
        problems.add("stage_code", NOT_APPLICABLE,
                     f"“{stage}”不是{code_label('case_type', case['case_type'])}案件的环节")
        problems.raise_if_any()
    if not may_record_stage(user, case, stage):
        raise forbidden(f"当前账号（{user.username}）的角色无权记录“{code_label('stage', stage)}”环节")
    _stage_allowed(state, stage, problems)
    problems.raise_if_any()

    given = {k: v for k, v in body.given().items()}
    allowed = {name for _, name in st.STAGE_FIELDS[stage]} | set(STEP_OWN_FIELDS)
    if stage in st.MEASURE_STAGES:
        allowed.add("measure_seq")
    default = st.STAGE_TIME_DEFAULTS.get(stage)
    if default and given.get(default) is None:
        given[default] = body.completed_at or body.entered_at
    for name, value in given.items():
        if name not in allowed and value not in (None, []):
            problems.add(name, NOT_APPLICABLE, f"不是“{code_label('stage', stage)}”环节记录的内容")
    for name in ("entered_at",) + st.STAGE_REQUIRES.get(stage, ()):
        if given.get(name) in (None, []):
            problems.add(name, REQUIRED, f"记录“{code_label('stage', stage)}”环节时为必填项")
    problems.raise_if_any()

    new = state.copy()
    new.paths = {"case": "", "inspection": "", "penalty": ""}
    changed: set[str] = set()
    for part, name in st.STAGE_FIELDS[stage]:
        if name not in given:
            continue
        value = given[name]
        if part == "case":
            new.case[name] = value
        elif part in ("penalty", "inspection"):
            values = getattr(new, part)
            if values is None:
                values = {"flags": []} if part == "penalty" else {}
                setattr(new, part, values)
            values[name] = value
        elif part == "measure":
            _apply_to_measure(new, body.measure_seq, name, value, problems)
        elif part == "measures" and value:
            _merge_measures(new, body.coercion, problems, changed)
            continue
        changed.add(f"{'coercion' if part == 'measure' else part}.{name}")
    if body.measure_seq is not None and stage in st.MEASURE_STAGES and not problems.has("measure_seq") \
            and not any(m["measure_seq"] == body.measure_seq for m in new.coercion):
        problems.add("measure_seq", REFERENCE_MISSING, f"本案没有序号为 {body.measure_seq} 的强制措施")
    if stage in st.STAGE_STATUS and case["status"] != st.STAGE_STATUS[stage]:
        new.case["status"] = st.STAGE_STATUS[stage]
        changed.add("case.status")

    refs = load_refs(conn, new)
    _decision_prerequisites(new, refs, stage, problems)
    step = {"seq": max((s["seq"] for s in state.steps), default=0) + 1, "stage_code": stage,
            "entered_at": body.entered_at, "completed_at": body.completed_at,
            "handler_cert_no": normalise_code(body.handler_cert_no), "approver_name": body.approver_name,
            "opinion": body.opinion, "created_by": user.id, "_new": True}
    if step["handler_cert_no"] and step["handler_cert_no"] not in refs.officers:
        refs.officers.update({r["cert_no"]: dict(r) for r in conn.execute(
            select(t.officer).where(t.officer.c.cert_no == step["handler_cert_no"])).mappings()})
    _check_step(state, step, refs, problems)
    new.steps.append(step)
    validate_case(new, refs, problems, changed=changed)
    problems.raise_if_any()
    _save(conn, user, state, new)
    return step["seq"]


def _stage_allowed(state: CaseState, stage: str, problems: Problems) -> None:
    status = state.case["status"]
    if status in st.FINAL_STATUSES or (status == st.CLOSED and stage != "C8"):
        problems.add("stage_code", CASE_CLOSED,
                     f"案件状态为“{code_label('case_status', status)}”，不能再记录“{code_label('stage', stage)}”环节")
        return
    recorded = state.stages()
    if stage in st.ONCE and stage in recorded:
        problems.add("stage_code", STAGE_REPEATED, f"“{code_label('stage', stage)}”环节已记录，不能重复记录")
        return
    # Penalty (P01) and inspection stages go forward; coercion measures run side by side.
    if state.case["case_type"] in ("1", "2") and recorded:
        latest = max(recorded, key=st.stage_number)
        if st.stage_number(stage) < st.stage_number(latest):
            problems.add("stage_code", STAGE_ORDER,
                         f"“{code_label('stage', stage)}”（{stage}）不能排在已记录的"
                         f"“{code_label('stage', latest)}”（{latest}）之后")


def _apply_to_measure(state: CaseState, seq: int | None, name: str, value: Any, problems: Problems) -> None:
    measure = next((m for m in state.coercion if m["measure_seq"] == seq), None)
    if measure is None:
        problems.add("measure_seq", REFERENCE_MISSING, f"本案没有序号为 {seq} 的强制措施")
        return
    if name == "extended_days" and measure.get("extended_days") is not None:
        problems.add("extended_days", EXTENSION_ONCE, f"措施 {seq} 已延长过一次，不能再次延长（行政强制法第二十五条）")
        return
    measure[name] = value
    measure["_path"] = ""


def _decision_prerequisites(state: CaseState, refs: Refs, stage: str, problems: Problems) -> None:
    """No C5 without a C4 step before it (general procedure), nor without a C3 step when legal
    review is required (P01, P02)."""
    if stage != "C5":
        return
    recorded = state.stages()
    if state.case.get("procedure") in ("2", "3") and "C4" not in recorded:
        problems.add("stage_code", STAGE_MISSING, "作出决定前须先记录“告知、听证与申辩”环节（C4）")
    why = legal_review_needed(state.penalty or {}, refs)
    if why and "C3" not in recorded:
        problems.add("stage_code", STAGE_MISSING, f"{why}，作出决定前须先记录“审核”环节（C3）")


def _check_step(state: CaseState, step: dict[str, Any], refs: Refs, problems: Problems) -> None:
    check_fields(problems, "case_step", {k: step[k] for k in ("approver_name", "opinion", "handler_cert_no")})
    entered, completed = step["entered_at"], step["completed_at"]
    if entered is not None and completed is not None and completed < entered:
        problems.add("completed_at", DATE_ORDER,
                     f"（{format_datetime(completed)}）早于进入环节时间（{format_datetime(entered)}）")
    if state.steps and entered is not None:
        last = max(state.steps, key=lambda s: s["entered_at"])
        if entered < last["entered_at"]:
            problems.add("entered_at", DATE_ORDER,
                         f"（{format_datetime(entered)}）早于上一环节“{code_label('stage', last['stage_code'])}”"
                         f"的进入时间（{format_datetime(last['entered_at'])}）")
    _check_handler(step, refs, problems)


def _check_handler(step: dict[str, Any], refs: Refs, problems: Problems) -> None:
    """P04: the handler's certificate valid on every day of the step (a validity period is one
    interval, so its first and last day decide)."""
    cert = step.get("handler_cert_no")
    if not cert:
        return
    officer = refs.officers.get(cert)
    if officer is None:
        problems.add("handler_cert_no", REFERENCE_MISSING, f"“{cert}”不是已登记的执法证号")
        return
    for moment in (step.get("entered_at"), step.get("completed_at")):
        if moment is None:
            continue
        why = cert_invalid_reason(officer, cst_date(moment))
        if why:
            problems.add("handler_cert_no", CERT_INVALID, f"“{cert}”的执法证在办理期间无效：{why}")
            return


def patch_step(conn: Connection, user: User, case_id: int, seq: int, body: StepPatch) -> None:
    """Complete an open step, or correct its approver and opinion."""
    state = state_for_user(conn, user, case_id, write=True)
    problems = Problems(f"案件 {case_key(case_id)} 的第 {seq} 个环节")
    old = next((s for s in state.steps if s["seq"] == seq), None)
    if old is None:
        raise not_found(f"案件 {case_key(case_id)} 的第 {seq} 个环节")
    if state.case["status"] == st.ARCHIVED:
        problems.add(None, CASE_CLOSED, "已归档的案件不能更正")
        problems.raise_if_any()
    if not may_record_stage(user, state.case, old["stage_code"]):
        raise forbidden(f"当前账号（{user.username}）的角色无权办理“{code_label('stage', old['stage_code'])}”环节")
    if not may_correct_step(user, old):
        raise forbidden(f"当前账号（{user.username}）不能更正他人记录的环节（第 {seq} 个）："
                        "负责人请使用“审批”签署审批人和意见")
    new = state.copy()
    step = next(s for s in new.steps if s["seq"] == seq)
    step.update(body.given())
    step["_new"] = True  # judge its times like a new step's
    check_fields(problems, "case_step", {k: step[k] for k in ("approver_name", "opinion")})
    if step["completed_at"] is not None and step["completed_at"] < step["entered_at"]:
        problems.add("completed_at", DATE_ORDER,
                     f"（{format_datetime(step['completed_at'])}）早于进入环节时间（{format_datetime(step['entered_at'])}）")
    refs = load_refs(conn, new)
    if "completed_at" in body.given():
        _check_handler({**step, "entered_at": None}, refs, problems)
    validate_case(new, refs, problems, changed=set())
    problems.raise_if_any()
    step.pop("_new")
    _save(conn, user, state, new)


def delete_case(conn: Connection, user: User, case_id: int) -> None:
    """Delete a case entered by mistake (admin only, not once decided or closed). The change feed
    publishes a delete for the case and for each of its parts."""
    require_role(user, ("admin",), "删除案件")
    state = load_state(conn, case_id, lock=True)
    if state is None:
        raise not_found(f"案件 {case_key(case_id)}")
    if state.case["status"] not in (st.OPEN, st.REVOKED, st.NOT_FILED):
        raise ApiError(422, _closed(case_id, state))
    log = ChangeLog(conn, user.actor)
    if state.publicity:
        log.delete("publicity", {"case_id": case_id})
    for s in state.steps:
        log.delete("case_step", {"case_id": case_id, "seq": s["seq"]})
    for m in state.coercion:
        log.delete("coercion", {"case_id": case_id, "measure_seq": m["measure_seq"]})
    if state.penalty:
        log.delete("penalty", {"case_id": case_id})
    if state.inspection:
        log.delete("inspection", {"case_id": case_id})
    log.delete("case", {"id": case_id})


def _closed(case_id: int, state: CaseState):
    p = Problems(f"案件 {case_key(case_id)}")
    p.add(None, CASE_CLOSED, f"案件状态为“{code_label('case_status', state.case['status'])}”，不能删除；"
                             "已作出决定的案件只能撤销")
    return p.errors


# --- reading ----------------------------------------------------------------------------------

def load_view(conn: Connection, case_id: int) -> tuple[CaseState, Refs] | None:
    """The case with the names it points to, in one round trip; officers are not shown, so
    not loaded (``Refs.officers`` is empty)."""
    row = conn.execute(text(_VIEW_SQL), {"id": case_id}).mappings().first()
    if row is None:
        return None
    return _state_of(row), Refs(
        subject=decode_row(t.subject, parse(row["_ref_subject"])), item=decode_row(t.item, parse(row["_ref_item"])),
        party=decode_row(t.party, parse(row["_ref_party"])), officers={}, assignee=row["_ref_assignee"])


def case_view(conn: Connection, user: User, case_id: int) -> dict[str, Any]:
    loaded = load_view(conn, case_id)
    _readable(user, case_id, loaded[0] if loaded else None)
    state, refs = loaded
    view = view_of(state, refs)
    view["assigned_to"] = refs.assignee
    return view


def view_of(state: CaseState, refs: Refs) -> dict[str, Any]:
    """The whole case as the API shows it: standard form, personal data masked."""
    out = {"id": state.case["id"], **mask_record("case", to_standard("case", state.case))}
    out["subject_name"] = refs.subject["subject_name"] if refs.subject else None
    out["item_name"] = refs.item["item_name"] if refs.item else None
    out["party"] = public("party", refs.party) if refs.party else None
    out["inspection"] = public("inspection", state.inspection) if state.inspection else None
    out["penalty"] = public("penalty", state.penalty) if state.penalty else None
    out["coercion"] = [public("coercion", m) for m in state.coercion]
    out["steps"] = [public("case_step", s) for s in state.steps]
    out["publicity"] = public("publicity", state.publicity) if state.publicity else None
    return out


def list_cases(conn: Connection, user: User, filters: dict[str, Any], limit: int, offset: int) -> dict[str, Any]:
    c = t.enforcement_case.c
    where = [case_scope(user)] + [c[k] == v for k, v in filters.items() if v is not None]
    total = conn.execute(select(func.count()).select_from(t.enforcement_case).where(*where)).scalar_one()
    rows = conn.execute(select(t.enforcement_case).where(*where).order_by(c.id.desc())
                        .limit(limit).offset(offset)).mappings()
    items = [{"id": r["id"], **mask_record("case", to_standard("case", r))} for r in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}
