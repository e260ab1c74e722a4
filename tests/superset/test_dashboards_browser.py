"""Headless Chromium logs in as the people who use each dashboard and screenshots it: no chart may
fail, and none may be empty where the data has rows (the synthetic warehouse has data for every
chart). Screenshots go to test-artifacts/superset/ (gitignored)."""
from __future__ import annotations

import json
import os
import subprocess

import psycopg
import pytest
import yaml

from conftest import DISTRICT, DISTRICT_VIEWER, PROJECT_ROOT, STEWARD, TEST_PASSWORD, VIEWER, _libpq

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "superset"
BROWSER = PROJECT_ROOT / "tests" / "superset" / "browser.py"


def charts_in(slug: str) -> list[str]:
    doc = yaml.safe_load((PROJECT_ROOT / "dashboards" / "assets" / "dashboards" / f"{slug}.yaml").read_text("utf-8"))
    return [n["meta"]["sliceName"] for n in doc["position"].values() if isinstance(n, dict) and n.get("type") == "CHART"]


def browse(server, user: str, slugs: list[str], sub: str) -> list[dict]:
    env = dict(os.environ, JIANDU_BROWSER_USER=user, JIANDU_BROWSER_PASSWORD=TEST_PASSWORD)
    python = PROJECT_ROOT / ".venvs" / "superset" / "bin" / "python"
    proc = subprocess.run([str(python), str(BROWSER), server.url, str(ARTIFACTS / sub), *slugs], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("user, slugs", [(VIEWER, ["warnings", "statistics", "performance"]),
                                         (STEWARD, ["quality", "push"])], ids=["bureau-viewer", "steward"])
def test_every_chart_renders_with_data(superset_server, user, slugs):
    for result in browse(superset_server, user, slugs, user):
        expected = charts_in(result["slug"])
        charts = result["charts"]
        assert "404" not in result["title"], f"{user} cannot open {result['slug']}"
        assert len(charts) == len(expected), (result["slug"], [c["name"] for c in charts])
        bad = [c for c in charts if c["loading"] or c["error"] or c["empty"] or not c["drawn"]]
        assert not bad, f"{result['slug']}: charts failed or empty (see {result['screenshot']}): {bad}"


def test_viewer_cannot_open_the_stewards_dashboards(superset_server):
    result = browse(superset_server, VIEWER, ["quality"], "viewer-denied")[0]
    assert "404" in result["title"] or not result["charts"]


def test_district_user_sees_only_the_district_counts(superset_server, warehouse):
    with psycopg.connect(_libpq(warehouse.admin_url)) as conn:
        red_district, red_all = conn.execute(
            "select count(*) filter (where region_code = %s), count(*) from marts.fct_warning where level = 'red'",
            (DISTRICT[0],)).fetchone()
    assert 0 < red_district < red_all
    result = browse(superset_server, DISTRICT_VIEWER, ["warnings"], "district")[0]
    by_name = {c["name"]: c for c in result["charts"]}
    shown = by_name["红牌预警"]["text"].split("\n")[-1].strip()
    assert shown == f"{red_district:,}".replace(",", "") or shown == f"{red_district:,}", \
        f"district red count shows {shown!r}, the district has {red_district} (city {red_all})"
