"""A synthetic warehouse for the dashboards: standard-layer rows (ZF01..ZF20), quality and push
bookkeeping, made with SQL generate_series, so superset_bench.py (beside it) can time the dashboards' SQL at
1,000,000 cases without running the sources and the pipeline at that scale.

The standard tables must already exist (dbt creates them, empty, from an empty raw layer); the
marts are then built by dbt from these rows. Natural persons' names are drawn from characters no
code label, subject or item name uses, so a scan for an unmasked name cannot match anything else.
"""
from __future__ import annotations

import psycopg

# Given-name characters found in no label of the standard, the seeds or the names below.
GIVEN_CHARS = "翊瑾琰珂玥璟琪瑶霖昱晗朔煜珩"
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
DISTRICTS = ["440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114", "440115",
             "440117", "440118"]

# GB 11643 check character of 17 digits, in SQL: weights 2^(17-i) mod 11, '10X98765432'.
_RID_CHECK = """substr('10X98765432', (select sum(substr({d}, i, 1)::int * ((2 ^ (18 - i))::bigint % 11)) % 11
                 from generate_series(1, 17) i)::int + 1, 1)"""


def _rid(first17: str) -> str:
    return f"({first17} || {_RID_CHECK.format(d=first17)})"


def _name(seed: str) -> str:
    """A 3-character personal name from an integer SQL expression."""
    return (f"(substr('{SURNAMES}', ({seed}) % {len(SURNAMES)} + 1, 1)"
            f" || substr('{GIVEN_CHARS}', (({seed}) / 7) % {len(GIVEN_CHARS)} + 1, 1)"
            f" || substr('{GIVEN_CHARS}', (({seed}) / 101) % {len(GIVEN_CHARS)} + 1, 1))")


