"""The request bodies that enter the universe into LP, the case-entry service.

LP is the only source of ZF01-ZF03, so every unit, officer and item is registered there (the
LG and EX units' too), except the few the universe leaves out on purpose. Then each LP case:
its party (the first time it is seen), the case, its steps in order, its publication, its
revocation. Step, publicity and revoke paths carry the placeholder "{case}": the sender puts
in the id the create call answered for the case named by case_ref.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterator

from jiandu.demo.model import Case, Item, Officer, Party, Step, Subject
from jiandu.demo.universe import Universe

Request = tuple[str, str, dict, "str | None"]   # method, path, JSON body, case_ref
CASE_PLACEHOLDER = "{case}"


def _dt(v: dt.datetime | None) -> str | None:
    return v.strftime("%Y-%m-%dT%H:%M:%S+08:00") if v is not None else None


def _day(v: dt.date | None) -> str | None:
    return v.isoformat() if v is not None else None


def _dec(v: Decimal | None) -> str | None:
    return f"{v:.2f}" if v is not None else None


def _json(v):
    if isinstance(v, dt.datetime):
        return _dt(v)
    if isinstance(v, dt.date):
        return _day(v)
    if isinstance(v, Decimal):
        return _dec(v)
    return v


def subject_body(s: Subject) -> dict:
    return {"subject_code": s.code, "subject_name": s.name, "region_code": s.region_code,
            "subject_level": s.level, "subject_type": s.type, "domain_code": s.domain,
            "parent_subject_code": s.parent_code, "is_active": s.is_active}


def officer_body(o: Officer) -> dict:
    return {"cert_no": o.cert_no, "officer_name": o.name, "id_no": o.id_no, "subject_code": o.subject_code,
            "cert_valid_from": _day(o.valid_from), "cert_valid_to": _day(o.valid_to), "cert_status": o.status}


def item_body(i: Item) -> dict:
    return {"item_code": i.code, "item_name": i.name, "item_category": i.category, "domain_code": i.domain,
            "legal_basis": i.basis, "fine_min": _dec(i.fine_min), "fine_max": _dec(i.fine_max),
            "legal_review_required": i.review, "limitation_years": i.limitation,
            "valid_from": _day(i.valid_from), "valid_to": _day(i.valid_to)}


def party_body(p: Party) -> dict:
    return {"party_type": p.type, "party_name": p.name, "credential_type": p.credential_type,
            "credential_no": p.credential_no, "region_code": p.region_code}


def case_body(c: Case) -> dict:
    body = {"case_type": c.case_type, "subject_code": c.subject.code, "item_code": c.item.code,
            "party_id": c.party.party_id, "source_channel": c.source_channel, "region_code": c.region_code,
            "procedure": c.procedure, "officer_cert_nos": [o.cert_no for o in c.officers], "case_no": c.case_no,
            "violation_at": _dt(c.violation_at), "found_at": _dt(c.found_at), "registered_at": _dt(c.registered_at),
            "time_limit_extended": c.time_limit_extended}
    if c.case_type == "1":
        body["inspection"] = {"inspection_kind": c.inspection.kind}
    elif c.case_type == "2":
        body["penalty"] = {}
    else:
        body["coercion"] = [{"measure_seq": m.seq, "coercion_kind": m.kind, "measure_code": m.code,
                             "started_at": _dt(m.started_at), "term_days": m.term_days, "emergency": m.emergency}
                            for m in c.measures]
    return body


def step_body(s: Step) -> dict:
    body = {"stage_code": s.stage, "entered_at": _dt(s.entered_at), "completed_at": _dt(s.completed_at),
            "handler_cert_no": s.handler.cert_no if s.handler else None, "approver_name": s.approver,
            "opinion": s.opinion}
    for key, value in s.fields.items():
        if value is not None:
            body[key] = _json(value) if not isinstance(value, list) else list(value)
    return body


def reference_requests(u: Universe) -> Iterator[Request]:
    """Units (parents first), then officers and items, all registered except the few left out."""
    for s in u.subjects:
        yield "POST", "/api/v1/subjects", subject_body(s), None
    for o in u.officers:
        if o.registered:
            yield "POST", "/api/v1/officers", officer_body(o), None
    for i in u.items:
        if i.registered:
            yield "POST", "/api/v1/items", item_body(i), None


def case_requests(c: Case, seen_parties: bytearray) -> Iterator[Request]:
    """One LP case: its party when first seen, the create call (which records the first step
    itself), the later steps in order, publicity when published, revocation."""
    if not seen_parties[c.party.index]:
        seen_parties[c.party.index] = 1
        yield "POST", "/api/v1/parties", party_body(c.party), None
    yield "POST", "/api/v1/cases", case_body(c), c.ref
    path = f"/api/v1/cases/{CASE_PLACEHOLDER}"
    published = c.penalty.published_at if c.penalty else None
    for s in c.steps[1:]:
        if published is not None and s.entered_at > published:
            yield "POST", f"{path}/publicity", {"published_at": _dt(published)}, c.ref
            published = None
        yield "POST", f"{path}/steps", step_body(s), c.ref
    if published is not None:
        yield "POST", f"{path}/publicity", {"published_at": _dt(published)}, c.ref
    if c.revoked_at is not None:
        yield "POST", f"{path}/revoke", {"reason": c.revoke_reason, "revoked_at": _dt(c.revoked_at)}, c.ref


def case_request_count(c: Case, seen_parties: bytearray) -> int:
    """len(list(case_requests(c, seen))) without building the bodies."""
    n = 1 + max(0, len(c.steps) - 1)
    if not seen_parties[c.party.index]:
        seen_parties[c.party.index] = 1
        n += 1
    n += c.penalty is not None and c.penalty.published_at is not None
    n += c.revoked_at is not None
    return n


def party_bitmap(u: Universe) -> bytearray:
    return bytearray(u.party_index_bound)


def lp_requests(universe: Universe) -> Iterator[Request]:
    """Every request that enters the universe's LP data, in an order the service accepts."""
    yield from reference_requests(universe)
    seen = party_bitmap(universe)
    for case in universe.iter_cases(("LP",)):
        yield from case_requests(case, seen)


def reference_request_count(u: Universe) -> int:
    return len(u.subjects) + sum(o.registered for o in u.officers) + sum(i.registered for i in u.items)
