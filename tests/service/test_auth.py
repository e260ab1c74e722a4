"""Logging in, tokens, the role matrix, and the audit trail."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from caseentry.auth import issue_token
from caseentry.database import normalise_url
from caseentry.users import ensure_user

from service_support import SECRET
from service_support import Api, case_body, login, make_uscc, ok


def _code(r) -> str:
    return r.json()["detail"][0]["code"]


def test_token_shape(client, admin):
    r = client.post("/api/v1/auth/token", json={"username": "admin", "password": "admin-password-1"})
    body = ok(r)
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600 and body["access_token"]


@pytest.mark.parametrize("username,password", [("admin", "wrong-password"), ("nobody", "whatever-123"), ("admin", "")])
def test_bad_credentials_refused(client, admin, username, password):
    r = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 401 and _code(r) == "TOKEN_INVALID"


def test_requests_without_a_valid_token_refused(client, admin, db_url):
    me = ok(admin.get("/api/v1/auth/me"))
    expired = issue_token(SECRET, me["id"], 0, 60, now=time.time() - 3600)
    forged = issue_token("another-secret", me["id"], 0, 3600)
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer not-a-token"},
                    {"Authorization": f"Bearer {expired}"}, {"Authorization": f"Bearer {forged}"},
                    {"Authorization": f"Basic {admin.headers['Authorization'].split()[1]}"}):
        r = client.get("/api/v1/cases", headers=headers)
        assert r.status_code == 401, headers
        assert _code(r) == "TOKEN_INVALID" and r.headers["www-authenticate"] == "Bearer"


def test_a_password_reset_revokes_earlier_tokens(client, db_url):
    ensure_user(db_url, "resetme", "first-password", "pipeline")
    old = Api(client, login(client, "resetme", "first-password"))
    assert old.get("/api/v1/changes", params={"limit": 1}).status_code == 200
    ensure_user(db_url, "resetme", "second-password", "pipeline")
    assert old.get("/api/v1/changes", params={"limit": 1}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "resetme", "password": "first-password"}).status_code == 401
    new = Api(client, login(client, "resetme", "second-password"))
    assert new.get("/api/v1/changes", params={"limit": 1}).status_code == 200


def test_passwords_are_stored_as_argon2_hashes(db_url, admin):
    engine = create_engine(normalise_url(db_url))
    with engine.connect() as conn:
        hashes = conn.execute(text("select password_hash from app_user")).scalars().all()
    engine.dispose()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any("password" in h for h in hashes)


def test_ensure_user_refuses_an_unbound_officer(db_url):
    with pytest.raises(ValueError, match="subject_code"):
        ensure_user(db_url, "loose", "password-123", "officer")


def test_roles_refused_what_they_may_not_do(make_user, officer, pipeline, world, leader):
    supervisor = make_user("supervisor", world.subject)
    reviewer = make_user("legal_reviewer", world.subject)
    subject = {"subject_code": make_uscc(), "subject_name": "x", "region_code": "440106", "subject_level": "3",
               "subject_type": "01", "domain_code": "01"}
    case_id = ok(officer.post("/api/v1/cases", case_body(world)), 201)["id"]
    forbidden = [
        officer.post("/api/v1/subjects", subject),
        officer.post("/api/v1/users", {"username": "x", "password": "password-123", "role": "admin"}),
        officer.get("/api/v1/users"),
        officer.get("/api/v1/changes"),
        pipeline.get("/api/v1/cases"),
        pipeline.get("/api/v1/subjects"),
        supervisor.post("/api/v1/cases", case_body(world)),
        supervisor.post(f"/api/v1/cases/{case_id}/steps", {"stage_code": "C2", "entered_at": "2024-03-02T09:00:00+08:00"}),
        reviewer.post(f"/api/v1/cases/{case_id}/steps", {"stage_code": "C2", "entered_at": "2024-03-02T09:00:00+08:00"}),
        officer.post(f"/api/v1/cases/{case_id}/steps", {"stage_code": "C3", "entered_at": "2024-03-02T09:00:00+08:00"}),
        officer.delete(f"/api/v1/cases/{case_id}"),
        officer.post(f"/api/v1/cases/{case_id}/revoke", {"reason": "误立案"}),
    ]
    for i, r in enumerate(forbidden):
        assert r.status_code in (403, 422), (i, r.text)
        assert _code(r) == "FORBIDDEN", (i, r.text)
    # reading is allowed where the matrix says so
    assert supervisor.get(f"/api/v1/cases/{case_id}").status_code == 200
    assert reviewer.get(f"/api/v1/cases/{case_id}").status_code == 200
    assert leader.get(f"/api/v1/cases/{case_id}").status_code == 200


def test_officers_see_their_own_cases_leaders_their_units(make_user, officer, leader, world, admin):
    colleague = make_user("officer", world.subject)
    mine = ok(officer.post("/api/v1/cases", case_body(world)), 201)["id"]
    theirs = ok(colleague.post("/api/v1/cases", case_body(world)), 201)["id"]
    assert officer.get(f"/api/v1/cases/{theirs}").status_code == 404
    listed = {c["id"] for c in ok(officer.get("/api/v1/cases", params={"limit": 500}))["items"]}
    assert mine in listed and theirs not in listed
    unit = {c["id"] for c in ok(leader.get("/api/v1/cases", params={"limit": 500}))["items"]}
    assert {mine, theirs} <= unit
    # another unit's leader sees neither
    other = make_uscc()
    ok(admin.post("/api/v1/subjects", {"subject_code": other, "subject_name": "别的单位", "region_code": "440300",
                                       "subject_level": "3", "subject_type": "01", "domain_code": "01"}), 201)
    stranger = make_user("leader", other)
    assert stranger.get(f"/api/v1/cases/{mine}").status_code == 404
    # a supervisor of another region neither
    far = make_user("supervisor", other)
    assert far.get(f"/api/v1/cases/{mine}").status_code == 404


def test_a_leader_may_revoke_and_the_admin_delete(officer, leader, admin, world):
    case_id = ok(officer.post("/api/v1/cases", case_body(world)), 201)["id"]
    assert ok(leader.post(f"/api/v1/cases/{case_id}/revoke", {"reason": "误立案"}))["status"] == "90"
    r = officer.post(f"/api/v1/cases/{case_id}/steps", {"stage_code": "C2", "entered_at": "2024-03-02T09:00:00+08:00"})
    assert r.status_code == 422 and _code(r) == "CASE_CLOSED"
    assert ok(admin.delete(f"/api/v1/cases/{case_id}")) == {"deleted": f"LP:{case_id}"}
    assert admin.get(f"/api/v1/cases/{case_id}").status_code == 404


def test_every_write_is_audited_with_personal_data_masked(officer, world, db_url):
    party = ok(officer.post("/api/v1/parties", {"party_type": "1", "party_name": "孙审计", "credential_type": "02",
                                                "credential_no": "E12345678"}), 201)
    case_id = ok(officer.post("/api/v1/cases", case_body(world, party_id=party["party_id"])), 201)["id"]
    ok(officer.patch(f"/api/v1/cases/{case_id}", {"case_no": "审计更正"}))
    engine = create_engine(normalise_url(db_url))
    with engine.connect() as conn:
        rows = conn.execute(text(
            "select actor_username, action, entity, record_key, before, after from audit_log"
            " where record_key in (:party, :case) and entity in ('party', 'case') order by id"),
            {"party": party["party_id"], "case": f"LP:{case_id}"}).mappings().all()
    engine.dispose()
    assert [(r["entity"], r["action"]) for r in rows] == [("party", "insert"), ("case", "insert"), ("case", "update")]
    username = rows[0]["actor_username"]
    assert username.startswith("officer")
    assert rows[0]["after"]["party_name"] == "孙**" and rows[0]["after"]["credential_no"] == "*****5678"
    assert rows[2]["before"]["case_no"] != "审计更正" and rows[2]["after"]["case_no"] == "审计更正"


def test_the_audit_log_is_append_only(db_url, admin):
    engine = create_engine(normalise_url(db_url))
    try:
        for statement in ("update audit_log set actor_username = 'x'", "delete from audit_log",
                          "truncate audit_log"):
            with pytest.raises(DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(text(statement))
    finally:
        engine.dispose()
