"""Each rule the service enforces, broken once: the answer is 4xx naming the field with a stable
code and a Chinese message, and nothing in the database changes (not even the feed or the audit)."""
from __future__ import annotations

import re

import pytest

from service_support import (
    PENALTY_STEPS, bad_check_digit, case_body, make_resident_id, make_uscc, ok, unique, with_handler,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def refused(counts, call, field, code, status=422):
    before = counts.snapshot()
    r = call()
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert (field, code) in [(e["field"], e["code"]) for e in detail], detail
    for e in detail:
        assert CJK.search(e["message"]), e
        if e["field"]:
            assert e["field"] in e["message"], e
    assert counts.snapshot() == before, "a refused request changed the database"
    return detail


def step(api, case_id, body):
    return api.post(f"/api/v1/cases/{case_id}/steps", body)


def new_case(api, world, **overrides):
    return ok(api.post("/api/v1/cases", case_body(world, **overrides)), 201)["id"]


# --- registering a case ----------------------------------------------------------------------

CREATE_CASES = {
    "unknown case type": (lambda w: {"case_type": "9"}, "case_type", "CODE_UNKNOWN"),
    "unknown source channel": (lambda w: {"source_channel": "77"}, "source_channel", "CODE_UNKNOWN"),
    "region not six digits": (lambda w: {"region_code": "4401"}, "region_code", "CODE_UNKNOWN"),
    "penalty without procedure": (lambda w: {"procedure": None}, "procedure", "REQUIRED"),
    "unknown procedure": (lambda w: {"procedure": "7"}, "procedure", "CODE_UNKNOWN"),
    "no registration time": (lambda w: {"registered_at": None}, "registered_at", "REQUIRED"),
    "registration in the future": (lambda w: {"registered_at": "2099-01-01T09:00:00+08:00"},
                                   "registered_at", "DATE_FUTURE"),
    "a date without time": (lambda w: {"registered_at": "2024-03-01"}, "registered_at", "FIELD_TYPE"),
    "not a datetime": (lambda w: {"violation_at": "昨天"}, "violation_at", "FIELD_TYPE"),
    "case number too long": (lambda w: {"case_no": "号" * 101}, "case_no", "TOO_LONG"),
    "an unknown field": (lambda w: {"colour": "red"}, "colour", "UNKNOWN_FIELD"),
    "one officer, general procedure": (lambda w: {"officer_cert_nos": [w.officers["a"]]},
                                       "officer_cert_nos", "OFFICERS_MIN"),
    "the same officer twice": (lambda w: {"officer_cert_nos": [w.officers["a"], w.officers["a"]]},
                               "officer_cert_nos", "OFFICERS_MIN"),
    "an expired certificate": (lambda w: {"officer_cert_nos": [w.officers["a"], w.officers["expired"]]},
                               "officer_cert_nos", "OFFICERS_MIN"),
    "a suspended certificate": (lambda w: {"officer_cert_nos": [w.officers["a"], w.officers["suspended"]]},
                                "officer_cert_nos", "OFFICERS_MIN"),
    "an unregistered certificate": (lambda w: {"officer_cert_nos": [w.officers["a"], "NOSUCHCERT"]},
                                    "officer_cert_nos", "REFERENCE_MISSING"),
    "an unregistered party": (lambda w: {"party_id": "0" * 64}, "party_id", "REFERENCE_MISSING"),
    "an unregistered item": (lambda w: {"item_code": "NO-SUCH-ITEM"}, "item_code", "REFERENCE_MISSING"),
    "an inspection item on a penalty": (lambda w: {"item_code": w.items["inspection"]}, "item_code", "ITEM_MISMATCH"),
    "a decision at registration": (lambda w: {"penalty": {"decision_at": "2024-03-02T09:00:00+08:00"}},
                                   "penalty.decision_at", "STAGE_MISSING"),
    "a fine not a number": (lambda w: {"penalty": {"fine_amount": "五千"}}, "penalty.fine_amount", "FIELD_TYPE"),
    "a fine with three decimals": (lambda w: {"penalty": {"fine_amount": "10.005"}}, "penalty.fine_amount",
                                   "FIELD_TYPE"),
    "inspection data on a penalty": (lambda w: {"inspection": {"inspection_kind": "01"}}, "inspection",
                                     "NOT_APPLICABLE"),
}


@pytest.mark.parametrize("name", list(CREATE_CASES))
def test_registering_a_case_refused(name, officer, world, counts):
    overrides, field, code = CREATE_CASES[name]
    body = case_body(world)
    body.update(overrides(world))
    refused(counts, lambda: officer.post("/api/v1/cases", body), field, code)


INSPECTION_CASES = {
    "no inspection data": (lambda w: {"inspection": None}, "inspection", "REQUIRED"),
    "no inspection kind": (lambda w: {"inspection": {"inspected_at": "2024-03-01T10:00:00+08:00"}},
                           "inspection.inspection_kind", "REQUIRED"),
    "unknown inspection kind": (lambda w: {"inspection": {"inspection_kind": "66"}}, "inspection.inspection_kind",
                                "CODE_UNKNOWN"),
    "a penalty item": (lambda w: {"item_code": w.items["penalty"]}, "item_code", "ITEM_MISMATCH"),
}


@pytest.mark.parametrize("name", list(INSPECTION_CASES))
def test_registering_an_inspection_refused(name, officer, world, counts):
    overrides, field, code = INSPECTION_CASES[name]
    body = case_body(world, "1")
    body.update(overrides(world))
    refused(counts, lambda: officer.post("/api/v1/cases", body), field, code)


def _measure(**overrides):
    m = {"coercion_kind": "1", "measure_code": "03", "started_at": "2024-03-01T11:00:00+08:00", "term_days": 30,
         "emergency": False}
    m.update(overrides)
    return m


COERCION_CASES = {
    "a term over 30 days": ([_measure(term_days=31)], "coercion[0].term_days", "TERM_TOO_LONG"),
    "a seizure without a term": ([_measure(term_days=None)], "coercion[0].term_days", "REQUIRED"),
    "a measure of the other kind": ([_measure(coercion_kind="2")], "coercion[0].measure_code", "MEASURE_KIND"),
    "an unknown measure": ([_measure(measure_code="55")], "coercion[0].measure_code", "CODE_UNKNOWN"),
    "no start time": ([_measure(started_at=None)], "coercion[0].started_at", "REQUIRED"),
    "lifted at registration": ([_measure(lifted_at="2024-03-05T09:00:00+08:00")], "coercion[0].lifted_at",
                               "STAGE_MISSING"),
    "the same measure number twice": ([_measure(measure_seq=1), _measure(measure_seq=1)],
                                      "coercion[1].measure_seq", "DUPLICATE"),
}


@pytest.mark.parametrize("name", list(COERCION_CASES))
def test_registering_a_coercion_refused(name, officer, world, counts):
    measures, field, code = COERCION_CASES[name]
    body = case_body(world, "3", coercion=measures)
    refused(counts, lambda: officer.post("/api/v1/cases", body), field, code)


def test_an_officer_registers_only_for_their_own_unit(officer, world, admin, counts):
    other = make_uscc()
    ok(admin.post("/api/v1/subjects", {"subject_code": other, "subject_name": "另一单位", "region_code": "440106",
                                       "subject_level": "3", "subject_type": "01", "domain_code": "01"}), 201)
    refused(counts, lambda: officer.post("/api/v1/cases", case_body(world, subject_code=other)), None, "FORBIDDEN", 403)


# --- the penalty procedure -------------------------------------------------------------------

NOTIFY = {"stage_code": "C4", "entered_at": "2024-03-11T09:00:00+08:00", "notified_at": "2024-03-11T10:00:00+08:00"}
REVIEW = {"stage_code": "C3", "entered_at": "2024-03-09T09:00:00+08:00", "legal_review_at": "2024-03-10T16:00:00+08:00"}


def decision(**overrides):
    d = {"stage_code": "C5", "entered_at": "2024-03-19T09:00:00+08:00", "decision_no": f"测罚字{unique()}号",
         "decision_at": "2024-03-20T10:00:00+08:00", "penalty_kinds": ["03"], "fine_amount": "3000"}
    d.update(overrides)
    return d


def test_no_decision_without_notification(officer, leader, world, counts):
    case_id = new_case(officer, world)
    refused(counts, lambda: step(leader, case_id, decision()), "stage_code", "STAGE_MISSING")


def test_no_decision_over_the_threshold_without_legal_review(officer, leader, world, counts):
    case_id = new_case(officer, world)  # natural person: review needed over 5,000
    ok(step(officer, case_id, NOTIFY), 201)
    detail = refused(counts, lambda: step(leader, case_id, decision(fine_amount="6000")), "stage_code", "STAGE_MISSING")
    assert any(e["code"] == "LEGAL_REVIEW_MISSING" and e["field"] == "legal_review_at" for e in detail)
    # a company's threshold is 50,000: the same fine needs no review
    company_case = new_case(officer, world, party_id=world.parties["company"])
    ok(step(officer, company_case, NOTIFY), 201)
    ok(step(leader, company_case, decision(fine_amount="6000")), 201)


def test_no_decision_on_an_item_requiring_review_without_it(officer, leader, world, counts):
    case_id = new_case(officer, world, item_code=world.items["penalty_review"])
    ok(step(officer, case_id, NOTIFY), 201)
    refused(counts, lambda: step(leader, case_id, decision(fine_amount="100")), "stage_code", "STAGE_MISSING")


def test_a_review_after_the_decision_does_not_count(officer, leader, make_user, world, counts):
    case_id = new_case(officer, world)
    reviewer = make_user("legal_reviewer", world.subject)
    ok(step(reviewer, case_id, {**REVIEW, "legal_review_at": None}), 201)  # a C3 without the review itself
    ok(step(officer, case_id, NOTIFY), 201)
    refused(counts, lambda: step(leader, case_id, decision(fine_amount="6000")), "legal_review_at",
            "LEGAL_REVIEW_MISSING")


def test_no_decision_while_a_requested_hearing_was_not_held(officer, leader, world, counts):
    case_id = new_case(officer, world)
    ok(step(officer, case_id, {**NOTIFY, "hearing_requested": True,
                               "hearing_notice_at": "2024-03-12T09:00:00+08:00"}), 201)
    refused(counts, lambda: step(leader, case_id, decision()), "hearing_at", "HEARING_MISSING")


def test_stages_go_forward_only(officer, leader, world, counts):
    case_id = new_case(officer, world)
    ok(step(officer, case_id, NOTIFY), 201)
    ok(step(leader, case_id, decision()), 201)
    refused(counts, lambda: step(officer, case_id, {**NOTIFY, "entered_at": "2024-03-21T09:00:00+08:00"}),
            "stage_code", "STAGE_ORDER")
    refused(counts, lambda: step(leader, case_id, decision(entered_at="2024-03-21T09:00:00+08:00")),
            "stage_code", "STAGE_REPEATED")
    refused(counts, lambda: step(officer, case_id, {"stage_code": "J2", "entered_at": "2024-03-21T09:00:00+08:00"}),
            "stage_code", "NOT_APPLICABLE")
    refused(counts, lambda: step(officer, case_id, {"stage_code": "X9", "entered_at": "2024-03-21T09:00:00+08:00"}),
            "stage_code", "CODE_UNKNOWN")


def test_datetimes_never_out_of_order(officer, leader, world, counts):
    case_id = new_case(officer, world)
    ok(step(officer, case_id, NOTIFY), 201)
    refused(counts, lambda: step(officer, case_id, {"stage_code": "C4", "entered_at": "2024-03-12T09:00:00+08:00",
                                                    "completed_at": "2024-03-12T08:00:00+08:00"}),
            "completed_at", "DATE_ORDER")
    refused(counts, lambda: step(officer, case_id, {"stage_code": "C4", "entered_at": "2024-03-10T09:00:00+08:00"}),
            "entered_at", "DATE_ORDER")
    refused(counts, lambda: step(leader, case_id, decision(decision_at="2024-02-28T10:00:00+08:00")),
            "decision_at", "DATE_ORDER")
    ok(step(leader, case_id, decision()), 201)
    refused(counts, lambda: step(officer, case_id, {"stage_code": "C6", "entered_at": "2024-03-21T09:00:00+08:00",
                                                    "served_at": "2024-03-19T10:00:00+08:00"}),
            "served_at", "DATE_ORDER")
    ok(step(officer, case_id, {"stage_code": "C6", "entered_at": "2024-03-21T09:00:00+08:00",
                               "served_at": "2024-03-22T10:00:00+08:00"}), 201)
    refused(counts, lambda: step(officer, case_id, {"stage_code": "C7", "entered_at": "2024-03-23T09:00:00+08:00",
                                                    "closed_at": "2024-03-21T10:00:00+08:00"}),
            "closed_at", "DATE_ORDER")


def test_a_step_handled_with_an_invalid_certificate(officer, world, counts):
    case_id = new_case(officer, world)
    refused(counts, lambda: step(officer, case_id, with_handler(PENALTY_STEPS[0], world.officers["expired"])),
            "handler_cert_no", "CERT_INVALID")
    refused(counts, lambda: step(officer, case_id, with_handler(PENALTY_STEPS[0], world.officers["suspended"])),
            "handler_cert_no", "CERT_INVALID")


def test_a_stage_carries_only_its_own_acts(officer, world, counts):
    case_id = new_case(officer, world)
    refused(counts, lambda: step(officer, case_id, {**PENALTY_STEPS[0], "decision_no": "x"}),
            "decision_no", "NOT_APPLICABLE")
    refused(counts, lambda: step(officer, case_id, {"stage_code": "C6", "entered_at": "2024-03-21T09:00:00+08:00"}),
            "served_at", "REQUIRED")


def test_amounts_and_kinds_agree(officer, leader, world, counts):
    case_id = new_case(officer, world)
    ok(step(officer, case_id, NOTIFY), 201)
    refused(counts, lambda: step(leader, case_id, decision(fine_amount=None)), "fine_amount", "REQUIRED")
    refused(counts, lambda: step(leader, case_id, decision(penalty_kinds=["01"])), "penalty_kinds", "FINE_KIND")
    refused(counts, lambda: step(leader, case_id, decision(penalty_kinds=["03", "77"])), "penalty_kinds[1]",
            "CODE_UNKNOWN")


def test_summary_procedure_limits(officer, world, counts):
    summary = dict(procedure="1", officer_cert_nos=[world.officers["a"]])
    person_case = new_case(officer, world, **summary)
    refused(counts, lambda: step(officer, person_case, decision(fine_amount="300")), "fine_amount", "SUMMARY_CEILING")
    company_case = new_case(officer, world, party_id=world.parties["company"], **summary)
    refused(counts, lambda: step(officer, company_case, decision(fine_amount="3000.01")), "fine_amount",
            "SUMMARY_CEILING")
    refused(counts, lambda: step(officer, company_case, decision(penalty_kinds=["10"], fine_amount=None)),
            "penalty_kinds", "SUMMARY_KIND")
    ok(step(officer, company_case, decision(fine_amount="3000")), 201)
    # a summary case needs one valid officer, not none
    refused(counts, lambda: officer.post("/api/v1/cases", case_body(world, procedure="1",
                                                                     officer_cert_nos=[world.officers["expired"]])),
            "officer_cert_nos", "OFFICERS_MIN")


def test_no_closing_before_service(officer, leader, world, counts):
    case_id = new_case(officer, world)
    ok(step(officer, case_id, NOTIFY), 201)
    ok(step(leader, case_id, decision()), 201)
    detail = refused(counts, lambda: step(officer, case_id, {"stage_code": "C7", "entered_at": "2024-03-28T09:00:00+08:00",
                                                             "closed_at": "2024-03-28T10:00:00+08:00"}),
                     "served_at", "REQUIRED")
    assert "送达" in detail[0]["message"]


# --- inspection and coercion steps --------------------------------------------------------------

def test_rectification_order_needs_a_deadline(officer, world, counts):
    case_id = new_case(officer, world, case_type="1", **{k: v for k, v in case_body(world, "1").items()
                                                         if k in ("item_code", "inspection")}, procedure=None)
    refused(counts, lambda: step(officer, case_id, {"stage_code": "J3", "entered_at": "2024-03-02T09:00:00+08:00",
                                                    "result": "02"}),
            "rectify_deadline", "REQUIRED")
    ok(step(officer, case_id, {"stage_code": "J3", "entered_at": "2024-03-02T09:00:00+08:00", "result": "02",
                               "rectify_deadline": "2024-03-20"}), 201)


def coercion_case(officer, world, **measure):
    body = case_body(world, "3", coercion=[_measure(**measure)])
    return ok(officer.post("/api/v1/cases", body), 201)["id"]


def test_coercion_extension_at_most_30_days_and_once(officer, world, counts):
    case_id = coercion_case(officer, world)
    extend = {"stage_code": "Q4", "entered_at": "2024-03-25T09:00:00+08:00", "measure_seq": 1}
    refused(counts, lambda: step(officer, case_id, {**extend, "extended_days": 31}), "extended_days",
            "EXTENSION_TOO_LONG")
    refused(counts, lambda: step(officer, case_id, {**extend, "measure_seq": 9, "extended_days": 10}), "measure_seq",
            "REFERENCE_MISSING")
    ok(step(officer, case_id, {**extend, "extended_days": 30}), 201)
    refused(counts, lambda: step(officer, case_id, {**extend, "entered_at": "2024-03-26T09:00:00+08:00",
                                                    "extended_days": 5}),
            "extended_days", "EXTENSION_ONCE")


def test_court_application_needs_a_demand_notice_first(officer, world, counts):
    case_id = coercion_case(officer, world, coercion_kind="2", measure_code="11", term_days=None)
    refused(counts, lambda: step(officer, case_id, {"stage_code": "Q6", "entered_at": "2024-04-20T09:00:00+08:00",
                                                    "measure_seq": 1, "court_applied_at": "2024-04-20T10:00:00+08:00"}),
            "court_applied_at", "DEMAND_NOTICE_MISSING")
    ok(step(officer, case_id, {"stage_code": "Q5", "entered_at": "2024-04-01T09:00:00+08:00", "measure_seq": 1,
                               "demand_notice_at": "2024-04-01T10:00:00+08:00"}), 201)
    ok(step(officer, case_id, {"stage_code": "Q6", "entered_at": "2024-04-20T09:00:00+08:00", "measure_seq": 1,
                               "court_applied_at": "2024-04-20T10:00:00+08:00"}), 201)


def test_a_seizure_must_be_lifted_before_closing(officer, world, counts):
    case_id = coercion_case(officer, world)
    close = {"stage_code": "Q8", "entered_at": "2024-04-10T09:00:00+08:00", "closed_at": "2024-04-10T10:00:00+08:00"}
    refused(counts, lambda: step(officer, case_id, close), "coercion.lifted_at", "REQUIRED")
    refused(counts, lambda: step(officer, case_id, {"stage_code": "Q7", "entered_at": "2024-02-10T09:00:00+08:00",
                                                    "measure_seq": 1, "lifted_at": "2024-02-10T10:00:00+08:00"}),
            "lifted_at", "DATE_ORDER")
    ok(step(officer, case_id, {"stage_code": "Q7", "entered_at": "2024-03-30T09:00:00+08:00", "measure_seq": 1,
                               "lifted_at": "2024-03-30T10:00:00+08:00"}), 201)
    assert ok(step(officer, case_id, close), 201)["case"]["status"] == "40"


# --- corrections -------------------------------------------------------------------------------

def test_corrections_are_judged_like_new_input(officer, world, counts):
    case_id = new_case(officer, world)
    url = f"/api/v1/cases/{case_id}"
    refused(counts, lambda: officer.patch(url, {"officer_cert_nos": [world.officers["a"]]}), "officer_cert_nos",
            "OFFICERS_MIN")
    refused(counts, lambda: officer.patch(url, {"penalty": {"decision_at": "2024-03-20T10:00:00+08:00"}}),
            "penalty.decision_at", "STAGE_MISSING")
    refused(counts, lambda: officer.patch(url, {"status": "40"}), "status", "UNKNOWN_FIELD")
    refused(counts, lambda: officer.patch(url, {"case_type": "1"}), "case_type", "UNKNOWN_FIELD")
    fixed = ok(officer.patch(url, {"case_no": "更正后的案号", "registered_at": "2024-03-01T08:00:00+08:00"}))
    assert fixed["case_no"] == "更正后的案号"
    assert fixed["steps"][0]["entered_at"] == "2024-03-01T08:00:00+08:00"  # the filing step moved with it


# --- reference data -------------------------------------------------------------------------

def test_reference_data_checked_against_the_standard(admin, officer, world, counts):
    subject = {"subject_code": bad_check_digit(make_uscc()), "subject_name": "校验位错误的单位", "region_code": "440106",
               "subject_level": "3", "subject_type": "01", "domain_code": "01"}
    refused(counts, lambda: admin.post("/api/v1/subjects", subject), "subject_code", "CHECKSUM")
    refused(counts, lambda: admin.post("/api/v1/subjects", {**subject, "subject_code": make_uscc(),
                                                            "subject_level": "9"}), "subject_level", "CODE_UNKNOWN")
    refused(counts, lambda: admin.post("/api/v1/subjects", {**subject, "subject_code": make_uscc(),
                                                            "subject_name": None}), "subject_name", "REQUIRED")
    off = {"cert_no": f"C{unique()}", "officer_name": "王五", "id_no": bad_check_digit(make_resident_id()),
           "subject_code": world.subject, "cert_valid_from": "2020-01-01", "cert_valid_to": "2030-01-01",
           "cert_status": "01"}
    refused(counts, lambda: admin.post("/api/v1/officers", off), "id_no", "CHECKSUM")
    refused(counts, lambda: admin.post("/api/v1/officers", {**off, "id_no": make_resident_id(),
                                                            "cert_valid_to": "2019-01-01"}),
            "cert_valid_to", "DATE_ORDER")
    refused(counts, lambda: admin.post("/api/v1/officers", {**off, "id_no": make_resident_id(),
                                                            "subject_code": make_uscc()}),
            "subject_code", "REFERENCE_MISSING")
    item = {"item_code": f"I{unique()}", "item_name": "事项", "item_category": "2", "domain_code": "01",
            "legal_basis": "某法", "fine_min": "500", "fine_max": "100", "legal_review_required": False,
            "valid_from": "2020-01-01"}
    refused(counts, lambda: admin.post("/api/v1/items", item), "fine_max", "RANGE_ORDER")
    party = {"party_type": "1", "party_name": "赵六", "credential_type": "01",
             "credential_no": bad_check_digit(make_resident_id())}
    refused(counts, lambda: officer.post("/api/v1/parties", party), "credential_no", "CHECKSUM")
    refused(counts, lambda: officer.post("/api/v1/parties", {**party, "party_type": "2", "credential_type": "10",
                                                             "credential_no": bad_check_digit(make_uscc())}),
            "credential_no", "CHECKSUM")
    refused(counts, lambda: officer.post("/api/v1/parties", {**party, "party_type": "2",
                                                             "credential_no": make_resident_id()}),
            "credential_type", "CREDENTIAL_TYPE_MISMATCH")


def test_a_party_is_found_again_by_its_normalised_credential(officer, world):
    number = make_resident_id()
    first = ok(officer.post("/api/v1/parties", {"party_type": "1", "party_name": "钱七", "credential_type": "01",
                                                "credential_no": number}), 201)
    # full-width digits, a lower-case x and spaces: the same person (normalised_credential)
    messy = " " + number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + number[-1].lower() + " "
    again = ok(officer.post("/api/v1/parties", {"party_type": "1", "party_name": "钱七", "credential_type": "01",
                                                "credential_no": messy}), 200)
    assert again["party_id"] == first["party_id"] and again["created"] is False
    found = ok(officer.get("/api/v1/parties", params={"credential_type": "01", "credential_no": number}))
    assert [p["party_id"] for p in found["items"]] == [first["party_id"]]
    assert found["items"][0]["credential_no"] != number  # masked


def test_revocation_needs_a_reason_and_an_open_case(officer, leader, world, counts):
    case_id = new_case(officer, world)
    url = f"/api/v1/cases/{case_id}/revoke"
    refused(counts, lambda: leader.post(url, {}), "reason", "REQUIRED")
    refused(counts, lambda: leader.post(url, {"reason": "x", "status": "40"}), "status", "CODE_UNKNOWN")
    refused(counts, lambda: leader.post(url, {"reason": "x", "revoked_at": "2024-02-01T09:00:00+08:00"}),
            "revoked_at", "DATE_ORDER")
    ok(step(officer, case_id, NOTIFY), 201)
    refused(counts, lambda: leader.post(url, {"reason": "误立案", "status": "91"}), "status", "CASE_CLOSED")
    revoked = ok(leader.post(url, {"reason": "经复核，违法事实不能成立", "revoked_at": "2024-03-15T09:00:00+08:00"}))
    assert revoked["status"] == "90"
    assert revoked["extra"] == {"revoked_at": "2024-03-15T09:00:00+08:00", "revoke_reason": "经复核，违法事实不能成立"}
    refused(counts, lambda: leader.post(url, {"reason": "再次撤销"}), "status", "CASE_CLOSED")
    refused(counts, lambda: step(leader, case_id, {"stage_code": "C5", "entered_at": "2024-03-19T09:00:00+08:00"}),
            "stage_code", "CASE_CLOSED")
