"""Airflow's configuration, derived from the settings, and its first initialisation.

Airflow reads only AIRFLOW__* variables; rather than a second configuration file to keep in
step, every Airflow command of the project runs with the environment built here
(`jiandu airflow ...`, `make up`, the tests).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from jiandu import envfile
from jiandu.settings import PROJECT_ROOT, Settings, get_settings


def airflow_env(s: Settings | None = None) -> dict[str, str]:
    s = s or get_settings()
    home = s.airflow_home
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": env.get("AIRFLOW__CORE__EXECUTOR", "LocalExecutor"),
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": s.timezone,
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": s.pg_url(s.airflow_db, s.pipeline_user, s.pipeline_password,
                                                          driver="postgresql+psycopg2"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{s.admin_user}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "simple_auth_manager_passwords.json"),
        "AIRFLOW__API__PORT": str(s.airflow_port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
        "PYTHONPATH": os.pathsep.join(p for p in [str(PROJECT_ROOT), env.get("PYTHONPATH", "")] if p),
    })
    secret = envfile.read().get("JIANDU_AIRFLOW_SECRET") or os.environ.get("JIANDU_AIRFLOW_SECRET")
    if secret:
        env["AIRFLOW__API__SECRET_KEY"] = secret
        env["AIRFLOW__API_AUTH__JWT_SECRET"] = secret
    return env


def airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def run_airflow(args: list[str], *, check: bool = True, s: Settings | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([airflow_bin(), *args], env=airflow_env(s), check=check, **kw)


def init_airflow(s: Settings) -> None:
    """Migrate Airflow's metadata database and write the admin's password for the UI."""
    envfile.ensure_secret("JIANDU_AIRFLOW_SECRET", 24)
    s.airflow_home.mkdir(parents=True, exist_ok=True)
    pw_file = s.airflow_home / "simple_auth_manager_passwords.json"
    pw_file.write_text(json.dumps({s.admin_user: s.admin_password}), encoding="utf-8")
    os.chmod(pw_file, 0o600)
    run_airflow(["db", "migrate"], s=s, stdout=subprocess.DEVNULL)
