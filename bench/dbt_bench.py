"""Benchmark of the dbt project's routine run (issue 5): N cases with their steps, generated with
generate_series straight into a throw-away warehouse's raw tables in the shapes the connectors
write (LG t_ajxx / t_ajlc with their text dates and names, LP change-feed payloads, EX file rows),
then

  1. full build: `dbt run` of staging + intermediate + standard on the whole raw layer (the
     baseline of the same run);
  2. routine run: 1% of the cases get a new raw version (status moves on, a step is added; an EX
     unit sends a new month), then the same `dbt run`, incremental.

Both times are printed together with their ratio (target: incremental / full under 0.1), the row
counts, the load average, and where the routine run's time went (dbt's start-up and parsing, then
the slowest nodes, from run_results.json). Nothing is asserted. The database is dropped at the end.

    .venvs/main/bin/python bench/dbt_bench.py --cases 100000
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench_dbt import dbt  # noqa: E402  (dbt from its own venv, timed)
SELECT = ["--select", "path:models/staging", "path:models/intermediate", "path:models/standard"]

# Cases i = 1..N: i % 10 in 0..4 LG, 5..7 LP, 8..9 EX. Units u = i % 200 + 1 (LG jgid u, subject
# S<u>); case types cycle inspection / penalty / coercion. One LP case in a hundred is an LG case
# re-entered in LP (same unit, same number): precedence leaves the LG record out.
GENERATE = """
insert into ops.load_batch (batch_id, source, stream, status) values
  (1, 'LP', 'changes', 'committed'), (2, 'LG', 'tables', 'committed'), (3, 'EX', 'files', 'committed');
select setval('ops.load_batch_batch_id_seq', 3);

insert into raw.lp_subject (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, payload)
select 1, s.code, md5(s.code), now(), '2025-01-01T08:00:00+08:00',
       jsonb_build_object('subject_code', s.code, 'subject_name', '某执法局' || u, 'region_code', '440106',
                          'subject_level', '3', 'subject_type', '01', 'domain_code', '04', 'parent_subject_code', null,
                          'is_active', true, 'record_version', '2025-01-01T08:00:00+08:00', 'extra', '{}'::jsonb)
  from generate_series(1, 200) u, lateral (select '1144010' || lpad(u::text, 10, '0') || 'X' as code) s;

insert into raw.lg_t_jg (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, jgid, jgmc, tyshxydm, xzqh, jb)
select 2, u::text, md5(u::text), now(), '2025-01-01 08:00:00', u::text, '某执法局' || u,
       '1144010' || lpad(u::text, 10, '0') || 'X', '440106', '区级'
  from generate_series(1, 200) u;

insert into raw.lg_t_ry (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, ryid, xm, sfzh, zfzh, jgid, zjyxq)
select 2, r::text, md5(r::text), now(), '2025-01-01 08:00:00', r::text, '执法员' || r, '440106199001011234',
       '4401' || lpad(r::text, 10, '0'), (r % 200 + 1)::text, '2019.01.01-2029.12.31'
  from generate_series(1, 2000) r;

create temporary table gen as
select i, i % 200 + 1 as u,
       case when i % 10 < 5 then 'LG' when i % 10 < 8 then 'LP' else 'EX' end as src,
       ((i / 10) % 3 + 1)::text as case_type,
       date '2024-01-01' + (abs(hashtextextended(i::text, 1)) % 600)::int as reg
  from generate_series(1, %(n)s) i;

insert into raw.lg_t_ajxx (_batch_id, _source_key, _content_hash, _extracted_at, _record_version,
                           ajbh, ajlx, cxlx, ay, sxbm, dsr, dsrlx, zjhm, ajly, fadd, xzqh, larq, cfjdsh, cfjdrq, cfzl,
                           fkje, msje, sdrq, jarq, zt, zfry, jgid, gxsj)
select 2, 'AJ' || i, md5(i::text), now(), to_char(reg, 'YYYY-MM-DD') || ' 09:00:00',
       'AJ' || i, case case_type when '1' then '日常检查' when '2' then '处罚' else '查封' end,
       case when case_type = '2' then '一般程序' end, '某违法行为', '', '某公司' || (i % 5000), '企业',
       '91440106MA' || lpad((i % 5000)::text, 7, '0') || 'X', '巡查发现', '', '440106',
       to_char(reg, 'YYYY年FMMM月FMDD日'),
       case when case_type = '2' then '某罚字〔2024〕' || i || '号' end,
       case when case_type = '2' then to_char(reg + 20, 'YYYY/FMMM/FMDD') end,
       case when case_type = '2' then '罚款' end, case when case_type = '2' then '5,000.00' end, '',
       case when case_type = '2' then to_char(reg + 25, 'YYYYMMDD') end, '', '在办',
       '执法员' || (u + 200) || ',执法员' || (u + 400) || '(4401' || lpad((u + 400)::text, 10, '0') || ')',
       u::text, to_char(reg, 'YYYY-MM-DD') || ' 09:00:00'
  from gen where src = 'LG';

