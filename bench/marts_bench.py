"""Benchmark of every mart the nightly build refreshes: N cases with their steps, generated
straight into a throw-away warehouse's standard tables with generate_series, then

  1. from scratch: `dbt build` of all of models/marts (rules, warnings incl. the history's first
     run, publicity, statistics, performance, sampling incl. the month's recorded draw, and the
     analysts' masked copies) with their data and unit tests, for D;
  2. a day later: 1% of the cases changed at the source (status, service, payment, steps,
     publication), then the same `dbt build` for D + 1 — what the nightly refresh costs.

The analysts' relations (models/marts/analyst) are masked copies of the standard layer rather
than supervision marts, but the transform DAG rebuilds them in the same `dbt build`, so the
refresh pays for them: they are timed as a group of their own.

Both builds are printed side by side: wall time, node seconds per mart group (from dbt's
run_results.json; with 2 threads the groups add up to more than the wall time), the slowest
nodes, and row counts (the from-scratch build is the baseline of the same run). Nothing is
asserted. The database is dropped at the end.

    .venvs/main/bin/python bench/marts_bench.py --cases 100000
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
from bench_dbt import dbt  # noqa: E402  (dbt from its own venv, timed)
MARTS = ["path:models/marts"]
GROUPS = ["rules", "warnings", "publicity", "statistics", "performance", "sampling", "analyst"]

GENERATE = """
truncate standard.zf01_subject, standard.zf02_officer, standard.zf03_item, standard.zf04_party, standard.zf10_case,
         standard.zf11_inspection, standard.zf12_penalty, standard.zf13_coercion, standard.zf20_case_step,
         standard.zf30_publicity;

insert into standard.zf01_subject
select 'S' || lpad(i::text, 17, '0'), '某执法局' || i, '440106', '3', '01', '04', null, true,
       'S' || lpad(i::text, 17, '0'), timestamptz '2025-01-01 08:00+08', 'LP', '{}', '{}', null
  from generate_series(1, 200) i;

insert into standard.zf02_officer
select 'C' || i, '某' || i, '440106199001011234', 'S' || lpad((i % 200 + 1)::text, 17, '0'), date '2015-01-01',
       case when i % 50 = 0 then date '2026-06-30' else date '2030-12-31' end, case when i % 97 = 0 then '02' else '01' end,
       'C' || i, timestamptz '2025-01-01 08:00+08', 'LP', '{}', '{}', null
  from generate_series(1, 5000) i;

insert into standard.zf03_item
select 'I' || i, '事项' || i, ((i % 3) + 1)::text, '04', '某条例', 500, 50000, i % 10 = 0, null, date '2015-01-01', null,
       'I' || i, timestamptz '2025-01-01 08:00+08', 'LP', '{}', '{}', null
  from generate_series(1, 500) i;

insert into standard.zf04_party
select 'P' || i, ((i % 4) + 1)::text, '张某' || i, '01', '440106199001011234', '440106',
       'P' || i, timestamptz '2025-01-01 08:00+08', 'LP', '{}', '{}', null
  from generate_series(1, greatest(%(n)s / 5, 10)) i;

create temporary table gen as
select i,
       case when i % 20 < 8 then '1' when i % 20 < 17 then '2' else '3' end as case_type,
       case when (i / 20) % 20 = 19 then 'EX' when (i / 20) % 20 >= 16 then 'LG' else 'LP' end as src,
       timestamptz '2025-01-01 09:00+08' + make_interval(days => (abs(hashtextextended(i::text, 1)) % 650)::int) as reg,
       (abs(hashtextextended(i::text, 2)) % 100)::int as r,
       (abs(hashtextextended(i::text, 3)) % 100)::int as r2
  from generate_series(1, %(n)s) i;

