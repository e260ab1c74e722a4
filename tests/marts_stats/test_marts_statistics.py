"""The statistics marts on a standard layer filled with chosen cases: each count, amount,
duration and rate is checked against what the rows say by hand, including the edge cases
(time zone at midnight, revoked decisions, a decision before its filing, duplicate list items,
facts after D)."""
from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from jiandu.db import libpq_url

from martutil import build, create_rule_mart_tables, insert_rows, query

S1 = "11440100MB0000001X"
S2 = "11440100MB0000002X"
AS_OF = "2026-02-28"

STAT_MODELS = ["stat_case_monthly", "stat_penalty_monthly", "stat_penalty_kind_monthly",
               "stat_decision_duration", "stat_decision_duration_monthly", "stat_legal_review_monthly",
               "stat_on_time_monthly", "stat_publicity_monthly"]


def evaluation(case_id, rule_id, level, due=None, done=None, late=None, trigger=None):
    return {"evaluation_key": f"{case_id}|{rule_id}|", "case_id": case_id, "rule_id": rule_id, "rule_name": f"规则{rule_id}",
            "item_ref": "", "case_type": "2", "subject_code": S1, "region_code": "440106", "level": level,
            "trigger_date": trigger, "due_date": due, "done_date": done, "cleared_late": late, "as_of_date": AS_OF}


def publicity(case_id, decided, must=True, due=None, published=None, on_time=None, judgeable=True):
    return {"case_id": case_id, "subject_code": S1, "region_code": "440106", "decision_date": decided,
            "must_publish": must, "publish_due_date": due, "published_at": published, "published_on_time": on_time,
            "publicity_judgeable": judgeable, "as_of_date": AS_OF}


def case(case_id, subject, case_type, status, registered_at, region="440106", item="I1", procedure="2"):
    return {"case_id": case_id, "case_no": f"No.{case_id}", "case_type": case_type, "subject_code": subject,
            "item_code": item, "party_id": "p" * 64, "source_channel": "01", "region_code": region,
            "procedure": procedure if case_type == "2" else None, "officer_cert_nos": ["A1", "A2"],
            "registered_at": registered_at, "status": status, "time_limit_extended": False,
            "source_system": "LP", "record_key": case_id, "record_version": "2026-03-01T00:00:00+08:00"}


def penalty(case_id, decision_at, kinds, fine=None, confiscation=None, legal_review_at=None):
    return {"case_id": case_id, "decision_no": f"D-{case_id}", "decision_at": decision_at, "penalty_kinds": kinds,
            "fine_amount": fine, "confiscation_amount": confiscation, "legal_review_at": legal_review_at,
            "record_key": case_id, "record_version": "2026-03-01T00:00:00+08:00"}


