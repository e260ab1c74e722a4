"""A penalty case walked through the general procedure, C1..C8, and its public notice."""
from __future__ import annotations

from service_support import PENALTY_STEPS, case_body, ok, with_handler


def test_general_procedure_c1_to_c8(officer, leader, make_user, world):
    reviewer = make_user("legal_reviewer", world.subject)
    created = ok(officer.post("/api/v1/cases", case_body(world)), 201)
    case_id = created["id"]
    assert created["case_id"] == f"LP:{case_id}"
    assert created["status"] == "10"
    assert created["source_system"] == "LP"
    assert [s["stage_code"] for s in created["steps"]] == ["C1"]
    assert created["steps"][0]["entered_at"] == "2024-03-01T09:00:00+08:00"
    assert created["penalty"]["case_id"] == f"LP:{case_id}"

    # who records which stage: the reviewer C3, the leader C5, the officer the rest
    actors = {"C3": reviewer, "C5": leader}
    expected_status = {"C2": "10", "C3": "10", "C4": "10", "C5": "20", "C6": "30", "C7": "40", "C8": "50"}
    for seq, step in enumerate(PENALTY_STEPS, start=2):
        api = actors.get(step["stage_code"], officer)
        body = with_handler(step, world.officers["a"])
        result = ok(api.post(f"/api/v1/cases/LP:{case_id}/steps", body), 201)
        assert result["seq"] == seq
        assert result["case"]["status"] == expected_status[step["stage_code"]], step["stage_code"]

    case = ok(officer.get(f"/api/v1/cases/{case_id}"))
    assert [s["stage_code"] for s in case["steps"]] == ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"]
    assert [s["seq"] for s in case["steps"]] == list(range(1, 9))
    penalty = case["penalty"]
    assert penalty["decision_no"] == "测罚字〔2024〕1号"
    assert penalty["decision_at"] == "2024-03-20T10:00:00+08:00"
    assert penalty["penalty_kinds"] == ["01", "03"]
    assert penalty["fine_amount"] == "8000.00"
    assert penalty["legal_review_at"] == "2024-03-10T16:00:00+08:00"
    assert penalty["served_at"] == "2024-03-22T10:00:00+08:00"
    assert penalty["extra"] == {"discretion_reason": None, "flags": []}
    assert case["closed_at"] == "2024-03-28T10:00:00+08:00"
    assert case["archived_at"] == "2024-04-01T10:00:00+08:00"
    # personal data masked in the API: the approver's name, the party's name and ID number
    assert case["steps"][2]["approver_name"] == "王**"
    assert case["party"]["party_name"] == "李**"
    assert "*" * 8 in case["party"]["credential_no"]

    # archived: nothing more can be recorded or corrected
    r = officer.post(f"/api/v1/cases/{case_id}/steps", {"stage_code": "C8", "entered_at": "2024-04-02T09:00:00+08:00"})
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "CASE_CLOSED"
    r = officer.patch(f"/api/v1/cases/{case_id}", {"case_no": "改"})
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "CASE_CLOSED"


def test_summary_procedure_decided_on_the_spot_by_the_officer(officer, world):
    body = case_body(world, procedure="1", officer_cert_nos=[world.officers["a"]],
                     party_id=world.parties["company"])
    case_id = ok(officer.post("/api/v1/cases", body), 201)["id"]
    decided = ok(officer.post(f"/api/v1/cases/{case_id}/steps", {
        "stage_code": "C5", "entered_at": "2024-03-01T09:10:00+08:00", "completed_at": "2024-03-01T09:20:00+08:00",
        "decision_no": "当场字1号", "decision_at": "2024-03-01T09:15:00+08:00", "penalty_kinds": ["03"],
        "fine_amount": "3000", "paid_at": "2024-03-01T09:18:00+08:00", "handler_cert_no": world.officers["a"]}), 201)
    assert decided["case"]["status"] == "20"
    assert decided["case"]["penalty"]["paid_at"] == "2024-03-01T09:18:00+08:00"


