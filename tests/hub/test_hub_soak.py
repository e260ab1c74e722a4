"""Soak: a few thousand generated records pushed through the real simulator in each fault mode.

After the push has been run again until done (as the schedule and Airflow's retries would), the
hub's records equal the warehouse's pushable records: no loss, no duplicate, the hub's summary
checksum equal to the one computed locally. Fault delays are small so each test takes seconds.
"""
from __future__ import annotations

import pytest
import requests

from hubsoak import assert_hub_equals_warehouse

CASES = 1500          # + 1500 steps + 56 parents = 3,056 records, 8 datasets' worth of batches

FAULTS = {
    # answers later than the client waits: the hub stored the batch, the client never heard
    "slow": ({"seed": 1, "slow": {"delay_ms": 400, "probability": 0.3}}, {"timeout": 0.25}),
    "5xx_rate": ({"seed": 2, "unavailable": {"probability": 0.35}}, {}),
    "429_bursts": ({"seed": 3, "rate_limited": {"count": 4, "probability": 0.3, "retry_after": 0}}, {}),
    "commit_then_drop": ({"seed": 4, "drop_after_commit": {"probability": 0.4}}, {}),
    "mix": ({"seed": 5, "slow": {"delay_ms": 400, "probability": 0.1},
             "unavailable": {"probability": 0.15},
             "rate_limited": {"probability": 0.15, "retry_after": 0},
             "drop_after_commit": {"probability": 0.2}}, {"timeout": 0.25}),
}


@pytest.mark.parametrize("mode", list(FAULTS))
def test_the_hub_ends_equal_to_the_warehouse_whatever_the_fault(env, mode):
    faults, client_kw = FAULTS[mode]
    total = env.fill(CASES)
    env.set_faults(faults)
    client = env.client(**client_kw)
    reports = env.push_until_done(client)
    # every fault mode configured really struck the push (faults that never happen prove nothing)
    hits = requests.get(env.hub_url + "/_sim/faults", timeout=5).json()["hits"]
    assert {m for m, n in hits.items() if n} == set(faults) - {"seed"}, hits
    env.set_faults({})
    assert_hub_equals_warehouse(env, total)
    # a record sent again after a lost answer went in the same batch, never in a new one
    assert sum(r.records_sent for r in reports) >= total


def test_the_push_after_a_run_cut_short_by_the_circuit_resumes_without_loss(env):
    total = env.fill(600)
    env.set_faults({"unavailable": {}})                # maintenance: every call 503
    report = env.push(env.client(attempts=2))
    assert report.stopped and "不可用" in report.stopped and report.records_sent == 0
    assert env.pending() >= 1                          # built and kept, not lost
    env.set_faults({})
    env.push_until_done()
    assert_hub_equals_warehouse(env, total)
