"""hub-api.md "How a record is judged", steps 6-8: against what the hub holds.

REFERENCE_MISSING (live records of the same region only), ORDER (across ZF10 and ZF12, with the
held counterpart), and versions (stale when older or equal, live or tombstone).
"""
from __future__ import annotations

from hubsim.store import held_records, live_records
from hubkit import V1, V2, V3, Region, delete, new_region, upsert


def t(day: int, hour: int = 10) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:00:00+08:00"


# --- REFERENCE_MISSING ---------------------------------------------------------------------------

def test_a_case_whose_parents_were_never_pushed_is_refused(hub, region):
    reg = Region(region)
    r = hub.judge("ZF10", region, upsert("ZF10", reg.case))
    assert (r["code"], r["field"]) == ("REFERENCE_MISSING", "subject_code")
    assert reg.subject["subject_code"] in r["message"]


def test_references_are_checked_in_the_standards_field_order_and_list_items_one_by_one(hub, region):
    reg = Region(region)
    hub.accept("ZF01", region, [upsert("ZF01", reg.subject)])
    r = hub.judge("ZF10", region, upsert("ZF10", reg.case))
    assert (r["code"], r["field"]) == ("REFERENCE_MISSING", "item_code")
    hub.accept("ZF03", region, [upsert("ZF03", reg.item)])
    r = hub.judge("ZF10", region, upsert("ZF10", reg.case))
    assert (r["code"], r["field"]) == ("REFERENCE_MISSING", "party_id")
    hub.accept("ZF04", region, [upsert("ZF04", reg.party)])
    hub.accept("ZF02", region, [upsert("ZF02", reg.officers[0])])
    r = hub.judge("ZF10", region, upsert("ZF10", reg.case))
    assert (r["code"], r["field"]) == ("REFERENCE_MISSING", "officer_cert_nos")
    assert reg.certs[1] in r["message"] and "第 2 项" in r["message"]
    hub.accept("ZF02", region, [upsert("ZF02", reg.officers[1])])
    assert hub.judge("ZF10", region, upsert("ZF10", reg.case)) == {}


def test_a_reference_resolves_only_within_the_same_region(hub):
    home = Region(new_region()).seed(hub)
    elsewhere = new_region()
    r = hub.judge("ZF10", elsewhere, upsert("ZF10", home.case))
    assert (r["code"], r["field"]) == ("REFERENCE_MISSING", "subject_code")
    r = hub.judge("ZF12", elsewhere, upsert("ZF12", home.valid("ZF12")))
    assert (r["code"], r["field"]) == ("REFERENCE_MISSING", "case_id")
    assert hub.judge("ZF12", home.code, upsert("ZF12", home.valid("ZF12"))) == {}


def test_a_deleted_record_resolves_no_reference(hub, seeded):
    hub.accept("ZF02", seeded.code, [delete(seeded.certs[1])])
    r = hub.judge("ZF10", seeded.code, upsert("ZF10", seeded.new_case("LP:second")))
    assert (r["code"], r["field"]) == ("REFERENCE_MISSING", "officer_cert_nos")
    hub.accept("ZF10", seeded.code, [delete(seeded.case["case_id"])])
    for ds in ("ZF11", "ZF12", "ZF13", "ZF20", "ZF30"):
        r = hub.judge(ds, seeded.code, upsert(ds, seeded.valid(ds)))
        assert (ds, r["code"], r["field"]) == (ds, "REFERENCE_MISSING", "case_id")


def test_an_optional_reference_left_out_is_not_checked_and_a_present_one_is(hub, seeded):
    step = dict(seeded.valid("ZF20"))
    del step["handler_cert_no"]
    assert hub.judge("ZF20", seeded.code, upsert("ZF20", step)) == {}
    r = hub.judge("ZF20", seeded.code, upsert("ZF20", dict(step, seq=4, handler_cert_no="NOPE")))
    assert (r["code"], r["field"]) == ("REFERENCE_MISSING", "handler_cert_no")