def test_fine_outside_discretion_range_accepted_with_reason_and_flagged(officer, leader, world):
    case_id = ok(officer.post("/api/v1/cases", case_body(world, party_id=world.parties["company"])), 201)["id"]
    ok(officer.post(f"/api/v1/cases/{case_id}/steps", {
        "stage_code": "C4", "entered_at": "2024-03-05T09:00:00+08:00", "notified_at": "2024-03-05T10:00:00+08:00"}), 201)
    decision = {"stage_code": "C5", "entered_at": "2024-03-15T09:00:00+08:00", "decision_no": "测罚字2号",
                "decision_at": "2024-03-15T10:00:00+08:00", "penalty_kinds": ["03"], "fine_amount": "20000"}
    r = leader.post(f"/api/v1/cases/{case_id}/steps", decision)
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["detail"]] == [("discretion_reason", "DISCRETION_REASON_REQUIRED")]
    assert "20000.00" in r.json()["detail"][0]["message"]

    reason = "当事人拒不改正，情节严重，经集体讨论从重处罚"
    result = ok(leader.post(f"/api/v1/cases/{case_id}/steps", {**decision, "discretion_reason": reason}), 201)
    assert result["case"]["penalty"]["extra"] == {"discretion_reason": reason, "flags": ["B01"]}

    # bringing the fine back into the range clears the flag
    fixed = ok(leader.patch(f"/api/v1/cases/{case_id}", {"penalty": {"fine_amount": "9000"}}))
    assert fixed["penalty"]["extra"]["flags"] == []


def test_public_notice_masks_a_natural_person_but_not_a_company(officer, leader, world):
    def decided_case(party: str) -> int:
        case_id = ok(officer.post("/api/v1/cases", case_body(world, party_id=world.parties[party])), 201)["id"]
        ok(officer.post(f"/api/v1/cases/{case_id}/steps", {
            "stage_code": "C4", "entered_at": "2024-03-05T09:00:00+08:00",
            "notified_at": "2024-03-05T10:00:00+08:00"}), 201)
        ok(leader.post(f"/api/v1/cases/{case_id}/steps", {
            "stage_code": "C5", "entered_at": "2024-03-15T09:00:00+08:00", "decision_no": f"公示字{case_id}号",
            "decision_at": "2024-03-15T10:00:00+08:00", "penalty_kinds": ["03"], "fine_amount": "2000"}), 201)
        return case_id

    person_case = decided_case("person")
    notice = ok(officer.post(f"/api/v1/cases/{person_case}/publicity",
                             {"published_at": "2024-03-18T09:00:00+08:00"}), 201)
    text = notice["public_text"]
    assert "李**" in text and "李小明" not in text
    credential = world.credentials["person"]
    assert credential not in text and credential[:6] + "*" * 8 + credential[-4:] in text
    assert f"公示字{person_case}号" in text and "2000.00 元" in text

    company_case = decided_case("company")
    text = ok(officer.post(f"/api/v1/cases/{company_case}/publicity",
                           {"published_at": "2024-03-18T09:00:00+08:00"}), 201)["public_text"]
    assert "某某贸易有限公司" in text and world.credentials["company"] in text

    # withdrawing updates the same record
    withdrawn = ok(officer.post(f"/api/v1/cases/{company_case}/publicity", {
        "published_at": "2024-03-18T09:00:00+08:00", "withdrawn_at": "2024-06-18T09:00:00+08:00"}), 201)
    assert withdrawn["withdrawn_at"] == "2024-06-18T09:00:00+08:00"


def test_publicity_refused_before_a_decision(officer, world):
    case_id = ok(officer.post("/api/v1/cases", case_body(world)), 201)["id"]
    r = officer.post(f"/api/v1/cases/{case_id}/publicity", {"published_at": "2024-03-18T09:00:00+08:00"})
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "NOT_DECIDED"


