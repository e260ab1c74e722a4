"""The authorisation matrix: every role (anonymous too) against every endpoint of the app, API and
web UI, allowed and refused, with unit and region scoping.

The endpoints are read from the app itself, so an endpoint added without a row here fails
``test_every_endpoint_has_a_row``. Each cell runs on fresh records (a write that is allowed
really happens) and checks the status: allowed, 401 (not logged in), 403 (the role may not),
404 (a case out of the user's scope, whose existence is not revealed).
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from service_support import ADMIN, PIPELINE, SECRET, Api, case_body, login, make_resident_id, make_uscc, ok, unique

ROLES = ("anonymous", "officer", "peer", "officer_b", "leader", "leader_b", "reviewer", "supervisor",
         "supervisor_far", "admin", "pipeline")
READERS = ("officer", "peer", "officer_b", "leader", "leader_b", "reviewer", "supervisor", "supervisor_far", "admin")
# Roles to whom the owner officer's case (unit A) does not exist.
OUT_OF_SCOPE = ("peer", "officer_b", "leader_b", "supervisor_far")
PASSWORD = "password-123"


@dataclass
class Cast:
    """Who is who: unit A (the owner's), unit B of the same city, a city bureau, another city."""
    app: Any
    admin: Api
    world: Any
    users: dict[str, str] = field(default_factory=dict)     # role -> username
    apis: dict[str, Api] = field(default_factory=dict)
    ui: dict[str, TestClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)
    b_officers: list[str] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)


def _subject(admin: Api, region: str, name: str) -> str:
    code = make_uscc()
    ok(admin.post("/api/v1/subjects", {"subject_code": code, "subject_name": name, "region_code": region,
                                       "subject_level": "3", "subject_type": "01", "domain_code": "01",
                                       "is_active": True}), 201)
    return code


def _officer(admin: Api, subject: str) -> str:
    cert = f"M{unique():06d}"
    ok(admin.post("/api/v1/officers", {"cert_no": cert, "officer_name": "钱矩阵", "id_no": make_resident_id(),
                                       "subject_code": subject, "cert_valid_from": "2020-01-01",
                                       "cert_valid_to": "2030-12-31", "cert_status": "01"}), 201)
    return cert


@pytest.fixture(scope="module")
def cast(app, client, admin, world) -> Cast:
    c = Cast(app=app, admin=admin, world=world)
    c.subjects = {"A": world.subject, "B": _subject(admin, "440104", "矩阵测试乙单位"),
                  "city": _subject(admin, "440100", "矩阵测试市司法局"),
                  "far": _subject(admin, "440305", "矩阵测试外市单位")}
    c.b_officers = [_officer(admin, c.subjects["B"]), _officer(admin, c.subjects["B"])]
    units = {"officer": ("officer", "A"), "peer": ("officer", "A"), "officer_b": ("officer", "B"),
             "leader": ("leader", "A"), "leader_b": ("leader", "B"), "reviewer": ("legal_reviewer", "A"),
             "supervisor": ("supervisor", "city"), "supervisor_far": ("supervisor", "far")}
    for name, (role, unit) in units.items():
        username = f"mx_{name}_{unique()}"
        ok(admin.post("/api/v1/users", {"username": username, "password": PASSWORD, "role": role,
                                        "subject_code": c.subjects[unit], "full_name": "赵局长"}), 201)
        c.users[name] = username
    c.users["admin"], c.users["pipeline"] = ADMIN[0], PIPELINE[0]
    passwords = {name: PASSWORD for name in units} | {"admin": ADMIN[1], "pipeline": PIPELINE[1]}
    for name, username in c.users.items():
        c.tokens[name] = login(client, username, passwords[name])
        c.apis[name] = Api(client, c.tokens[name])
        ui = TestClient(app, follow_redirects=False)
        r = ui.post("/ui/login", data={"username": username, "password": passwords[name]})
        assert r.status_code == 303, r.text
        c.ui[name] = ui
    c.apis["anonymous"] = Api(client, None)
    c.ui["anonymous"] = TestClient(app, follow_redirects=False)
    c.tokens["anonymous"] = ""
    c.passwords = passwords
    return c


# --- what each cell needs --------------------------------------------------------------------

def owner_case(c: Cast) -> int:
    return ok(c.apis["officer"].post("/api/v1/cases", case_body(c.world)), 201)["id"]


