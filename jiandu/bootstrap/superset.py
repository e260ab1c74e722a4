"""Superset in its own virtualenv: environment, metadata initialisation, the warehouse connection."""
from __future__ import annotations

import os
import subprocess

from jiandu import envfile
from jiandu.settings import PROJECT_ROOT, Settings, get_settings

WAREHOUSE_CONNECTION_NAME = "监督数据仓库"


def superset_env(s: Settings | None = None) -> dict[str, str]:
    s = s or get_settings()
    env = dict(os.environ)
    env.update({
        "SUPERSET_CONFIG_PATH": str(PROJECT_ROOT / "dashboards" / "superset_config.py"),
        "SUPERSET_SECRET_KEY": envfile.read().get("JIANDU_SUPERSET_SECRET") or os.environ.get("JIANDU_SUPERSET_SECRET", ""),
        "SUPERSET_METADATA_URL": s.pg_url(s.superset_db, s.pipeline_user, s.pipeline_password,
                                          driver="postgresql+psycopg2"),
        "FLASK_APP": "superset",
        "SUPERSET_HOME": str(s.var_dir / "superset"),
    })
    return env


def run_superset(args: list[str], s: Settings | None = None, **kw) -> subprocess.CompletedProcess:
    s = s or get_settings()
    return subprocess.run([str(s.superset_executable), *args], env=superset_env(s), check=True, **kw)


def warehouse_reader_uri(s: Settings) -> str:
    return s.pg_url(s.warehouse_db, s.superset_reader_user, s.superset_reader_password, driver="postgresql+psycopg2")


def init_superset(s: Settings) -> None:
    envfile.ensure_secret("JIANDU_SUPERSET_SECRET", 32)
    s = get_settings()
    (s.var_dir / "superset").mkdir(parents=True, exist_ok=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    run_superset(["db", "upgrade"], s, **quiet)
    run_superset(["fab", "create-admin", "--username", s.admin_user, "--firstname", "系统", "--lastname", "管理员",
                  "--email", "admin@jiandu.local", "--password", s.admin_password], s, **quiet)
    # create-admin leaves an existing user's password as it was: reset it to the current one.
    run_superset(["fab", "reset-password", "--username", s.admin_user, "--password", s.admin_password], s, **quiet)
    run_superset(["init"], s, **quiet)
    run_superset(["set-database-uri", "--database_name", WAREHOUSE_CONNECTION_NAME,
                  "--uri", warehouse_reader_uri(s)], s, **quiet)
