"""Each expectation fails on a crafted bad record and passes on the good ones.

One valid standard layer (standard_rows.py), plus copies each breaking exactly one rule; the gate
runs once over all of it, in PostgreSQL, and every bad record must carry exactly its rule while
no good record carries any.
"""
from __future__ import annotations

import copy
import datetime as dt

import psycopg
import pytest

from expectations.gate import run_gate
from jiandu import standard
from jiandu.db import libpq_url
from standard_rows import AS_OF, S1, base_rows, build, insert, rid, t, uscc

# (table, record_key, changes, expected issue rules on that record)
BAD: list[tuple[str, str, dict, set[str]]] = [
    ("zf10_case", "LP:req", {"item_code": None}, {"REQUIRED:item_code"}),
    ("zf10_case", "LP:rw", {"procedure": None}, {"REQUIRED_WHEN:procedure"}),
    ("zf10_case", "LP:code", {"source_channel": "77"}, {"CODE_SET:source_channel"}),
    ("zf10_case", "LP:region", {"region_code": "44010"}, {"REGION_CODE:region_code"}),
    ("zf10_case", "LP:off", {"officer_cert_nos": ["C1", "C1", ""]}, {"OFFICERS_MIN:officer_cert_nos"}),
    ("zf10_case", "LP:ref", {"item_code": "I404"}, {"REFERENCE:item_code"}),
    ("zf10_case", "LP:reflist", {"officer_cert_nos": ["C1", "C404"]}, {"REFERENCE:officer_cert_nos"}),
    ("zf10_case", "LP:ord", {"closed_at": t("2026-01-04"), "status": "40"}, {"DATETIME_ORDER:closed_at"}),
    ("zf10_case", "LP:fut", {"found_at": t("2026-03-20")}, {"FUTURE_TIME:found_at"}),
    ("zf12_penalty", "LP:kinds", {"penalty_kinds": ["03", "77"]}, {"CODE_SET:penalty_kinds"}),
    ("zf12_penalty", "LP:neg", {"fine_amount": -5}, {"AMOUNT_NEGATIVE:fine_amount"}),
    ("zf12_penalty", "LP:high", {"confiscation_amount": 250_000_000}, {"AMOUNT_HIGH:confiscation_amount"}),
    ("zf12_penalty", "LP:ord12", {"decision_at": t("2026-01-02")}, {"DATETIME_ORDER:decision_at"}),
    ("zf12_penalty", "LP:nodec", {"decision_no": None}, {"REQUIRED_WHEN:decision_no"}),
    ("zf01_subject", uscc("12440106MB0000010"), {"region_code": "4401"}, {"REGION_CODE:region_code"}),
    ("zf01_subject", "12440106MB00000100", {}, {"CHECKSUM:subject_code"}),
    ("zf02_officer", "C9", {"id_no": "440106198503120016"}, {"CHECKSUM:id_no"}),
    ("zf02_officer", "C8", {"id_no": "440106198502300012"}, {"CHECKSUM:id_no"}),         # 30 February
    ("zf02_officer", "C7", {"cert_valid_to": dt.date(2019, 1, 1)}, {"TIME_SEQUENCE:cert_valid_to"}),
    ("zf03_item", "I2", {"fine_min": 5000, "fine_max": 100}, {"FINE_RANGE:fine_min"}),
    ("zf04_party", "bad-id", {"credential_no": "440106199001011230"}, {"CHECKSUM:credential_no"}),
    ("zf04_party", "bad-hash", {"party_id": "0" * 64}, {"PARTY_ID:party_id"}),
    ("zf13_coercion", "LP:3|2", {"measure_seq": 2, "term_days": 400}, {"NUMBER_BOUNDS:term_days"}),
    ("zf13_coercion", "LP:3|3", {"measure_seq": 3, "term_days": None}, {"REQUIRED_WHEN:term_days"}),
    ("zf20_case_step", "LP:1|0", {"seq": 0}, {"MIN_VALUE:seq"}),
    ("zf20_case_step", "LP:1|2", {"seq": 2, "completed_at": t("2026-01-04")}, {"TIME_SEQUENCE:completed_at"}),
    ("zf11_inspection", "LP:ins", {"result": "02", "rectify_deadline": None}, {"REQUIRED_WHEN:rectify_deadline"}),
]

