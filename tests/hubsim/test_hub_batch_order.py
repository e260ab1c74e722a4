"""hub-api.md "Pushing a batch": the HTTP answers and the order they are checked in.

429/503, 401, 404, no Idempotency-Key (422), a key already answered (its first receipt, whatever
the body), over 5 MiB (413), shape (422), over 500 records (413); then each record.
"""
from __future__ import annotations

import json
import uuid

import pytest

from hubsim.store import live_records
from hubkit import V1, V2, make_uscc, upsert

MIB5 = 5 * 1024 * 1024


def item(n: int, version: str = V1, **over) -> dict:
    data = {"item_code": f"I{n}", "item_name": "事项", "item_category": "1", "domain_code": "01",
            "legal_basis": "依据", "legal_review_required": False, "valid_from": "2020-01-01"}
    data.update(over)
    return upsert("ZF03", data, version)


def body_of(batch_id: str, region: str, records: list) -> dict:
    return {"batch_id": batch_id, "region_code": region, "records": records}


@pytest.mark.parametrize("dataset", ["ZF05", "zf01", "ZF1", "subject", "ZF10x"])
def test_an_unknown_dataset_gets_404(hub, region, dataset):
    r = hub.push(dataset, region, [])
    assert r.status_code == 404 and r.json() == {"code": "NOT_FOUND"}
    assert hub.summary(dataset, region).status_code == 404


def test_every_dataset_of_the_standard_is_accepted(hub, region):
    for ds in ["ZF01", "ZF02", "ZF03", "ZF04", "ZF10", "ZF11", "ZF12", "ZF13", "ZF20", "ZF30"]:
        assert hub.push(ds, region, []).status_code == 200
        assert hub.summary(ds, region).status_code == 200


def test_404_comes_before_the_missing_key(hub, region):
    r = hub.post_batch("ZF77", body_of("k", region, []), None)
    assert r.status_code == 404


@pytest.mark.parametrize("key", [None, ""])
def test_no_idempotency_key_gets_422(hub, region, key):
    r = hub.post_batch("ZF03", body_of("k", region, [item(1)]), key)
    assert r.status_code == 422 and r.json() == {"code": "BATCH_MALFORMED"}


def test_a_key_already_answered_returns_its_first_receipt_whatever_the_body(hub, hub_db, region):
    key = str(uuid.uuid4())
    first = hub.post_batch("ZF03", body_of(key, region, [item(1), item(2)]), key)
    assert first.status_code == 200
    assert first.json() == {"batch_id": key, "received": 2, "accepted": 2, "stale": 0, "rejected": []}
    held = live_records(hub_db, "ZF03", region)

    variants = [
        ("ZF03", json.dumps(body_of(key, region, [item(3, V2), item(1, V2)])).encode()),   # other records
        ("ZF01", json.dumps(body_of(key, region, [])).encode()),                           # another dataset
        ("ZF03", json.dumps(body_of(key, "999999", [item(4)])).encode()),                  # another region
        ("ZF03", b"{not json"),                                                            # malformed
        ("ZF03", json.dumps(body_of("other-id", region, [])).encode()),                    # batch_id differs
        ("ZF03", b" " * (MIB5 + 1)),                                                       # over 5 MiB
        ("ZF03", json.dumps(body_of(key, region, [item(i) for i in range(501)])).encode()),  # over 500
    ]
    for dataset, body in variants:
        again = hub.post_batch(dataset, body, key)
        assert again.status_code == 200
        assert again.content == first.content           # byte for byte
    assert live_records(hub_db, "ZF03", region) == held
    assert live_records(hub_db, "ZF03", "999999") == {}


def test_over_5_mib_gets_413_before_the_shape_is_looked_at(hub, region):
    key = str(uuid.uuid4())
    r = hub.post_batch("ZF03", b"x" * (MIB5 + 1), key)
    assert r.status_code == 413 and r.json() == {"code": "BATCH_TOO_LARGE"}
    # exactly 5 MiB is not over: the same garbage is now judged on its shape
    r = hub.post_batch("ZF03", b"x" * MIB5, key)
    assert r.status_code == 422 and r.json() == {"code": "BATCH_MALFORMED"}


def test_a_valid_batch_of_just_over_5_mib_is_refused_and_nothing_kept(hub, hub_db, region):
    key = str(uuid.uuid4())
    records = [item(i, legal_basis="依" * 20) for i in range(400)]
    body = json.dumps(body_of(key, region, records)).encode()
    body = body[:-1] + b" " * (MIB5 + 1 - len(body)) + b"}"          # pad with JSON whitespace
    assert len(body) == MIB5 + 1
    assert hub.post_batch("ZF03", body, key).status_code == 413
    assert live_records(hub_db, "ZF03", region) == {}