def open_step_case(c: Cast) -> tuple[int, int]:
    """The owner's case with an open C2 step the owner recorded."""
    case_id = owner_case(c)
    seq = ok(c.apis["officer"].post(f"/api/v1/cases/{case_id}/steps", {
        "stage_code": "C2", "entered_at": "2024-03-02T09:00:00+08:00",
        "handler_cert_no": c.world.officers["a"]}), 201)["seq"]
    return case_id, seq


def decided_case(c: Cast) -> int:
    case_id = owner_case(c)
    ok(c.apis["officer"].post(f"/api/v1/cases/{case_id}/steps", {
        "stage_code": "C4", "entered_at": "2024-03-05T09:00:00+08:00", "notified_at": "2024-03-05T10:00:00+08:00"}),
       201)
    ok(c.apis["leader"].post(f"/api/v1/cases/{case_id}/steps", {
        "stage_code": "C5", "entered_at": "2024-03-15T09:00:00+08:00", "decision_no": f"矩阵罚{unique()}号",
        "decision_at": "2024-03-15T10:00:00+08:00", "penalty_kinds": ["03"], "fine_amount": "3000"}), 201)
    return case_id


def csrf(c: Cast, role: str) -> str:
    """The form token of the role's web session (derived from its session cookie, as the UI does)."""
    token = c.ui[role].cookies.get("lp_session")
    if not token:
        return "0" * 32
    return hmac.new(SECRET.encode(), b"csrf|" + token.encode(), hashlib.sha256).hexdigest()[:32]


def new_subject() -> dict:
    return {"subject_code": make_uscc(), "subject_name": f"矩阵新主体{unique()}", "region_code": "440106",
            "subject_level": "3", "subject_type": "01", "domain_code": "01", "is_active": True}


def new_user(role: str = "officer") -> dict:
    return {"username": f"mx_new_{unique()}", "password": PASSWORD, "role": role}


# A request: (method, url, json body or None, form data or None)
Request = tuple[str, str, Any, Any]


@dataclass(frozen=True)
class Row:
    prepare: Callable[[Cast, str], Request]
    allowed: tuple[str, ...]
    status: int = 200
    hidden: tuple[str, ...] = ()          # 404 for these
    anonymous: int = 401                  # what anonymous gets when not allowed
    refused: int = 403

    def expected(self, role: str) -> int:
        if role in self.allowed:
            return self.status
        if role == "anonymous":
            return self.anonymous
        if role in self.hidden:
            return 404
        return self.refused


def api(method: str, url: str, body: Any = None) -> Request:
    return method, url, body, None


def page(method: str, url: str, form: Any = None) -> Request:
    return method, url, None, form


CASE_WRITE_HIDDEN = OUT_OF_SCOPE
UI_LOGIN = dict(anonymous=303)