@pytest.fixture(scope="module")
def stats(mart_warehouse):
    url, work = mart_warehouse
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        insert_rows(conn, "standard.zf01_subject", [
            {"subject_code": s, "subject_name": n, "region_code": "440106", "subject_level": "3", "subject_type": "01",
             "domain_code": "01", "is_active": True, "record_key": s, "record_version": "2026-01-01T00:00:00+08:00"}
            for s, n in ((S1, "天河区市场监督管理局"), (S2, "荔湾区城市管理和综合执法局"))])
        insert_rows(conn, "standard.zf03_item", [
            {"item_code": code, "item_name": code, "item_category": "2", "domain_code": "01", "legal_basis": "法",
             "legal_review_required": required, "valid_from": "2020-01-01", "record_key": code,
             "record_version": "2026-01-01T00:00:00+08:00"} for code, required in (("I1", True), ("I2", False))])
        insert_rows(conn, "standard.zf10_case", [
            case("C1", S1, "2", "40", "2026-01-05T09:00:00+08:00"),
            case("C2", S1, "2", "20", "2026-01-20T09:00:00+08:00"),
            case("C3", S1, "2", "30", "2026-02-01T09:00:00+08:00", item="I2"),
            case("C4", S2, "2", "90", "2026-01-25T09:00:00+08:00"),
            case("C5", S2, "1", "10", "2026-02-10T09:00:00+08:00", region="440103"),
            case("C6", S2, "2", "10", "2026-03-10T09:00:00+08:00"),               # after D
            case("C7", S1, "2", "20", "2026-01-31T20:00:00+00:00", item="I2"),    # 1 Feb 04:00 in China
        ])
        insert_rows(conn, "standard.zf12_penalty", [
            penalty("C1", "2026-02-10T10:00:00+08:00", ["03", "01", "03"], fine=Decimal("5000"),
                    legal_review_at="2026-02-08T10:00:00+08:00"),
            penalty("C2", "2026-02-25T10:00:00+08:00", ["03", "04"], fine=Decimal("200"), confiscation=Decimal("1000")),
            # decided before it was filed (a data error), reviewed only after the decision
            penalty("C3", "2026-01-30T10:00:00+08:00", ["01"], legal_review_at="2026-02-02T10:00:00+08:00"),
            penalty("C4", "2026-02-05T10:00:00+08:00", ["03"], fine=Decimal("9999")),   # revoked
            penalty("C6", "2026-03-12T10:00:00+08:00", ["03"], fine=Decimal("700")),    # after D
            penalty("C7", "2026-02-28T23:30:00+08:00", ["01"]),                        # last half hour of D
        ])
        # the rule marts, as their interface promises them, with chosen rows
        create_rule_mart_tables(conn, ["fct_rule_evaluation", "fct_publicity"])
        insert_rows(conn, "marts.fct_rule_evaluation", [
            evaluation("E1", "T01", "cleared", due="2026-02-10", done="2026-02-08", late=False),
            evaluation("E2", "T01", "cleared", due="2026-02-15", done="2026-02-20", late=True),
            evaluation("E3", "T01", "red", due="2026-02-20"),
            evaluation("E4", "T01", "yellow", due="2026-03-10"),
            evaluation("E5", "T03", "red", due="2026-02-12", done="2026-02-05"),     # hearing held too soon
            evaluation("E6", "T05", "not_judgeable", trigger="2026-02-03"),
            evaluation("E7", "P02", "red", trigger="2026-02-03"),                    # not a time limit
        ])
        insert_rows(conn, "marts.fct_publicity", [
            publicity("U1", "2026-02-02", due="2026-02-11", published="2026-02-05T10:00:00+08:00", on_time=True),
            publicity("U2", "2026-02-03", due="2026-02-12", published="2026-02-20T10:00:00+08:00", on_time=False),
            publicity("U3", "2026-02-04", due="2026-02-13"),
            publicity("U4", "2026-02-26", due="2026-03-06"),
            publicity("U5", "2026-02-10", due="2026-02-20", judgeable=False),
            publicity("U6", "2026-02-11", must=False),
            publicity("U7", "2026-03-01", due="2026-03-10"),
            publicity("U8", "2026-02-12", due="2026-02-24", published="2026-03-02T10:00:00+08:00"),  # after D
        ])
    build([*STAT_MODELS], work, url, AS_OF)
    return url


def test_case_counts_by_month_region_subject_type_status(stats):
    rows = query(stats, "select stat_month::text, region_code, subject_code, case_type, status, case_count,"
                        " status_label, case_type_label, subject_name, region_name, as_of_date::text"
                        " from marts.stat_case_monthly order by 1, 2, 3, 4, 5")
    got = {(r["stat_month"], r["region_code"], r["subject_code"], r["case_type"], r["status"]): r["case_count"]
           for r in rows}
    assert got == {
        ("2026-01-01", "440106", S1, "2", "40"): 1,
        ("2026-01-01", "440106", S1, "2", "20"): 1,
        ("2026-01-01", "440106", S2, "2", "90"): 1,
        ("2026-02-01", "440106", S1, "2", "30"): 1,
        ("2026-02-01", "440106", S1, "2", "20"): 1,   # C7: registered 31 Jan UTC = 1 Feb in China
        ("2026-02-01", "440103", S2, "1", "10"): 1,
    }
    c5 = next(r for r in rows if r["case_type"] == "1")
    assert (c5["case_type_label"], c5["status_label"], c5["region_name"]) == ("行政检查", "办理中", "荔湾区")
    assert c5["subject_name"] == "荔湾区城市管理和综合执法局" and c5["as_of_date"] == AS_OF


def test_penalties_amounts_leave_out_revoked_and_later_decisions(stats):
    rows = query(stats, "select stat_month::text, subject_code, procedure, decided_count, fine_case_count, fine_total,"
                        " fine_max, confiscation_case_count, confiscation_total, procedure_label"
                        " from marts.stat_penalty_monthly order by 1, 2")
    assert [(r["stat_month"], r["subject_code"], r["decided_count"]) for r in rows] == [
        ("2026-01-01", S1, 1), ("2026-02-01", S1, 3)]
    feb = rows[1]
    assert (feb["fine_case_count"], feb["fine_total"], feb["fine_max"]) == (2, Decimal("5200.00"), Decimal("5000.00"))
    assert (feb["confiscation_case_count"], feb["confiscation_total"]) == (1, Decimal("1000.00"))
    assert feb["procedure_label"] == "普通程序"


