"""hub-api.md "How a record is judged", steps 1-5: the record alone.

Every reject code of these steps is triggered by a record that has exactly that problem (or
two problems, to show which one is reported first).
"""
from __future__ import annotations

from jiandu.standard import resident_id_check_char

import json
import uuid

import psycopg
import pytest
from stdnum.cn import ric

from jiandu.db import libpq_url

from hubkit import V1, V2, Hub, Region, key_of, make_resident_id, make_uscc, new_region, upsert

Case = tuple  # (dataset, make(reg) -> record, code, field)


def with_data(dataset, **changes):
    """An upsert of the region's valid record of ``dataset`` with fields changed (None: removed)."""
    def make(reg: Region) -> dict:
        data = dict(reg.valid(dataset))
        key = key_of(dataset, data)
        for k, v in changes.items():
            if v is None:
                data.pop(k, None)
            else:
                data[k] = v
        try:
            key = key_of(dataset, data)
        except KeyError:
            pass                                   # a key field removed: keep the valid record's key
        return upsert(dataset, data, V2, key)
    return make


def raw(dataset, **record):
    def make(reg: Region) -> dict:
        base = upsert(dataset, reg.valid(dataset), V2)
        base.update(record)
        return {k: v for k, v in base.items() if v is not ...}
    return make


BAD_USCC = make_uscc(5)[:-1] + ("0" if make_uscc(5)[-1] != "0" else "1")
BAD_RID = make_resident_id(5)[:-1] + ("0" if make_resident_id(5)[-1] != "0" else "1")
FEB30_RID = "44010619850230001" + resident_id_check_char("44010619850230001")   # right check digit, no such date
MIXED_WIDTH_RID = "".join(chr(ord(c) + 0xFEE0) for c in make_resident_id(5)[:17]) + make_resident_id(5)[17]
LOWER_X_RID = next(r for r in (make_resident_id(n) for n in range(200)) if r.endswith("X")).lower()

