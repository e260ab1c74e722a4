"""The SQL behind every dashboard chart, timed on a warehouse with 1,000,000 cases.

    .venvs/main/bin/python bench/superset_bench.py [--cases 1000000] [--repeat 3] [--keep]

Builds a throw-away warehouse (pipeline role, as production): dbt creates the empty standard
layer, bench/superset_synthetic.py fills it with SQL generate_series (cases, parties, officers,
steps, quality issues, push state), dbt builds the marts, the reader grants are applied. Then
each chart of dashboards/assets is turned into the SQL Superset sends for it (rebuilt from the
chart's params and its dataset: metrics, groupings, filters, time grain, order, row limit; a
virtual dataset is wrapped as Superset wraps it) and run as the role Superset uses
(jiandu_superset), as a bureau-wide user (no row-level filter) and as a district user (the RLS
clause added). Each is timed (best of --repeat, after one warm-up), beside a baseline measured in
the same run: a full count of the largest standard table. Target: every chart under 1 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg
import yaml
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "dbt"))  # dbt_support: run dbt from its environment
sys.path.insert(0, str(ROOT))

GRAINS = {"P1D": "day", "P1W": "week", "P1M": "month"}
DISTRICT = "440106"


def _metric_sql(m) -> str:
    if isinstance(m, str):
        return {"count": "count(*)"}.get(m, m)
    return m["sqlExpression"] if m.get("expressionType") == "SQL" else f"{m['aggregate']}({m['column']['column_name']})"


def _where(params: dict, extra: str | None) -> str:
    parts = [f"({f['sqlExpression']})" for f in params.get("adhoc_filters", []) if f.get("expressionType") == "SQL"]
    if extra:
        parts.append(f"({extra})")
    return (" where " + " and ".join(parts)) if parts else ""


def chart_sql(chart: dict, dataset: dict, columns: dict[str, str], extra_where: str | None = None) -> str:
    """Superset's query for the chart's form data, as its query builder writes it for these viz
    types (calculated columns expanded, virtual datasets as a subquery)."""
    p = chart["params"]
    src = f"({dataset['sql']}) as virtual_table" if dataset.get("sql") else f"{dataset['schema']}.{dataset['table_name']}"

    def col(name: str) -> str:
        return f"({columns[name]})" if name in columns else name

    where = _where(p, extra_where)
    viz = chart["viz_type"]
    if viz == "big_number_total":
        return f"select {_metric_sql(p['metric'])} as m from {src}{where}"
    if viz == "pie":
        g = col(p["groupby"][0])
        return f"select {g} as g, {_metric_sql(p['metric'])} as m from {src}{where} group by 1 order by 2 desc limit {p['row_limit']}"
    if viz in ("echarts_timeseries_bar", "echarts_timeseries_line"):
        x = col(p["x_axis"])
        if p.get("time_grain_sqla"):
            x = f"date_trunc('{GRAINS[p['time_grain_sqla']]}', {x})"
        dims = [x] + [col(g) for g in p.get("groupby", [])]
        ms = ", ".join(f"{_metric_sql(m)} as m{i}" for i, m in enumerate(p["metrics"]))
        keys = ", ".join(str(i + 1) for i in range(len(dims)))
        # a bar chart's cap keeps the rows largest by its sort metric (dashboards/authoring.py bar())
        order = _metric_sql(p["series_limit_metric"]) if p.get("series_limit_metric") else str(len(dims) + 1)
        return (f"select {', '.join(f'{d} as d{i}' for i, d in enumerate(dims))}, {ms} from {src}{where}"
                f" group by {keys} order by {order} desc limit {p.get('row_limit', 10000)}")
    if viz == "table" and p.get("query_mode") == "raw":
        order = ", ".join(f"{col(c)} {'asc' if asc else 'desc'}" for c, asc in (json.loads(o) for o in p["order_by_cols"]))
        cols = ", ".join(f"{col(c)} as {c}" for c in p["all_columns"])
        return f"select {cols} from {src}{where}" + (f" order by {order}" if order else "") + f" limit {p['row_limit']}"
    if viz == "table":
        gs = [col(g) for g in p["groupby"]]
        ms = ", ".join(f"{_metric_sql(m)} as m{i}" for i, m in enumerate(p["metrics"]))
        return (f"select {', '.join(gs)}, {ms} from {src}{where} group by {', '.join(str(i + 1) for i in range(len(gs)))}"
                f" order by {len(gs) + 1} desc limit {p['row_limit']}")
    raise ValueError(f"no SQL rebuild for viz type {viz}")


def load_assets() -> tuple[list[dict], dict[str, dict], dict[str, dict]]:
    a = ROOT / "dashboards" / "assets"
    charts = [yaml.safe_load(p.read_text("utf-8")) for p in sorted((a / "charts").glob("*.yaml"))]
    datasets = {d["uuid"]: d for d in (yaml.safe_load(p.read_text("utf-8")) for p in (a / "datasets").glob("*.yaml"))}
    dashboards = {}
    for p in (a / "dashboards").glob("*.yaml"):
        d = yaml.safe_load(p.read_text("utf-8"))
        for node in d["position"].values():
            if isinstance(node, dict) and node.get("type") == "CHART":
                dashboards[node["meta"]["uuid"]] = d
    return charts, datasets, dashboards


def timed(conn, query: str, repeat: int) -> float:
    conn.execute(query).fetchall()  # warm-up: plans, caches
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        conn.execute(query).fetchall()
        runs.append(time.perf_counter() - t0)
    return min(runs)


def build(cases: int, work: Path, name: str, exclude: list[str], all_marts: bool = False):
    from jiandu.bootstrap.postgres import grant_readers
    from jiandu.db import libpq_url
    from jiandu.settings import get_settings, load_settings
    from jiandu.warehouse.migrate import apply
    import superset_synthetic
    from dbt_support import explain, run_dbt

    base = get_settings()
    with psycopg.connect(libpq_url(base.admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {} owner {} template template0 encoding 'UTF8'").format(
            sql.Identifier(name), sql.Identifier(base.pipeline_user)))
    s = load_settings(warehouse_db=name)
    as_of = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    apply(s.warehouse_url)
    steps = {}
    v = ["--vars", f"{{as_of: '{as_of}'}}"]
    t0 = time.perf_counter()
    for a in (["seed"], ["run", "--select", "+path:models/standard", *v]):
        proc = run_dbt(a, work, s.warehouse_url, timeout=3600)
        if proc.returncode:
            raise SystemExit(explain(proc))
    steps["dbt seed + empty standard layer"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with psycopg.connect(libpq_url(s.warehouse_url)) as conn:
        superset_synthetic.fill(conn, cases, as_of)
    steps[f"generate {cases:,} cases (SQL generate_series)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # the marts the dashboards read (their dbt exposures) and what those are built from; other
    # teams' marts (publicity, sampling ...) do not change a chart's time
    select = [] if all_marts else ["--select", "+exposure:*"]
    proc = run_dbt(["run", *select, "--exclude", "+path:models/standard", *exclude, *v], work,
                           s.warehouse_url, timeout=7200)
    steps["dbt run marts (" + ("everything" if all_marts else "what the dashboards read") + " downstream of standard)"] = \
        time.perf_counter() - t0
    if proc.returncode:
        print(explain(proc))
    grant_readers(s)
    return base, s, name, steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the warehouse (its name is printed)")
    ap.add_argument("--exclude", action="append", default=[],
                    help="dbt selector of marts not to build (their charts are reported as not built)")
    ap.add_argument("--all-marts", action="store_true", help="build every mart, not only those the dashboards read")
    args = ap.parse_args()
    from jiandu.db import libpq_url

    work = Path("/tmp") / f"superset_bench_{args.cases}"
    work.mkdir(exist_ok=True)
    from jiandu.settings import get_settings
    from psycopg import sql as _sql  # noqa: F401
    name = f"bench_ss_{args.cases}_{int(time.time())}"
    base = get_settings()
    try:
        base, s, name, steps = build(args.cases, work, name, args.exclude, args.all_marts)
        for label, secs in steps.items():
            print(f"[build] {label}: {secs:.1f} s", flush=True)
        charts, datasets, dashboards = load_assets()
        reader = s.pg_url(name, s.superset_reader_user, s.superset_reader_password)
        with psycopg.connect(libpq_url(reader), autocommit=True) as conn:
            admin = psycopg.connect(libpq_url(s.pg_url(name, base.pg_admin_user, base.pg_admin_password)), autocommit=True)
            baseline = timed(admin, "select count(*) from standard.zf10_case", args.repeat)
            n = admin.execute("select count(*) from standard.zf10_case").fetchone()[0]
            admin.close()
            print(f"\nbaseline: count(*) of standard.zf10_case ({n:,} rows): {baseline * 1000:.0f} ms;"
                  f" load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
            print(f"{'dashboard':8} {'chart':34} {'rows':>8} {'city ms':>9} {'district ms':>12}  verdict")
            results = []
            for chart in sorted(charts, key=lambda c: (dashboards[c["uuid"]]["slug"], c["slice_name"])):
                ds = datasets[chart["dataset_uuid"]]
                calc = {c["column_name"]: c["expression"] for c in ds["columns"] if c.get("expression")}
                query = chart_sql(chart, ds, calc)
                has_region = any(c["column_name"] == "region_code" for c in ds["columns"])
                try:
                    rows = len(conn.execute(query).fetchall())
                except psycopg.errors.UndefinedTable:
                    print(f"{dashboards[chart['uuid']]['slug']:8} {chart['slice_name'][:22]:<28}  not built (excluded or failed)")
                    continue
                city = timed(conn, query, args.repeat)
                district = timed(conn, chart_sql(chart, ds, calc, f"region_code = '{DISTRICT}'"), args.repeat) \
                    if has_region else None
                worst = max(city, district or 0)
                results.append(worst)
                print(f"{dashboards[chart['uuid']]['slug']:8} {chart['slice_name'][:22]:<28} {rows:>8} "
                      f"{city * 1000:>9.0f} {'' if district is None else f'{district * 1000:.0f}':>12}  "
                      f"{'ok' if worst < 1 else 'SLOW (>1 s)'}", flush=True)
            print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            print(f"{len(results)} charts; under 1 s: {sum(r < 1 for r in results)}; median {statistics.median(results) * 1000:.0f} ms;"
                  f" slowest {max(results) * 1000:.0f} ms; baseline {baseline * 1000:.0f} ms")
    finally:
        if args.keep:
            print(f"kept warehouse {name}")
        else:
            with psycopg.connect(libpq_url(base.admin_url), autocommit=True) as conn:
                conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
