"""Reconciliation against the real simulator, whose database is corrupted directly to make the
hub differ from what the warehouse pushed."""
from __future__ import annotations

import hashlib

import psycopg
import pytest

from connectors.hub_reconcile import (
    checksum_of, find_one_extra, find_one_missing, reconcile,
)
from hubsim.store import live_records

from hubsoak import assert_hub_equals_warehouse


def run_reconcile(env, **kw):
    with env.connect() as conn:
        return reconcile(conn, env.client(), env.region, **kw)


def rows(env, run_id):
    with env.connect() as conn:
        conn.row_factory = psycopg.rows.dict_row
        return {r["dataset"]: r for r in conn.execute(
            "select * from ops.reconciliation where run_id = %s and region_code = %s", (run_id, env.region))}


def hub_execute(env, query, params=()):
    with env.hub_connect() as conn:
        n = conn.execute(query, params).rowcount
        conn.commit()
    assert n >= 1, "the corruption touched nothing"


def test_checksum_is_the_documented_one():
    keys = ["b", "B", "中文", "é", "LP:10", "LP:9"]
    by_bytes = sorted(keys, key=lambda k: k.encode("utf-8"))
    assert checksum_of(keys) == hashlib.sha256("".join(k + "\n" for k in by_bytes).encode()).hexdigest()
    assert checksum_of([]) == hashlib.sha256(b"").hexdigest()


def test_the_search_names_one_missing_or_one_extra_key():
    keys = sorted(f"LP:{i}" for i in range(300))
    assert find_one_missing(keys, checksum_of(set(keys) - {"LP:17"})) == "LP:17"
    assert find_one_missing(keys, checksum_of(set(keys) - {"LP:1", "LP:2"})) is None
    assert find_one_extra(keys, ["LP:x", "LP:150a", "LP:y"], checksum_of(set(keys) | {"LP:150a"})) == "LP:150a"
    assert find_one_missing(keys, checksum_of(set(keys) - {"LP:17"}), budget=10) is None    # over budget: no guess


def test_everything_equal_is_recorded_ok_and_nothing_is_sent(env):
    env.fill(100)
    env.push_until_done()
    report = run_reconcile(env)
    assert report.stopped is None and report.different == 0 and report.repair_records == 0
    got = rows(env, report.run_id)
    assert set(got) == {"ZF01", "ZF02", "ZF03", "ZF04", "ZF10", "ZF11", "ZF12", "ZF13", "ZF20", "ZF30"}
    assert {r["status"] for r in got.values()} == {"ok"}
    z10 = got["ZF10"]
    assert z10["hub_records"] == z10["expected_records"] == z10["pushable_records"] == 100
    assert z10["hub_checksum"] == z10["expected_checksum"] == z10["pushable_checksum"]


def test_a_record_deleted_at_the_hub_is_found_by_its_key_and_pushed_again(env):
    total = env.fill(300)
    env.push_until_done()
    hub_execute(env, "delete from hub_record where dataset = 'ZF10' and region_code = %s and record_key = 'LP:42'",
                (env.region,))
    report = run_reconcile(env)
    got = rows(env, report.run_id)
    z10 = got["ZF10"]
    assert z10["status"] == "different" and set(z10["differences"]) == {"records", "checksum"}
    assert (z10["hub_records"], z10["expected_records"]) == (299, 300)
    assert z10["differing_keys"] == [{"record_key": "LP:42", "finding": "missing_or_older", "how": "checksum"}]
    assert z10["differing_keys_exact"] is True
    assert (z10["repair_records"], z10["repair_accepted"]) == (1, 1)
    assert z10["status_after"] == "ok" and z10["after_checksum"] == z10["expected_checksum"]
    assert "补推后一致" in z10["message"]
    assert {r["status"] for d, r in got.items() if d != "ZF10"} == {"ok"}
    assert "LP:42" in live_records(env.hub_db, "ZF10", env.region)
    assert_hub_equals_warehouse(env, total, counted_once=False)


def test_the_newest_records_lost_at_the_hub_are_named_by_the_summary_s_latest_version(env):
    env.fill(200)
    env.push_until_done()
    # a hub restored from an older backup: the newest three steps gone, one older in its old version
    hub_execute(env, "delete from hub_record where dataset = 'ZF20' and region_code = %s"
                     " and record_key in ('LP:200|1', 'LP:199|1', 'LP:198|1')", (env.region,))
    report = run_reconcile(env)
    z20 = rows(env, report.run_id)["ZF20"]
    assert {k["record_key"] for k in z20["differing_keys"]} == {"LP:200|1", "LP:199|1", "LP:198|1"}
    assert {k["how"] for k in z20["differing_keys"]} == {"latest_version"}
    assert z20["status_after"] == "ok" and z20["repair_accepted"] == 3
    assert len(live_records(env.hub_db, "ZF20", env.region)) == 200


