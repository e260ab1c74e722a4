"""`dbt parse` passes (no database needed), and the parsed project has what the standard layer
promises: the ten standard models with enforced contracts, merge on record_key, and the cleaning
macros each covered by unit tests."""
from __future__ import annotations

import json

from dbt_support import STANDARD_TABLES, explain, run_dbt


def test_dbt_parse_passes_and_declares_the_standard_layer(dbt_available, tmp_path):
    proc = run_dbt(["parse"], tmp_path)
    assert proc.returncode == 0, explain(proc)
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for name in STANDARD_TABLES:
        node = models[name]
        cfg = node["config"]
        assert node["schema"] == "standard", name
        assert cfg["contract"]["enforced"] is True, name
        assert cfg["materialized"] == "incremental" and cfg["incremental_strategy"] == "merge", name
        assert cfg["unique_key"] == "record_key", name
        assert any("standard_unique_index" in h["sql"] for h in cfg["post-hook"]), name
        assert any("standard_delete_vanished" in h["sql"] for h in cfg["post-hook"]), name
        assert all(c.get("data_type") and c.get("description") for c in node["columns"].values()), name
    # staging views and intermediate tables land in the staging schema, no target prefix
    assert {m["schema"] for n, m in models.items() if n.startswith(("stg_", "int_"))} == {"staging"}
    assert all(models[n]["config"]["materialized"] == "view" for n in models if n.startswith("stg_"))

    unit_tests = {u["name"]: u for u in manifest.get("unit_tests", {}).values()}
    tested_models = {u["model"] for u in unit_tests.values()}
    for probe in ["probe_clean__dates", "probe_clean__numbers", "probe_clean__text", "probe_clean__credentials",
                  "probe_clean__officers", "int_lg__case_officer", "int_ex__case", "int_case__precedence"]:
        assert probe in tested_models, f"no unit test on {probe}"

    sources = {(s["source_name"], s["name"]): s for s in manifest["sources"].values()}
    for source, table in [("lp", "lp_case"), ("lg", "lg_t_ajxx"), ("ex", "ex_case_row")]:
        cfg = sources[(source, table)]["config"]
        assert cfg["loaded_at_field"] == "_extracted_at"
        assert cfg["freshness"]["warn_after"]["count"], (source, table)