def test_references_pushed_earlier_in_previous_batches_count_and_a_batch_is_judged_in_order(hub, region):
    reg = Region(region)
    hub.accept("ZF01", region, [upsert("ZF01", reg.subject)])
    # within one batch: the delete comes first, then the upsert sees a tombstone it outdates
    receipt = hub.push("ZF02", region, [
        upsert("ZF02", reg.officers[0], V2),
        upsert("ZF02", reg.officers[0], V1),           # older than the one just accepted: stale
        delete(reg.certs[1], V1),
        upsert("ZF02", reg.officers[1], V2),           # newer than that tombstone: accepted
        upsert("ZF02", reg.officers[2], V1),
        delete(reg.certs[2], V1),                      # equal to the version just accepted: stale
    ]).json()
    assert (receipt["accepted"], receipt["stale"], receipt["rejected"]) == (4, 2, [])
    assert live_records(hub.hub_db, "ZF02", region) == {reg.certs[0]: V2, reg.certs[1]: V2, reg.certs[2]: V1}


# --- ORDER -------------------------------------------------------------------------------------

def test_order_within_the_pushed_case(hub, seeded):
    case = seeded.new_case("LP:o1", registered_at=t(5), closed_at=t(4))
    r = hub.judge("ZF10", seeded.code, upsert("ZF10", case))
    assert (r["code"], r["field"]) == ("ORDER", "closed_at")
    case = seeded.new_case("LP:o2", registered_at=t(5), archived_at=t(4))      # closed_at absent: skipped
    r = hub.judge("ZF10", seeded.code, upsert("ZF10", case))
    assert (r["code"], r["field"]) == ("ORDER", "archived_at")
    case = seeded.new_case("LP:o3", registered_at=t(5), closed_at=t(7), archived_at=t(6))
    r = hub.judge("ZF10", seeded.code, upsert("ZF10", case))
    assert (r["code"], r["field"]) == ("ORDER", "archived_at")
    case = seeded.new_case("LP:o4", registered_at=t(5), closed_at=t(5), archived_at=t(5))   # equal is in order
    assert hub.judge("ZF10", seeded.code, upsert("ZF10", case)) == {}


def test_order_of_a_penalty_against_its_held_case(hub, seeded):
    # the seeded case was registered on 03-01 09:00
    penalty = dict(seeded.valid("ZF12"), decision_at=t(1, 8), served_at=t(2))
    r = hub.judge("ZF12", seeded.code, upsert("ZF12", penalty))
    assert (r["code"], r["field"]) == ("ORDER", "decision_at")
    assert "ZF10" in r["message"]
    penalty = dict(seeded.valid("ZF12"), decision_at=t(10), served_at=t(9))
    r = hub.judge("ZF12", seeded.code, upsert("ZF12", penalty))
    assert (r["code"], r["field"]) == ("ORDER", "served_at")
    penalty = dict(seeded.valid("ZF12"), served_at=t(1, 8))
    del penalty["decision_at"]
    r = hub.judge("ZF12", seeded.code, upsert("ZF12", penalty))          # registered_at vs served_at
    assert (r["code"], r["field"]) == ("ORDER", "served_at")


def test_order_of_a_case_against_its_held_penalty_names_the_cases_own_field(hub, seeded):
    hub.accept("ZF12", seeded.code, [upsert("ZF12", dict(seeded.valid("ZF12"), decision_at=t(10), served_at=t(12)))])
    key = seeded.case["case_id"]
    # registered after the held decision: the later field (decision_at) is not in the pushed record
    r = hub.judge("ZF10", seeded.code, upsert("ZF10", dict(seeded.case, registered_at=t(11)), V2))
    assert (r["code"], r["field"]) == ("ORDER", "registered_at")
    assert "ZF12" in r["message"]
    # closed before the held service: closed_at is the later field, and the pushed record has it
    r = hub.judge("ZF10", seeded.code, upsert("ZF10", dict(seeded.case, closed_at=t(11)), V2))
    assert (r["code"], r["field"]) == ("ORDER", "closed_at")
    assert hub.judge("ZF10", seeded.code, upsert("ZF10", dict(seeded.case, closed_at=t(12), archived_at=t(13)), V2)) == {}
    # once the penalty is deleted, nothing held constrains the case
    hub.accept("ZF12", seeded.code, [delete(key, V2)])
    assert hub.judge("ZF10", seeded.code, upsert("ZF10", dict(seeded.case, registered_at=t(11)), V3)) == {}


