"""Helpers for the dbt project's tests (imported by name from tests/dbt, tests/marts and others):
run dbt (its own virtualenv) as a subprocess against a throw-away warehouse, with target and log
paths of the test's own. A module of its own, not conftest.py: several test folders have a
conftest, and `from conftest import` would pick whichever was imported last."""
from __future__ import annotations

import os
import secrets
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = PROJECT_ROOT / "dbt"
DBT_BIN = PROJECT_ROOT / ".venvs" / "dbt" / "bin" / "dbt"


def dbt_env(database_url: str | None = None) -> dict[str, str]:
    """The environment dbt runs with: profiles.yml reads every connection value from it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update(DBT_PROFILES_DIR=str(DBT_DIR), DO_NOT_TRACK="1", DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    if database_url:
        url = make_url(database_url)
        env.update(JIANDU_PG_HOST=url.host or "127.0.0.1", JIANDU_PG_PORT=str(url.port or 5432),
                   JIANDU_WAREHOUSE_DB=url.database, JIANDU_PIPELINE_USER=url.username or "postgres",
                   JIANDU_PIPELINE_PASSWORD=url.password or "")
    else:
        # commands that never connect (parse, compile of macros): point at nothing real
        env.update(JIANDU_WAREHOUSE_DB="jiandu_dbt_test_no_connection", JIANDU_PIPELINE_USER="nobody")
    return env


def run_dbt(args: list[str], work_dir: Path, database_url: str | None = None,
            timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `dbt <args>` in the project; target and logs go under work_dir, so parallel runs do
    not collide. Returns the finished process (stdout and stderr as text)."""
    cmd = [str(DBT_BIN), *args, "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")]
    return subprocess.run(cmd, cwd=DBT_DIR, env=dbt_env(database_url), capture_output=True, text=True,
                          timeout=timeout)


def explain(proc: subprocess.CompletedProcess) -> str:
    return f"dbt exited {proc.returncode}\n--- stdout ---\n{proc.stdout[-8000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"


STANDARD_TABLES = ["zf01_subject", "zf02_officer", "zf03_item", "zf04_party", "zf10_case", "zf11_inspection",
                   "zf12_penalty", "zf13_coercion", "zf20_case_step", "zf30_publicity"]


def snapshot_standard(conn) -> dict[str, dict[str, dict]]:
    """Every standard table as {record_key: row as a JSON-like dict}."""
    out = {}
    for table in STANDARD_TABLES:
        rows = conn.execute(f"select record_key, to_jsonb(t) from standard.{table} t").fetchall()
        out[table] = {key: row for key, row in rows}
    return out


@contextmanager
def database_copy(database_url: str, prefix: str) -> Iterator[str]:
    """A throw-away copy of the database at `database_url` (CREATE DATABASE ... TEMPLATE), so that
    a test can start from a state another fixture built without repeating the build. Nobody may be
    connected to the original while it is copied; a dbt process that just exited may still be
    leaving, hence the short retry. Yields the copy's URL; drops it afterwards."""
    import psycopg
    from psycopg import sql

    from jiandu.db import libpq_url
    from jiandu.settings import get_settings

    admin = get_settings().admin_url
    source = make_url(database_url).database
    name = f"{prefix}_{secrets.token_hex(4)}".lower()
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        for attempt in range(20):
            try:
                conn.execute(sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(source)))
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(0.5)
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
