"""The change feed: every entity, in commit order, in the standard's form, resumable from any
cursor without repeats. Each test starts following at the feed's current end, so everything it
reads is what it wrote."""
from __future__ import annotations

import re
from decimal import Decimal

from jiandu.standard import credential_valid, load_standard, resident_id_valid, uscc_valid

from service_support import Api, PENALTY_STEPS, build_world, case_body, ok, unique, with_handler

DATASET = {"subject": "ZF01", "officer": "ZF02", "item": "ZF03", "party": "ZF04", "case": "ZF10",
           "inspection": "ZF11", "penalty": "ZF12", "coercion": "ZF13", "case_step": "ZF20", "publicity": "ZF30"}
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DECIMAL = re.compile(r"^-?\d{1,16}(\.\d{1,2})?$")


class Follower:
    """Reads the feed the way the pipeline does: from its last next_cursor, page by page."""

    def __init__(self, api: Api, limit: int = 1000):
        self.api, self.limit, self.cursor = api, limit, None

    def read(self) -> list[dict]:
        out = []
        while True:
            params = {"limit": self.limit} | ({"after": self.cursor} if self.cursor else {})
            page = ok(self.api.get("/api/v1/changes", params=params))
            out += page["changes"]
            if page["changes"]:
                assert page["next_cursor"] == page["changes"][-1]["cursor"]
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return out


def keys(changes) -> list[tuple[str, str, str]]:
    return [(c["entity"], c["key"], c["op"]) for c in changes]


# Required by the standard but legitimately absent while a case is open: the procedure of a case
# that is not a penalty (required only for penalties), and an inspection not yet carried out.
OPEN_GAPS = {("case", "procedure"), ("inspection", "inspected_at"), ("inspection", "result")}


def assert_standard_form(change: dict) -> None:
    """The record as the hub's checks see it: exactly the dataset's fields, typed as the standard says."""
    ds = load_standard().datasets[DATASET[change["entity"]]]
    data = change["data"]
    assert set(data) == {f.name for f in ds.fields} | {"record_version", "extra"}, change["entity"]
    assert "|".join(str(data[k]) for k in ds.key) == change["key"]
    assert data["record_version"] == change["changed_at"] and DATETIME.match(data["record_version"])
    for f in ds.fields:
        value = data[f.name]
        if value is None:
            assert not f.required or (change["entity"], f.name) in OPEN_GAPS, (change["entity"], f.name)
            continue
        base = f.type.base
        if base == "datetime":
            assert DATETIME.match(value), (f.name, value)
        elif base == "date":
            assert DATE.match(value), (f.name, value)
        elif base == "decimal":
            assert isinstance(value, str) and DECIMAL.match(value), (f.name, value)
        elif base == "bool":
            assert isinstance(value, bool), (f.name, value)
        elif base == "int":
            assert isinstance(value, int) and not isinstance(value, bool), (f.name, value)
        elif base == "list":
            assert isinstance(value, list) and len(set(value)) == len(value), (f.name, value)
            if f.type.item.base == "code":
                assert set(value) <= set(load_standard().code_sets[f.type.item.code_set]), (f.name, value)
        elif base == "code" and f.type.code_set != "region":
            assert value in load_standard().code_sets[f.type.code_set], (f.name, value)
        elif base == "string":
            assert isinstance(value, str) and len(value) <= f.type.length, (f.name, value)
        if f.rule == "uscc":
            assert uscc_valid(value), (f.name, value)
        if f.rule == "resident_id":
            assert resident_id_valid(value), (f.name, value)
        if f.rule == "by_credential_type":
            assert credential_valid(data["credential_type"], value)