insert into standard.zf10_case
select g.src || ':' || g.i, 'AJ-' || g.i, g.case_type, 'S' || lpad((g.i % 200 + 1)::text, 17, '0'), 'I' || (g.i % 500 + 1),
       'P' || (g.i % greatest(%(n)s / 5, 10) + 1), '01', '440106',
       case when g.case_type = '2' and g.src <> 'EX' then case when g.r2 < 30 then '1' else '2' end end,
       array['C' || (g.i % 5000 + 1), 'C' || ((g.i * 7) % 5000 + 1)]::varchar[],
       null, null, g.reg,
       case when s.status in ('40', '50') then g.reg + interval '100 days' end,
       case when s.status = '50' then g.reg + interval '110 days' end,
       s.status, g.r2 % 10 = 0, g.src, g.src || ':' || g.i, g.reg + interval '1 hour',
       case when g.src = 'LP' then '{}' else '{registered_at}' end::text[], '{}', null
  from gen g
 cross join lateral (select case when g.r < 30 then '10' when g.r < 45 then '20' when g.r < 55 then '30'
                                 when g.r < 85 then '40' when g.r < 95 then '50' when g.r < 98 then '90' else '91' end
                            as status) s;

insert into standard.zf11_inspection
select c.case_id, '01', c.registered_at, case when g.r2 < 20 then '02' else '01' end,
       case when g.r2 < 20 then (c.registered_at at time zone 'Asia/Shanghai')::date + 30 end,
       case when g.r2 < 10 then c.registered_at + interval '25 days' end,
       c.case_id, c.record_version, c.source_system, '{}', '{}', null
  from standard.zf10_case c join gen g on c.case_id = g.src || ':' || g.i
 where c.case_type = '1';

insert into standard.zf12_penalty
select c.case_id, case when c.status <> '10' then '罚字' || g.i end,
       case when c.status <> '10' then c.registered_at + make_interval(days => 20 + g.r2) end,
       case when g.r2 % 4 = 0 then '{01}' else '{03}' end::varchar[],
       case when g.r2 % 4 = 0 then null else 100 * (g.r2 + 1) end, null,
       case when g.r2 % 3 = 0 and c.status <> '10' then c.registered_at + make_interval(days => 17 + g.r2) end, null,
       case when c.status <> '10' and g.r2 % 7 <> 0 then c.registered_at + make_interval(days => 15 + g.r2) end,
       g.r2 % 5 = 0, null, null,
       case when c.status <> '10' and c.source_system <> 'EX' and g.r % 6 <> 0
            then c.registered_at + make_interval(days => 20 + g.r2 + g.r % 12) end,
       case when c.status <> '10' and c.source_system = 'LP' and g.r % 3 = 0
            then c.registered_at + make_interval(days => 30 + g.r2 + g.r % 20) end,
       null, c.case_id, c.record_version, c.source_system, '{}', '{}', null
  from standard.zf10_case c join gen g on c.case_id = g.src || ':' || g.i
 where c.case_type = '2';

insert into standard.zf13_coercion
select c.case_id, 1, '1', case when g.r2 % 5 = 0 then '01' else '02' end, c.registered_at, 30,
       case when g.r2 % 9 = 0 then 30 end,
       case when g.r % 10 < 7 then c.registered_at + make_interval(days => 10 + g.r2 % 50) end,
       null, null, g.r2 % 5 = 0 and c.source_system = 'LP',
       case when g.r2 % 5 = 0 then c.registered_at + make_interval(hours => 2 + g.r % 40) end,
       c.case_id || '|1', c.record_version, c.source_system, '{}', '{}', null
  from standard.zf10_case c join gen g on c.case_id = g.src || ':' || g.i
 where c.case_type = '3';

insert into standard.zf20_case_step
select c.case_id, k, case c.case_type when '1' then 'J' when '2' then 'C' else 'Q' end || k,
       c.registered_at + make_interval(days => 7 * (k - 1)),
       case when k < 4 or c.status not in ('10', '20', '30') then c.registered_at + make_interval(days => 7 * (k - 1) + 3) end,
       'C' || ((g.i + k) % 5000 + 1), null, null,
       c.case_id || '|' || k, c.record_version, c.source_system, '{}', '{}', null
  from standard.zf10_case c join gen g on c.case_id = g.src || ':' || g.i
 cross join generate_series(1, 4) k
 where c.source_system <> 'EX';

insert into standard.zf30_publicity
select p.case_id, p.decision_at + make_interval(days => (abs(hashtextextended(p.case_id, 5)) % 14)::int), null,
       '某执法局对当事人作出行政处罚决定。', p.case_id, p.record_version, 'LP', '{}', '{}', null
  from standard.zf12_penalty p
 where p.source_system = 'LP' and p.decision_at is not null and abs(hashtextextended(p.case_id, 6)) % 10 < 8;

