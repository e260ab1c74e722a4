"""``python -m hubsim``: serves on the configured address, database and client, read at run time."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid

import psycopg
import requests
from sqlalchemy.engine import make_url

from jiandu.db import libpq_url
from jiandu.settings import PROJECT_ROOT, get_settings

from hubkit import V1, Hub, new_region, upsert


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"python -m hubsim exited: {proc.stderr.read()}")
        try:
            requests.get(url + "/_sim/stats", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("python -m hubsim did not come up")


def test_python_m_hubsim_serves_from_the_settings(hub_db):
    # The folder's own database: --create-database finds it there and leaves it (a second
    # throw-away database would cost a DROP DATABASE, which waits on every busy backend).
    s = get_settings()
    database = make_url(hub_db).database
    region = new_region()
    port = free_port()
    env = dict(os.environ,
               JIANDU_ENV_FILE=str(PROJECT_ROOT / "var" / "does-not-exist.env"),
               JIANDU_PG_HOST=s.pg_host, JIANDU_PG_PORT=str(s.pg_port),
               JIANDU_PG_ADMIN_USER=s.pg_admin_user, JIANDU_PG_ADMIN_PASSWORD=s.pg_admin_password,
               JIANDU_PIPELINE_USER=s.pg_admin_user, JIANDU_PIPELINE_PASSWORD=s.pg_admin_password,
               JIANDU_HUB_DB=database, JIANDU_HUB_SIM_HOST="127.0.0.1", JIANDU_HUB_SIM_PORT=str(port),
               JIANDU_HUB_CLIENT_ID="deployment-440106", JIANDU_HUB_CLIENT_SECRET="from-settings",
               HUBSIM_TOKEN_TTL="120", HUBSIM_FAULTS='{"unavailable": {"count": 1}}',
               HUBSIM_LOG_LEVEL="warning")
    proc = subprocess.Popen([sys.executable, "-m", "hubsim", "--create-database"], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc)
        hub = Hub(url, "deployment-440106", "from-settings")
        assert hub.get_token().status_code == 503                 # the start-up fault configuration
        r = hub.get_token()
        assert r.status_code == 200 and r.json()["expires_in"] == 120
        assert Hub(url, "deployment-440106", "wrong").get_token().status_code == 401
        item = {"item_code": "M1", "item_name": "事项", "item_category": "1", "domain_code": "01",
                "legal_basis": "依据", "legal_review_required": False, "valid_from": "2020-01-01"}
        assert hub.push("ZF03", region, [upsert("ZF03", item)], batch_id=str(uuid.uuid4())).json()["accepted"] == 1
        with psycopg.connect(libpq_url(s.pg_url(database, s.pg_admin_user, s.pg_admin_password))) as conn:
            assert conn.execute("select record_key, record_version from hub_record where region_code = %s",
                                (region,)).fetchall() == [("M1", V1)]
    finally:
        proc.terminate()                     # the child this test started, by its own handle
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()

