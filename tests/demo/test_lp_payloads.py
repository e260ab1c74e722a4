"""The LP request stream: in an order the case-entry service accepts, and lawful where the
service refuses what the law forbids (checked here with jiandu.standard and the rules' thresholds)."""
from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from demo_support import AS_OF, CASES, SEED
from jiandu import standard
from jiandu.demo import Universe, generate, lp_requests

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DECIMAL = re.compile(r"^-?\d{1,16}\.\d{2}$")
THRESHOLD = {"1": Decimal(5000), "4": Decimal(5000), "2": Decimal(50000), "3": Decimal(50000)}
CEILING = {"1": Decimal(200), "4": Decimal(200), "2": Decimal(3000), "3": Decimal(3000)}
STAGES = ["J1", "J2", "J3", "J4", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8",
          "Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8"]
DATETIME_FIELDS = {"entered_at", "completed_at", "violation_at", "found_at", "registered_at", "started_at",
                   "legal_review_at", "collective_discussion_at", "notified_at", "hearing_notice_at", "hearing_at",
                   "decision_at", "served_at", "paid_at", "closed_at", "archived_at", "inspected_at",
                   "rectified_at", "approved_at", "demand_notice_at", "court_applied_at", "lifted_at", "published_at"}
DECIMAL_FIELDS = {"fine_min", "fine_max", "fine_amount", "confiscation_amount"}


@pytest.fixture(scope="module")
def stream():
    return list(lp_requests(Universe(SEED, CASES, AS_OF)))


@pytest.fixture(scope="module")
def larger_stream():
    """Rarer combinations show up only in more cases."""
    return list(lp_requests(Universe(3, 2000, AS_OF)))


def _walk(body, path=""):
    if isinstance(body, dict):
        for k, v in body.items():
            yield from _walk(v, k)
    elif isinstance(body, list):
        for v in body:
            yield from _walk(v, path)
    else:
        yield path, body


def test_values_are_written_as_the_service_takes_them(stream):
    for method, path, body, _ in stream:
        assert method == "POST" and path.startswith("/api/v1/")
        json.dumps(body, ensure_ascii=False)   # plain JSON
        for key, value in _walk(body):
            if value is None:
                continue
            if key in DATETIME_FIELDS:
                assert DATETIME.match(value), (key, value)
            elif key in DECIMAL_FIELDS:
                assert isinstance(value, str) and DECIMAL.match(value), (key, value)
            elif key in ("cert_valid_from", "cert_valid_to", "valid_from", "valid_to", "rectify_deadline"):
                assert DATE.match(value), (key, value)


def test_references_are_registered_before_use_and_valid(stream):
    codes = standard.load_standard().code_sets
    u = Universe(SEED, CASES, AS_OF)
    subjects, officers, items, parties, cases = {}, {}, {}, {}, set()
    for _, path, body, ref in stream:
        if path == "/api/v1/subjects":
            assert standard.uscc_valid(body["subject_code"])
            assert body["parent_subject_code"] is None or body["parent_subject_code"] in subjects
            assert body["subject_level"] in codes["subject_level"] and body["domain_code"] in codes["domain"]
            subjects[body["subject_code"]] = body
        elif path == "/api/v1/officers":
            assert body["subject_code"] in subjects and standard.resident_id_valid(body["id_no"])
            assert body["cert_status"] in codes["cert_status"]
            officers[body["cert_no"]] = body
        elif path == "/api/v1/items":
            assert body["item_category"] in codes["case_type"]
            items[body["item_code"]] = body
        elif path == "/api/v1/parties":
            assert standard.credential_valid(body["credential_type"], body["credential_no"]) or \
                body["credential_type"] not in ("01", "10")
            assert body["credential_no"] == standard.normalise_credential(body["credential_no"])
            parties[standard.party_id(body["credential_type"], body["credential_no"])] = body
        elif path == "/api/v1/cases":
            assert body["subject_code"] in subjects and body["item_code"] in items
            assert body["party_id"] in parties
            assert all(c in officers for c in body["officer_cert_nos"])
            assert body["source_channel"] in codes["source_channel"] and body["region_code"].isdigit()
            assert ref not in cases
            cases.add(ref)
        else:
            assert path.startswith("/api/v1/cases/{case}/") and ref in cases   # created before
    assert set(subjects) == {s.code for s in u.subjects}   # every unit is in LP, LG's and EX's too
    for o in u.unregistered_officers:
        assert o.cert_no not in officers
    for i in u.unregistered_items:
        assert i.code not in items
    assert len(officers) == len(u.officers) - len(u.unregistered_officers)


def _cases(stream):
    """Per case: (create body, [(kind, body)]) in stream order, plus the reference bodies."""
    ref_bodies = {"officers": {}, "items": {}, "parties": {}}
    by_case: dict[str, list] = {}
    for _, path, body, ref in stream:
        if path == "/api/v1/officers":
            ref_bodies["officers"][body["cert_no"]] = body
        elif path == "/api/v1/items":
            ref_bodies["items"][body["item_code"]] = body
        elif path == "/api/v1/parties":
            ref_bodies["parties"][standard.party_id(body["credential_type"], body["credential_no"])] = body
        elif path == "/api/v1/cases":
            by_case[ref] = [body, []]
        elif ref is not None:
            by_case[ref][1].append((path.rsplit("/", 1)[1], body))
    return by_case, ref_bodies


