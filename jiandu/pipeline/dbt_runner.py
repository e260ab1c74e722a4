"""Run dbt (its own virtualenv) against the warehouse and read what it did.

dbt is called as a process, never imported: it pins libraries Airflow cannot share. One
`dbt build` runs the whole selection in a single process, so models and their tests gate what
follows them without paying dbt's start-up once per model.
"""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from jiandu.settings import PROJECT_ROOT, Settings, get_settings

DBT_DIR = PROJECT_ROOT / "dbt"


class DbtFailed(RuntimeError):
    pass


@dataclass
class DbtResult:
    command: list[str]
    returncode: int
    statuses: dict[str, int] = field(default_factory=dict)      # status -> count
    failures: list[str] = field(default_factory=list)           # "model.jiandu.x: error text"
    elapsed: float = 0.0
    output_tail: str = ""


def dbt_env(s: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "JIANDU_PG_HOST": s.pg_host, "JIANDU_PG_PORT": str(s.pg_port),
        "JIANDU_PIPELINE_USER": s.pipeline_user, "JIANDU_PIPELINE_PASSWORD": s.pipeline_password,
        "JIANDU_WAREHOUSE_DB": s.warehouse_db, "JIANDU_REGION_CODE": s.region_code,
        "DBT_PROFILES_DIR": str(DBT_DIR), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    })
    return env


def run_dbt(args: list[str], s: Settings | None = None, *, check: bool = True,
            target_dir: Path | None = None) -> DbtResult:
    s = s or get_settings()
    target = target_dir or (s.var_dir / "dbt" / "target")
    logs = target.parent / "logs"
    cmd = [str(s.dbt_executable), *args, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
           "--target-path", str(target), "--log-path", str(logs)]
    proc = subprocess.run(cmd, env=dbt_env(s), capture_output=True, text=True)
    result = DbtResult(command=cmd, returncode=proc.returncode,
                       output_tail="\n".join((proc.stdout + proc.stderr).splitlines()[-40:]))
    run_results = target / "run_results.json"
    if run_results.exists() and args and args[0] in ("build", "run", "test", "seed"):
        data = json.loads(run_results.read_text(encoding="utf-8"))
        result.elapsed = data.get("elapsed_time", 0.0)
        for r in data.get("results", []):
            result.statuses[r["status"]] = result.statuses.get(r["status"], 0) + 1
            if r["status"] in ("error", "fail"):
                result.failures.append(f"{r['unique_id']}: {(r.get('message') or '').strip()[:500]}")
    if check and proc.returncode != 0:
        detail = "\n".join(result.failures) or result.output_tail
        raise DbtFailed(f"dbt {' '.join(args)} failed (exit {proc.returncode}):\n{detail}")
    return result