CASES: list[Case] = [
    # step 1: op, record_key, record_version
    ("ZF03", raw("ZF03", op="replace"), "FIELD_TYPE", "op"),
    ("ZF03", raw("ZF03", op=...), "FIELD_TYPE", "op"),
    ("ZF03", raw("ZF03", op="UPSERT"), "FIELD_TYPE", "op"),
    ("ZF03", raw("ZF03", op=None, record_key=None), "FIELD_TYPE", "op"),         # op before record_key
    ("ZF03", raw("ZF03", record_key=12), "FIELD_TYPE", "record_key"),
    ("ZF03", raw("ZF03", record_key=...), "FIELD_TYPE", "record_key"),
    ("ZF03", raw("ZF03", record_key=""), "FIELD_TYPE", "record_key"),
    ("ZF03", raw("ZF03", record_key=12, record_version="x"), "FIELD_TYPE", "record_key"),
    ("ZF03", raw("ZF03", record_version="2026-03-02 10:00:00+08:00"), "FIELD_TYPE", "record_version"),
    ("ZF03", raw("ZF03", record_version="2026-03-02T10:00:00+0800"), "FIELD_TYPE", "record_version"),
    ("ZF03", raw("ZF03", record_version="2026-03-02T02:00:00Z"), "FIELD_TYPE", "record_version"),
    ("ZF03", raw("ZF03", record_version="2026-03-02T10:00:00.000+08:00"), "FIELD_TYPE", "record_version"),
    ("ZF03", raw("ZF03", record_version="2026-03-02T10:00:00+09:00"), "FIELD_TYPE", "record_version"),
    ("ZF03", raw("ZF03", record_version="2026-02-30T10:00:00+08:00"), "FIELD_TYPE", "record_version"),
    ("ZF03", raw("ZF03", record_version="2026-03-02T24:00:00+08:00"), "FIELD_TYPE", "record_version"),
    ("ZF03", raw("ZF03", record_version=1772416800), "FIELD_TYPE", "record_version"),
    ("ZF03", raw("ZF03", record_version=..., data={"bogus": 1}), "FIELD_TYPE", "record_version"),
    # step 2: data and unknown fields
    ("ZF03", raw("ZF03", data=...), "FIELD_TYPE", "data"),
    ("ZF03", raw("ZF03", data=None), "FIELD_TYPE", "data"),
    ("ZF03", raw("ZF03", data=[]), "FIELD_TYPE", "data"),
    ("ZF03", raw("ZF03", data="{}"), "FIELD_TYPE", "data"),
    ("ZF03", with_data("ZF03", remark="备注"), "FIELD_TYPE", "remark"),
    ("ZF03", with_data("ZF03", remark=[]), "FIELD_TYPE", "remark"),              # whatever its value
    ("ZF03", with_data("ZF03", record_key="x"), "FIELD_TYPE", "record_key"),     # not a field of the standard
    ("ZF03", with_data("ZF03", item_name=None, remark=1), "FIELD_TYPE", "remark"),  # step 2 before step 3
    # step 3: required
    ("ZF01", with_data("ZF01", subject_name=None), "FIELD_REQUIRED", "subject_name"),
    ("ZF01", with_data("ZF01", subject_name=""), "FIELD_REQUIRED", "subject_name"),
    ("ZF10", with_data("ZF10", officer_cert_nos=[]), "FIELD_REQUIRED", "officer_cert_nos"),
    ("ZF01", with_data("ZF01", is_active=None), "FIELD_REQUIRED", "is_active"),
    ("ZF13", with_data("ZF13", measure_seq=None), "FIELD_REQUIRED", "measure_seq"),
    # step 3: type (standard's types)
    ("ZF01", with_data("ZF01", is_active="true"), "FIELD_TYPE", "is_active"),
    ("ZF01", with_data("ZF01", is_active=1), "FIELD_TYPE", "is_active"),
    ("ZF13", with_data("ZF13", measure_seq="1"), "FIELD_TYPE", "measure_seq"),
    ("ZF13", with_data("ZF13", measure_seq=0), "FIELD_TYPE", "measure_seq"),     # below its min
    ("ZF13", with_data("ZF13", measure_seq=True), "FIELD_TYPE", "measure_seq"),
    ("ZF13", with_data("ZF13", term_days=1.5), "FIELD_TYPE", "term_days"),
    ("ZF01", with_data("ZF01", subject_name=17), "FIELD_TYPE", "subject_name"),
    ("ZF01", with_data("ZF01", subject_level=3), "FIELD_TYPE", "subject_level"),
    ("ZF01", with_data("ZF01", region_code=440106), "FIELD_TYPE", "region_code"),
    ("ZF03", with_data("ZF03", fine_min="1.234"), "FIELD_TYPE", "fine_min"),
    ("ZF03", with_data("ZF03", fine_min="1,000.00"), "FIELD_TYPE", "fine_min"),
    ("ZF03", with_data("ZF03", fine_min="1e3"), "FIELD_TYPE", "fine_min"),
    ("ZF03", with_data("ZF03", fine_min=" 5.00"), "FIELD_TYPE", "fine_min"),
    ("ZF03", with_data("ZF03", fine_min=".5"), "FIELD_TYPE", "fine_min"),
    ("ZF03", with_data("ZF03", fine_min="5."), "FIELD_TYPE", "fine_min"),
    ("ZF03", with_data("ZF03", fine_min="+5"), "FIELD_TYPE", "fine_min"),
    ("ZF03", with_data("ZF03", fine_min="12345678901234567"), "FIELD_TYPE", "fine_min"),   # 17 integer digits
    ("ZF03", with_data("ZF03", fine_min=True), "FIELD_TYPE", "fine_min"),
    ("ZF03", with_data("ZF03", fine_min=12.345), "FIELD_TYPE", "fine_min"),
    ("ZF03", with_data("ZF03", valid_from="2026-2-1"), "FIELD_TYPE", "valid_from"),
    ("ZF03", with_data("ZF03", valid_from="2026-02-30"), "FIELD_TYPE", "valid_from"),
    ("ZF03", with_data("ZF03", valid_from="2026-02-01T00:00:00+08:00"), "FIELD_TYPE", "valid_from"),
    ("ZF10", with_data("ZF10", found_at="2026-03-01T10:00:00"), "FIELD_TYPE", "found_at"),
    ("ZF10", with_data("ZF10", found_at="2026-03-01"), "FIELD_TYPE", "found_at"),
    ("ZF12", with_data("ZF12", penalty_kinds="03"), "FIELD_TYPE", "penalty_kinds"),
    ("ZF12", with_data("ZF12", penalty_kinds=[3]), "FIELD_TYPE", "penalty_kinds"),
    ("ZF12", with_data("ZF12", penalty_kinds=["03", None]), "FIELD_TYPE", "penalty_kinds"),
    ("ZF10", with_data("ZF10", officer_cert_nos={"a": 1}), "FIELD_TYPE", "officer_cert_nos"),
    # every item's type first, then lengths
    ("ZF10", with_data("ZF10", officer_cert_nos=["X" * 40, 5]), "FIELD_TYPE", "officer_cert_nos"),
    # step 3: length
    ("ZF01", with_data("ZF01", subject_name="局" * 201), "FIELD_TOO_LONG", "subject_name"),
    ("ZF10", with_data("ZF10", officer_cert_nos=["X" * 33, "Y"]), "FIELD_TOO_LONG", "officer_cert_nos"),
    ("ZF01", with_data("ZF01", subject_code="9" * 19), "FIELD_TOO_LONG", "subject_code"),   # length before checksum
    # step 3: code set
    ("ZF01", with_data("ZF01", subject_level="5"), "CODE_UNKNOWN", "subject_level"),
    ("ZF01", with_data("ZF01", subject_type="1"), "CODE_UNKNOWN", "subject_type"),       # "01" is the code
    ("ZF01", with_data("ZF01", region_code="44010"), "CODE_UNKNOWN", "region_code"),
    ("ZF01", with_data("ZF01", region_code="４４０１０６"), "CODE_UNKNOWN", "region_code"),
    ("ZF12", with_data("ZF12", penalty_kinds=["03", "77"]), "CODE_UNKNOWN", "penalty_kinds"),
    ("ZF20", with_data("ZF20", stage_code="C9"), "CODE_UNKNOWN", "stage_code"),
    # step 3: check rules, values as sent
    ("ZF01", with_data("ZF01", subject_code=BAD_USCC), "CHECKSUM", "subject_code"),
    ("ZF01", with_data("ZF01", subject_code=make_uscc(5).lower()), "CHECKSUM", "subject_code"),
    ("ZF01", with_data("ZF01", parent_subject_code=BAD_USCC), "CHECKSUM", "parent_subject_code"),
    ("ZF02", with_data("ZF02", id_no=BAD_RID), "CHECKSUM", "id_no"),
    ("ZF02", with_data("ZF02", id_no=FEB30_RID), "CHECKSUM", "id_no"),
    ("ZF02", with_data("ZF02", id_no=LOWER_X_RID), "CHECKSUM", "id_no"),
    ("ZF02", with_data("ZF02", id_no=MIXED_WIDTH_RID), "CHECKSUM", "id_no"),          # not normalised
    ("ZF04", with_data("ZF04", credential_no=MIXED_WIDTH_RID), "CHECKSUM", "credential_no"),
    ("ZF04", with_data("ZF04", credential_no=BAD_RID), "CHECKSUM", "credential_no"),
    ("ZF04", with_data("ZF04", credential_type="10", credential_no=BAD_USCC), "CHECKSUM", "credential_no"),
    ("ZF04", with_data("ZF04", credential_type="10", credential_no=make_resident_id(5)), "CHECKSUM", "credential_no"),
    ("ZF04", with_data("ZF04", credential_type="05", credential_no="x"), "CODE_UNKNOWN", "credential_type"),   # before credential_no
    # first problem in the standard's field order
    ("ZF01", with_data("ZF01", subject_code=BAD_USCC, subject_level="9"), "CHECKSUM", "subject_code"),
    ("ZF01", with_data("ZF01", subject_name=None, subject_code=BAD_USCC), "CHECKSUM", "subject_code"),
    ("ZF01", with_data("ZF01", is_active="yes", region_code="1"), "CODE_UNKNOWN", "region_code"),
    # step 4: MIN_ITEMS
    ("ZF10", with_data("ZF10", officer_cert_nos=["44010600X"]), "MIN_ITEMS", "officer_cert_nos"),
    ("ZF10", with_data("ZF10", officer_cert_nos=["44010600X", "44010600X"]), "MIN_ITEMS", "officer_cert_nos"),
    ("ZF10", with_data("ZF10", case_type="1", procedure="1", officer_cert_nos=["A"]), "MIN_ITEMS", "officer_cert_nos"),
    ("ZF10", with_data("ZF10", procedure=None, officer_cert_nos=["A"]), "MIN_ITEMS", "officer_cert_nos"),
    # step 5: the key read from data
    ("ZF03", raw("ZF03", record_key="ITEM-other"), "FIELD_TYPE", "record_key"),
    ("ZF10", lambda reg: upsert("ZF10", dict(reg.case, officer_cert_nos=["A"]), V2, "LP:nope"), "MIN_ITEMS", "officer_cert_nos"),
    ("ZF20", lambda reg: upsert("ZF20", reg.valid("ZF20"), V2, f"{reg.case['case_id']}|4"), "FIELD_TYPE", "record_key"),
    ("ZF20", lambda reg: upsert("ZF20", reg.valid("ZF20"), V2, f"{reg.case['case_id']}|03"), "FIELD_TYPE", "record_key"),
    ("ZF20", lambda reg: upsert("ZF20", reg.valid("ZF20"), V2, f"3|{reg.case['case_id']}"), "FIELD_TYPE", "record_key"),
    # step 5 before step 6: a wrong key whose reference is also missing
    ("ZF30", lambda reg: upsert("ZF30", dict(reg.valid("ZF30"), case_id="LP:none"), V2, "LP:other"), "FIELD_TYPE", "record_key"),
]