insert into raw.lg_t_ajlc (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, lcid, ajbh, hjmc, kssj, jssj, blr, yj)
select 2, (i * 10 + k)::text, md5((i * 10 + k)::text), now(), to_char(reg, 'YYYY-MM-DD') || ' 09:00:00',
       (i * 10 + k)::text, 'AJ' || i, (array['立案', '调查取证', '法制审核', '告知'])[k],
       to_char(reg + 5 * (k - 1), 'YYYY-MM-DD'), to_char(reg + 5 * (k - 1) + 2, 'YYYY-MM-DD'), '执法员' || (u + 200), ''
  from gen cross join generate_series(1, 4) k where src = 'LG';

insert into raw.lg_t_qzcs (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, qzid, ajbh, csfs, ksrq, qx, yqts, jcrq)
select 2, i::text, md5(i::text), now(), to_char(reg, 'YYYY-MM-DD') || ' 09:00:00', i::text, 'AJ' || i, '查封',
       to_char(reg, 'YYYY-MM-DD'), '30日', '', ''
  from gen where src = 'LG' and case_type = '3';

insert into raw.lp_case (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, payload)
select 1, 'LP:' || i, md5(i::text), now(), to_char(reg, 'YYYY-MM-DD') || 'T09:00:00+08:00',
       jsonb_build_object('case_id', 'LP:' || i,
                          'case_no', case when i % 100 = 5 then 'AJ' || (i - 5) else 'LP-' || i end,
                          'case_type', case_type,
                          'subject_code', '1144010' || lpad((case when i % 100 = 5 then (i - 5) % 200 + 1 else u end)::text, 10, '0') || 'X',
                          'item_code', null, 'party_id', null, 'source_channel', '01', 'region_code', '440106',
                          'procedure', case when case_type = '2' then '2' end,
                          'officer_cert_nos', jsonb_build_array('4401' || lpad((u + 400)::text, 10, '0')),
                          'violation_at', null, 'found_at', null,
                          'registered_at', to_char(reg, 'YYYY-MM-DD') || 'T09:00:00+08:00', 'closed_at', null,
                          'archived_at', null, 'status', '10', 'time_limit_extended', false, 'source_system', 'LP',
                          'record_version', to_char(reg, 'YYYY-MM-DD') || 'T09:00:00+08:00', 'extra', '{}'::jsonb)
  from gen where src = 'LP';

insert into raw.lp_case_step (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, payload)
select 1, 'LP:' || i || '|' || k, md5(i || '|' || k), now(), to_char(reg, 'YYYY-MM-DD') || 'T09:00:00+08:00',
       jsonb_build_object('case_id', 'LP:' || i, 'seq', k, 'stage_code', 'C' || k,
                          'entered_at', to_char(reg + 5 * (k - 1), 'YYYY-MM-DD') || 'T09:00:00+08:00',
                          'completed_at', to_char(reg + 5 * (k - 1) + 2, 'YYYY-MM-DD') || 'T17:00:00+08:00',
                          'handler_cert_no', '4401' || lpad((u + 400)::text, 10, '0'), 'approver_name', null,
                          'opinion', null, 'record_version', to_char(reg, 'YYYY-MM-DD') || 'T09:00:00+08:00',
                          'extra', '{}'::jsonb)
  from gen cross join generate_series(1, 4) k where src = 'LP';

insert into raw.lp_penalty (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, payload)
select 1, 'LP:' || i, md5(i::text), now(), to_char(reg, 'YYYY-MM-DD') || 'T09:00:00+08:00',
       jsonb_build_object('case_id', 'LP:' || i, 'decision_no', '某罚字' || i,
                          'decision_at', to_char(reg + 20, 'YYYY-MM-DD') || 'T10:00:00+08:00',
                          'penalty_kinds', jsonb_build_array('03'), 'fine_amount', '5000.00',
                          'record_version', to_char(reg, 'YYYY-MM-DD') || 'T09:00:00+08:00', 'extra', '{}'::jsonb)
  from gen where src = 'LP' and case_type = '2';

insert into raw.ex_file (file_id, batch_id, file_name, file_sha256, subject_code, report_month, arrived_at, status)
select u, 3, 'S' || u || '_202501.csv', md5('f' || u), '1144010' || lpad(u::text, 10, '0') || 'X', '202501',
       timestamptz '2025-02-02 09:00+08', 'loaded'
  from generate_series(1, 200) u;
select setval('raw.ex_file_file_id_seq', 200);

