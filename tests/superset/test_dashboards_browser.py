"""Headless Chromium against Superset on the demo warehouse: what a viewer may not open, and what a
district's user is shown. (Every chart of every dashboard, per user: test_dashboards_on_demo.py.)
browse() drives tests/superset/browser.py; screenshots go to test-artifacts/superset/ (gitignored)."""
from __future__ import annotations

import json
import os
import subprocess

import psycopg

from conftest import DISTRICT, DISTRICT_VIEWER, PROJECT_ROOT, TEST_PASSWORD, VIEWER, _libpq

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "superset"
BROWSER = PROJECT_ROOT / "tests" / "superset" / "browser.py"


def browse(server, user: str, slugs: list[str], sub: str) -> list[dict]:
    env = dict(os.environ, JIANDU_BROWSER_USER=user, JIANDU_BROWSER_PASSWORD=TEST_PASSWORD)
    python = PROJECT_ROOT / ".venvs" / "superset" / "bin" / "python"
    proc = subprocess.run([str(python), str(BROWSER), server.url, str(ARTIFACTS / sub), *slugs], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_viewer_cannot_open_the_stewards_dashboards(superset_server):
    result = browse(superset_server, VIEWER, ["quality"], "viewer-denied")[0]
    assert "404" in result["title"] or not result["charts"]


def test_district_user_sees_only_the_district_counts(superset_server, demo_warehouse):
    with psycopg.connect(_libpq(demo_warehouse.admin_url)) as conn:
        red_district, red_all = conn.execute(
            "select count(*) filter (where region_code = %s), count(*) from marts.fct_warning where level = 'red'",
            (DISTRICT[0],)).fetchone()
    assert 0 < red_district < red_all
    result = browse(superset_server, DISTRICT_VIEWER, ["warnings"], "district")[0]
    by_name = {c["name"]: c for c in result["charts"]}
    shown = by_name["红牌预警"]["text"].split("\n")[-1].strip()
    assert shown == f"{red_district:,}".replace(",", "") or shown == f"{red_district:,}", \
        f"district red count shows {shown!r}, the district has {red_district} (city {red_all})"