def test_order_is_judged_before_versions(hub, seeded):
    old_and_wrong = seeded.new_case(seeded.case["case_id"], registered_at=t(5), closed_at=t(4))
    r = hub.judge("ZF10", seeded.code, upsert("ZF10", old_and_wrong, V1))     # equal version: would be stale
    assert r["code"] == "ORDER"


# --- versions ----------------------------------------------------------------------------------

def test_stale_is_older_or_equal_and_newer_replaces(hub, seeded):
    key = seeded.item["item_code"]
    assert hub.judge("ZF03", seeded.code, upsert("ZF03", dict(seeded.item, item_name="同版本"), V1)) == {"stale": True}
    assert hub.judge("ZF03", seeded.code, upsert("ZF03", seeded.item, "2026-02-28T23:59:59+08:00")) == {"stale": True}
    assert hub.judge("ZF03", seeded.code, upsert("ZF03", seeded.item, "2026-03-01T10:00:01+08:00")) == {}
    assert live_records(hub.hub_db, "ZF03", seeded.code) == {key: "2026-03-01T10:00:01+08:00"}


def test_a_rejected_record_is_rejected_stale_or_not(hub, seeded):
    r = hub.judge("ZF03", seeded.code, upsert("ZF03", dict(seeded.item, domain_code="00"), V1))
    assert r["code"] == "CODE_UNKNOWN"


def test_delete_leaves_a_tombstone_that_outdates_older_versions(hub, seeded):
    key = seeded.item["item_code"]
    assert hub.judge("ZF03", seeded.code, delete(key, V1)) == {"stale": True}     # equal to the live version
    assert hub.judge("ZF03", seeded.code, delete(key, V2)) == {}
    assert live_records(hub.hub_db, "ZF03", seeded.code) == {}
    assert held_records(hub.hub_db, "ZF03", seeded.code) == {key: (V2, True)}
    assert hub.judge("ZF03", seeded.code, upsert("ZF03", seeded.item, V1)) == {"stale": True}
    assert hub.judge("ZF03", seeded.code, upsert("ZF03", seeded.item, V2)) == {"stale": True}   # equal to the tombstone
    assert hub.judge("ZF03", seeded.code, delete(key, V2)) == {"stale": True}
    assert hub.judge("ZF03", seeded.code, upsert("ZF03", seeded.item, V3)) == {}
    assert held_records(hub.hub_db, "ZF03", seeded.code) == {key: (V3, False)}


def test_a_delete_of_a_key_never_held_is_accepted_and_leaves_a_tombstone(hub, region):
    assert hub.judge("ZF30", region, delete("LP:never", V2)) == {}
    assert held_records(hub.hub_db, "ZF30", region) == {"LP:never": (V2, True)}
    assert hub.summary("ZF30", region).json()["records"] == 0


def test_a_delete_of_a_case_deletes_nothing_else(hub, seeded):
    for ds in ("ZF12", "ZF20"):
        hub.accept(ds, seeded.code, [upsert(ds, seeded.valid(ds))])
    hub.accept("ZF10", seeded.code, [delete(seeded.case["case_id"])])
    assert len(live_records(hub.hub_db, "ZF12", seeded.code)) == 1
    assert len(live_records(hub.hub_db, "ZF20", seeded.code)) == 1


def test_the_receipt_counts_add_up_and_rejects_do_not_stop_the_others(hub, seeded):
    records = [
        upsert("ZF03", dict(seeded.item, item_code="A1")),
        upsert("ZF03", dict(seeded.item, item_code="A2", domain_code="x")),
        upsert("ZF03", seeded.item, V1),                               # stale
        {"record_key": ["odd"], "op": "upsert"},
        upsert("ZF03", dict(seeded.item, item_code="A3")),
        delete("A9", V1),
    ]
    receipt = hub.push("ZF03", seeded.code, records).json()
    assert receipt["received"] == 6
    assert (receipt["accepted"], receipt["stale"]) == (3, 1)
    assert [(x["record_key"], x["code"], x["field"]) for x in receipt["rejected"]] == [
        ("A2", "CODE_UNKNOWN", "domain_code"), (["odd"], "FIELD_TYPE", "record_key")]
    assert set(live_records(hub.hub_db, "ZF03", seeded.code)) == {seeded.item["item_code"], "A1", "A3"}