@pytest.fixture(scope="module")
def reg(hub_url) -> Region:
    return Region(new_region()).seed(Hub(hub_url))


def test_each_record_is_judged_on_its_own_and_reported_for_its_first_problem(hub, reg):
    # one batch per dataset: rejected records do not stop the others
    by_dataset: dict[str, list] = {}
    for n, (dataset, make, code, field) in enumerate(CASES):
        by_dataset.setdefault(dataset, []).append((n, make(reg), code, field))
    for dataset, cases in by_dataset.items():
        records = [rec for _, rec, _, _ in cases]
        r = hub.push(dataset, reg.code, records)
        assert r.status_code == 200, r.text
        receipt = r.json()
        assert receipt["received"] == len(records)
        assert len(receipt["rejected"]) == len(records), (dataset, receipt["rejected"])
        for (n, rec, code, field), rejection in zip(cases, receipt["rejected"]):
            assert (n, rejection["code"], rejection["field"]) == (n, code, field), (rec, rejection)
            assert rejection["record_key"] == rec.get("record_key")
            assert rejection["message"]


@pytest.mark.parametrize("dataset, make", [
    ("ZF03", with_data("ZF03", fine_min="1234567890123456.00", fine_max="-0.5")),
    ("ZF03", with_data("ZF03", fine_min=5000, fine_max=5000.5)),
    ("ZF03", with_data("ZF03", fine_min="0", fine_max="00012.10")),
    ("ZF03", with_data("ZF03", fine_min=None, fine_max="", limitation_years=None, valid_to=[])),  # absent optionals
    ("ZF01", with_data("ZF01", subject_name="局" * 200, parent_subject_code=make_uscc(9))),
    ("ZF04", with_data("ZF04", credential_type="02", credential_no="E12345678 护照")),
    ("ZF04", with_data("ZF04", credential_type="10", credential_no=make_uscc(11), party_type="2")),
    ("ZF10", with_data("ZF10", procedure="1", officer_cert_nos=["44010600Z"])),        # summary penalty: one
    ("ZF10", lambda reg: upsert("ZF10", dict(reg.case, procedure="1", officer_cert_nos=[reg.certs[0]] * 3), V2)),
    ("ZF10", lambda reg: upsert("ZF10", dict(reg.case, officer_cert_nos=reg.certs), V2)),
    ("ZF13", with_data("ZF13", measure_seq=12, term_days=None)),
    ("ZF12", with_data("ZF12", penalty_kinds=["03", "03"], hearing_requested=True)),
])
def test_valid_values_are_accepted(hub, reg, dataset, make):
    record = make(reg)
    result = hub.judge(dataset, reg.code, record)
    if dataset == "ZF10" and "44010600Z" in record["data"]["officer_cert_nos"]:
        # passes steps 1-5 (one officer is enough); the made-up certificate then misses at step 6
        assert result["code"] == "REFERENCE_MISSING"
    else:
        assert result in ({}, {"stale": True}), result