insert into raw.ex_case_row (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, _file_id, _row_no,
                             _report_month, seq_no, subject_name, subject_code, case_type, case_no, item_code, party_name,
                             party_type, credential_type, credential_no, source_channel, registered_date, decision_no,
                             decision_date, penalty_kinds, fine_amount, coercion_measure, coercion_term,
                             inspection_result, closed_date, case_status, officer_cert_nos)
select 3, 'EX:1144010' || lpad(u::text, 10, '0') || 'X:ZF-' || i, md5(i::text), now(), '2025-02-02 09:00:00+08', u,
       i / 200 + 3, '202501', (i / 200)::text, '某执法局' || u, '1144010' || lpad(u::text, 10, '0') || 'X',
       case case_type when '1' then '检查' when '2' then '行政处罚' else '强制' end, 'ZF-' || i, '',
       '某个体户' || (i % 3000), '法人', '统一社会信用代码', '91440106MA' || lpad((i % 3000)::text, 7, '0') || 'Y',
       '投诉', to_char(reg, 'YYYY-FMMM-FMDD'),
       case when case_type = '2' then '某执罚〔2025〕' || i || '号' end,
       case when case_type = '2' then to_char(reg + 20, 'YYYY/FMMM/FMDD') end,
       case when case_type = '2' then '罚款' end, case when case_type = '2' then '1.5万元' end,
       case when case_type = '3' then '扣押' end, case when case_type = '3' then '三十日' end,
       case when case_type = '1' then '责令整改' end, '', '办理中', '4401' || lpad((u + 400)::text, 10, '0')
  from gen where src = 'EX';
analyze;
"""

# A routine day: 1% of the cases change at their source, each as the connector writes it.
CHANGE = """
create temporary table changed as select * from gen where abs(hashtextextended(i::text, 42)) %% 100 = 0;
insert into ops.load_batch (batch_id, source, stream, status) values
  (4, 'LP', 'changes', 'committed'), (5, 'LG', 'tables', 'committed'), (6, 'EX', 'files', 'committed');

insert into raw.lg_t_ajxx (_batch_id, _source_key, _content_hash, _extracted_at, _record_version,
                           ajbh, ajlx, cxlx, ay, sxbm, dsr, dsrlx, zjhm, ajly, fadd, xzqh, larq, cfjdsh, cfjdrq, cfzl,
                           fkje, msje, sdrq, jarq, zt, zfry, jgid, gxsj)
select 5, _source_key, md5(_content_hash), now(), '2026-03-01 10:00:00', ajbh, ajlx, cxlx, ay, sxbm, dsr, dsrlx, zjhm,
       ajly, fadd, xzqh, larq, cfjdsh, cfjdrq, cfzl, fkje, msje, sdrq, '2026-03-01', '结案', zfry, jgid, '2026-03-01 10:00:00'
  from raw.lg_t_ajxx where _source_key = any(array(select 'AJ' || i from changed where src = 'LG'));
insert into raw.lg_t_ajlc (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, lcid, ajbh, hjmc, kssj, jssj, blr, yj)
select 5, (i * 10 + 5)::text, md5((i * 10 + 5)::text), now(), '2026-03-01 10:00:00', (i * 10 + 5)::text, 'AJ' || i, '结案',
       '2026-03-01', '2026-03-01', '执法员' || (u + 200), ''
  from changed where src = 'LG';

insert into raw.lp_case (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, payload)
select 4, _source_key, md5(_content_hash), now(), '2026-03-01T10:00:00+08:00',
       payload || jsonb_build_object('status', '40', 'closed_at', '2026-03-01T10:00:00+08:00',
                                     'record_version', '2026-03-01T10:00:00+08:00')
  from raw.lp_case where _source_key = any(array(select 'LP:' || i from changed where src = 'LP'));
insert into raw.lp_case_step (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, payload)
select 4, 'LP:' || i || '|5', md5(i || '|5'), now(), '2026-03-01T10:00:00+08:00',
       jsonb_build_object('case_id', 'LP:' || i, 'seq', 5, 'stage_code', 'C5', 'entered_at', '2026-03-01T10:00:00+08:00',
                          'completed_at', null, 'handler_cert_no', '4401' || lpad((u + 400)::text, 10, '0'),
                          'approver_name', null, 'opinion', null, 'record_version', '2026-03-01T10:00:00+08:00',
                          'extra', '{}'::jsonb)
  from changed where src = 'LP';

-- the EX cases are reported again in a new month, now closed
insert into raw.ex_file (file_id, batch_id, file_name, file_sha256, subject_code, report_month, arrived_at, status)
select 200 + u, 6, 'S' || u || '_202602.csv', md5('g' || u), '1144010' || lpad(u::text, 10, '0') || 'X', '202602',
       timestamptz '2026-03-02 09:00+08', 'loaded'
  from generate_series(1, 200) u;
