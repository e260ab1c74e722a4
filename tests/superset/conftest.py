"""Session fixtures for the Superset tests, "after setup on demo data": a throw-away warehouse
filled by the real pipeline from the demo generator (tests/demo_pipeline.py), with the production
grants; a throw-away Superset metadata database with the committed dashboards imported, initialised
in a background thread meanwhile; Superset itself (gunicorn) on a free port reading that warehouse.
Built once per session."""
from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests
from psycopg import sql

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # tests/demo_pipeline.py
sys.path.insert(0, str(PROJECT_ROOT / "tests" / "dbt"))  # dbt_support: run dbt from its own environment

VIEWER, DISTRICT_VIEWER, STEWARD, ANALYST = "test_viewer", "test_tianhe", "test_steward", "test_analyst"
DISTRICT = ("440106", "天河区")
TEST_PASSWORD = "Jiandu-test-" + os.urandom(6).hex()
DEMO_CASES, DEMO_SEED = 100, 20260301


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Warehouse:
    name: str
    admin_url: str
    as_of: str
    summary: dict   # the demo pipeline's step summaries


def _libpq(url: str) -> str:
    from jiandu.db import libpq_url
    return libpq_url(url)


@pytest.fixture(scope="session")
def demo_warehouse(superset_metadata, tmp_path_factory):
    """A warehouse filled by the real pipeline (sources, raw, dbt build, quality gate, hub push,
    reconciliation) from the demo generator, as `make demo` fills it: the demo's world ends
    yesterday. The steps run in a child process while Superset's metadata is initialised."""
    from demo_pipeline import PIPELINE_STEPS, demo_pipeline
    from jiandu.bootstrap.postgres import grant_readers
    from jiandu.settings import load_settings

    as_of = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date() - dt.timedelta(days=1)
    with demo_pipeline(tmp_path_factory.mktemp("superset_demo"), DEMO_CASES, DEMO_SEED, as_of) as demo:
        summary = demo.run_in_subprocess(*PIPELINE_STEPS, "reconcile")
        name = demo.wh.rsplit("/", 1)[1]
        grant_readers(load_settings(warehouse_db=name))
        yield Warehouse(name, demo.wh, as_of.isoformat(), summary)


@dataclass
class SupersetServer:
    url: str
    settings: object
    log: Path


@dataclass
class Metadata:
    name: str
    work: Path
    thread: threading.Thread
    error: list


@pytest.fixture(scope="session")
def superset_metadata(settings, tmp_path_factory):
    """A fresh Superset metadata database, initialised in a background thread while the
    warehouse is built (both mostly wait on subprocesses)."""
    from jiandu.bootstrap import superset as ss
    from jiandu.settings import load_settings
    from jiandu.testing import temp_database

    work = tmp_path_factory.mktemp("superset")
    (work / "var" / "superset").mkdir(parents=True)
    with temp_database("test_ss_meta") as meta_admin_url:
        meta = meta_admin_url.rsplit("/", 1)[1]
        with psycopg.connect(_libpq(meta_admin_url), autocommit=True) as conn:
            conn.execute(sql.SQL("alter database {} owner to {}").format(sql.Identifier(meta),
                                                                         sql.Identifier(settings.pipeline_user)))
        s = load_settings(superset_db=meta, var_dir=work / "var")
        error: list = []

        def init() -> None:
            try:
                quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
                ss.run_superset(["db", "upgrade"], s, **quiet)
                ss.run_superset(["fab", "create-admin", "--username", s.admin_user, "--firstname", "系统",
                                 "--lastname", "管理员", "--email", "admin@jiandu.local", "--password",
                                 s.admin_password], s, **quiet)
                ss.run_superset(["init"], s, **quiet)
            except Exception as exc:  # reported by superset_server
                error.append(exc)

        thread = threading.Thread(target=init, daemon=True)
        thread.start()
        try:
            yield Metadata(meta, work, thread, error)
        finally:
            thread.join()


def _wait_for_metadata(metadata: Metadata) -> None:
    metadata.thread.join()
    if metadata.error:
        err = metadata.error[0]
        pytest.fail(f"Superset metadata initialisation failed: {err} {getattr(err, 'stderr', '')}")


@contextmanager
def serve_superset(meta_db: str, warehouse_db: str, work: Path, workers: int = 2) -> Iterator[SupersetServer]:
    """Superset (gunicorn) on metadata database meta_db with the committed dashboards imported,
    reading warehouse_db, with the test users; stopped when the block ends."""
    from jiandu.bootstrap import superset as ss
    from jiandu.settings import load_settings

    port = free_port()
    s = load_settings(warehouse_db=warehouse_db, superset_db=meta_db, superset_port=port, var_dir=work / "var")
    users = [{"username": u, "password": TEST_PASSWORD, "roles": r} for u, r in (
        (VIEWER, ["监督人员", "数据范围-全市"]), (DISTRICT_VIEWER, ["监督人员", f"数据范围-{DISTRICT[1]}"]),
        (STEWARD, ["数据管理员", "数据范围-全市"]), (ANALYST, ["分析员"]))]
    ss.import_dashboards(s, users=users, capture_output=True)
    ss_bin = Path(s.superset_executable).parent
    log = work / f"superset-{meta_db}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(ss_bin / "gunicorn"), "-w", str(workers), "-k", "gthread", "--threads", "4",
                                 "--timeout", "120", "-b", f"127.0.0.1:{port}", "superset.app:create_app()"],
                                env=ss.superset_env(s), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(url + "/health", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("Superset did not start:\n" + log.read_text(errors="replace")[-4000:])
            time.sleep(1)
        yield SupersetServer(url, s, log)
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        # the metadata database is dropped by superset_metadata; gunicorn is gone first


@pytest.fixture(scope="session")
def superset_server(superset_metadata, demo_warehouse):
    """Superset on a fresh metadata database with the committed dashboards imported, reading the
    demo warehouse."""
    _wait_for_metadata(superset_metadata)
    with serve_superset(superset_metadata.name, demo_warehouse.name, superset_metadata.work) as server:
        yield server


class Client:
    """A logged-in REST session: bearer token plus the CSRF token and session cookie that
    Superset's write endpoints need (pitfalls: REST writes)."""

    def __init__(self, base: str, username: str, password: str):
        self.base = base
        self.http = requests.Session()
        r = self.http.post(base + "/api/v1/security/login",
                           json={"username": username, "password": password, "provider": "db", "refresh": True},
                           timeout=30)
        r.raise_for_status()
        self.http.headers["Authorization"] = "Bearer " + r.json()["access_token"]
        r = self.http.get(base + "/api/v1/security/csrf_token/", timeout=30)
        r.raise_for_status()
        self.http.headers["X-CSRFToken"] = r.json()["result"]
        self.http.headers["Referer"] = base

    def get(self, path: str, **kw):
        return self.http.get(self.base + path, timeout=120, **kw)

    def post(self, path: str, **kw):
        return self.http.post(self.base + path, timeout=120, **kw)