def test_penalty_kinds_count_each_decision_once_per_kind(stats):
    rows = query(stats, "select stat_month::text, penalty_kind, penalty_kind_label, case_count"
                        " from marts.stat_penalty_kind_monthly where subject_code = %s order by 1, 2", (S1,))
    assert [(r["stat_month"], r["penalty_kind"], r["case_count"]) for r in rows] == [
        ("2026-01-01", "01", 1),                                              # C3
        ("2026-02-01", "01", 2), ("2026-02-01", "03", 2), ("2026-02-01", "04", 1)]
    assert {r["penalty_kind"]: r["penalty_kind_label"] for r in rows}["04"] == "没收违法所得"


def test_filing_to_decision_days_per_case_and_per_month(stats):
    rows = {r["case_id"]: r for r in query(stats, "select * from marts.stat_decision_duration")}
    assert set(rows) == {"C1", "C2", "C3", "C7"}
    assert rows["C1"]["days_to_decision"] == 36 and rows["C2"]["days_to_decision"] == 36
    assert rows["C7"]["days_to_decision"] == 27          # 1 Feb to 28 Feb, both in China's time
    assert rows["C3"]["days_to_decision"] is None and rows["C3"]["dates_inconsistent"] is True
    monthly = {r["stat_month"].isoformat(): r for r in query(
        stats, "select * from marts.stat_decision_duration_monthly where subject_code = %s", (S1,))}
    feb = monthly["2026-02-01"]
    assert (feb["decided_count"], feb["measured_count"], feb["inconsistent_count"]) == (3, 3, 0)
    assert (feb["avg_days"], feb["median_days"], feb["max_days"]) == (Decimal("33.0"), Decimal("36.0"), 36)
    jan = monthly["2026-01-01"]
    assert (jan["decided_count"], jan["measured_count"], jan["inconsistent_count"], jan["avg_days"]) == (1, 0, 1, None)


def test_legal_review_coverage_counts_only_reviews_before_the_decision(stats):
    rows = {r["stat_month"].isoformat(): r for r in query(
        stats, "select * from marts.stat_legal_review_monthly where subject_code = %s", (S1,))}
    feb = rows["2026-02-01"]
    assert (feb["decided_count"], feb["reviewed_count"], feb["required_count"], feb["required_reviewed_count"]) == (3, 1, 2, 1)
    assert feb["coverage_rate"] == Decimal("0.3333") and feb["required_coverage_rate"] == Decimal("0.5000")
    jan = rows["2026-01-01"]
    assert (jan["decided_count"], jan["reviewed_count"], jan["required_count"]) == (1, 0, 0)
    assert jan["required_coverage_rate"] is None


def test_marts_carry_their_chinese_comments(stats):
    """persist_docs: analysts read the descriptions as table and column comments."""
    rows = query(stats, "select obj_description('marts.stat_case_monthly'::regclass) as t,"
                        " col_description('marts.stat_case_monthly'::regclass, 1) as c")
    assert "粒度" in rows[0]["t"] and rows[0]["c"].startswith("立案月份")


def test_on_time_rates_of_time_limit_rules(stats):
    rows = {(r["stat_month"].isoformat(), r["rule_id"]): r for r in query(stats, "select * from marts.stat_on_time_monthly")}
    assert set(rows) == {("2026-02-01", "T01"), ("2026-03-01", "T01"), ("2026-02-01", "T03"), ("2026-02-01", "T05")}
    t01 = rows[("2026-02-01", "T01")]
    assert (t01["settled_count"], t01["on_time_count"], t01["late_done_count"], t01["overdue_open_count"]) == (3, 1, 1, 1)
    assert t01["on_time_rate"] == Decimal("0.3333") and t01["rule_name"] == "规则T01"
    march = rows[("2026-03-01", "T01")]
    assert (march["running_count"], march["settled_count"], march["on_time_rate"]) == (1, 0, None)
    assert (rows[("2026-02-01", "T03")]["late_done_count"], rows[("2026-02-01", "T03")]["on_time_rate"]) == (1, Decimal("0"))
    t05 = rows[("2026-02-01", "T05")]
    assert (t05["not_judgeable_count"], t05["settled_count"], t05["on_time_rate"]) == (1, 0, None)


def test_publication_on_time_rate(stats):
    rows = query(stats, "select * from marts.stat_publicity_monthly")
    assert len(rows) == 1
    feb = rows[0]
    assert (feb["decided_count"], feb["must_publish_count"]) == (7, 6)
    assert (feb["on_time_count"], feb["late_count"], feb["overdue_unpublished_count"], feb["pending_count"],
            feb["not_judgeable_count"]) == (1, 1, 2, 1, 1)
    assert feb["on_time_rate"] == Decimal("0.2500")