def _shapes(key: str, region: str) -> list:
    good = [item(1)]
    return [
        b"not json at all",
        b'{"batch_id": "' + key.encode() + b'", "region_code": "' + region.encode() + b'", "records": [NaN]}',
        "\ufeff".encode() + json.dumps(body_of(key, region, good)).encode(),     # a BOM is not JSON
        json.dumps(body_of(key, region, good)).encode("utf-16"),
        json.dumps([body_of(key, region, good)]).encode(),
        json.dumps({"batch_id": key, "region_code": region}).encode(),
        json.dumps(body_of(key, region, {"0": item(1)})).encode(),
        json.dumps(body_of(key, region, [item(1), "record"])).encode(),
        json.dumps(body_of(key, region, [item(1), None])).encode(),
        json.dumps(body_of(key, region, [[]])).encode(),
        json.dumps({"region_code": region, "records": good}).encode(),
        json.dumps(body_of(key + "-x", region, good)).encode(),
        json.dumps(body_of(key.upper(), region, good)).encode() if key.upper() != key else b"[]",
        json.dumps(body_of(None, region, good)).encode(),
        json.dumps({"batch_id": key, "records": good}).encode(),
        json.dumps(body_of(key, "44010", good)).encode(),
        json.dumps(body_of(key, "4401060", good)).encode(),
        json.dumps(body_of(key, "44010a", good)).encode(),
        json.dumps(body_of(key, "４４０１０６", good)).encode(),
        json.dumps(body_of(key, 440106, good)).encode(),
        json.dumps(body_of(key, region, [{"record_key": "a\u0000b", "op": "delete", "record_version": V1}])).encode(),
        b'{"batch_id": "' + key.encode() + b'", "region_code": "' + region.encode()
        + b'", "records": [{"record_key": "\\ud800", "op": "delete", "record_version": "' + V1.encode() + b'"}]}',
        b"\xff\xfe" + json.dumps(body_of(key, region, good)).encode(),
    ]


def test_a_body_not_of_the_shape_gets_422_and_nothing_of_it_is_kept(hub, hub_db, region):
    key = str(uuid.uuid4())
    for n, body in enumerate(_shapes(key, region)):
        r = hub.post_batch("ZF03", body, key)
        assert (n, r.status_code, r.json()) == (n, 422, {"code": "BATCH_MALFORMED"})
    assert live_records(hub_db, "ZF03", region) == {}
    # the key was never answered: the corrected batch is judged as new
    r = hub.post_batch("ZF03", body_of(key, region, [item(1)]), key)
    assert r.json()["accepted"] == 1


def test_an_empty_records_list_is_a_valid_batch(hub, region):
    r = hub.push("ZF03", region, [])
    assert r.status_code == 200
    assert r.json()["received"] == 0 and r.json()["rejected"] == []


def test_over_500_records_gets_413_after_the_shape(hub, hub_db, region):
    key = str(uuid.uuid4())
    records = [item(i) for i in range(501)]
    r = hub.post_batch("ZF03", body_of(key, "4401", records), key)
    assert r.status_code == 422                                    # shape first
    r = hub.post_batch("ZF03", body_of(key, region, records), key)
    assert r.status_code == 413 and r.json() == {"code": "BATCH_TOO_LARGE"}
    assert live_records(hub_db, "ZF03", region) == {}
    r = hub.post_batch("ZF03", body_of(key, region, records[:500]), key)   # 413 kept nothing either
    assert r.status_code == 200 and r.json()["accepted"] == 500


def test_keys_are_unique_across_datasets(hub, hub_db, region):
    key = str(uuid.uuid4())
    subject = {"subject_code": make_uscc(7), "subject_name": "某局", "region_code": "440106", "subject_level": "3",
               "subject_type": "01", "domain_code": "01", "is_active": True}
    first = hub.post_batch("ZF03", body_of(key, region, [item(1)]), key)
    second = hub.post_batch("ZF01", body_of(key, region, [upsert("ZF01", subject)]), key)
    assert second.content == first.content
    assert live_records(hub_db, "ZF01", region) == {}


def test_wrong_methods_and_unknown_paths(hub):
    assert hub.http.get(hub.url("/api/v1/datasets/ZF01/batches")).status_code == 405
    r = hub.http.get(hub.url("/api/v2/nothing"))
    assert r.status_code == 404 and r.json() == {"code": "NOT_FOUND"}