# copies of ZF10 cases the ZF11/ZF12 bad records point at (valid themselves)
CASES_FOR = {"LP:kinds": {}, "LP:neg": {}, "LP:high": {}, "LP:ord12": {}, "LP:nodec": {"status": "40", "closed_at": t("2026-02-01")},
             "LP:ins": {"case_type": "1", "procedure": None}}


def _bad_rows(rows: dict) -> list[tuple[str, dict]]:
    out = []
    for cid, changes in CASES_FOR.items():
        case = copy.deepcopy(rows["zf10_case"][0])
        case.update({"case_id": cid, "record_key": cid, "status": "10", "closed_at": None, **changes})
        out.append(("zf10_case", case))
    for table, key, changes, _ in BAD:
        row = copy.deepcopy(rows[table][0])
        row.update(changes)
        if table in ("zf10_case", "zf11_inspection", "zf12_penalty"):
            row["case_id"] = key
        elif table == "zf01_subject":
            row["subject_code"] = key
        elif table == "zf02_officer":
            row["cert_no"] = key
        elif table == "zf03_item":
            row["item_code"] = key
        elif table == "zf04_party":
            if "party_id" not in changes:
                row["party_id"] = standard.party_id(row["credential_type"], row["credential_no"])
        row["record_key"] = key
        out.append((table, row))
    return out


def _loads(conn) -> None:
    """ops.load_batch: LP lp_case fresh and steady; LG t_ajxx stale; LG t_ajlc last load failed;
    LP lp_step ten times its usual volume today; EX a file three weeks old (fresh for monthly files)."""
    def batch(source, stream, when, rows, status="committed", error=None):
        conn.execute("insert into ops.load_batch (source, stream, status, started_at, finished_at, rows_read, error)"
                     " values (%s, %s, %s, %s, %s, %s, %s)", (source, stream, status, when, when, rows, error))
    for d in range(1, 8):
        day = AS_OF - dt.timedelta(days=d)
        batch("LP", "lp_case", day, 100)
        batch("LP", "lp_step", day, 100)
        batch("LG", "t_ajxx", day, 100)
        batch("LG", "t_ajlc", day, 100)
    batch("LP", "lp_case", AS_OF - dt.timedelta(minutes=10), 60)
    batch("LP", "lp_step", AS_OF - dt.timedelta(minutes=10), 1000)
    batch("LG", "t_ajxx", AS_OF - dt.timedelta(hours=5), 40)
    batch("LG", "t_ajlc", AS_OF - dt.timedelta(minutes=30), 50)
    batch("LG", "t_ajlc", AS_OF - dt.timedelta(minutes=15), 0, "failed", "连接超时：440106198503120015")
    batch("EX", "某单位2026年2月.xlsx", AS_OF - dt.timedelta(days=21), 30)


def _staging(conn) -> None:
    cols = ["registered", "decision", "served", "closed"]
    conn.execute("create table staging.stg_lg__case (source_ref text, " + ", ".join(
        f"{c}_text text, {c}_at timestamptz" for c in cols) + ", fine_text text, fine_amount numeric,"
        " confiscation_text text, confiscation_amount numeric)")
    conn.execute("insert into staging.stg_lg__case (source_ref, registered_text, registered_at, fine_text, fine_amount)"
                 " values ('LG:t_ajxx:A1', '2026-01-05', '2026-01-05', '5000元', 5000),"
                 " ('LG:t_ajxx:A2', '2026年13月5日', null, '伍仟元', 5000),"
                 " ('LG:t_ajxx:A3', '2026-01-05', '2026-01-05', '见附件 440106198503120015', null)")