def _valid_on(officer: dict, day: str) -> bool:
    return officer["cert_valid_from"] <= day <= officer["cert_valid_to"] and officer["cert_status"] not in ("02", "03")


@pytest.mark.parametrize("which", ["stream", "larger_stream"])
def test_cases_obey_the_rules_the_service_enforces(which, request):
    by_case, refs = _cases(request.getfixturevalue(which))
    assert by_case
    seen = set()
    for ref, (case, calls) in by_case.items():
        steps = [b for kind, b in calls if kind == "steps"]
        first = {"1": "J1", "2": "C1", "3": "Q1"}[case["case_type"]]
        stages = [first] + [s["stage_code"] for s in steps]
        assert [STAGES.index(s) for s in stages] == sorted(STAGES.index(s) for s in stages), (ref, stages)
        entered = [case["registered_at"]] + [s["entered_at"] for s in steps]
        assert entered == sorted(entered), ref
        for s in steps:
            assert s["completed_at"] is None or s["completed_at"] >= s["entered_at"]
            if s["handler_cert_no"]:
                o = refs["officers"][s["handler_cert_no"]]
                assert _valid_on(o, s["entered_at"][:10]), (ref, s["stage_code"])
        day = case["registered_at"][:10]
        valid = {c for c in case["officer_cert_nos"] if _valid_on(refs["officers"][c], day)}
        summary = case["case_type"] == "2" and case["procedure"] == "1"
        assert len(valid) >= (1 if summary else 2), ref
        if case["case_type"] != "2":
            continue
        ptype = refs["parties"][case["party_id"]]["party_type"]
        item = refs["items"][case["item_code"]]
        decision = next((s for s in steps if s["stage_code"] == "C5"), None)
        if decision is None:
            continue
        notified = next((s for s in steps if s["stage_code"] == "C4"), None)
        assert notified and notified["entered_at"] <= decision["decision_at"], ref   # C4 before C5
        fine = Decimal(decision["fine_amount"]) if decision.get("fine_amount") else Decimal(0)
        if case["procedure"] != "1" and (item["legal_review_required"] or fine > THRESHOLD[ptype]):
            review = next((s for s in steps if s["stage_code"] == "C3"), None)
            assert review and review["legal_review_at"] <= decision["decision_at"], ref
            seen.add("legal review")
        if summary:
            assert fine <= CEILING[ptype], ref
            seen.add("summary")
        lo, hi = Decimal(item["fine_min"] or 0), Decimal(item["fine_max"] or 10**12)
        if fine and not lo <= fine <= hi:
            assert decision.get("discretion_reason"), ref
            seen.add("out of range with a reason")
        hearing = next((s for s in steps if s["stage_code"] == "C4" and s.get("hearing_requested")), None)
        if hearing:
            assert hearing["hearing_at"] <= decision["decision_at"]
            seen.add("hearing")
    assert seen == {"legal review", "summary", "out of range with a reason", "hearing"}


@pytest.mark.parametrize("which", ["stream", "larger_stream"])
def test_publicity_and_revocation_follow_their_case(which, request):
    by_case, _ = _cases(request.getfixturevalue(which))
    kinds = {kind for _, calls in by_case.values() for kind, _ in calls}
    assert {"steps", "publicity", "revoke"} <= kinds
    for ref, (case, calls) in by_case.items():
        published = [b for k, b in calls if k == "publicity"]
        if published:
            decision = next(b for k, b in calls if k == "steps" and b["stage_code"] == "C5")
            assert published[0]["published_at"] >= decision["decision_at"]
        revokes = [i for i, (k, _) in enumerate(calls) if k == "revoke"]
        assert not revokes or revokes == [len(calls) - 1]


def test_summary_counts_the_same_stream(tmp_path, stream):
    summary = generate(CASES, SEED, lg_url=f"sqlite:///{tmp_path / 'lg.db'}", drop_dir=tmp_path / "ex", as_of=AS_OF)
    assert summary["lp_requests"] == len(stream)
    assert sum(summary["cases_by_source"].values()) == CASES
    assert summary["lg_rows"]["t_ajxx"] == summary["cases_by_source"]["LG"]
    assert summary["ex_files"] == len(list((tmp_path / "ex" / "inbox").iterdir()))
    again = list(lp_requests(Universe(SEED, CASES, AS_OF)))
    assert again == stream
    assert list(lp_requests(Universe(SEED + 1, CASES, AS_OF))) != stream


def test_nothing_lies_beyond_the_cutoff():
    """The service refuses times later than its clock: a demo dated today passes the time."""
    import datetime as dt
    cutoff = dt.datetime.combine(AS_OF, dt.time(10, 30))
    latest = cutoff.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    for _, _, body, _ in lp_requests(Universe(SEED, 3000, AS_OF, cutoff=cutoff)):
        for key, value in _walk(body):
            if key in DATETIME_FIELDS and value is not None:
                assert value <= latest, (key, value)
