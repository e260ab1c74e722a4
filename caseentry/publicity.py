"""The public notice (公示) of a decided penalty (ZF30), masked as the standard says.

A natural person's name and credential number are masked (masking.person_name and
by_credential_type); the names and credit codes of legal persons, other organisations and
individual businesses are public. Any resident-ID number left anywhere in the text is masked
too (resident_id_anywhere), which covers an individual business registered under its owner's ID.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from jiandu.standard import mask_credential, mask_person_name, mask_resident_ids_in_text

from caseentry import stages as st
from caseentry.auth import User
from caseentry.case_rules import CaseState, Refs
from caseentry.cases import load_refs, state_for_user, view_of
from caseentry.changes import ChangeLog
from caseentry.errors import DATE_FUTURE, DATE_ORDER, NOT_DECIDED, REQUIRED, Problems
from caseentry.labels import code_label
from caseentry.masking import NATURAL_PERSON
from caseentry.permissions import PUBLISHERS, require_role
from caseentry.records import case_key
from caseentry.schemas import PublicityIn
from caseentry.thresholds import FUTURE_TOLERANCE_SECONDS
from caseentry.timefmt import cst_date, format_datetime, now as clock_now

PUBLIC_TEXT_MAX = 4000


def public_text(state: CaseState, refs: Refs) -> str:
    pen = state.penalty or {}
    party = refs.party or {}
    name, credential = party.get("party_name", ""), party.get("credential_no", "")
    if party.get("party_type") == NATURAL_PERSON:
        name = mask_person_name(name)
        credential = mask_credential(party.get("credential_type"), credential)
    kinds = "、".join(code_label("penalty_kind", k) for k in pen.get("penalty_kinds") or [])
    lines = [
        "行政处罚决定信息公示",
        f"行政处罚决定书文号：{pen.get('decision_no') or ''}",
        f"当事人：{name}（{code_label('credential_type', party.get('credential_type'))}：{credential}）",
        f"执法主体：{(refs.subject or {}).get('subject_name', '')}（统一社会信用代码：{state.case['subject_code']}）",
        f"违法事项：{(refs.item or {}).get('item_name', '')}",
        "处罚依据：{legal_basis}",
        f"处罚种类：{kinds}",
    ]
    if pen.get("fine_amount"):
        lines.append(f"罚款金额：{pen['fine_amount']} 元")
    if pen.get("confiscation_amount"):
        lines.append(f"没收金额：{pen['confiscation_amount']} 元")
    if pen.get("decision_at"):
        lines.append(f"作出处罚决定日期：{cst_date(pen['decision_at']).isoformat()}")
    template = "\n".join(lines)
    basis = (refs.item or {}).get("legal_basis", "")
    room = PUBLIC_TEXT_MAX - len(template.replace("{legal_basis}", ""))
    if len(basis) > room:
        basis = basis[: max(room - 1, 0)] + "…"
    return mask_resident_ids_in_text(template.replace("{legal_basis}", basis))


def preview(conn: Connection, user: User, case_id: int) -> str | None:
    """The masked notice a decided penalty would get now (None: not a decided penalty)."""
    state = state_for_user(conn, user, case_id, write=False)
    if state.case["case_type"] != "2" or state.case["status"] not in st.DECIDED_STATUSES:
        return None
    return public_text(state, load_refs(conn, state))


def publish(conn: Connection, user: User, case_id: int, body: PublicityIn) -> dict[str, Any]:
    """Record (or re-record, or withdraw) the notice of a decided penalty."""
    require_role(user, PUBLISHERS, "公示案件")
    state = state_for_user(conn, user, case_id, write=True)
    problems = Problems(f"案件 {case_key(case_id)} 的执法公示")
    pen = state.penalty or {}
    if state.case["case_type"] != "2" or state.case["status"] not in st.DECIDED_STATUSES:
        problems.add(None, NOT_DECIDED, "只有已作出决定的行政处罚案件才能公示")
        problems.raise_if_any()
    published, withdrawn = body.published_at, body.withdrawn_at
    if published is None:
        problems.add("published_at", REQUIRED, "为必填项")
    limit = clock_now() + dt.timedelta(seconds=FUTURE_TOLERANCE_SECONDS)
    for name, value in (("published_at", published), ("withdrawn_at", withdrawn)):
        if value is not None and value > limit:
            problems.add(name, DATE_FUTURE, f"（{format_datetime(value)}）晚于当前时间")
    decided = pen.get("decision_at")
    if published is not None and decided is not None and published < decided:
        problems.add("published_at", DATE_ORDER,
                     f"（{format_datetime(published)}）早于处罚决定时间（{format_datetime(decided)}）")
    if published is not None and withdrawn is not None and withdrawn < published:
        problems.add("withdrawn_at", DATE_ORDER, f"（{format_datetime(withdrawn)}）早于公示时间")
    problems.raise_if_any()
    refs = load_refs(conn, state)
    values = {"case_id": case_id, "published_at": published, "withdrawn_at": withdrawn,
              "public_text": public_text(state, refs)}
    log = ChangeLog(conn, user.actor)
    if state.publicity is None:
        state.publicity = log.insert("publicity", values)
    else:
        state.publicity = log.update("publicity", {"case_id": case_id}, values, current=state.publicity)
    return view_of(state, refs)["publicity"]
