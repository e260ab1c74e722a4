"""Dashboards as code: the committed export (dashboards/assets) imports into a fresh Superset and
exports back equal; every chart's dataset is a dbt model or a warehouse DDL table; dbt has one
exposure per dashboard naming exactly the relations its charts read."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from conftest import PROJECT_ROOT

ASSETS = PROJECT_ROOT / "dashboards" / "assets"
EXPOSURES = PROJECT_ROOT / "dbt" / "models" / "marts" / "_exposures.yml"
DDL_DIR = PROJECT_ROOT / "jiandu" / "warehouse" / "ddl"
SLUGS = {"warnings": "执法监督预警", "statistics": "执法统计分析", "performance": "绩效评估", "quality": "数据质量",
         "push": "数据推送对账"}


def load(folder: Path) -> dict[tuple[str, str], dict]:
    """Every asset as {(kind, uuid): document}, normalised for what Superset regenerates: the
    bundle's timestamp, numeric chart ids (replaced by the charts' uuids), the connection URI."""
    out = {}
    for path in folder.rglob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        kind = path.relative_to(folder).parts[0]
        if kind == "metadata.yaml":
            doc.pop("timestamp", None)
            out[("metadata", "")] = doc
            continue
        if kind == "databases":
            doc["sqlalchemy_uri"] = re.sub(r"@.*$", "@", doc["sqlalchemy_uri"])
        if kind == "dashboards":
            ids = {}
            for node in doc["position"].values():
                if isinstance(node, dict) and node.get("type") == "CHART":
                    ids[node["meta"].pop("chartId", None)] = node["meta"]["uuid"]
            meta = doc.get("metadata", {})
            meta["chart_configuration"] = {ids.get(int(k), k): v for k, v in meta.get("chart_configuration", {}).items()}
            for conf in meta["chart_configuration"].values():
                conf.pop("id", None)
        if kind == "datasets":
            doc["columns"] = sorted(doc.get("columns") or [], key=lambda c: c["column_name"])
            doc["metrics"] = sorted(doc.get("metrics") or [], key=lambda m: m["metric_name"])
        out[(kind, doc["uuid"])] = doc
    return out


def test_export_of_imported_assets_equals_the_files(superset_server, tmp_path):
    from jiandu.bootstrap import superset as ss
    ss.export_dashboards(superset_server.settings, tmp_path, capture_output=True)
    committed, exported = load(ASSETS), load(tmp_path)
    assert sorted(committed) == sorted(exported)
    different = [key for key in committed if committed[key] != exported[key]]
    assert not different, f"{len(different)} assets differ after the round trip, e.g. {different[0]}: " \
        f"{committed[different[0]]} != {exported[different[0]]}"


def test_layout_charts_carry_uuids_and_no_password_is_committed():
    assets = load(ASSETS)
    charts = {u for (k, u) in assets if k == "charts"}
    in_layouts = []
    for (kind, _), doc in assets.items():
        if kind == "dashboards":
            for node in doc["position"].values():
                if isinstance(node, dict) and node.get("type") == "CHART":
                    assert node["meta"].get("uuid") in charts, node
                    in_layouts.append(node["meta"]["uuid"])
    assert sorted(in_layouts) == sorted(charts), "every chart sits in exactly one dashboard layout"
    for path in (ASSETS / "databases").glob("*.yaml"):
        uri = yaml.safe_load(path.read_text(encoding="utf-8"))["sqlalchemy_uri"]
        assert re.fullmatch(r"postgresql\+psycopg2://jiandu_(superset|analyst):X+@warehouse/warehouse", uri), uri


def dashboard_tables() -> dict[str, set[tuple[str, str]]]:
    assets = load(ASSETS)
    datasets = {u: d for (k, u), d in assets.items() if k == "datasets"}
    charts = {u: d for (k, u), d in assets.items() if k == "charts"}
    out = {}
    for (kind, _), dash in assets.items():
        if kind != "dashboards":
            continue
        tables = set()
        for node in dash["position"].values():
            if isinstance(node, dict) and node.get("type") == "CHART":
                ds = datasets[charts[node["meta"]["uuid"]]["dataset_uuid"]]
                if ds.get("sql"):
                    # a virtual dataset reads the relations its SQL names
                    tables |= set(re.findall(r"\b(marts|quality|ops)\.(\w+)", ds["sql"]))
                else:
                    tables.add((ds["schema"], ds["table_name"]))
        out[dash["slug"]] = tables
    return out


def test_dashboards_are_the_five_in_chinese():
    titles = {d["slug"]: d["dashboard_title"] for (k, _), d in load(ASSETS).items() if k == "dashboards"}
    assert titles == SLUGS
    for (kind, _), doc in load(ASSETS).items():
        if kind == "charts":
            assert re.search(r"[\u4e00-\u9fff]", doc["slice_name"]), doc["slice_name"]


def test_every_dataset_is_a_dbt_model_or_a_ddl_table():
    models = {p.stem for p in (PROJECT_ROOT / "dbt" / "models" / "marts").rglob("*.sql")}
    ddl = "\n".join(p.read_text(encoding="utf-8") for p in DDL_DIR.glob("*.sql"))
    missing = []
    for slug, tables in dashboard_tables().items():
        for schema, table in tables:
            if schema == "marts":
                ok = table in models
            else:
                ok = re.search(rf"create (table|or replace view|view)( if not exists)? {schema}\.{table}\b", ddl) is not None
            if not ok:
                missing.append((slug, f"{schema}.{table}"))
    assert not missing


def test_exposures_name_what_each_dashboard_reads():
    doc = yaml.safe_load(EXPOSURES.read_text(encoding="utf-8"))
    exposures = {e["name"].removeprefix("dashboard_"): e for e in doc["exposures"]}
    assert set(exposures) == set(SLUGS)
    for slug, tables in dashboard_tables().items():
        expected = {f"ref('{t}')" if s == "marts" else f"source('{s}', '{t}')" for s, t in tables}
        assert set(exposures[slug]["depends_on"]) == expected, slug
        assert exposures[slug]["label"] == SLUGS[slug] and exposures[slug]["type"] == "dashboard"


MAX_BARS, MAX_SERIES = 25, 10
# x axes with as many members as the city has subjects, items or rules
MANY_MEMBERS = re.compile(r"^(subject|item|rule|reason)_")


def test_every_bar_chart_caps_its_categories_by_its_metric():
    """A bar chart's query returns its largest rows only (ordered by a metric, largest first, then
    capped), so a dimension with many members stays readable. Superset's front end sends
    `series_limit` over the legacy `limit`, and caps rows with `row_limit`."""
    bars = [d for (k, _), d in load(ASSETS).items() if k == "charts" and d["viz_type"] == "echarts_timeseries_bar"]
    assert len(bars) >= 10
    for doc in bars:
        p, name = doc["params"], doc["slice_name"]
        order = p.get("series_limit_metric") or p.get("timeseries_limit_metric") or (p.get("metrics") or [None])[0]
        assert isinstance(order, dict) and order.get("sqlExpression") and p.get("order_desc") is True, \
            f"{name}: rows are not ordered by a metric, largest first"
        if p.get("groupby"):
            assert not MANY_MEMBERS.match(p["x_axis"]), \
                f"{name}: a groupby over {p['x_axis']} makes the row cap no category cap (use a metric per level)"
            assert 1 <= p.get("series_limit", 0) <= MAX_SERIES, f"{name}: series not capped: {p.get('series_limit')}"
            assert 1 <= p["row_limit"] <= MAX_BARS * p["series_limit"], f"{name}: row_limit {p['row_limit']}"
        else:
            assert 1 <= p["row_limit"] <= MAX_BARS, f"{name}: {p['row_limit']} categories"