def test_a_decimal_sent_as_a_number_is_stored_as_sent(hub, hub_db, reg):
    region = new_region()
    data = dict(reg.item, fine_min="@", fine_max="10.50")
    key = str(uuid.uuid4())
    body = json.dumps({"batch_id": key, "region_code": region, "records": [upsert("ZF03", data)]})
    body = body.replace('"@"', "1234567890123456.25")     # a JSON number a float cannot hold
    r = hub.post_batch("ZF03", body.encode(), key)
    assert r.json()["accepted"] == 1, r.text
    with psycopg.connect(libpq_url(hub_db)) as conn:
        stored = conn.execute("select data->>'fine_min', data->>'fine_max' from hub_record "
                              "where dataset = 'ZF03' and region_code = %s", (region,)).fetchone()
    assert stored == ("1234567890123456.25", "10.50")


def test_a_delete_needs_no_data_and_its_data_is_not_judged(hub, reg):
    assert hub.judge("ZF03", reg.code, {"record_key": "never-held", "record_version": V1, "op": "delete"}) == {}
    assert hub.judge("ZF03", reg.code, {"record_key": "never-held-2", "record_version": V1, "op": "delete",
                                        "data": {"bogus": True}}) == {}
    bad_version = hub.judge("ZF03", reg.code, {"record_key": "k", "record_version": "yesterday", "op": "delete"})
    assert (bad_version["code"], bad_version["field"]) == ("FIELD_TYPE", "record_version")


def test_messages_name_the_field_in_chinese_and_hide_personal_data(hub, reg):
    r = hub.judge("ZF02", reg.code, with_data("ZF02", id_no=BAD_RID)(reg))
    assert "id_no" in r["message"] and "身份证" in r["message"]
    assert BAD_RID not in r["message"]
    r = hub.judge("ZF01", reg.code, with_data("ZF01", subject_level="5")(reg))
    assert "subject_level" in r["message"] and "层级" in r["message"] and "“5”" in r["message"]
    r = hub.judge("ZF01", reg.code, with_data("ZF01", subject_name=None)(reg))
    assert "必填" in r["message"] and "subject_name" in r["message"]