analyze;
"""

# A day's changes at the sources: 1% of the cases move on (closed, served, paid, a step completed
# and the next entered, a decision published), each with a new record_version.
CHANGE = """
create temporary table changed as
select case_id from standard.zf10_case where abs(hashtextextended(case_id, 42)) % 100 = 0;

update standard.zf10_case c set status = case when c.status in ('10', '20', '30') then '40' else c.status end,
       closed_at = coalesce(c.closed_at, %(day)s::timestamptz), record_version = %(day)s::timestamptz
  from changed x where x.case_id = c.case_id;
update standard.zf12_penalty p set served_at = coalesce(p.served_at, %(day)s::timestamptz),
       paid_at = case when p.source_system = 'LP' then coalesce(p.paid_at, %(day)s::timestamptz) end,
       record_version = %(day)s::timestamptz
  from changed x where x.case_id = p.case_id;
update standard.zf13_coercion m set lifted_at = coalesce(m.lifted_at, %(day)s::timestamptz),
       record_version = %(day)s::timestamptz
  from changed x where x.case_id = m.case_id;
update standard.zf20_case_step s set completed_at = coalesce(s.completed_at, %(day)s::timestamptz),
       record_version = %(day)s::timestamptz
  from changed x where x.case_id = s.case_id;
insert into standard.zf20_case_step
select s.case_id, 5, left(s.stage_code, 1) || '5', %(day)s::timestamptz, null, s.handler_cert_no, null, null,
       s.case_id || '|5', %(day)s::timestamptz, s.source_system, '{}', '{}', null
  from standard.zf20_case_step s join changed x on x.case_id = s.case_id
 where s.seq = 4 and left(s.stage_code, 1) <> 'C'
on conflict do nothing;
insert into standard.zf30_publicity
select p.case_id, %(day)s::timestamptz, null, '某执法局对当事人作出行政处罚决定。', p.case_id, %(day)s::timestamptz,
       'LP', '{}', '{}', null
  from standard.zf12_penalty p join changed x on x.case_id = p.case_id
 where p.source_system = 'LP' and p.decision_at is not null
   and not exists (select 1 from standard.zf30_publicity z where z.case_id = p.case_id);
analyze;
"""

COUNTS = ["standard.zf10_case", "standard.zf20_case_step", "marts.fct_rule_evaluation", "marts.fct_warning",
          "marts.fct_warning_history", "marts.fct_publicity", "marts.stat_case_monthly", "marts.stat_penalty_monthly",
          "marts.stat_penalty_kind_monthly", "marts.stat_decision_duration", "marts.stat_decision_duration_monthly",
          "marts.stat_on_time_monthly", "marts.stat_publicity_monthly", "marts.stat_legal_review_monthly",
          "marts.rpt_subject_performance", "marts.rpt_subject_performance_deduction", "marts.smp_review_candidate",
          "marts.smp_review_sample", "review.sample_case", "marts.case_detail", "marts.case_step"]


def counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in COUNTS}


def group_of(node: dict, nodes: dict) -> str | None:
    """The mart group (folder under models/marts) of a model, or of the model a test is on."""
    path = node.get("original_file_path", "")
    if node.get("resource_type") in ("test", "unit_test"):
        parents = [node.get("attached_node")] if node.get("attached_node") else node.get("depends_on", {}).get("nodes", [])
        groups = [group_of(nodes[p], nodes) for p in parents if p in nodes and nodes[p].get("resource_type") == "model"]
        groups = [g for g in groups if g]
        return groups[-1] if groups else None
    parts = Path(path).parts
    return parts[2] if len(parts) > 3 and parts[:2] == ("models", "marts") else None


def node_times(work: Path) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Seconds per mart group (models and their tests) and per model, from the last dbt call."""
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    groups: dict[str, float] = {}
    models: list[tuple[str, float]] = []
    for r in results:
        node = nodes.get(r["unique_id"])
        if node is None:
            continue
        group = group_of(node, nodes) or "other"
        groups[group] = groups.get(group, 0.0) + r["execution_time"]
        if node.get("resource_type") == "model":
            models.append((node["name"], r["execution_time"]))
    return groups, models


