"""After setup on demo data (the demo generator through the real pipeline: sources, raw, dbt
build, quality gate, hub push, reconciliation), headless Chromium logs in as a bureau viewer, a
district viewer and a steward and screenshots each of their dashboards: no chart may fail, and a
chart may be empty only where the warehouse has no row for it. Which charts must show data is
decided per chart from the warehouse: its dataset's rows that pass the chart's own filters, in the
user's data scope. Screenshots go to test-artifacts/superset/demo-<user>/."""
from __future__ import annotations

import psycopg
import pytest
import yaml

from conftest import DISTRICT, DISTRICT_VIEWER, PROJECT_ROOT, STEWARD, VIEWER, _libpq
from test_dashboards_browser import browse

ASSETS = PROJECT_ROOT / "dashboards" / "assets"


def load_assets(kind: str) -> dict[str, dict]:
    return {d["uuid"]: d for d in (yaml.safe_load(p.read_text("utf-8")) for p in (ASSETS / kind).glob("*.yaml"))}


DATASETS, CHARTS = load_assets("datasets"), load_assets("charts")


def dashboard_charts(slug: str) -> dict[str, dict]:
    """The charts of a dashboard by the title its layout shows."""
    doc = yaml.safe_load((ASSETS / "dashboards" / f"{slug}.yaml").read_text("utf-8"))
    return {n["meta"].get("sliceNameOverride") or n["meta"]["sliceName"]: CHARTS[n["meta"]["uuid"]]
            for n in doc["position"].values() if isinstance(n, dict) and n.get("type") == "CHART"}


def rows_behind(conn: psycopg.Connection, chart: dict, region: str | None) -> int:
    """Rows of the chart's dataset that pass the chart's filters, as the user's row-level security
    (dashboards/provision.py) scopes them: a district sees its region, and nothing of a dataset
    without one."""
    ds = DATASETS[chart["dataset_uuid"]]
    relation = f"({ds['sql']})" if ds.get("sql") else f'"{ds["schema"]}"."{ds["table_name"]}"'
    conditions = []
    for f in chart["params"].get("adhoc_filters", []):
        if f.get("operator") == "TEMPORAL_RANGE" and f.get("comparator") == "No filter":
            continue   # the time column's placeholder: no restriction
        assert f["clause"] == "WHERE" and f["expressionType"] == "SQL", \
            f"{chart['slice_name']}: only SQL WHERE filters are understood here: {f}"
        conditions.append(f["sqlExpression"])
    args = []
    if region:
        if any(c["column_name"] == "region_code" for c in ds["columns"]):
            conditions.append("region_code = %s")
            args.append(region)
        else:
            conditions.append("false")
    where = " and ".join(f"({c})" for c in conditions) or "true"
    return conn.execute(f"select count(*) from {relation} t where {where}", args or None).fetchone()[0]


@pytest.mark.parametrize("user, region, slugs", [
    (VIEWER, None, ["warnings", "statistics", "performance"]),
    # a district scope on two dashboards (row-level security has its own tests)
    (DISTRICT_VIEWER, DISTRICT[0], ["warnings", "statistics"]),
    (STEWARD, None, ["quality", "push"]),
], ids=["bureau-viewer", "district-viewer", "steward"])
def test_every_chart_with_demo_data_shows_it(superset_server, demo_warehouse, user, region, slugs):
    results = browse(superset_server, user, slugs, f"demo-{user}")
    with psycopg.connect(_libpq(demo_warehouse.admin_url)) as conn:
        for result in results:
            expected = dashboard_charts(result["slug"])
            shown = {c["name"]: c for c in result["charts"]}
            assert "404" not in result["title"], f"{user} cannot open {result['slug']}"
            assert set(shown) == set(expected), (result["slug"], sorted(shown))
            rows = {name: rows_behind(conn, chart, region) for name, chart in expected.items()}
            # the demo feeds every dashboard: a dashboard with no data at all would prove nothing
            assert any(rows.values()), f"{result['slug']}: the demo warehouse has no row for any chart"
            failed = {n: c["text"][:200] for n, c in shown.items() if c["error"] or c["loading"]}
            assert not failed, f"{result['slug']}: charts failed (see {result['screenshot']}): {failed}"
            blank = {n: (rows[n], c["text"][:120]) for n, c in shown.items()
                     if rows[n] and (c["empty"] or not c["drawn"])}
            assert not blank, (f"{result['slug']}: charts show no data where the demo has rows"
                               f" (see {result['screenshot']}): {blank}")
            undrawn = {n for n, c in shown.items() if not (c["drawn"] or c["empty"])}
            assert not undrawn, f"{result['slug']}: charts neither drawn nor empty: {undrawn}"


def test_the_demo_reached_every_layer(demo_warehouse):
    """The demo pipeline ran whole: cases in the marts, warnings, quality findings, pushed records."""
    with psycopg.connect(_libpq(demo_warehouse.admin_url)) as conn:
        counts = conn.execute("""select (select count(*) from marts.case_detail), (select count(*) from marts.fct_warning),
                                        (select count(*) from quality.steward_queue),
                                        (select count(*) from ops.push_state where outcome = 'accepted'),
                                        (select count(*) from marts.case_detail where region_code = %s)""",
                              (DISTRICT[0],)).fetchone()
    assert all(counts), f"cases, warnings, quality issues, accepted pushes, district cases: {counts}"
