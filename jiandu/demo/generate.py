"""`jiandu generate`: one pass over the universe writes LG and EX and sizes LP's request stream."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from jiandu.demo.ex_writer import ExWriter
from jiandu.demo.lg_writer import LgWriter
from jiandu.demo.lp_payloads import case_request_count, party_bitmap, reference_request_count
from jiandu.demo.rates import Rates
from jiandu.demo.universe import Universe


def generate(cases: int, seed: int, *, lg_url: str, drop_dir: Path, as_of: dt.date,
             rates: Rates | dict | None = None) -> dict:
    """Write the LG units' data into the database at lg_url (its tables dropped and created) and
    the EX units' report files into drop_dir/inbox (a corrected re-send into drop_dir/corrections).
    LP's data is not written here: `lp_requests(Universe(seed, cases, as_of, rates))` yields it
    for a sender; its size is in the summary. Same arguments, same output."""
    started = time.monotonic()
    u = Universe(seed, cases, as_of, rates)
    lg = LgWriter(lg_url, u)
    lg.write_reference()
    ex = ExWriter(Path(drop_dir), u)
    by_source = {"LP": 0, "LG": 0, "EX": 0}
    lp_requests = reference_request_count(u)
    seen = party_bitmap(u)
    try:
        for case in u.iter_cases():
            by_source[case.source] += 1
            if case.source == "LG":
                lg.add_case(case)
            elif case.source == "EX":
                ex.add_case(case)
            else:
                lp_requests += case_request_count(case, seen)
    except BaseException:
        lg.abandon()
        ex.discard_spool()
        raise
    lg_rows = lg.close()
    ex_files = ex.close()
    return {
        "seed": seed, "cases": cases, "as_of": as_of.isoformat(), "cases_by_source": by_source,
        "lg_rows": lg_rows, "ex_files": len(ex_files),
        "ex_corrections": [c["file"] for c in u.reports["EX"]["truth"]["corrections"]],
        "lp_requests": lp_requests,
        "unregistered_officers": [o.cert_no for o in u.unregistered_officers],
        "unregistered_items": [i.code for i in u.unregistered_items],
        "seconds": round(time.monotonic() - started, 1),
    }