def test_every_entity_in_commit_order_and_resumable(admin, pipeline):
    follower = Follower(pipeline)
    follower.read()
    start = follower.cursor
    assert follower.read() == [] and follower.cursor == start  # at the end, the cursor stays

    # Each write, then exactly its changes, in the order it wrote them.
    world = build_world(admin)
    seen = follower.read()
    assert [k[0] for k in keys(seen)] == (["subject"] + ["officer"] * 4 + ["item"] * 4 + ["party"] * 2)
    assert all(c["op"] == "upsert" for c in seen)
    person = next(c for c in seen if c["key"] == world.parties["person"])
    # personal data is not masked in the feed: the pipeline pushes full values to the hub
    assert person["data"]["party_name"] == "李小明" and person["data"]["credential_no"] == world.credentials["person"]
    assert "*" not in next(c for c in seen if c["entity"] == "officer")["data"]["id_no"]

    expected: list[tuple[str, str, str]] = []
    case_id = ok(admin.post("/api/v1/cases", case_body(world)), 201)["id"]
    key = f"LP:{case_id}"
    batch = follower.read()
    assert keys(batch) == [("case", key, "upsert"), ("penalty", key, "upsert"), ("case_step", f"{key}|1", "upsert")]
    case = batch[0]["data"]
    assert case["case_id"] == key and case["source_system"] == "LP" and case["status"] == "10"
    assert case["officer_cert_nos"] == [world.officers["a"], world.officers["b"]]
    assert case["registered_at"] == "2024-03-01T09:00:00+08:00"
    expected += keys(seen) + keys(batch)

    # the penalty walked through C2..C8: each step's records, nothing else, nothing twice
    touches = {"C2": [], "C3": ["penalty"], "C4": ["penalty"], "C5": ["case", "penalty"], "C6": ["case", "penalty"],
               "C7": ["case"], "C8": ["case"]}
    for seq, step in enumerate(PENALTY_STEPS, start=2):
        ok(admin.post(f"/api/v1/cases/{case_id}/steps", with_handler(step, world.officers["a"])), 201)
        batch = follower.read()
        want = [(e, key, "upsert") for e in touches[step["stage_code"]]] + [("case_step", f"{key}|{seq}", "upsert")]
        assert keys(batch) == want, step["stage_code"]
        expected += keys(batch)
        for change in batch:
            assert_standard_form(change)
    penalty = [c for c in batch if c["entity"] == "penalty"] or None
    decided = ok(pipeline.get("/api/v1/changes", params={"after": start, "limit": 10000}))["changes"]
    last_penalty = [c for c in decided if c["entity"] == "penalty"][-1]["data"]
    assert last_penalty["fine_amount"] == "8000.00" and last_penalty["penalty_kinds"] == ["01", "03"]
    assert last_penalty["extra"] == {"discretion_reason": None, "flags": []}
    assert penalty is None  # C8 touched only the case

    ok(admin.post(f"/api/v1/cases/{case_id}/publicity", {"published_at": "2024-03-25T09:00:00+08:00"}), 201)
    batch = follower.read()
    assert keys(batch) == [("publicity", key, "upsert")]
    assert "李**" in batch[0]["data"]["public_text"]  # the notice itself is masked, even in the feed
    expected += keys(batch)

    # an inspection and a coercion case, and one entered by mistake and deleted
    ins = ok(admin.post("/api/v1/cases", case_body(world, "1", procedure=None)), 201)["id"]
    coe = ok(admin.post("/api/v1/cases", case_body(world, "3", procedure=None)), 201)["id"]
    ok(admin.post(f"/api/v1/cases/{coe}/steps", {"stage_code": "Q4", "entered_at": "2024-03-25T09:00:00+08:00",
                                                 "measure_seq": 1, "extended_days": 15}), 201)
    wrong = ok(admin.post("/api/v1/cases", case_body(world)), 201)["id"]
    ok(admin.delete(f"/api/v1/cases/{wrong}"))
    batch = follower.read()
    assert keys(batch) == [
        ("case", f"LP:{ins}", "upsert"), ("inspection", f"LP:{ins}", "upsert"), ("case_step", f"LP:{ins}|1", "upsert"),
        ("case", f"LP:{coe}", "upsert"), ("coercion", f"LP:{coe}|1", "upsert"), ("case_step", f"LP:{coe}|1", "upsert"),
        ("coercion", f"LP:{coe}|1", "upsert"), ("case_step", f"LP:{coe}|2", "upsert"),
        ("case", f"LP:{wrong}", "upsert"), ("penalty", f"LP:{wrong}", "upsert"), ("case_step", f"LP:{wrong}|1", "upsert"),
        ("case_step", f"LP:{wrong}|1", "delete"), ("penalty", f"LP:{wrong}", "delete"), ("case", f"LP:{wrong}", "delete"),
    ]
    for change in batch:
        if change["op"] == "delete":
            assert "data" not in change and DATETIME.match(change["changed_at"])
        else:
            assert_standard_form(change)
    assert batch[6]["data"]["extended_days"] == 15 and batch[6]["data"]["term_days"] == 30
    expected += keys(batch)

    # A new follower paging 3 at a time sees the same sequence: no gap, no repeat.
    again = Follower(pipeline, limit=3)
    again.cursor = start
    everything = again.read()
    assert keys(everything) == expected
    cursors = [c["cursor"] for c in everything]
    assert len(set(cursors)) == len(cursors)
    # resuming from any cursor gives exactly the rest
    middle = everything[17]["cursor"]
    rest = ok(pipeline.get("/api/v1/changes", params={"after": middle, "limit": 10000}))
    assert keys(rest["changes"]) == expected[18:] and rest["has_more"] is False
    # at the end: nothing more, and the cursor stays where it was
    end = ok(pipeline.get("/api/v1/changes", params={"after": cursors[-1]}))
    assert end == {"changes": [], "next_cursor": cursors[-1], "has_more": False}

    # versions of one record strictly increase along the feed, even within one second
    last: dict[tuple[str, str], str] = {}
    for change in everything:
        k = (change["entity"], change["key"])
        if k in last:
            assert change["changed_at"] > last[k], k
        last[k] = change["changed_at"]