MATRIX: dict[tuple[str, str], Row] = {
    # --- the JSON API ---------------------------------------------------------------------
    ("GET", "/api/v1/health"): Row(lambda c, r: api("GET", "/api/v1/health"), ROLES),
    ("POST", "/api/v1/auth/token"): Row(
        lambda c, r: api("POST", "/api/v1/auth/token",
                         {"username": c.users.get(r, "nobody"), "password": c.passwords.get(r, "wrong-password")}),
        tuple(x for x in ROLES if x != "anonymous")),
    ("GET", "/api/v1/auth/me"): Row(lambda c, r: api("GET", "/api/v1/auth/me"), ROLES[1:]),
    ("POST", "/api/v1/users"): Row(lambda c, r: api("POST", "/api/v1/users", new_user("admin")), ("admin",), 201),
    ("PUT", "/api/v1/users/{username}"): Row(
        lambda c, r: api("PUT", f"/api/v1/users/{fresh_user(c)}", {"password": "password-456", "role": "admin"}),
        ("admin",)),
    ("GET", "/api/v1/users"): Row(lambda c, r: api("GET", "/api/v1/users"), ("admin",)),
    ("POST", "/api/v1/subjects"): Row(lambda c, r: api("POST", "/api/v1/subjects", new_subject()), ("admin",), 201),
    ("GET", "/api/v1/subjects"): Row(lambda c, r: api("GET", "/api/v1/subjects"), READERS),
    ("GET", "/api/v1/subjects/{subject_code}"): Row(
        lambda c, r: api("GET", f"/api/v1/subjects/{c.subjects['A']}"), READERS),
    ("POST", "/api/v1/officers"): Row(lambda c, r: api("POST", "/api/v1/officers", {
        "cert_no": f"N{unique():06d}", "officer_name": "孙新", "id_no": make_resident_id(), "subject_code": c.subjects["A"],
        "cert_valid_from": "2020-01-01", "cert_valid_to": "2030-12-31", "cert_status": "01"}), ("admin",), 201),
    ("GET", "/api/v1/officers"): Row(lambda c, r: api("GET", "/api/v1/officers"), READERS),
    ("GET", "/api/v1/officers/{cert_no}"): Row(
        lambda c, r: api("GET", f"/api/v1/officers/{c.world.officers['a']}"), READERS),
    ("POST", "/api/v1/items"): Row(lambda c, r: api("POST", "/api/v1/items", {
        "item_code": f"MX-ITEM-{unique()}", "item_name": "矩阵事项", "item_category": "2", "domain_code": "01",
        "legal_basis": "《测试法》第二条", "legal_review_required": False, "valid_from": "2019-01-01"}), ("admin",), 201),
    ("GET", "/api/v1/items"): Row(lambda c, r: api("GET", "/api/v1/items"), READERS),
    ("GET", "/api/v1/items/{item_code}"): Row(lambda c, r: api("GET", f"/api/v1/items/{c.world.items['penalty']}"),
                                              READERS),
    ("POST", "/api/v1/parties"): Row(lambda c, r: api("POST", "/api/v1/parties", {
        "party_type": "1", "party_name": "吴矩阵", "credential_type": "01", "credential_no": make_resident_id()}),
        ("officer", "peer", "officer_b", "leader", "leader_b", "reviewer", "admin"), 201),
    ("GET", "/api/v1/parties"): Row(lambda c, r: api("GET", "/api/v1/parties"), READERS),
    ("GET", "/api/v1/parties/{party_id}"): Row(
        lambda c, r: api("GET", f"/api/v1/parties/{c.world.parties['company']}"), READERS),
    ("POST", "/api/v1/cases"): Row(lambda c, r: api("POST", "/api/v1/cases", case_body(c.world)),
                                   ("officer", "peer", "leader", "admin"), 201),
    ("GET", "/api/v1/cases"): Row(lambda c, r: api("GET", "/api/v1/cases"), READERS),
    ("GET", "/api/v1/cases/{case_id}"): Row(lambda c, r: api("GET", f"/api/v1/cases/{owner_case(c)}"),
                                            ("officer", "leader", "reviewer", "supervisor", "admin"),
                                            hidden=OUT_OF_SCOPE),
    # a leader, a reviewer and a supervisor read it but may not rewrite the officer's record
    ("PATCH", "/api/v1/cases/{case_id}"): Row(
        lambda c, r: api("PATCH", f"/api/v1/cases/{owner_case(c)}", {"case_no": f"更正{unique()}号"}),
        ("officer", "admin"), hidden=CASE_WRITE_HIDDEN),
    ("DELETE", "/api/v1/cases/{case_id}"): Row(lambda c, r: api("DELETE", f"/api/v1/cases/{owner_case(c)}"),
                                               ("admin",)),
    ("POST", "/api/v1/cases/{case_id}/revoke"): Row(
        lambda c, r: api("POST", f"/api/v1/cases/{owner_case(c)}/revoke", {"reason": "误立案"}),
        ("leader", "admin"), hidden=CASE_WRITE_HIDDEN),
    ("POST", "/api/v1/cases/{case_id}/steps"): Row(
        lambda c, r: api("POST", f"/api/v1/cases/{owner_case(c)}/steps",
                         {"stage_code": "C2", "entered_at": "2024-03-02T09:00:00+08:00"}),
        ("officer", "leader", "admin"), 201, hidden=CASE_WRITE_HIDDEN),
    ("PATCH", "/api/v1/cases/{case_id}/steps/{seq}"): Row(
        lambda c, r: api("PATCH", "/api/v1/cases/{0}/steps/{1}".format(*open_step_case(c)),
                         {"completed_at": "2024-03-03T17:00:00+08:00"}),
        ("officer", "admin"), hidden=CASE_WRITE_HIDDEN),
    ("POST", "/api/v1/cases/{case_id}/steps/{seq}/approve"): Row(
        lambda c, r: api("POST", "/api/v1/cases/{0}/steps/{1}/approve".format(*open_step_case(c)),
                         {"approver_name": "赵局长", "opinion": "同意"}),
        ("leader", "admin"), hidden=CASE_WRITE_HIDDEN),
    ("POST", "/api/v1/cases/{case_id}/reassign"): Row(
        lambda c, r: api("POST", f"/api/v1/cases/{owner_case(c)}/reassign", {"username": c.users["peer"]}),
        ("leader", "admin"), hidden=CASE_WRITE_HIDDEN),
    ("POST", "/api/v1/cases/{case_id}/publicity"): Row(
        lambda c, r: api("POST", f"/api/v1/cases/{decided_case(c)}/publicity",
                         {"published_at": "2024-03-20T10:00:00+08:00"}),
        ("officer", "leader", "admin"), 201, hidden=("peer", "officer_b", "leader_b")),
    ("GET", "/api/v1/changes"): Row(lambda c, r: api("GET", "/api/v1/changes?limit=1"), ("pipeline", "admin")),

    # --- the web UI (cookie session; anonymous is sent to the login page) -----------------
    ("GET", "/ui"): Row(lambda c, r: page("GET", "/ui"), ROLES, 303),
    ("GET", "/ui/"): Row(lambda c, r: page("GET", "/ui/"), ROLES, 303),
    ("GET", "/ui/login"): Row(lambda c, r: page("GET", "/ui/login"), ROLES),
    ("POST", "/ui/login"): Row(lambda c, r: page("POST", "/ui/login", {
        "username": c.users.get(r, "nobody"), "password": c.passwords.get(r, "wrong-password")}),
        ROLES[1:], 303),
    ("POST", "/ui/logout"): Row(lambda c, r: page("POST", "/ui/logout"), ROLES, 303),
    ("GET", "/ui/cases"): Row(lambda c, r: page("GET", "/ui/cases"), READERS, **UI_LOGIN),
    ("GET", "/ui/cases/new"): Row(lambda c, r: page("GET", "/ui/cases/new"),
                                  ("officer", "peer", "officer_b", "leader", "leader_b", "admin"), **UI_LOGIN),
    # for unit A: another unit's officer or leader may not register there
    ("POST", "/ui/cases/new"): Row(lambda c, r: page("POST", "/ui/cases/new", _ui_case_form(c, r)),
                                   ("officer", "peer", "leader", "admin"), 303, **UI_LOGIN),
    ("GET", "/ui/cases/{case_id}"): Row(lambda c, r: page("GET", f"/ui/cases/{owner_case(c)}"),
                                        ("officer", "leader", "reviewer", "supervisor", "admin"),
                                        hidden=OUT_OF_SCOPE + ("pipeline",), **UI_LOGIN),
    ("POST", "/ui/cases/{case_id}/steps"): Row(
        lambda c, r: page("POST", f"/ui/cases/{owner_case(c)}/steps",
                          {"csrf": csrf(c, r), "stage_code": "C2", "entered_at": "2024-03-02T09:00"}),
        ("officer", "leader", "admin"), 303, hidden=OUT_OF_SCOPE + ("pipeline",), **UI_LOGIN),
    ("POST", "/ui/cases/{case_id}/steps/{seq}/approve"): Row(
        lambda c, r: page("POST", "/ui/cases/{0}/steps/{1}/approve".format(*open_step_case(c)),
                          {"csrf": csrf(c, r), "approver_name": "赵局长", "opinion": "同意"}),
        ("leader", "admin"), 303, hidden=OUT_OF_SCOPE + ("pipeline",), **UI_LOGIN),
    ("POST", "/ui/cases/{case_id}/reassign"): Row(
        lambda c, r: page("POST", f"/ui/cases/{owner_case(c)}/reassign",
                          {"csrf": csrf(c, r), "username": c.users["peer"]}),
        ("leader", "admin"), 303, hidden=OUT_OF_SCOPE + ("pipeline",), **UI_LOGIN),
    ("POST", "/ui/cases/{case_id}/revoke"): Row(
        lambda c, r: page("POST", f"/ui/cases/{owner_case(c)}/revoke",
                          {"csrf": csrf(c, r), "status": "90", "reason": "误立案"}),
        ("leader", "admin"), 303, hidden=OUT_OF_SCOPE + ("pipeline",), **UI_LOGIN),
    ("POST", "/ui/cases/{case_id}/publicity"): Row(
        lambda c, r: page("POST", f"/ui/cases/{decided_case(c)}/publicity",
                          {"csrf": csrf(c, r), "published_at": "2024-03-20T10:00"}),
        ("officer", "leader", "admin"), 303, hidden=("peer", "officer_b", "leader_b"), **UI_LOGIN),
}


