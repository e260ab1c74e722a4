"""The monthly case-file review sample (案卷评查): sizes (5%, at least 1, at most 20), the
population (closed before the month, not drawn in the past 12 months), reproducibility from the
recorded seed, the same sample on every re-run of a month, atomic recording, and the reviewers'
records read back masked."""
from __future__ import annotations

import hashlib
from decimal import Decimal

import psycopg
import pytest

from jiandu.db import libpq_url

from martutil import build, execute, explain, query, run_dbt

P, Q, R = "11440100MB000000P1", "11440100MB000000Q1", "11440100MB000000R1"
MODELS = ["smp_review_candidate", "smp_review_sample"]


def closed_case(case_id, subject, closed_at, status="40"):
    return (case_id, f"No.{case_id}", "2", subject, "I1", "p" * 64, "01", "440106", "2", ["A1", "A2"],
            "2025-01-02T09:00:00+08:00", closed_at, status, False, "LP", case_id, "2026-01-01T00:00:00+08:00")


CASE_COLUMNS = ("case_id, case_no, case_type, subject_code, item_code, party_id, source_channel, region_code, procedure,"
                " officer_cert_nos, registered_at, closed_at, status, time_limit_extended, source_system, record_key,"
                " record_version")


def add_cases(url, rows):
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.executemany(f"insert into standard.zf10_case ({CASE_COLUMNS}) values ({', '.join(['%s'] * 17)})", rows)


def reproduce(seed: str, cases: list[str], n: int) -> list[str]:
    """The draw as the rules describe it, independently of the SQL: md5(seed || case_id) order."""
    return sorted(cases, key=lambda c: (hashlib.md5((seed + c).encode()).hexdigest(), c))[:n]


def recorded(url, month):
    return query(url, "select subject_code, case_id, draw_rank, eligible_count, sample_size from review.sample_case"
                      " where sample_month = %s order by subject_code, draw_rank", (month,))


@pytest.fixture(scope="module")
def sampled(mart_warehouse):
    url, work = mart_warehouse
    rows = [closed_case(f"P{i}", P, "2026-01-15T10:00:00+08:00") for i in range(3)]
    rows += [closed_case(f"Q{i:03d}", Q, "2025-11-15T10:00:00+08:00", "50") for i in range(100)]
    rows += [closed_case(f"R{i:03d}", R, "2025-12-15T10:00:00+08:00") for i in range(500)]
    rows += [closed_case("P-late", P, "2026-03-01T00:10:00+08:00"),        # closed in March: not in March's draw
             closed_case("P-open", P, None, "30")]                         # not closed
    add_cases(url, rows)
    build(MODELS, work, url, "2026-03-05")
    return url, work


def test_sizes_follow_rate_minimum_and_maximum(sampled):
    url, _ = sampled
    rows = recorded(url, "2026-03-01")
    by_subject = {}
    for r in rows:
        by_subject.setdefault(r["subject_code"], []).append(r)
    assert {s: len(v) for s, v in by_subject.items()} == {P: 1, Q: 5, R: 20}
    assert {s: v[0]["eligible_count"] for s, v in by_subject.items()} == {P: 3, Q: 100, R: 500}
    assert all(r["case_id"] not in ("P-late", "P-open") for r in rows)


def test_the_recorded_seed_reproduces_the_sample(sampled):
    url, _ = sampled
    draw = query(url, "select seed, population_until::text, recorded_at, case_count, config from review.sample_draw"
                      " where sample_month = '2026-03-01'")[0]
    assert len(draw["seed"]) == 32 and draw["population_until"] == "2026-02-28" and draw["case_count"] == 26
    assert draw["recorded_at"] is not None and draw["config"][0]["sample_rate"] == 0.05
    rows = recorded(url, "2026-03-01")
    for subject, prefix, n in ((P, "P", 1), (Q, "Q", 5), (R, "R", 20)):
        population = [c["case_id"] for c in query(url, "select case_id from standard.zf10_case where subject_code = %s"
                                                      " and status in ('40', '50') and closed_at < '2026-03-01T00:00:00+08:00'",
                                                  (subject,))]
        assert [r["case_id"] for r in rows if r["subject_code"] == subject] == reproduce(draw["seed"], population, n)
    # every drawn case has a review record to fill in, and the candidate table agrees with the record
    assert query(url, "select count(*) as n from review.case_review where sample_month = '2026-03-01'"
                      " and reviewer is null and score is null")[0]["n"] == 26
    assert query(url, "select count(*) filter (where recorded) as r, count(*) as n from marts.smp_review_candidate")[0] \
        == {"r": 26, "n": 26}


