"""Quality-gate benchmark: validating every standard dataset at N cases, time and peak memory of
the validating process, beside baselines measured in the same run.

    .venvs/main/bin/python bench/quality_bench.py --cases 1000000
    .venvs/main/bin/python bench/quality_bench.py --cases 100000,1000000     # memory at two sizes

For each size a throw-away warehouse gets a standard layer generated inside PostgreSQL
(generate_series; valid check characters from the gate's own SQL functions): N cases (ZF10), one
third each inspections, penalties and measures, one step per case (ZF20), publicity for the
penalties, N/2 parties (each case names one), 2 000 officers, 500 items, 200 subjects; --bad-rate of the cases, parties
and officers carry a broken code, check character or reference. Then, each in its own process:

- gate: expectations.gate.run_gate over everything, Data Docs included (what the DAG runs);
- baseline "scan": every row of every standard table read once in PostgreSQL, every column
  turned to text (`sum(octet_length(t::text))`): the floor any validation in the database pays;
- baseline "idle": the gate's process with GX loaded and the data source set up, validating
  nothing (the memory the validating process needs whatever the size).

Peak memory is the process's maximum resident set. The gate's must stay near the idle baseline
at every size: it never reads the tables into Python (rules run in PostgreSQL; failing records go
from SQL to quality.issue inside the database; GX sees at most GX_ROW_CAP rows per rule).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TABLES = ["zf01_subject", "zf02_officer", "zf03_item", "zf04_party", "zf10_case", "zf11_inspection", "zf12_penalty",
          "zf13_coercion", "zf20_case_step", "zf30_publicity"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(**values) -> None:
    print("RESULT " + json.dumps(values, ensure_ascii=False), flush=True)


GENERATE = """
insert into standard.zf01_subject
select b || quality.uscc_check_char(b), '执法主体' || i, '440106', '3', '01', '01', null, true,
       b || quality.uscc_check_char(b), timestamptz '2026-01-01 09:00+08'
from generate_series(1, 200) i, lateral (select '1144010' || lpad(i::text, 6, '0') || 'MB0A' as b) x;

insert into standard.zf02_officer
select 'C' || i, '张三', d || quality.resident_id_check_char(d), s.subject_code, date '2020-01-01', date '2030-01-01', '01',
       'C' || i, timestamptz '2026-01-01 09:00+08'
from generate_series(1, 2000) i
cross join lateral (select '440106' || to_char(date '1970-01-01' + i / 1000, 'YYYYMMDD') || lpad((i % 1000)::text, 3, '0') as d) x
join (select subject_code, row_number() over (order by subject_code) - 1 as n from standard.zf01_subject) s on s.n = i % 200;

insert into standard.zf03_item
select 'I' || i, '事项' || i, '2', '01', '依据', 0, 5000, false, null, date '2020-01-01', null, 'I' || i,
       timestamptz '2026-01-01 09:00+08'
from generate_series(1, 500) i;

insert into standard.zf04_party
select encode(sha256(convert_to('01' || c, 'UTF8')), 'hex'), '1', '李四', '01', c, '440106',
       encode(sha256(convert_to('01' || c, 'UTF8')), 'hex'), timestamptz '2026-01-01 09:00+08'
from generate_series(1, {parties}) i
cross join lateral (select '440106' || to_char(date '1950-01-01' + i / 1000, 'YYYYMMDD')
                           || lpad((i % 1000)::text, 3, '0') as d) x
cross join lateral (select case when i % {bad_every} = 7 then d || 'Y'
                                else d || quality.resident_id_check_char(d) end as c) y
on conflict do nothing;

create temporary table _parties as select party_id, row_number() over (order by party_id) - 1 as n from standard.zf04_party;

insert into standard.zf10_case
select 'LP:' || i, 'No.' || i, ((i % 3) + 1)::text, s.subject_code,
       case when i % {bad_every} = 3 then 'I-missing' else 'I' || (1 + i % 500) end,
       p.party_id, case when i % {bad_every} = 5 then '77' else '01' end, '440106',
       case when i % 3 = 1 then '2' end, array['C' || (1 + i % 2000), 'C' || (1 + (i + 1) % 2000)]::varchar(32)[],
       null, null, r, case when i % 4 = 0 then r + interval '40 days' end, null,
       case when i % 4 = 0 then '40' else '10' end, false, 'LP', 'LP:' || i, r
from generate_series(1, {cases}) i
cross join lateral (select timestamptz '2025-01-01 09:00+08' + (i % 400) * interval '1 day' as r) x
join (select subject_code, row_number() over (order by subject_code) - 1 as n from standard.zf01_subject) s on s.n = i % 200
join _parties p on p.n = i % {parties_made};

insert into standard.zf11_inspection
select case_id, '01', registered_at + interval '1 day', '01', null, null, record_key, record_version
from standard.zf10_case where case_type = '1';