def fresh_user(c: Cast) -> str:
    body = new_user() | {"subject_code": c.subjects["A"]}
    ok(c.admin.post("/api/v1/users", body), 201)
    return body["username"]


def _ui_case_form(c: Cast, role: str) -> dict:
    w = c.world
    return {"csrf": csrf(c, role), "case_type": "2", "subject_code": w.subject, "item_code": w.items["penalty"],
            "case_no": f"矩阵网页案{unique()}号", "source_channel": "01", "region_code": "440106", "procedure": "2",
            "registered_at": "2024-05-06T09:30", "officer_cert_nos": [w.officers["a"], w.officers["b"]],
            "party.party_type": "2", "party.party_name": "某某矩阵有限公司", "party.credential_type": "10",
            "party.credential_no": make_uscc()}   # a party of its own: the shared world stays as it is


def _send(c: Cast, role: str, request: Request):
    method, url, body, form = request
    if url.startswith("/ui"):
        client = c.ui[role]
        if method == "GET":
            return client.get(url)
        if url == "/ui/logout":
            # logging out would end the role's session for the other cells: a fresh session
            fresh = TestClient(c.app, follow_redirects=False)
            return fresh.post(url)
        if url == "/ui/login":
            return TestClient(c.app, follow_redirects=False).post(url, data=form)
        return client.post(url, data=form)
    a = c.apis[role]
    kw = {"json": body} if body is not None else {}
    return a.client.request(method, url, headers=a.headers, **kw)


