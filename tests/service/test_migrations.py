"""The Alembic migrations: apply to an empty database, are idempotent, match the model."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import warnings

import httpx

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from caseentry.database import normalise_url
from caseentry.migrate import alembic_config, upgrade
from caseentry.tables import metadata
from jiandu.settings import get_settings
from jiandu.testing import temp_database

# The newest revision of caseentry/migrations (a new migration must be the one head it leads to).
_heads = ScriptDirectory.from_config(alembic_config("postgresql://unused")).get_heads()
assert len(_heads) == 1, _heads
HEAD = _heads[0]


def test_migrations_apply_idempotently_and_match_the_model():
    with temp_database("svc_mig") as url:
        # two setups at once, in two processes: the advisory lock makes one wait for the other
        other = subprocess.Popen([sys.executable, "-c", "import sys; from caseentry.migrate import upgrade;"
                                  " upgrade(sys.argv[1])", url], stderr=subprocess.PIPE, text=True)
        upgrade(url)
        _, stderr = other.communicate(timeout=120)
        assert other.returncode == 0, stderr
        upgrade(url)  # and again: nothing to do

        engine = create_engine(normalise_url(url))
        try:
            with engine.connect() as conn:
                assert conn.execute(text("select version_num from alembic_version")).scalar_one() == HEAD
                tables = set(inspect(conn).get_table_names())
                assert {"subject", "officer", "item", "party", "enforcement_case", "inspection", "penalty",
                        "coercion", "case_step", "publicity", "app_user", "audit_log", "change_outbox"} <= tables
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="Did not recognize type 'xid8'")
                    diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
                # the only difference allowed: reflection cannot name PostgreSQL's xid8 type
                assert [d for d in diff if not _is_xid8(d)] == []
        finally:
            engine.dispose()


def _is_xid8(diff) -> bool:
    return isinstance(diff, list) and diff and diff[0][0] == "modify_type" and diff[0][3] == "xid"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_python_m_caseentry_serves_with_settings_read_at_run_time(tmp_path):
    settings = get_settings()
    with temp_database("svc_main") as url:
        port = _free_port()
        env = {**os.environ,
               "JIANDU_ENV_FILE": str(tmp_path / "none.env"),
               "JIANDU_PG_HOST": settings.pg_host, "JIANDU_PG_PORT": str(settings.pg_port),
               "JIANDU_SERVICE_DB": make_url(url).database,
               "JIANDU_PIPELINE_USER": settings.pg_admin_user, "JIANDU_PIPELINE_PASSWORD": settings.pg_admin_password,
               "JIANDU_SERVICE_HOST": "127.0.0.1", "JIANDU_SERVICE_PORT": str(port),
               "JIANDU_SERVICE_SECRET_KEY": ""}
        refused = subprocess.run([sys.executable, "-m", "caseentry"], env=env, capture_output=True, text=True,
                                 timeout=60)
        assert refused.returncode != 0 and "JIANDU_SERVICE_SECRET_KEY" in refused.stderr

        env["JIANDU_SERVICE_SECRET_KEY"] = "smoke-test-secret"
        server = subprocess.Popen([sys.executable, "-m", "caseentry"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, server.stderr.read()
                try:
                    r = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                    if r.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the service did not come up"
                time.sleep(0.2)
            assert r.json() == {"status": "ok"}
            # it migrated the empty database on start
            engine = create_engine(normalise_url(url))
            with engine.connect() as conn:
                assert conn.execute(text("select version_num from alembic_version")).scalar_one() == HEAD
            engine.dispose()
        finally:
            server.terminate()
            server.wait(timeout=30)
