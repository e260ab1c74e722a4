"""Helpers for the case-entry service tests: valid identifiers and a small world of reference data."""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, text
from stdnum.cn import uscc

from caseentry.database import normalise_url
from jiandu.standard import resident_id_check_char

SECRET = "test-secret-key-not-for-production"
ADMIN = ("admin", "admin-password-1")
PIPELINE = ("pipeline", "pipeline-password-1")

_counter = itertools.count(1)
_rnd = random.Random(20260301)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def unique() -> int:
    return next(_counter)


def make_uscc() -> str:
    body = "11440106" + "".join(_rnd.choice(_USCC_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_resident_id(birth: str = "19850312") -> str:
    body = "440106" + birth + f"{_rnd.randrange(1000):03d}"
    return body + resident_id_check_char(body)


def bad_check_digit(code: str) -> str:
    """The same code with a wrong last character."""
    last = code[-1]
    return code[:-1] + ("1" if last != "1" else "2")


class Api:
    """A TestClient bound to one user's token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, url: str, **kw):
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url: str, json: Any = None, **kw):
        return self.client.post(url, json=json, headers=self.headers, **kw)

    def patch(self, url: str, json: Any = None, **kw):
        return self.client.patch(url, json=json, headers=self.headers, **kw)

    def put(self, url: str, json: Any = None, **kw):
        return self.client.put(url, json=json, headers=self.headers, **kw)

    def delete(self, url: str, **kw):
        return self.client.delete(url, headers=self.headers, **kw)


def login(client, username: str, password: str) -> str:
    r = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json()


@dataclass
class World:
    """Reference data for one test module: a unit, its officers, items and parties."""
    subject: str
    officers: dict[str, str] = field(default_factory=dict)   # role in the test -> cert_no
    items: dict[str, str] = field(default_factory=dict)
    parties: dict[str, str] = field(default_factory=dict)    # label -> party_id
    credentials: dict[str, str] = field(default_factory=dict)


def build_world(admin: Api) -> World:
    n = unique()
    subject = make_uscc()
    ok(admin.post("/api/v1/subjects", {
        "subject_code": subject, "subject_name": f"测试市场监督管理局{n}", "region_code": "440106",
        "subject_level": "3", "subject_type": "01", "domain_code": "01", "is_active": True}), 201)
    world = World(subject=subject)
    officers = {
        "a": ("2020-01-01", "2030-12-31", "01"),
        "b": ("2020-01-01", "2030-12-31", "01"),
        "expired": ("2015-01-01", "2020-12-31", "04"),
        "suspended": ("2020-01-01", "2030-12-31", "02"),
    }
    for label, (start, end, status) in officers.items():
        cert = f"T{n:04d}{label.upper()}"
        ok(admin.post("/api/v1/officers", {
            "cert_no": cert, "officer_name": f"张{label}", "id_no": make_resident_id(),
            "subject_code": subject, "cert_valid_from": start, "cert_valid_to": end, "cert_status": status}), 201)
        world.officers[label] = cert
    items = {
        "penalty": {"item_category": "2", "fine_min": "1000", "fine_max": "10000", "legal_review_required": False},
        "penalty_review": {"item_category": "2", "legal_review_required": True},
        "inspection": {"item_category": "1", "legal_review_required": False},
        "coercion": {"item_category": "3", "legal_review_required": False},
    }
    for label, extra in items.items():
        code = f"ITEM-{n}-{label}"
        ok(admin.post("/api/v1/items", {
            "item_code": code, "item_name": f"测试事项{label}", "domain_code": "01",
            "legal_basis": "《中华人民共和国测试法》第一条", "valid_from": "2019-01-01", **extra}), 201)
        world.items[label] = code
    person_id = make_resident_id("19900101")
    company = make_uscc()
    for label, body in {
        "person": {"party_type": "1", "party_name": "李小明", "credential_type": "01", "credential_no": person_id},
        "company": {"party_type": "2", "party_name": f"某某贸易有限公司{n}", "credential_type": "10",
                    "credential_no": company},
    }.items():
        world.parties[label] = ok(admin.post("/api/v1/parties", body), 201)["party_id"]
        world.credentials[label] = body["credential_no"]
    return world


def case_body(world: World, case_type: str = "2", **overrides) -> dict[str, Any]:
    item = {"1": "inspection", "2": "penalty", "3": "coercion"}[case_type]
    body: dict[str, Any] = {
        "case_type": case_type, "subject_code": world.subject, "item_code": world.items[item],
        "party_id": world.parties["person"], "source_channel": "01", "region_code": "440106",
        "officer_cert_nos": [world.officers["a"], world.officers["b"]],
        "case_no": f"测试案{unique()}号", "violation_at": "2024-02-20T10:00:00+08:00",
        "found_at": "2024-02-28T15:00:00+08:00", "registered_at": "2024-03-01T09:00:00+08:00",
        "time_limit_extended": False,
    }
    if case_type == "2":
        body["procedure"] = "2"
    if case_type == "1":
        body["inspection"] = {"inspection_kind": "01", "inspected_at": "2024-03-01T10:00:00+08:00"}
    if case_type == "3":
        body["coercion"] = [{"coercion_kind": "1", "measure_code": "03", "started_at": "2024-03-01T11:00:00+08:00",
                             "term_days": 30, "emergency": False, "approved_at": "2024-03-01T10:30:00+08:00"}]
    body.update(overrides)
    return body


# The general procedure, C2..C8, for a fine that needs legal review (8,000 yuan, natural person).
PENALTY_STEPS: list[dict[str, Any]] = [
    {"stage_code": "C2", "entered_at": "2024-03-02T09:00:00+08:00", "completed_at": "2024-03-08T17:00:00+08:00"},
    {"stage_code": "C3", "entered_at": "2024-03-09T09:00:00+08:00", "completed_at": "2024-03-10T17:00:00+08:00",
     "legal_review_at": "2024-03-10T16:00:00+08:00", "approver_name": "王法制", "opinion": "同意"},
    {"stage_code": "C4", "entered_at": "2024-03-11T09:00:00+08:00", "completed_at": "2024-03-18T17:00:00+08:00",
     "notified_at": "2024-03-11T10:00:00+08:00", "hearing_requested": False},
    {"stage_code": "C5", "entered_at": "2024-03-19T09:00:00+08:00", "completed_at": "2024-03-20T17:00:00+08:00",
     "decision_no": "测罚字〔2024〕1号", "decision_at": "2024-03-20T10:00:00+08:00", "penalty_kinds": ["01", "03"],
     "fine_amount": "8000.00", "approver_name": "赵局长"},
    {"stage_code": "C6", "entered_at": "2024-03-21T09:00:00+08:00", "completed_at": "2024-03-25T17:00:00+08:00",
     "served_at": "2024-03-22T10:00:00+08:00", "paid_at": "2024-03-25T11:00:00+08:00", "execution_status": "3"},
    {"stage_code": "C7", "entered_at": "2024-03-28T09:00:00+08:00", "completed_at": "2024-03-28T10:00:00+08:00",
     "closed_at": "2024-03-28T10:00:00+08:00"},
    {"stage_code": "C8", "entered_at": "2024-04-01T09:00:00+08:00", "completed_at": "2024-04-01T10:00:00+08:00",
     "archived_at": "2024-04-01T10:00:00+08:00"},
]


def with_handler(step: dict[str, Any], cert: str) -> dict[str, Any]:
    return {**step, "handler_cert_no": cert}


class Counts:
    """Row counts of every table, to prove a refused request changed nothing."""
    TABLES = ("subject", "officer", "item", "party", "enforcement_case", "inspection", "penalty", "coercion",
              "case_step", "publicity", "change_outbox", "audit_log", "app_user")

    def __init__(self, database_url: str):
        self.engine = create_engine(normalise_url(database_url))

    def snapshot(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            counts = {t: conn.execute(text(f"select count(*) from {t}")).scalar_one() for t in self.TABLES}
            counts["versions"] = conn.execute(text(
                "select coalesce(sum(extract(epoch from record_version)), 0) from enforcement_case")).scalar_one()
        return counts

    def close(self) -> None:
        self.engine.dispose()
