"""`jiandu run push_hub` and `jiandu run reconcile`, as an operator (or the DAG's task) runs them,
on a throw-away warehouse and the test simulator (settings from the environment)."""
from __future__ import annotations

import json
import os
import subprocess

from sqlalchemy.engine import make_url

from jiandu.settings import PROJECT_ROOT

from hubsoak import CLIENT_ID, SECRET, assert_hub_equals_warehouse


def jiandu_run(env, step: str) -> dict:
    url = make_url(env.wh)
    environ = dict(os.environ, JIANDU_WAREHOUSE_DB=url.database, JIANDU_PIPELINE_USER=url.username,
                   JIANDU_PIPELINE_PASSWORD=url.password or "", JIANDU_PG_HOST=url.host, JIANDU_PG_PORT=str(url.port),
                   JIANDU_HUB_URL=env.hub_url, JIANDU_HUB_CLIENT_ID=CLIENT_ID, JIANDU_HUB_CLIENT_SECRET=SECRET,
                   JIANDU_REGION_CODE=env.region)
    proc = subprocess.run([str(PROJECT_ROOT / ".venvs/main/bin/jiandu"), "run", step], env=environ, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_the_push_and_the_reconciliation_steps_from_the_command_line(env):
    total = env.fill(100)
    pushed = jiandu_run(env, "push_hub")
    assert pushed["records"] == total and pushed["rejected"] == 0
    assert_hub_equals_warehouse(env, total)
    with env.hub_connect() as conn:
        conn.execute("delete from hub_record where region_code = %s and record_key = 'LP:9'", (env.region,))
        conn.commit()
    out = jiandu_run(env, "reconcile")
    assert (out["compared"], out["different"], out["repaired"], out["still_different"]) == (10, 1, 1, 0)
    assert out["rows"] == [{"dataset": "ZF10", "region_code": env.region, "status": "different",
                            "status_after": "ok", "differing_keys": 1}]
    assert_hub_equals_warehouse(env, total, counted_once=False)