insert into standard.zf12_penalty
select case_id, 'D' || case_id, registered_at + interval '20 days', array['03']::varchar(2)[], 1000, null,
       registered_at + interval '19 days', null, registered_at + interval '10 days', false, null, null,
       registered_at + interval '22 days', null, '3', record_key, record_version
from standard.zf10_case where case_type = '2';

insert into standard.zf13_coercion
select case_id, 1, '1', '02', registered_at + interval '1 day', 30, null, null, null, null, false,
       registered_at, record_key || '|1', record_version
from standard.zf10_case where case_type = '3';

insert into standard.zf20_case_step
select case_id, 1, 'C1', registered_at, registered_at + interval '1 day', officer_cert_nos[1], '王五', '同意',
       record_key || '|1', record_version
from standard.zf10_case;

insert into standard.zf30_publicity
select case_id, registered_at + interval '25 days', null, '公示', record_key, record_version
from standard.zf10_case where case_type = '2';
"""


def prepare(url: str, cases: int, bad_rate: float) -> dict:
    import psycopg

    from jiandu.db import libpq_url
    from jiandu.testing import create_standard_tables
    from jiandu.warehouse.migrate import apply
    apply(url)
    parties = max(cases // 2, 1)
    bad_every = max(int(1 / bad_rate), 10) if bad_rate > 0 else 10 ** 12
    t0 = time.monotonic()
    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute("set jit = off")
        create_standard_tables(conn)
        for stmt in GENERATE.split(";\n"):
            if stmt.strip():
                made = conn.execute("select count(*) from standard.zf04_party").fetchone()[0] if "_parties p" in stmt else 0
                conn.execute(stmt.format(cases=cases, parties=parties, bad_every=bad_every, parties_made=made))
        conn.commit()
        for t in TABLES:
            conn.execute(f"analyze standard.{t}")
        conn.commit()
        counts = {t: conn.execute(f"select count(*) from standard.{t}").fetchone()[0] for t in TABLES}
    return {"rows": counts, "generate_s": round(time.monotonic() - t0, 1)}


# --- the measured processes ------------------------------------------------------------------

def child_gate(url: str) -> None:
    from expectations.gate import run_gate
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.monotonic()
        report = run_gate(url, docs_dir=Path(tmp) / "data_docs")
        elapsed = time.monotonic() - t0
    emit(kind="gate", seconds=round(elapsed, 1), peak_mb=round(peak_mb(), 1), suites=report.suites,
         failed_suites=report.failed_suites, open_issues=report.open_issues)


def child_scan(url: str) -> None:
    import psycopg

    from jiandu.db import libpq_url
    t0 = time.monotonic()
    with psycopg.connect(libpq_url(url)) as conn:
        for t in TABLES:
            conn.execute(f"select sum(octet_length(t::text)) from standard.{t} t").fetchone()
    emit(kind="scan", seconds=round(time.monotonic() - t0, 1), peak_mb=round(peak_mb(), 1))


def child_idle(url: str) -> None:
    import great_expectations as gx
    ctx = gx.get_context(mode="ephemeral")
    ctx.data_sources.add_postgres(name="warehouse", connection_string=url)
    import expectations.gate  # noqa: F401  (everything the gate imports)
    emit(kind="idle", seconds=0, peak_mb=round(peak_mb(), 1))


def run_child(kind: str, url: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, "--url", url], capture_output=True, text=True,
                          cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"{kind} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="1000000", help="comma-separated sizes")
    ap.add_argument("--bad-rate", type=float, default=0.001, help="share of cases, parties with a broken field")
    ap.add_argument("--child")
    ap.add_argument("--url")
    args = ap.parse_args()
    if args.child:
        {"gate": child_gate, "scan": child_scan, "idle": child_idle}[args.child](args.url)
        return

    from jiandu.testing import temp_database
    print(f"{'cases':>9} {'rows':>10} | {'gate s':>7} {'gate MB':>8} | {'scan s':>7} {'idle MB':>8} | open issues")
    for n in [int(x) for x in args.cases.split(",")]:
        with temp_database("bench_quality") as url:
            info = prepare(url, n, args.bad_rate)
            gate = run_child("gate", url)
            scan = run_child("scan", url)
            idle = run_child("idle", url)
            rows = sum(info["rows"].values())
            print(f"{n:>9} {rows:>10} | {gate['seconds']:>7} {gate['peak_mb']:>8} | {scan['seconds']:>7}"
                  f" {idle['peak_mb']:>8} | {gate['open_issues']}  (generated in {info['generate_s']} s)", flush=True)
            emit(cases=n, rows=info["rows"], gate=gate, scan=scan, idle=idle)


if __name__ == "__main__":
    main()
