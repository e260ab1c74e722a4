"""CaseState.copy is a deep copy: a request works on the copy and compares it with the original."""
import datetime as dt
from decimal import Decimal

from caseentry.case_rules import CaseState


def test_copy_is_equal_and_shares_no_container():
    state = CaseState(case={"id": 1, "officer_cert_nos": ["A", "B"], "registered_at": dt.datetime(2024, 3, 1)},
                      penalty={"flags": [{"rule": "B01"}], "penalty_kinds": ["01"], "fine_amount": Decimal("5")},
                      coercion=[{"measure_seq": 1, "_path": "coercion[0]."}], steps=[{"seq": 1, "opinion": None}])
    copied = state.copy()
    assert copied == state
    copied.case["officer_cert_nos"].append("C")
    copied.penalty["flags"][0]["rule"] = "changed"
    copied.penalty["penalty_kinds"].clear()
    copied.coercion[0]["measure_seq"] = 2
    copied.steps[0]["opinion"] = "同意"
    copied.steps.append({"seq": 2})
    copied.paths["case"] = "case."
    assert state == CaseState(case={"id": 1, "officer_cert_nos": ["A", "B"], "registered_at": dt.datetime(2024, 3, 1)},
                              penalty={"flags": [{"rule": "B01"}], "penalty_kinds": ["01"], "fine_amount": Decimal("5")},
                              coercion=[{"measure_seq": 1, "_path": "coercion[0]."}],
                              steps=[{"seq": 1, "opinion": None}])