def test_rerunning_the_month_keeps_the_same_sample_even_when_cases_arrive_late(sampled):
    url, work = sampled
    before = recorded(url, "2026-03-01")
    seed = query(url, "select seed from review.sample_draw where sample_month = '2026-03-01'")[0]["seed"]
    add_cases(url, [closed_case(f"P-new{i}", P, "2026-02-20T10:00:00+08:00") for i in range(40)])
    build(MODELS, work, url, "2026-03-20")
    assert recorded(url, "2026-03-01") == before
    assert query(url, "select seed from review.sample_draw where sample_month = '2026-03-01'")[0]["seed"] == seed
    assert query(url, "select count(*) as n from review.case_review where sample_month = '2026-03-01'")[0]["n"] == 26


def test_next_month_excludes_cases_drawn_in_the_past_twelve_months(sampled):
    url, work = sampled
    march = {r["case_id"] for r in recorded(url, "2026-03-01")}
    build(MODELS, work, url, "2026-04-02")
    april = recorded(url, "2026-04-01")
    assert april and not march & {r["case_id"] for r in april}
    q = [r for r in april if r["subject_code"] == Q]
    assert q[0]["eligible_count"] == 95 and len(q) == 5        # 100 closed, 5 drawn in March
    # the draw a year on may take March's cases again: 13 months later they are eligible
    execute(url, "insert into review.sample_draw (sample_month, seed, as_of_date, population_until)"
                 " values ('2027-04-01', 'bureau-lottery-2027-04', '2027-04-01', '2027-03-31')")
    build(MODELS, work, url, "2027-04-01")
    later = recorded(url, "2027-04-01")
    q_later = [r for r in later if r["subject_code"] == Q]
    assert q_later[0]["eligible_count"] == 95                  # March 2026 is outside the window; April's 5 are inside
    population = [c["case_id"] for c in query(url, "select case_id from standard.zf10_case where subject_code = %s", (Q,))]
    april_q = {r["case_id"] for r in q}
    assert [r["case_id"] for r in q_later] == reproduce("bureau-lottery-2027-04",
                                                        [c for c in population if c not in april_q], 5)


def test_a_build_for_a_past_month_draws_nothing_behind_the_recorded_months(sampled):
    url, work = sampled
    build(MODELS, work, url, "2026-02-10")
    assert query(url, "select count(*) as n from review.sample_draw where sample_month = '2026-02-01'")[0]["n"] == 0


def test_a_failed_build_records_no_part_of_a_draw(sampled):
    url, work = sampled
    # the last hook (review records) fails: the seed and the cases written before it must roll back too
    execute(url, "alter table review.case_review add constraint refuse_all check (false) not valid")
    try:
        proc = run_dbt(["run", "--select", "smp_review_candidate", "--vars", "{as_of: '2027-06-03'}"], work, url)
        assert proc.returncode != 0, explain(proc)
        assert query(url, "select count(*) as n from review.sample_draw where sample_month = '2027-06-01'")[0]["n"] == 0
        assert query(url, "select count(*) as n from review.sample_case where sample_month = '2027-06-01'")[0]["n"] == 0
    finally:
        execute(url, "alter table review.case_review drop constraint refuse_all")
    build(MODELS, work, url, "2027-06-03")
    assert query(url, "select count(*) as n from review.sample_case where sample_month = '2027-06-01'")[0]["n"] > 0


def test_reviewers_records_show_masked(sampled):
    url, _ = sampled
    case_id = recorded(url, "2026-03-01")[0]["case_id"]
    execute(url, "update review.case_review set reviewer = '张三丰', score = 86.5, grade = '合格',"
                 " findings = '当事人440106198503120015的询问笔录缺签名', reviewed_at = now()"
                 " where sample_month = '2026-03-01' and case_id = %s", (case_id,))
    row = query(url, "select reviewer_masked, score, findings, reviewed from marts.smp_review_sample"
                     " where sample_month = '2026-03-01' and case_id = %s", (case_id,))[0]
    assert row == {"reviewer_masked": "张**", "score": Decimal("86.5"),
                   "findings": "当事人440106********0015的询问笔录缺签名", "reviewed": True}
    assert query(url, "select count(*) as n from marts.smp_review_sample where not reviewed")[0]["n"] > 0