def test_a_penalty_object_at_registration_keeps_what_needs_no_stage(officer, world):
    body = case_body(world, penalty={"discretion_reason": "预先说明"})
    created = ok(officer.post("/api/v1/cases", body), 201)
    assert created["penalty"]["penalty_kinds"] == [] and created["penalty"]["extra"]["discretion_reason"] == "预先说明"


def test_an_inspection_closes_only_with_its_result(officer, world):
    body = case_body(world, "1", procedure=None, inspection={"inspection_kind": "03"})
    case_id = ok(officer.post("/api/v1/cases", body), 201)["id"]
    close = {"stage_code": "J4", "entered_at": "2024-03-05T09:00:00+08:00", "closed_at": "2024-03-05T10:00:00+08:00"}
    r = officer.post(f"/api/v1/cases/{case_id}/steps", close)
    assert r.status_code == 422
    assert {(e["field"], e["code"]) for e in r.json()["detail"]} == {("inspected_at", "REQUIRED"), ("result", "REQUIRED")}
    # an inspection under way: its time comes later, by correction
    ok(officer.post(f"/api/v1/cases/{case_id}/steps", {"stage_code": "J2", "entered_at": "2024-03-02T09:00:00+08:00"}),
       201)
    ok(officer.patch(f"/api/v1/cases/{case_id}", {"inspection": {"inspected_at": "2024-03-02T10:00:00+08:00"}}))
    ok(officer.post(f"/api/v1/cases/{case_id}/steps", {"stage_code": "J3", "entered_at": "2024-03-03T09:00:00+08:00",
                                                       "result": "01"}), 201)
    closed = ok(officer.post(f"/api/v1/cases/{case_id}/steps", close), 201)["case"]
    assert closed["status"] == "40" and closed["inspection"]["result"] == "01"


def test_openapi_documentation_is_served(client):
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/v1/changes" in schema["paths"] and "/api/v1/cases/{case_id}/steps" in schema["paths"]


def test_coercion_steps_name_their_measure_and_closing_takes_the_step_time(officer, leader, world):
    body = case_body(world, "3", procedure=None, coercion=[
        {"measure_seq": 1, "coercion_kind": "1", "measure_code": "02", "started_at": "2024-03-02T10:00:00+08:00",
         "term_days": 30, "emergency": False},
        {"measure_seq": 2, "coercion_kind": "1", "measure_code": "03", "started_at": "2024-03-02T11:00:00+08:00",
         "term_days": 20, "emergency": False}])
    case_id = ok(officer.post("/api/v1/cases", body), 201)["id"]
    url = f"/api/v1/cases/{case_id}/steps"
    approved = ok(leader.post(url, {"stage_code": "Q2", "entered_at": "2024-03-02T09:00:00+08:00",
                                    "measure_seq": 2, "approved_at": "2024-03-02T09:30:00+08:00"}), 201)["case"]
    assert [m["approved_at"] for m in approved["coercion"]] == [None, "2024-03-02T09:30:00+08:00"]
    ok(officer.post(url, {"stage_code": "Q3", "entered_at": "2024-03-02T10:00:00+08:00", "measure_seq": 1}), 201)
    r = officer.post(url, {"stage_code": "Q3", "entered_at": "2024-03-02T10:00:00+08:00", "measure_seq": 7})
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "REFERENCE_MISSING"
    for seq in (1, 2):
        ok(officer.post(url, {"stage_code": "Q7", "entered_at": "2024-03-20T10:00:00+08:00", "measure_seq": seq,
                              "lifted_at": "2024-03-20T10:00:00+08:00"}), 201)
    closed = ok(officer.post(url, {"stage_code": "Q8", "entered_at": "2024-03-21T09:00:00+08:00",
                                   "completed_at": "2024-03-21T11:00:00+08:00"}), 201)["case"]
    assert closed["status"] == "40" and closed["closed_at"] == "2024-03-21T11:00:00+08:00"
