"""The real pipeline on the demo generator's data, on throw-away databases: the three sources
(LG in MariaDB, EX report files, LP sent through the case-entry service), a warehouse, the hub
simulator; each step run as the DAG runs it. Shared by tests/test_pipeline_e2e.py and the
Superset dashboards test on demo data (tests/superset).

    with demo_pipeline(tmp, cases=80, seed=11, as_of=date(2026, 3, 1)) as demo:
        first = demo.run(*PIPELINE_STEPS)
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from caseentry.app import create_app as create_service
from caseentry.migrate import upgrade
from caseentry.users import ensure_user
from hubsim.app import create_app as create_hub
from hubsim.server import serve_in_thread
from jiandu.bootstrap.demo import ServiceClient, send_lp
from jiandu.demo.generate import generate
from jiandu.demo.universe import Universe
from jiandu.settings import get_settings
from jiandu.testing import temp_database, temp_mariadb_database

# The DAG's order (dags/jiandu_pipeline.py): sources, dbt build, quality gate, hub push.
PIPELINE_STEPS = ("ingest_lp", "ingest_lg", "ingest_ex", "transform", "quality_gate", "push_hub")

_STEP_RUNNER = ("import json, sys\nfrom jiandu.pipeline import steps\n"
                "out = {n: getattr(steps, n)() for n in sys.argv[1:]}\n"
                "print(json.dumps(out, default=str, ensure_ascii=False))")


@dataclass
class DemoPipeline:
    wh: str            # warehouse URL (admin credentials)
    svc: str
    hub_db: str
    lg: str
    lp: dict           # what send_lp sent
    env: dict[str, str] = field(repr=False)

    def run(self, *names: str) -> dict:
        """Run pipeline steps in this process, with this pipeline's settings for their duration
        only (other fixtures of the session keep theirs)."""
        with pytest.MonkeyPatch.context() as mp:
            for k, v in self.env.items():
                mp.setenv(k, v)
            get_settings.cache_clear()
            try:
                from jiandu.pipeline import steps
                return {name: getattr(steps, name)() for name in names}
            finally:
                get_settings.cache_clear()
        # leaving the context restores the environment; the next get_settings() reads it afresh

    def run_in_subprocess(self, *names: str, timeout: float = 900) -> dict:
        """The same in a child process: os.environ of this process is never touched, so other
        threads (a Superset being initialised) can run meanwhile."""
        proc = subprocess.run([sys.executable, "-c", _STEP_RUNNER, *names], env={**os.environ, **self.env},
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"pipeline steps {names} failed:\n{proc.stderr[-4000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])


@contextmanager
def demo_pipeline(tmp: Path, cases: int, seed: int, as_of: dt.date, region: str = "440100") -> Iterator[DemoPipeline]:
    """Databases, the case-entry service and the hub simulator, alive until the block ends, with
    the demo's sources generated and LP's cases sent; the steps run when the caller says."""
    with temp_database("test_demo_wh") as wh, temp_database("test_demo_svc") as svc, \
            temp_database("test_demo_hub") as hubdb, temp_mariadb_database("test_demo_lg") as lg:
        from jiandu.warehouse import migrate
        migrate.apply(wh)
        upgrade(svc)
        ensure_user(svc, "admin", "admin-password", "admin")
        ensure_user(svc, "pipeline", "feed-password", "pipeline")
        hub_app = create_hub(hubdb, {"e2e": "e2e-secret"})
        with serve_in_thread(create_service(svc, "e2e-secret-key")) as svc_url, serve_in_thread(hub_app) as hub_url:
            base = get_settings()
            # The pipeline runs as the server's admin: the warehouse is a throw-away database it
            # owns. JIANDU_ENV_FILE points nowhere, so no developer's settings leak in.
            env = {"JIANDU_ENV_FILE": str(tmp / "none.env"), "JIANDU_VAR_DIR": str(tmp / "var"),
                   "JIANDU_WAREHOUSE_DB": wh.rsplit("/", 1)[1], "JIANDU_PIPELINE_USER": base.pg_admin_user,
                   "JIANDU_PIPELINE_PASSWORD": base.pg_admin_password or "",
                   "JIANDU_SERVICE_URL": svc_url, "JIANDU_SERVICE_FEED_USER": "pipeline",
                   "JIANDU_SERVICE_FEED_PASSWORD": "feed-password", "JIANDU_HUB_URL": hub_url,
                   "JIANDU_HUB_CLIENT_ID": "e2e", "JIANDU_HUB_CLIENT_SECRET": "e2e-secret",
                   "JIANDU_LG_URL": lg, "JIANDU_DROP_DIR": str(tmp / "exchange"), "JIANDU_REGION_CODE": region}
            generate(cases, seed, lg_url=lg, drop_dir=tmp / "exchange", as_of=as_of)
            lp = send_lp(ServiceClient(svc_url, "admin", "admin-password"), Universe(seed, cases, as_of))
            yield DemoPipeline(wh, svc, hubdb, lg, lp, env)