def fill(conn: psycopg.Connection, n_cases: int, as_of: str) -> None:
    """Fill the standard layer, quality and ops with n_cases cases registered in the 24 months up
    to as_of (YYYY-MM-DD). Deterministic for a given n_cases and as_of."""
    n_subjects, n_officers, n_items = 60, 600, 48
    n_parties = max(n_cases // 2, 50)
    x = conn.execute
    x("set local synchronous_commit = off")
    common = "'LP', null::text[], null::text[], 'synthetic'"
    # subjects: one city-level and several district-level per district (codes need not pass the
    # check character: the dashboards never validate)
    x(f"""insert into standard.zf01_subject
        select code, name, region, level, '01', lpad(((g % 10) + 1)::text, 2, '0'), null, true, code, now(), {common}
        from (select g, 'SYN' || lpad(g::text, 15, '0') as code,
                     case when g % 12 = 0 then '440100' else (array{DISTRICTS})[(g % 11) + 1] end as region,
                     case when g % 12 = 0 then '2' else '3' end as level,
                     (array['市场监管局','生态环境局','交通运输局','城市管理局','应急管理局','文化广电旅游局',
                            '农业农村局','卫生健康局','规划和自然资源局','住房城乡建设局'])[(g % 10) + 1]
                       || '执法' || g || '队' as name
              from generate_series(1, {n_subjects}) g) s""")
    x(f"""insert into standard.zf02_officer
        select 'ZF' || lpad(g::text, 12, '0'), {_name('g * 7919')},
               {_rid("('440106' || (1965 + g % 35)::text || lpad((g % 12 + 1)::text, 2, '0') || lpad((g % 28 + 1)::text, 2, '0') || lpad((g % 1000)::text, 3, '0'))")},
               'SYN' || lpad(((g % {n_subjects}) + 1)::text, 15, '0'), date '2020-01-01', date '2030-12-31',
               case when g % 50 = 0 then '04' else '01' end, 'ZF' || lpad(g::text, 12, '0'), now(), {common}
        from generate_series(1, {n_officers}) g""")
    x(f"""insert into standard.zf03_item
        select 'SYN-ITEM-' || g, '某某违法行为处罚事项' || g, ((g % 3) + 1)::text, lpad(((g % 10) + 1)::text, 2, '0'),
               '《某某法》第' || g || '条', 0, 100000, g % 2 = 0, null, date '2020-01-01', null,
               'SYN-ITEM-' || g, now(), {common}
        from generate_series(1, {n_items}) g""")
    # parties: 1 自然人 (resident ID), 2 法人 (credit code), 4 个体工商户 registered under a resident ID
    x(f"""insert into standard.zf04_party
        select md5('p' || g) || md5('q' || g), t,
               case when t = '1' then {_name('g')} when t = '4' then '某某个体商店' || g else '某某有限公司' || g end,
               case when t = '2' then '10' else '01' end,
               case when t = '2' then '91440101' || lpad(g::text, 10, '0')
                    else {_rid("((array" + str(DISTRICTS) + ")[(g % 11) + 1] || (1950 + g % 50)::text || lpad((g % 12 + 1)::text, 2, '0') || lpad((g % 28 + 1)::text, 2, '0') || lpad((g % 997)::text, 3, '0'))")} end,
               (array{DISTRICTS})[(g % 11) + 1], md5('p' || g) || md5('q' || g), now(), {common}
        from (select g, case when g % 10 < 6 then '1' when g % 10 < 9 then '2' else '4' end as t
              from generate_series(1, {n_parties}) g) p""")
    # cases: registered over 24 months; status by case number; type 1 inspection, 2 penalty, 3 coercion
    x(f"""create temporary table syn_case on commit drop as
        select g::int as g, 'LP:' || g as case_id,
               case when g % 10 < 3 then '1' when g % 10 < 9 then '2' else '3' end as case_type,
               ((g * 37) % {n_subjects}) + 1 as subject_no,
               (date '{as_of}' - ((g * 7919) % 730)::int) + time '09:00' + ((g % 480) || ' minutes')::interval as reg_local,
               (array['10','20','30','40','50','40','50','10','90','40'])[(g % 10) + 1] as status
        from generate_series(1::bigint, {n_cases}) g""")  # bigint: g * 7919 passes 2^31 at 1M cases
    x(f"""insert into standard.zf10_case
        select c.case_id, '穗综执罚〔2025〕' || c.g || '号', c.case_type, s.subject_code, 'SYN-ITEM-' || ((c.g % {n_items}) + 1),
               md5('p' || ((c.g % {n_parties}) + 1)) || md5('q' || ((c.g % {n_parties}) + 1)),
               lpad(((c.g % 6) + 1)::text, 2, '0'), s.region_code,
               case when c.case_type = '2' then ((c.g % 2) + 1)::text end,
               array['ZF' || lpad((((c.g * 3) % {n_officers}) + 1)::text, 12, '0'),
                     'ZF' || lpad((((c.g * 3 + 1) % {n_officers}) + 1)::text, 12, '0')]::varchar[],
               null, null, c.reg_local at time zone 'Asia/Shanghai',
               case when c.status in ('40', '50') then (c.reg_local + ((c.g % 170) + 5) * interval '1 day') at time zone 'Asia/Shanghai' end,
               case when c.status = '50' then (c.reg_local + ((c.g % 170) + 20) * interval '1 day') at time zone 'Asia/Shanghai' end,
               c.status, c.g % 40 = 0, 'LP', c.case_id, now(), null, null, 'synthetic'
        from syn_case c join standard.zf01_subject s on s.subject_code = 'SYN' || lpad(c.subject_no::text, 15, '0')""")
    x(f"""insert into standard.zf11_inspection
        select case_id, lpad(((g % 5) + 1)::text, 2, '0'), reg_local at time zone 'Asia/Shanghai' + interval '1 day',
               lpad(((g % 5) + 1)::text, 2, '0'), case when g % 5 = 1 then (reg_local + interval '30 days')::date end,
               null, case_id, now(), {common}
        from syn_case where case_type = '1'""")
    x(f"""insert into standard.zf12_penalty
        select case_id, case when decided then '穗罚决〔2025〕' || g || '号' end,
               case when decided then (reg_local + ((g % 80) + 3) * interval '1 day') at time zone 'Asia/Shanghai' end,
               case when decided then array['03', (array['01','04','06'])[(g % 3) + 1]]::varchar[] end,
               case when decided then ((g % 200) + 1) * 500.00 end,
               case when decided and g % 7 = 0 then ((g % 50) + 1) * 100.00 end,
               case when decided and g % 9 <> 0 then (reg_local + ((g % 80) + 1) * interval '1 day') at time zone 'Asia/Shanghai' end,
               null, null, false, null, null,
               case when decided then (reg_local + ((g % 80) + 5) * interval '1 day') at time zone 'Asia/Shanghai' end,
               case when status in ('40', '50') then (reg_local + ((g % 80) + 9) * interval '1 day') at time zone 'Asia/Shanghai' end,
               case when status in ('40', '50') then '3' when decided then '1' end,
               case_id, now(), {common}
        from (select *, status in ('20', '30', '40', '50') as decided from syn_case where case_type = '2') c""")
    x(f"""insert into standard.zf13_coercion
        select case_id, 1, '1', (array['02','03','04'])[(g % 3) + 1], reg_local at time zone 'Asia/Shanghai', 30, null,
               case when status in ('40','50') then (reg_local + interval '25 days') at time zone 'Asia/Shanghai' end,
               null, null, false, reg_local at time zone 'Asia/Shanghai', case_id || '|1', now(), {common}
        from syn_case where case_type = '3'""")
    # steps: registration, approval by a named approver (a personal name: pii), decision
    x(f"""insert into standard.zf20_case_step
        select case_id, s, (array['C1','C3','C5'])[s], (reg_local + (s - 1) * interval '3 days') at time zone 'Asia/Shanghai',
               (reg_local + s * interval '3 days') at time zone 'Asia/Shanghai',
               'ZF' || lpad((((g * 3) % {n_officers}) + 1)::text, 12, '0'),
               case when s = 2 then {_name('g * 13 + 5')} end, null, case_id || '|' || s, now(), {common}
        from syn_case cross join generate_series(1, 3) s where case_type = '2'""")
    _fill_quality_and_push(conn, n_cases, as_of)
    for table in ("zf01_subject", "zf02_officer", "zf03_item", "zf04_party", "zf10_case", "zf11_inspection",
                  "zf12_penalty", "zf13_coercion", "zf20_case_step"):
        x(f"analyze standard.{table}")


def _fill_quality_and_push(conn: psycopg.Connection, n_cases: int, as_of: str) -> None:
    x = conn.execute
    n_issues, n_rejected = max(n_cases // 50, 40), max(n_cases // 200, 20)
    batch = x("insert into ops.load_batch (source, stream, status, finished_at, rows_read, rows_loaded, rows_rejected)"
              " values ('EX', 'synthetic.xlsx', 'committed', now(), %s, %s, %s) returning batch_id",
              (n_cases, n_cases - n_rejected, n_rejected)).fetchone()[0]
    run = x("insert into quality.validation_run (suite, dataset, finished_at, success, expectations, failed)"
            " values ('standard', 'ZF10', now(), false, 40, 3) returning run_id").fetchone()[0]
    x(f"""insert into quality.issue (dataset, record_key, rule, severity, field, value_masked, source_ref, message,
                                     status, first_seen, last_seen, last_run_id, closed_at)
        select (array['ZF10','ZF12','ZF04','ZF20'])[(g % 4) + 1], 'LP:' || g,
               (array['datetime_order','officers','required_when','code_set','resident_id'])[(g % 5) + 1],
               case when g % 3 = 0 then 'blocking' else 'warning' end,
               (array['closed_at','officer_cert_nos','decision_no','region_code','credential_no'])[(g % 5) + 1],
               '440106********' || lpad((g % 10000)::text, 4, '0'),
               (array['LP','LG','EX'])[(g % 3) + 1] || ':' || g,
               (array['结案时间早于立案时间','承办执法人员少于二人','已决定案件缺少决定书文号','行政区划代码不在清单中',
                      '身份证号校验位错误'])[(g % 5) + 1],
               case when g % 4 = 0 then 'closed' else 'open' end,
               date '{as_of}' - (g % 90) + time '08:00', now(), {run},
               case when g % 4 = 0 then now() end
        from generate_series(1, {n_issues}) g""")
    x("update quality.issue set source_system = split_part(source_ref, ':', 1) where source_system is null")
    x(f"""insert into quality.rejected_input (batch_id, source, stream, location, record_key, field, raw_content, reason,
                                              status, rejected_at)
        select {batch}, (array['LP','LG','EX'])[(g % 3) + 1], (array['case','penalty','report.xlsx'])[(g % 3) + 1],
               '第' || g || '行', 'EX:SYN:' || g, (array['registered_date','fine_amount','case_type'])[(g % 3) + 1],
               '（原始内容）', (array['日期无法识别','金额不是数字','案件类别不在代码集'])[(g % 3) + 1],
               case when g % 5 = 0 then 'fixed' else 'open' end, date '{as_of}' - (g % 40) + time '10:00'
        from generate_series(1, {n_rejected}) g""")
    # push: one batch per dataset and day for 30 days; state per case (accepted, some rejected)
    x(f"""insert into ops.push_batch (batch_id, dataset, region_code, created_at, record_count, body, status, attempts, sent_at)
        select md5('b' || d || ds)::uuid, ds, '440100', date '{as_of}' - d + time '02:00', 100, '{{}}'::jsonb,
               case when d = 0 and ds = 'ZF12' then 'failed' when d = 0 and ds = 'ZF20' then 'pending' else 'sent' end,
               1, case when not (d = 0 and ds in ('ZF12', 'ZF20')) then date '{as_of}' - d + time '02:05' end
        from generate_series(0, 29) d cross join unnest(array['ZF01','ZF02','ZF03','ZF04','ZF10','ZF11','ZF12','ZF13','ZF20']) ds""")
    x("""insert into ops.push_receipt (batch_id, dataset, received, accepted, stale, rejected, receipt, received_at)
        select batch_id, dataset, 100, 100 - (abs(hashtext(batch_id::text)) % 6), 0,
               abs(hashtext(batch_id::text)) % 6, '{}'::jsonb, sent_at
        from ops.push_batch where status = 'sent'""")
    x(f"""insert into ops.push_state (dataset, record_key, region_code, record_version, op, outcome, reject_code,
                                      reject_field, reject_message, batch_id, updated_at)
        select 'ZF10', 'LP:' || g, '440100', '2026-01-01T00:00:00+08:00', 'upsert',
               case when g % 97 = 0 then 'rejected' when g % 211 = 0 then 'stale' else 'accepted' end,
               case when g % 97 = 0 then (array['E_REF','E_CODE','E_REQUIRED'])[(g % 3) + 1] end,
               case when g % 97 = 0 then 'subject_code' end,
               case when g % 97 = 0 then '引用的执法主体不存在' end, null, now()
        from generate_series(1, {n_cases}) g""")
    fill_reconciliation(conn, as_of)


def fill_reconciliation(conn: psycopg.Connection, as_of: str) -> None:
    """Seven nightly reconciliation runs; a few datasets differ on some nights."""
    x = conn.execute
    for d in range(7, 0, -1):
        run = x("insert into ops.reconciliation_run (started_at, finished_at, status)"
                " values (%s::date - %s + time '03:00', %s::date - %s + time '03:10', 'done') returning run_id",
                (as_of, d, as_of, d)).fetchone()[0]
        x("""insert into ops.reconciliation (run_id, dataset, region_code, checked_at, hub_records, hub_checksum,
                 expected_records, expected_checksum, pushable_records, status, differences, differing_keys,
                 differing_keys_total, repair_batches, repair_records, repair_accepted, after_records, status_after, message)
             select %s, ds, '440100', %s::date - %s + time '03:05', 1000 - k, md5(ds || k), 1000, md5(ds),
                    1000 + (%s %% 3), case when k > 0 then 'different' else 'ok' end,
                    case when k > 0 then array['records', 'checksum'] else '{}' end,
                    case when k > 0 then jsonb_build_array(jsonb_build_object('record_key', 'LP:' || k, 'finding',
                         'missing_or_older', 'how', 'compared')) else '[]'::jsonb end,
                    k, case when k > 0 then 1 else 0 end, k, k, 1000, 'ok',
                    case when k > 0 then '省平台缺少' || k || '条记录，已补推' else '一致' end
             from (select ds, case when (ascii(substr(ds, 4, 1)) + %s) %% 4 = 0 then (%s %% 5) + 1 else 0 end as k
                   from unnest(array['ZF01','ZF02','ZF04','ZF10','ZF12','ZF20']) ds) t""",
          (run, as_of, d, d, d, d))
