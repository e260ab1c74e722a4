"""docker/bin/jiandu-init, the compose stack's setup job, run for real on the local server with
names of its own (roles and databases made here and dropped afterwards): it creates everything,
a second run changes nothing but the passwords (which is how rotation works), and a missing
secret stops it before it touches the server."""
from __future__ import annotations

import os
import secrets
import subprocess

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from deploy_support import DOCKER_DIR, VENV
from jiandu.db import libpq_url
from jiandu.settings import PROJECT_ROOT, get_settings


def admin(database: str = "postgres"):
    url = make_url(get_settings().admin_url).set(database=database).render_as_string(hide_password=False)
    return psycopg.connect(libpq_url(url), autocommit=True)


@pytest.fixture()
def names():
    tag = secrets.token_hex(3)
    n = {k: f"test_init_{k}_{tag}" for k in ("wh", "svc", "hub", "af", "ss", "pipe", "analyst", "reader")}
    with admin() as conn:
        had_replicator = conn.execute("select 1 from pg_roles where rolname = 'replicator'").fetchone()
    yield n
    with admin() as conn:
        if not had_replicator:
            conn.execute("drop role if exists replicator")
        for k in ("wh", "svc", "hub", "af", "ss"):
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(n[k])))
        for k in ("pipe", "analyst", "reader"):
            conn.execute(sql.SQL("drop owned by {} cascade").format(sql.Identifier(n[k]))) \
                if conn.execute("select 1 from pg_roles where rolname = %s", (n[k],)).fetchone() else None
            conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(n[k])))


def init_env(n: dict, tmp_path, pipeline_password: str) -> dict:
    s = get_settings()
    env = {"PATH": f"{VENV / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(PROJECT_ROOT),
           "JIANDU_ENV_FILE": str(tmp_path / "none.env"), "JIANDU_VAR_DIR": str(tmp_path / "var"),
           "JIANDU_PG_HOST": s.pg_host, "JIANDU_PG_PORT": str(s.pg_port),
           "JIANDU_PG_ADMIN_USER": s.pg_admin_user, "JIANDU_PG_ADMIN_PASSWORD": s.pg_admin_password or "x",
           "JIANDU_WAREHOUSE_DB": n["wh"], "JIANDU_SERVICE_DB": n["svc"], "JIANDU_HUB_DB": n["hub"],
           "JIANDU_AIRFLOW_DB": n["af"], "JIANDU_SUPERSET_DB": n["ss"],
           "JIANDU_PIPELINE_USER": n["pipe"], "JIANDU_PIPELINE_PASSWORD": pipeline_password,
           "JIANDU_ANALYST_USER": n["analyst"], "JIANDU_ANALYST_PASSWORD": "analyst-pw",
           "JIANDU_SUPERSET_READER_USER": n["reader"], "JIANDU_SUPERSET_READER_PASSWORD": "reader-pw",
           "JIANDU_SERVICE_ADMIN_PASSWORD": "svc-admin-password", "JIANDU_SERVICE_FEED_PASSWORD": "feed-password",
           "JIANDU_ADMIN_PASSWORD": "ui-admin-pw", "PG_REPLICATION_PASSWORD": "repl-pw",
           "AIRFLOW_HOME": str(tmp_path / "airflow"),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "airflow" / "auth" / "pw.json"),
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN":
               f"postgresql+psycopg2://{n['pipe']}:{pipeline_password}@{s.pg_host}:{s.pg_port}/{n['af']}"}
    return env


def run_init(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV / "bin" / "python"), str(DOCKER_DIR / "bin" / "jiandu-init")], env=env,
                          capture_output=True, text=True, timeout=300)


def can_login(db: str, user: str, password: str) -> bool:
    s = get_settings()
    try:
        with psycopg.connect(host=s.pg_host, port=s.pg_port, dbname=db, user=user, password=password,
                             connect_timeout=5) as conn:
            conn.execute("select 1")
        return True
    except psycopg.OperationalError:
        return False


def stored_password(role: str) -> str | None:
    with admin() as conn:
        return conn.execute("select rolpassword from pg_authid where rolname = %s", (role,)).fetchone()[0]


@pytest.mark.slow
def test_init_creates_everything_and_rotates_passwords(names, tmp_path):
    first = run_init(init_env(names, tmp_path, "pipe-pw-1"))
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    with admin() as conn:
        dbs = {r[0] for r in conn.execute("select datname from pg_database where datname like 'test_init_%'")}
        assert {names[k] for k in ("wh", "svc", "hub", "af", "ss")} <= dbs
        assert conn.execute("select rolreplication from pg_roles where rolname = 'replicator'").fetchone()[0]
    with admin(names["wh"]) as conn:
        schemas = {r[0] for r in conn.execute("select nspname from pg_namespace")}
        assert {"raw", "standard", "marts", "quality", "ops"} <= schemas
        assert conn.execute("select has_schema_privilege(%s, 'marts', 'usage')", (names["analyst"],)).fetchone()[0]
        assert not conn.execute("select has_schema_privilege(%s, 'raw', 'usage')", (names["analyst"],)).fetchone()[0]
    with admin(names["svc"]) as conn:
        users = {r[0] for r in conn.execute("select username from app_user")}
        assert {"admin", "pipeline"} <= users
    with admin(names["af"]) as conn:
        assert conn.execute("select count(*) from alembic_version").fetchone()[0] == 1
    pw_file = tmp_path / "airflow" / "auth" / "pw.json"
    assert oct(os.stat(pw_file).st_mode & 0o777) == "0o600"
    assert can_login(names["wh"], names["pipe"], "pipe-pw-1")
    hash_before = stored_password(names["pipe"])

    # a second run with a new password: nothing else changes, the old password stops working
    second = run_init(init_env(names, tmp_path, "pipe-pw-2"))
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "0 DDL file(s) applied" in second.stdout
    assert can_login(names["wh"], names["pipe"], "pipe-pw-2")
    # (the local test server may trust 127.0.0.1, so compare the stored verifier, not a login)
    assert stored_password(names["pipe"]) not in (None, hash_before)


def test_init_refuses_to_start_without_its_secrets(names, tmp_path):
    env = init_env(names, tmp_path, "pipe-pw")
    del env["PG_REPLICATION_PASSWORD"]
    env["JIANDU_ANALYST_PASSWORD"] = ""
    proc = run_init(env)
    assert proc.returncode == 2
    assert "PG_REPLICATION_PASSWORD" in proc.stdout and "JIANDU_ANALYST_PASSWORD" in proc.stdout
    with admin() as conn:
        assert not conn.execute("select 1 from pg_database where datname = %s", (names["wh"],)).fetchone()