@pytest.fixture(scope="module")
def gated(warehouse_db_url):
    with psycopg.connect(libpq_url(warehouse_db_url)) as conn:
        rows = build(conn, base_rows())
        for table, row in _bad_rows(rows):
            insert(conn, table, row)
        _loads(conn)
        _staging(conn)
        conn.commit()
    report = run_gate(warehouse_db_url, as_of=AS_OF)
    with psycopg.connect(libpq_url(warehouse_db_url)) as conn:
        issues = conn.execute("select dataset, record_key, rule, severity, value_masked, message, status"
                              " from quality.issue").fetchall()
    yield rows, report, issues
    with psycopg.connect(libpq_url(warehouse_db_url)) as conn:   # the session's warehouse is shared
        conn.execute("drop table staging.stg_lg__case")
        for table in rows:
            conn.execute(f"drop table standard.{table}")
        conn.execute("truncate quality.issue, quality.validation_run, ops.load_batch cascade")
        conn.commit()


def _by_record(issues):
    out: dict[tuple[str, str], set[str]] = {}
    for ds, key, rule, *_ in issues:
        out.setdefault((ds, key), set()).add(rule)
    return out


@pytest.mark.parametrize("table, key, changes, expected", BAD, ids=[f"{b[0]}:{b[1]}:{sorted(b[3])[0]}" for b in BAD])
def test_bad_record_breaks_exactly_its_rule(gated, table, key, changes, expected):
    _, _, issues = gated
    code = "ZF" + table[2:4]
    assert _by_record(issues).get((code, key)) == expected


def test_good_records_pass_every_rule(gated):
    rows, _, issues = gated
    found = _by_record(issues)
    for table, items in rows.items():
        for r in items:
            assert ("ZF" + table[2:4], r["record_key"]) not in found, (table, r["record_key"])


def test_genuine_id_of_a_district_younger_than_its_holder_passes(gated):
    rows, _, issues = gated
    assert any(o["id_no"] == "440106198001010019" for o in rows["zf02_officer"])
    assert not [i for i in issues if i[1] == "C2"]


def test_severity_comes_from_the_catalogue(gated):
    _, _, issues = gated
    sev = {i[2].split(":")[0]: i[3] for i in issues}
    assert sev["CHECKSUM"] == sev["REFERENCE"] == sev["DATETIME_ORDER"] == sev["REQUIRED"] == "blocking"
    assert sev["AMOUNT_HIGH"] == sev["REQUIRED_WHEN"] == sev["PARSE_FAILED"] == sev["VOLUME"] == "warning"


def test_values_are_masked_and_messages_chinese(gated):
    _, _, issues = gated
    by = {(i[1], i[2]): i for i in issues}
    assert by[("C9", "CHECKSUM:id_no")][4] == "440106********0016"
    party = by[("bad-id", "CHECKSUM:credential_no")]
    assert party[4] == "440106********1230" and "身份证" in party[5]
    code = by[("LP:code", "CODE_SET:source_channel")]
    assert code[4] == "77" and "代码集" in code[5]
    for i in issues:
        assert "440106198503120015" not in (i[4] or "") + i[5]


def test_staging_parse_failures_name_the_source_record(gated):
    _, _, issues = gated
    found = _by_record(issues)
    assert found[("stg_lg__case", "LG:t_ajxx:A2")] == {"PARSE_FAILED:registered_at"}
    assert found[("stg_lg__case", "LG:t_ajxx:A3")] == {"PARSE_FAILED:fine_amount"}
    assert ("stg_lg__case", "LG:t_ajxx:A1") not in found
    a3 = next(i for i in issues if i[1] == "LG:t_ajxx:A3")
    assert "440106********0015" in a3[4]


def test_source_streams_freshness_failure_and_volume(gated):
    _, _, issues = gated
    found = _by_record(issues)
    assert found[("LG", "t_ajxx")] == {"FRESHNESS:finished_at"}
    assert found[("LG", "t_ajlc")] == {"LOAD_FAILED:status"}
    assert found[("LP", "lp_step")] == {"VOLUME:rows_read"}
    assert ("LP", "lp_case") not in found and ("EX", "报送文件") not in found