insert into raw.ex_case_row (_batch_id, _source_key, _content_hash, _extracted_at, _record_version, _file_id, _row_no,
                             _report_month, seq_no, subject_name, subject_code, case_type, case_no, item_code, party_name,
                             party_type, credential_type, credential_no, source_channel, registered_date, decision_no,
                             decision_date, penalty_kinds, fine_amount, coercion_measure, coercion_term,
                             inspection_result, closed_date, case_status, officer_cert_nos)
select 6, r._source_key, md5(r._content_hash), now(), '2026-03-02 09:00:00+08', 200 + r._file_id, r._row_no, '202602',
       r.seq_no, r.subject_name, r.subject_code, r.case_type, r.case_no, r.item_code, r.party_name, r.party_type,
       r.credential_type, r.credential_no, r.source_channel, r.registered_date, r.decision_no, r.decision_date,
       r.penalty_kinds, r.fine_amount, r.coercion_measure, r.coercion_term, r.inspection_result, '2026-03-01', '已结案',
       r.officer_cert_nos
  from raw.ex_case_row r
 where r._source_key = any(array(select 'EX:1144010' || lpad(u::text, 10, '0') || 'X:ZF-' || i from changed where src = 'EX'));
"""

def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def breakdown(work: Path, wall: float, top: int = 8) -> list[str]:
    """Where a dbt run's time went: outside the nodes (start-up, parsing, hooks) and the slowest nodes."""
    results = json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))
    nodes = sorted(((r["execution_time"], r["unique_id"].split(".")[-1]) for r in results["results"]), reverse=True)
    lines = [f"  start-up, parsing, hooks: {wall - results['elapsed_time']:5.1f} s;"
             f" nodes: {results['elapsed_time']:5.1f} s wall, {sum(t for t, _ in nodes):5.1f} s summed over"
             f" {len(nodes)} nodes (2 threads)"]
    lines += [f"    {t:6.2f} s  {name}" for t, name in nodes[:top]]
    return lines


COUNTS = ["raw.lg_t_ajxx", "raw.lg_t_ajlc", "raw.lp_case", "raw.lp_case_step", "raw.ex_case_row",
          "standard.zf10_case", "standard.zf12_penalty", "standard.zf20_case_step", "standard.zf04_party"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()

    from sqlalchemy.engine import make_url  # noqa: PLC0415

    from jiandu.db import libpq_url  # noqa: PLC0415
    from jiandu.testing import temp_database  # noqa: PLC0415
    from jiandu.warehouse.migrate import apply  # noqa: PLC0415

    print(load(), flush=True)
    with temp_database("jiandu_dbt_bench") as url, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        apply(url)
        started = time.perf_counter()
        with psycopg.connect(libpq_url(url)) as conn:
            conn.execute(GENERATE.replace("%(n)s", str(args.cases)))
            conn.commit()
            generated = time.perf_counter() - started
            print(f"generated {args.cases:,} cases into raw in {generated:.1f} s", flush=True)
            dbt(["seed"], make_url(url), work)
            full = dbt(["run", *SELECT], make_url(url), work)
            full_breakdown = breakdown(work, full)
            print(f"full build (staging + intermediate + standard): {full:.1f} s; {load()}", flush=True)
            before = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in COUNTS}
            conn.execute(CHANGE.replace("%%", "%"))
            conn.execute("analyze")
            conn.commit()
            changed = {src: n for src, n in conn.execute("select src, count(*) from changed group by src").fetchall()}
        incremental = dbt(["run", *SELECT], make_url(url), work)
        incremental_breakdown = breakdown(work, incremental)
        with psycopg.connect(libpq_url(url)) as conn:
            after = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in COUNTS}
            moved = conn.execute("select count(*) from standard.zf10_case where status in ('40', '50')"
                                 " or closed_at >= '2026-03-01'").fetchone()[0]
    print()
    print(f"cases: {args.cases:,}; changed: {sum(changed.values()):,} ({', '.join(f'{k} {v:,}' for k, v in sorted(changed.items()))});"
          f" cases closed in the standard layer afterwards: {moved:,}")
    for t in COUNTS:
        print(f"  {t:28} {before[t]:>12,} -> {after[t]:>12,}")
    print("full build:", *full_breakdown[:1], sep="\n")
    print("incremental run:", *incremental_breakdown, sep="\n")
    print(f"full build         {full:8.1f} s   (baseline, same run)")
    print(f"incremental (1%)   {incremental:8.1f} s")
    print(f"ratio incremental / full: {incremental / full:.3f}   (target < 0.1); {load()}")


if __name__ == "__main__":
    main()