def _gist(response) -> str:
    text = response.text
    if "<html" in text:
        found = re.search(r'class="errors?">(.*?)</', text, re.S)
        return found.group(1).strip() if found else text[-300:]
    return text[:200]


def _routes(app) -> set[tuple[str, str]]:
    return {(m, r.path) for r in app.routes if isinstance(r, APIRoute) for m in r.methods if m != "HEAD"}


def test_every_endpoint_has_a_row(app):
    routes = _routes(app)
    assert routes - MATRIX.keys() == set(), "endpoints without a row in the authorisation matrix"
    assert MATRIX.keys() - routes == set(), "rows for endpoints the app no longer has"


@pytest.mark.parametrize("endpoint", sorted(MATRIX), ids=lambda e: f"{e[0]} {e[1]}")
def test_matrix(cast, endpoint):
    row = MATRIX[endpoint]
    wrong = []
    for role in ROLES:
        response = _send(cast, role, row.prepare(cast, role))
        want = row.expected(role)
        if response.status_code != want:
            wrong.append(f"{role}: {response.status_code} (expected {want}) {_gist(response)}")
        elif want == 303 and role == "anonymous" and endpoint[1] not in ("/ui", "/ui/", "/ui/logout"):
            assert response.headers["location"] == "/ui/login"
        elif want in (401, 403, 404) and endpoint[1].startswith("/api"):
            code = response.json()["detail"][0]["code"]
            assert code == {401: "TOKEN_INVALID", 403: "FORBIDDEN", 404: "NOT_FOUND"}[want], (role, response.text)
    assert not wrong, "\n".join(wrong)


# --- scoping beyond status codes --------------------------------------------------------------

def _b_case(c: Cast) -> int:
    """A case of unit B (same city as A), entered by B's officer."""
    return ok(c.apis["officer_b"].post("/api/v1/cases", case_body(
        c.world, subject_code=c.subjects["B"], officer_cert_nos=c.b_officers, region_code="440104")), 201)["id"]


def _listed(api_: Api) -> set[int]:
    return {x["id"] for x in ok(api_.get("/api/v1/cases", params={"limit": 500}))["items"]}


