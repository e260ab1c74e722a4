"""A leader's approval is signed with the leader's own recorded name (姓名), never one typed for
somebody else; an account made before names were kept types it, as before."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from caseentry.database import normalise_url

from service_support import Api, case_body, login, ok, unique

PASSWORD = "password-123"


def _user(client, admin, role, subject, full_name=None) -> tuple[str, Api]:
    username = f"sig_{role}_{unique()}"
    body = {"username": username, "password": PASSWORD, "role": role, "subject_code": subject}
    if full_name is not None:
        body["full_name"] = full_name
    ok(admin.post("/api/v1/users", body), 201)
    return username, Api(client, login(client, username, PASSWORD))


def _open_step(officer: Api, world) -> tuple[int, int]:
    case_id = ok(officer.post("/api/v1/cases", case_body(world, case_no=f"签名案{unique()}号")), 201)["id"]
    seq = ok(officer.post(f"/api/v1/cases/{case_id}/steps", {
        "stage_code": "C2", "entered_at": "2024-03-02T09:00:00+08:00",
        "handler_cert_no": world.officers["a"]}), 201)["seq"]
    return case_id, seq


def _approver(db_url, case_id, seq) -> str | None:
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            return conn.execute(text("select approver_name from case_step where case_id = :c and seq = :s"),
                                {"c": case_id, "s": seq}).scalar_one()
    finally:
        engine.dispose()


def test_a_leader_signs_with_the_recorded_name_and_cannot_sign_for_another(client, admin, world, db_url, counts):
    _, officer = _user(client, admin, "officer", world.subject, "钱警官")
    _, leader = _user(client, admin, "leader", world.subject, "周局长")
    case_id, seq = _open_step(officer, world)

    before = counts.snapshot()
    r = leader.post(f"/api/v1/cases/{case_id}/steps/{seq}/approve", {"approver_name": "吴局长", "opinion": "同意"})
    assert r.status_code == 422
    error = r.json()["detail"][0]
    assert (error["field"], error["code"]) == ("approver_name", "APPROVER_NOT_SELF")
    assert "周局长" in error["message"] and "吴局长" in error["message"]
    assert counts.snapshot() == before

    approved = ok(leader.post(f"/api/v1/cases/{case_id}/steps/{seq}/approve", {"opinion": "同意"}))
    step = next(s for s in approved["steps"] if s["seq"] == seq)
    assert step["approver_name"] == "周**"                     # masked in the view ...
    assert _approver(db_url, case_id, seq) == "周局长"           # ... recorded in full
    # typing one's own name is no mistake
    case2, seq2 = _open_step(officer, world)
    ok(leader.post(f"/api/v1/cases/{case2}/steps/{seq2}/approve", {"approver_name": " 周局长 "}))
    assert _approver(db_url, case2, seq2) == "周局长"


def test_an_account_without_a_recorded_name_types_it(client, admin, world, db_url):
    _, officer = _user(client, admin, "officer", world.subject, "钱警官")
    username, leader = _user(client, admin, "leader", world.subject, "郑局长")
    engine = create_engine(normalise_url(db_url))
    with engine.begin() as conn:   # as an account made before migration 0004 is
        conn.execute(text("update app_user set full_name = null where username = :u"), {"u": username})
    engine.dispose()
    case_id, seq = _open_step(officer, world)
    r = leader.post(f"/api/v1/cases/{case_id}/steps/{seq}/approve", {"opinion": "同意"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "approver_name"
    assert r.json()["detail"][0]["code"] == "REQUIRED"
    ok(leader.post(f"/api/v1/cases/{case_id}/steps/{seq}/approve", {"approver_name": "郑局长"}))
    assert _approver(db_url, case_id, seq) == "郑局长"


def test_users_carry_a_full_name_and_a_leader_must_have_one(admin, world):
    r = admin.post("/api/v1/users", {"username": f"sig_noname_{unique()}", "password": PASSWORD, "role": "leader",
                                     "subject_code": world.subject})
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["detail"]] == [("full_name", "REQUIRED")]
    r = admin.post("/api/v1/users", {"username": f"sig_long_{unique()}", "password": PASSWORD, "role": "officer",
                                     "subject_code": world.subject, "full_name": "长" * 51})
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "TOO_LONG"
    username = f"sig_named_{unique()}"
    made = ok(admin.post("/api/v1/users", {"username": username, "password": PASSWORD, "role": "officer",
                                           "subject_code": world.subject, "full_name": "王警官"}), 201)
    assert made["full_name"] == "王警官"
    reset = ok(admin.put(f"/api/v1/users/{username}", {"password": PASSWORD + "x", "role": "officer",
                                                       "subject_code": world.subject, "full_name": "王二"}))
    assert reset["full_name"] == "王二"
    listed = {u["username"]: u for u in ok(admin.get("/api/v1/users"))["items"]}
    assert listed[username]["full_name"] == "王二"
