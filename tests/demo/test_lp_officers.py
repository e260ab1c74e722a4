"""LP cases name officers the case-entry service accepts: enough certificates valid on the
registration day, and step handlers valid over their steps. Judged with the service's own rule
functions, so the generator cannot drift from what the service refuses. LG and EX keep their
deliberate invalid officers: the supervision side must see those."""
from __future__ import annotations

import datetime as dt

import pytest

from caseentry.case_rules import cert_invalid_reason, min_officers
from jiandu.demo import Universe

# (seed, cases, as_of): the demo's default (which once gave 2 of 67 LP cases too few valid
# officers), the tests' universe, and larger ones.
UNIVERSES = [(20260301, 120, dt.date(2026, 4, 15)), (7, 100, dt.date(2026, 4, 15)),
             (1, 1000, dt.date(2026, 4, 15)), (20260301, 120, dt.date(2026, 11, 22))]


def _officer(o) -> dict:
    return {"cert_status": o.status, "cert_valid_from": o.valid_from, "cert_valid_to": o.valid_to}


@pytest.mark.parametrize("seed,cases,as_of", UNIVERSES)
def test_lp_cases_name_officers_valid_on_their_days(seed, cases, as_of):
    problems = []
    for c in Universe(seed, cases, as_of).iter_cases(["LP"]):
        day = c.registered_at.date()
        valid = [o for o in c.officers if cert_invalid_reason(_officer(o), day) is None]
        need = min_officers({"case_type": c.case_type, "procedure": c.procedure})
        if len(valid) < need:
            problems.append(f"{c.case_no}: {len(valid)} of {need} officers valid on {day}")
        for s in c.steps:
            if s.handler is None:
                continue
            for moment in (s.entered_at, s.completed_at or s.entered_at):
                why = cert_invalid_reason(_officer(s.handler), moment.date())
                if why:
                    problems.append(f"{c.case_no} {s.stage}: handler {s.handler.cert_no}: {why}")
    assert not problems, problems[:5]


def test_lg_and_ex_keep_their_invalid_officers():
    u = Universe(1, 1000, dt.date(2026, 4, 15))
    faulty = {src: 0 for src in ("LG", "EX")}
    for c in u.iter_cases(["LG", "EX"]):
        day = c.registered_at.date()
        if any(cert_invalid_reason(_officer(o), day) for o in c.officers):
            faulty[c.source] += 1
    assert faulty["LG"] > 0 and faulty["EX"] > 0, faulty
