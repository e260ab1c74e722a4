"""Roles and row-level security through Superset's REST API: a district user's queries return
only that district's rows on every dataset of the dashboards; an analyst's SQL Lab query on
natural persons' names and ID numbers returns masked values only, and cannot reach the standard
layer or the dashboards' connection."""
from __future__ import annotations

import re
import uuid

import psycopg
import pytest

from conftest import ANALYST, DISTRICT, DISTRICT_VIEWER, STEWARD, TEST_PASSWORD, VIEWER, Client, _libpq

COUNT = {"expressionType": "SQL", "sqlExpression": "count(*)", "label": "n"}


@pytest.fixture(scope="module")
def admin(superset_server):
    s = superset_server.settings
    return Client(superset_server.url, s.admin_user, s.admin_password)


@pytest.fixture(scope="module")
def datasets(admin):
    r = admin.get("/api/v1/dataset/", params={"q": "(page_size:100)"})
    r.raise_for_status()
    out = {}
    for item in r.json()["result"]:
        detail = admin.get(f"/api/v1/dataset/{item['id']}").json()["result"]
        out[f"{item['schema']}.{item['table_name']}"] = (item["id"], {c["column_name"] for c in detail["columns"]})
    return out


def counts_by_region(client: Client, dataset_id: int) -> dict:
    body = {"datasource": {"id": dataset_id, "type": "table"}, "force": True, "result_format": "json",
            "result_type": "full", "queries": [{"columns": ["region_code"], "metrics": [COUNT], "row_limit": 10000}]}
    r = client.post("/api/v1/chart/data", json=body)
    assert r.status_code == 200, r.text[:500]
    return {row["region_code"]: row["n"] for row in r.json()["result"][0]["data"]}


def test_district_user_sees_only_the_district_on_every_dataset(superset_server, datasets):
    district = Client(superset_server.url, DISTRICT_VIEWER, TEST_PASSWORD)
    viewer = Client(superset_server.url, VIEWER, TEST_PASSWORD)
    checked = 0
    for key in ("marts.fct_warning", "marts.agg_warning_event_daily", "marts.stat_case_monthly",
                "marts.stat_penalty_monthly", "marts.rpt_subject_performance", "marts.rpt_subject_performance_deduction_by_region",
                "marts.case_detail"):
        ds_id, columns = datasets[key]
        assert "region_code" in columns, key
        city = counts_by_region(viewer, ds_id)
        mine = counts_by_region(district, ds_id)
        assert len(city) > 1, f"{key}: the bureau-wide viewer should see several regions, saw {city}"
        assert set(mine) == {DISTRICT[0]}, f"{key}: district user saw {set(mine)}"
        assert mine[DISTRICT[0]] == city[DISTRICT[0]], key
        checked += 1
    assert checked == 7


def test_user_without_data_scope_sees_nothing(superset_server, datasets, admin):
    from jiandu.bootstrap import superset as ss
    ss.ensure_user(superset_server.settings, "test_noscope", TEST_PASSWORD, ["监督人员"], capture_output=True)
    client = Client(superset_server.url, "test_noscope", TEST_PASSWORD)
    assert counts_by_region(client, datasets["marts.fct_warning"][0]) == {}


def test_viewer_and_steward_dashboards(superset_server):
    def slugs(user):
        r = Client(superset_server.url, user, TEST_PASSWORD).get("/api/v1/dashboard/", params={"q": "(page_size:100)"})
        r.raise_for_status()
        return {d["slug"] for d in r.json()["result"]}
    assert slugs(VIEWER) == {"warnings", "statistics", "performance"}
    assert slugs(STEWARD) == {"quality", "push"}


def _sqllab(client: Client, database_id: int, sql: str):
    return client.post("/api/v1/sqllab/execute/", json={
        "database_id": database_id, "sql": sql, "runAsync": False, "schema": "marts",
        "select_as_cta": False, "queryLimit": 10000, "client_id": uuid.uuid4().hex[:10]})


def test_analyst_sql_lab_returns_masked_personal_data(superset_server, demo_warehouse, admin):
    databases = {d["database_name"]: d["id"] for d in admin.get("/api/v1/database/").json()["result"]}
    analyst_db, dashboard_db = databases["监督数据仓库（分析员）"], databases["监督数据仓库"]
    analyst = Client(superset_server.url, ANALYST, TEST_PASSWORD)
    query = ("select party_name, credential_no, party_type from marts.case_detail where party_type = '1'"
             " union all select officer_name, id_no, 'officer' from marts.dim_officer")
    r = _sqllab(analyst, analyst_db, query)
    assert r.status_code == 200, r.text[:500]
    rows = r.json()["data"]
    with psycopg.connect(_libpq(demo_warehouse.admin_url)) as conn:
        assert len(rows) == conn.execute(f"select count(*) from ({query}) q").fetchone()[0]
        names = {x for (x,) in conn.execute("select party_name from standard.zf04_party where party_type = '1'"
                                            " union select officer_name from standard.zf02_officer")}
        ids = {x for (x,) in conn.execute("select credential_no from standard.zf04_party where party_type = '1'"
                                          " union select id_no from standard.zf02_officer")}
    assert len(names) > 20 and len(ids) > 20, "the demo warehouse should hold natural persons"
    for row in rows:
        assert row["party_name"] not in names and re.fullmatch(r".\*+", row["party_name"]), row
        assert row["credential_no"] not in ids and "*" in row["credential_no"], row
    # the standard layer is out of the analyst role's reach, whatever the SQL
    r = _sqllab(analyst, analyst_db, "select party_name from standard.zf04_party limit 1")
    assert r.status_code != 200 and "permission denied" in r.text.lower(), r.text[:300]
    # and the dashboards' connection (which reads ops and quality) is not open to analysts
    r = _sqllab(analyst, dashboard_db, "select body from ops.push_batch limit 1")
    assert r.status_code != 200 and "data" not in r.json(), r.text[:300]