def test_several_keys_lost_in_the_middle_are_found_by_re_sending(env):
    env.fill(200)
    env.push_until_done()
    hub_execute(env, "delete from hub_record where dataset = 'ZF10' and region_code = %s"
                     " and record_key in ('LP:20', 'LP:120')", (env.region,))
    report = run_reconcile(env, probe_batch=25)
    z10 = rows(env, report.run_id)["ZF10"]
    assert z10["status"] == "different" and z10["status_after"] == "ok"
    assert z10["repair_records"] == 200 and z10["repair_accepted"] == 2 and z10["repair_stale"] == 198
    found = {k["record_key"] for k in z10["differing_keys"]}
    # each lost key is named within the batch of 25 that the hub partly accepted
    assert {"LP:20", "LP:120"} <= found and len(found) == 50 and z10["differing_keys_exact"] is False
    assert {k["finding"] for k in z10["differing_keys"]} == {"in_repaired_batch"}


def test_a_deleted_record_back_alive_at_the_hub_is_deleted_again(env):
    env.fill(100)
    env.push_until_done()
    with env.connect() as conn:
        conn.execute("delete from standard.zf20_case_step where record_key = 'LP:5|1'")
        conn.commit()
    env.push_until_done()
    # restored from a backup taken before the deletion: live again, in its old version
    hub_execute(env, "update hub_record set deleted = false, record_version = '2026-03-01T09:00:05+08:00',"
                     " data = '{}'::jsonb where dataset = 'ZF20' and region_code = %s and record_key = 'LP:5|1'",
                (env.region,))
    report = run_reconcile(env)
    z20 = rows(env, report.run_id)["ZF20"]
    assert z20["differing_keys"] == [{"record_key": "LP:5|1", "finding": "extra_live", "how": "checksum"}]
    assert z20["status_after"] == "ok"
    assert "LP:5|1" not in live_records(env.hub_db, "ZF20", env.region)


def test_a_difference_the_repair_cannot_mend_stays_visible(env):
    env.fill(50)
    env.push_until_done()
    # the hub holds a deletion newer than anything we sent: re-sending can only be stale
    hub_execute(env, "update hub_record set deleted = true, record_version = '2030-01-01T00:00:00+08:00'"
                     " where dataset = 'ZF03' and region_code = %s and record_key = '440100-SJ-0002'", (env.region,))
    report = run_reconcile(env)
    z03 = rows(env, report.run_id)["ZF03"]
    assert z03["status"] == "different" and z03["status_after"] == "different"
    assert z03["differing_keys"][0]["record_key"] == "440100-SJ-0002"
    assert "请与省级数据中心核对" in z03["message"]
    assert report.still_different == 1


def test_a_hub_that_cannot_be_reached_fails_the_run_and_records_it(env):
    env.fill(20)
    env.push_until_done()
    env.set_faults({"unavailable": {}})
    from connectors.hub_client import HubUnavailable
    with env.connect() as conn, pytest.raises(HubUnavailable):
        reconcile(conn, env.client(attempts=2), env.region)
    with env.connect() as conn:
        status, error = conn.execute("select status, error from ops.reconciliation_run").fetchone()
    assert status == "failed" and "503" in error


def test_keys_outside_ascii_sum_as_the_hub_sums_them(env):
    env.fill(2)
    with env.connect() as conn:
        for code in ("中文事项", "z-item", "Z-item", "é-item", "a b"):
            conn.execute("insert into standard.zf03_item (item_code, item_name, item_category, domain_code, legal_basis,"
                         " legal_review_required, valid_from, record_key, record_version)"
                         " values (%s, '事项', '1', '01', '依据', true, '2020-01-01', %s, now())", (code, code))
        conn.commit()
    env.push_until_done()
    report = run_reconcile(env, datasets=["ZF03"])
    z03 = rows(env, report.run_id)["ZF03"]
    assert z03["status"] == "ok" and z03["hub_records"] == 9
    assert z03["hub_checksum"] == z03["expected_checksum"] == z03["pushable_checksum"]
