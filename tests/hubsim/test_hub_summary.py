"""hub-api.md "Reconciling": the summary's count, newest version and checksum, computed here independently."""
from __future__ import annotations

import hashlib

import pytest

from hubkit import V1, V2, V3, delete, new_region, upsert


def expected_checksum(keys) -> str:
    text = "".join(k + "\n" for k in sorted(keys, key=lambda k: k.encode("utf-8")))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def item(code: str) -> dict:
    return {"item_code": code, "item_name": "事项", "item_category": "1", "domain_code": "01",
            "legal_basis": "依据", "legal_review_required": True, "valid_from": "2020-01-01"}


def test_an_empty_region_has_no_records_no_version_and_the_hash_of_nothing(hub, region):
    r = hub.summary("ZF03", region)
    assert r.status_code == 200
    assert r.json() == {"dataset": "ZF03", "region_code": region, "records": 0, "latest_version": None,
                        "checksum": hashlib.sha256(b"").hexdigest()}


def test_count_latest_version_and_checksum_of_live_records(hub, region):
    # keys whose byte order differs from a dictionary's: upper before lower, CJK after ASCII
    keys = ["b", "B", "a", "Z", "a b", "a-b", "中文", "é", "ä", "LP:10", "LP:9", "z"]
    hub.accept("ZF03", region, [upsert("ZF03", item(k), V1) for k in keys])
    hub.accept("ZF03", region, [upsert("ZF03", item("B"), "2026-03-01T10:30:00+08:00")])
    hub.accept("ZF03", region, [delete("z", V3), delete("never", V3)])      # newer, but not live
    live = [k for k in keys if k != "z"]
    body = hub.summary("ZF03", region).json()
    assert body["records"] == len(live)
    assert body["latest_version"] == "2026-03-01T10:30:00+08:00"
    assert body["checksum"] == expected_checksum(live)
    # the byte order matters: a dictionary order of the same keys gives another hash
    dictionary = "".join(k + "\n" for k in sorted(live, key=str.casefold))
    assert body["checksum"] != hashlib.sha256(dictionary.encode()).hexdigest()


def test_the_summary_is_per_region_and_per_dataset(hub):
    a, b = new_region(), new_region()
    hub.accept("ZF03", a, [upsert("ZF03", item("only-in-a"), V2)])
    assert hub.summary("ZF03", b).json()["records"] == 0
    assert hub.summary("ZF01", a).json()["records"] == 0
    assert hub.summary("ZF03", a).json()["checksum"] == expected_checksum(["only-in-a"])


@pytest.mark.parametrize("region_code", [None, "", "44010", "4401060", "abcdef", "４４０１０６", " 440106"])
def test_a_missing_or_malformed_region_code_gets_422(hub, region_code):
    r = hub.summary("ZF03", region_code)
    assert r.status_code == 422 and r.json() == {"code": "BATCH_MALFORMED"}