def test_lists_are_scoped_by_unit_and_region(cast):
    mine, b_case = owner_case(cast), _b_case(cast)
    assert mine in _listed(cast.apis["officer"]) and b_case not in _listed(cast.apis["officer"])
    assert mine not in _listed(cast.apis["peer"])
    assert mine in _listed(cast.apis["leader"]) and b_case not in _listed(cast.apis["leader"])
    assert b_case in _listed(cast.apis["leader_b"]) and mine not in _listed(cast.apis["leader_b"])
    # the city bureau's supervisor reads every unit of the city, the other city's none of them
    assert {mine, b_case} <= _listed(cast.apis["supervisor"])
    assert ok(cast.apis["supervisor"].get(f"/api/v1/cases/{b_case}"))["subject_code"] == cast.subjects["B"]
    assert not {mine, b_case} & _listed(cast.apis["supervisor_far"])
    # an officer of unit A cannot read unit B's case, nor B's officer A's
    assert cast.apis["officer"].get(f"/api/v1/cases/{b_case}").status_code == 404
    assert cast.apis["officer_b"].get(f"/api/v1/cases/{mine}").status_code == 404


def test_a_supervisor_changes_nothing(cast, counts):
    case_id, seq = open_step_case(cast)
    before = counts.snapshot()
    sup = cast.apis["supervisor"]
    attempts = [sup.post("/api/v1/cases", case_body(cast.world)),
                sup.patch(f"/api/v1/cases/{case_id}", {"case_no": "监督改"}),
                sup.post(f"/api/v1/cases/{case_id}/steps", {"stage_code": "C3", "entered_at": "2024-03-04T09:00:00+08:00"}),
                sup.patch(f"/api/v1/cases/{case_id}/steps/{seq}", {"opinion": "监督意见"}),
                sup.post(f"/api/v1/cases/{case_id}/steps/{seq}/approve", {"approver_name": "监督"}),
                sup.post(f"/api/v1/cases/{case_id}/reassign", {"username": cast.users["peer"]}),
                sup.post(f"/api/v1/cases/{case_id}/revoke", {"reason": "监督撤销"}),
                sup.post("/api/v1/parties", {"party_type": "2", "party_name": "x", "credential_type": "10",
                                             "credential_no": make_uscc()})]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert counts.snapshot() == before


def test_a_leader_approves_and_reassigns_but_never_rewrites_the_officer_record(cast, counts):
    leader, officer, peer = cast.apis["leader"], cast.apis["officer"], cast.apis["peer"]
    case_id, seq = open_step_case(cast)
    before = counts.snapshot()
    r = leader.patch(f"/api/v1/cases/{case_id}", {"case_no": "负责人改写"})
    assert r.status_code == 403 and "case.case_no" in r.json()["detail"][0]["message"]
    r = leader.patch(f"/api/v1/cases/{case_id}/steps/{seq}", {"opinion": "负责人改写意见"})
    assert r.status_code == 403 and r.json()["detail"][0]["code"] == "FORBIDDEN"
    assert counts.snapshot() == before

    approved = ok(leader.post(f"/api/v1/cases/{case_id}/steps/{seq}/approve", {
        "approver_name": "赵局长", "opinion": "同意", "completed_at": "2024-03-03T17:00:00+08:00"}))
    step = next(s for s in approved["steps"] if s["seq"] == seq)
    assert (step["approver_name"], step["opinion"], step["completed_at"]) == ("赵**", "同意", "2024-03-03T17:00:00+08:00")  # a name, masked
    assert step["handler_cert_no"] == cast.world.officers["a"]   # the officer's record as entered
    again = leader.post(f"/api/v1/cases/{case_id}/steps/{seq}/approve", {"approver_name": "钱副局长"})
    assert again.status_code == 422 and again.json()["detail"][0]["code"] == "STEP_APPROVED"

    # reassigned: the new officer handles it, the old one no longer sees it
    bad = leader.post(f"/api/v1/cases/{case_id}/reassign", {"username": cast.users["officer_b"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "username"
    assert ok(leader.post(f"/api/v1/cases/{case_id}/reassign", {"username": cast.users["peer"]}))["assigned_to"] \
        == cast.users["peer"]
    assert officer.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert ok(peer.patch(f"/api/v1/cases/{case_id}", {"case_no": "接手更正"}))["case_no"] == "接手更正"


def test_a_leader_corrects_only_the_decision_they_recorded(cast):
    case_id = decided_case(cast)
    leader = cast.apis["leader"]
    assert ok(leader.patch(f"/api/v1/cases/{case_id}", {"penalty": {"fine_amount": "2500"}}))["penalty"]["fine_amount"] \
        == "2500.00"
    r = leader.patch(f"/api/v1/cases/{case_id}", {"penalty": {"fine_amount": "2600"}, "case_no": "顺便改"})
    assert r.status_code == 403
