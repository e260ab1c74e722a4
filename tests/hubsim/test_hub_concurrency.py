"""Batches at once, and the cost of a batch: versions stay right, and judging is set-based."""
from __future__ import annotations

import threading
import time
import uuid

import psycopg

from jiandu.db import libpq_url

from hubsim.store import held_records, live_records
from hubkit import V1, Hub, Region, new_region, upsert


def item(code: str) -> dict:
    return {"item_code": code, "item_name": "事项", "item_category": "1", "domain_code": "01",
            "legal_basis": "依据", "legal_review_required": False, "valid_from": "2020-01-01"}


def version(minute: int) -> str:
    return f"2026-03-01T10:{minute:02d}:00+08:00"


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()
    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    return results


def test_two_batches_on_the_same_keys_at_once_keep_the_newest_version(hub_url, hub_db):
    keys = [f"K{i}" for i in range(300)]
    for _ in range(4):
        region = new_region()
        a, b = Hub(hub_url), Hub(hub_url)
        a.token, b.token
        # a carries older versions for even keys, newer for odd ones; b the other way round
        batch_a = [upsert("ZF03", item(k), version(20 if i % 2 else 10)) for i, k in enumerate(keys)]
        batch_b = [upsert("ZF03", item(k), version(10 if i % 2 else 20)) for i, k in enumerate(keys)]
        ra, rb = run_together(lambda: a.push("ZF03", region, batch_a), lambda: b.push("ZF03", region, batch_b))
        ra, rb = ra.json(), rb.json()
        assert ra["accepted"] + rb["accepted"] == 300 + 150     # the first takes all, the second half
        assert ra["stale"] + rb["stale"] == 150
        assert live_records(hub_db, "ZF03", region) == {k: version(20) for k in keys}


def test_the_same_key_sent_several_times_at_once_is_stored_once(hub_url, hub_db):
    region = new_region()
    key = str(uuid.uuid4())
    clients = [Hub(hub_url) for _ in range(5)]
    for c in clients:
        c.token
    records = [upsert("ZF03", item(f"S{i}"), V1) for i in range(50)]
    answers = run_together(*[lambda c=c: c.push("ZF03", region, records, batch_id=key) for c in clients])
    assert {r.status_code for r in answers} == {200}
    assert len({r.content for r in answers}) == 1
    assert answers[0].json()["accepted"] == 50
    with psycopg.connect(libpq_url(hub_db)) as conn:
        assert conn.execute("select count(*) from hub_batch where batch_id = %s", (key,)).fetchone()[0] == 1
    assert len(held_records(hub_db, "ZF03", region)) == 50


def test_a_batch_costs_the_same_statements_whatever_its_size(hub):
    reg = Region(new_region()).seed(hub)

    def statements_for(n: int) -> int:
        cases = [upsert("ZF10", reg.new_case(f"LP:{uuid.uuid4().hex}")) for _ in range(n)]
        before = hub.http.get(hub.url("/_sim/stats")).json()["statements"]
        hub.accept("ZF10", reg.code, cases)
        return hub.http.get(hub.url("/_sim/stats")).json()["statements"] - before

    one, many = statements_for(1), statements_for(500)
    assert one == many <= 8


def test_five_thousand_cases_in_ten_batches_are_judged_quickly(hub):
    reg = Region(new_region()).seed(hub)
    batches = [[upsert("ZF10", reg.new_case(f"LP:{b}-{i}")) for i in range(500)] for b in range(10)]
    hub.token
    started = time.monotonic()
    for records in batches:
        hub.accept("ZF10", reg.code, records)
    elapsed = time.monotonic() - started
    # about 0.1 s a batch on a laptop; the bound leaves room for a slow CI machine
    assert elapsed < 10, f"{elapsed:.1f} s for 5,000 records"
    assert hub.summary("ZF10", reg.code).json()["records"] == 5001