def test_limits_and_cursors_are_checked(admin, pipeline):
    for params, field in (({"limit": 0}, "limit"), ({"limit": 10001}, "limit"), ({"after": "garbage"}, "after"),
                          ({"after": "1;drop table x"}, "after")):
        r = pipeline.get("/api/v1/changes", params=params)
        assert r.status_code == 422, params
        assert r.json()["detail"][0]["field"] == field
    first = ok(pipeline.get("/api/v1/changes", params={"limit": 1}))
    assert len(first["changes"]) == 1 and first["has_more"] is True
    # the admin may read the feed too (for setup and diagnosis)
    assert admin.get("/api/v1/changes", params={"limit": 1}).status_code == 200


def test_rapid_updates_of_one_record_get_distinct_versions(admin, pipeline):
    """The hub drops a version equal to the one it holds: two changes in one second must differ."""
    follower = Follower(pipeline)
    follower.read()
    code = f"RAPID-{unique()}"
    body = {"item_code": code, "item_name": "快速更新", "item_category": "2", "domain_code": "01",
            "legal_basis": "某法", "legal_review_required": False, "valid_from": "2020-01-01"}
    for i in range(4):
        admin.post("/api/v1/items", {**body, "fine_max": str(Decimal(100 + i))})
    versions = [c["changed_at"] for c in follower.read() if c["key"] == code]
    assert len(versions) == 4 and versions == sorted(set(versions))


def test_text_with_quotes_backslashes_and_line_breaks_arrives_verbatim(admin, pipeline):
    """The feed's JSON is rendered by PostgreSQL and joined as bytes: escapes must survive as such."""
    follower = Follower(pipeline)
    follower.read()
    code = f"ESC-{unique()}"
    basis = '《某法》第一条\n第二款：“引号”与 "quotes"、反斜杠 \\ 与 \\n 字样\t制表符 😀'
    ok(admin.post("/api/v1/items", {"item_code": code, "item_name": "转义\\测试", "item_category": "2",
                                    "domain_code": "01", "legal_basis": basis, "legal_review_required": False,
                                    "valid_from": "2020-01-01"}), 201)
    [change] = [c for c in follower.read() if c["key"] == code]
    assert change["data"]["legal_basis"] == basis and change["data"]["item_name"] == "转义\\测试"
    assert_standard_form(change)
