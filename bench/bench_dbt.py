"""dbt as the benchmarks run it: its own virtualenv, against a throw-away warehouse given as a
SQLAlchemy URL, target and logs in the run's work folder; returns the seconds it took."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DBT_DIR = ROOT / "dbt"
DBT_BIN = ROOT / ".venvs" / "dbt" / "bin" / "dbt"


def dbt_env(url) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update(DBT_PROFILES_DIR=str(DBT_DIR), DO_NOT_TRACK="1", JIANDU_PG_HOST=url.host or "127.0.0.1",
               JIANDU_PG_PORT=str(url.port or 5432), JIANDU_WAREHOUSE_DB=url.database,
               JIANDU_PIPELINE_USER=url.username or "postgres", JIANDU_PIPELINE_PASSWORD=url.password or "")
    return env


def dbt(args: list[str], url, work: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run([str(DBT_BIN), *args, "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
                          cwd=DBT_DIR, env=dbt_env(url), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"dbt {' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")
    return elapsed