def print_report(args, changed: int, walls: tuple[float, float], groups: tuple[dict, dict], models: tuple[list, list],
                 rows: tuple[dict, dict]) -> None:
    cols = f"{'from scratch (D)':>18}{'after 1% changed (D+1)':>26}{'ratio':>8}"
    print()
    print(f"all marts, {args.cases:,} cases ({rows[0]['standard.zf20_case_step']:,} steps), dbt build incl. tests;"
          f" load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'':40}{cols}")
    print(f"{'wall time, s':40}{walls[0]:>18.1f}{walls[1]:>26.1f}{walls[1] / walls[0]:>8.2f}")
    print(f"{'cases changed':40}{'':>18}{changed:>26,}")
    print("node seconds per group (models + their tests):")
    names = [g for g in GROUPS if g in groups[0] or g in groups[1]]
    # nodes outside models/marts: listed only when they cost anything
    names += sorted(g for g in (set(groups[0]) | set(groups[1])) - set(names)
                    if max(groups[0].get(g, 0), groups[1].get(g, 0)) >= 0.05)
    for g in names:
        a, b = groups[0].get(g, 0.0), groups[1].get(g, 0.0)
        print(f"  {g:38}{a:>18.1f}{b:>26.1f}{(b / a if a else 0):>8.2f}")
    a, b = sum(groups[0].values()), sum(groups[1].values())
    print(f"  {'total':38}{a:>18.1f}{b:>26.1f}{b / a:>8.2f}")
    print("slowest models (of the refresh):")
    scratch = dict(models[0])
    for name, t in sorted(models[1], key=lambda m: -m[1])[:args.top]:
        print(f"  {name:38}{scratch.get(name, 0.0):>18.1f}{t:>26.1f}")
    print("rows:")
    for table in COUNTS:
        print(f"  {table:38}{rows[0][table]:>18,}{rows[1][table]:>26,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--as-of", default="2026-10-20", help="D of the from-scratch build; the refresh runs D + 1")
    parser.add_argument("--top", type=int, default=12, help="how many of the slowest models to list")
    args = parser.parse_args()

    from sqlalchemy.engine import make_url

    from jiandu.db import libpq_url
    from jiandu.testing import temp_database
    from jiandu.warehouse.migrate import apply

    day0 = dt.date.fromisoformat(args.as_of)
    day1 = day0 + dt.timedelta(days=1)
    marts_build = ["build", "--select", *MARTS, "--indirect-selection", "cautious"]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory() as tmp, temp_database("bench_marts") as url_text:
        work = Path(tmp)
        url = make_url(url_text)
        apply(url_text)
        # empty standard tables with the layer's own DDL; seeds (calendar, codes, rule_config)
        dbt(["seed"], url, work)
        dbt(["run", "--select", "+path:models/standard"], url, work)
        with psycopg.connect(libpq_url(url_text), autocommit=True) as conn:
            started = time.perf_counter()
            conn.execute(GENERATE.replace("%(n)s", str(args.cases)))
            generated = time.perf_counter() - started
            base = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in COUNTS[:2]}
        print(f"generated {base['standard.zf10_case']:,} cases, {base['standard.zf20_case_step']:,} steps"
              f" in {generated:.1f} s", flush=True)

        scratch = dbt([*marts_build, "--vars", f"{{as_of: '{day0}'}}"], url, work)
        scratch_groups, scratch_models = node_times(work)
        print(f"from scratch: {scratch:.1f} s", flush=True)
        with psycopg.connect(libpq_url(url_text), autocommit=True) as conn:
            after_scratch = counts(conn)
            conn.execute(CHANGE.replace("%(day)s", f"'{day1} 10:00+08'"))
            changed = conn.execute("select count(*) from changed").fetchone()[0]
        refresh = dbt([*marts_build, "--vars", f"{{as_of: '{day1}'}}"], url, work)
        refresh_groups, refresh_models = node_times(work)
        with psycopg.connect(libpq_url(url_text), autocommit=True) as conn:
            after_refresh = counts(conn)

    print_report(args, changed, (scratch, refresh), (scratch_groups, refresh_groups), (scratch_models, refresh_models),
                 (after_scratch, after_refresh))


if __name__ == "__main__":
    main()
