"""`make up` / `make down`: the project's servers on localhost."""
from __future__ import annotations

import sys
from pathlib import Path

from jiandu.bootstrap import processes
from jiandu.bootstrap.processes import Server
from jiandu.settings import Settings, get_settings


def _py() -> str:
    return sys.executable


def server_list(s: Settings) -> list[Server]:
    from jiandu.bootstrap.airflow import airflow_bin, airflow_env  # noqa: PLC0415
    from jiandu.bootstrap.superset import superset_env  # noqa: PLC0415
    af_env = airflow_env(s)
    ss_bin = Path(s.superset_executable).parent
    gunicorn = ss_bin / "gunicorn"
    superset_cmd = ([str(gunicorn), "-w", "2", "-k", "gthread", "--threads", "4", "--timeout", "120",
                     "-b", f"127.0.0.1:{s.superset_port}", "superset.app:create_app()"]
                    if gunicorn.exists() else
                    [str(s.superset_executable), "run", "-h", "127.0.0.1", "-p", str(s.superset_port), "--with-threads"])
    return [
        Server("hub-simulator", [_py(), "-m", "hubsim"], s.hub_sim_port, url=f"http://{s.hub_sim_host}:{s.hub_sim_port}/"),
        Server("case-entry", [_py(), "-m", "caseentry"], s.service_port, url=f"{s.lp_api_url}/"),
        Server("airflow-api", [airflow_bin(), "api-server", "--port", str(s.airflow_port)], s.airflow_port, af_env,
               url=f"http://127.0.0.1:{s.airflow_port}/"),
        Server("airflow-scheduler", [airflow_bin(), "scheduler"], None, af_env),
        Server("airflow-dag-processor", [airflow_bin(), "dag-processor"], None, af_env),
        Server("airflow-triggerer", [airflow_bin(), "triggerer"], None, af_env),
        Server("superset", superset_cmd, s.superset_port, superset_env(s), url=f"http://127.0.0.1:{s.superset_port}/"),
    ]


def up(only: list[str] | None = None) -> None:
    s = get_settings()
    from jiandu import envfile  # noqa: PLC0415
    if envfile.read().get("JIANDU_PG_EMBEDDED") == "1":
        from jiandu.bootstrap.postgres import start_embedded  # noqa: PLC0415
        start_embedded(s)
    for server in server_list(s):
        if only and server.name not in only:
            continue
        print(f"  {server.name:<22} {processes.start(server)}", flush=True)
    print_where(s)


def down() -> None:
    for server in reversed(server_list(get_settings())):
        if processes.stop(server.name):
            print(f"  {server.name:<22} stopped")


def status() -> None:
    for server in server_list(get_settings()):
        pid = processes.pid_of(server.name)
        state = f"running (pid {pid})" if pid else "stopped"
        print(f"  {server.name:<22} {state:<22} {server.url or ''}")


def print_where(s: Settings) -> None:
    dd = s.var_dir / "gx" / "data_docs" / "index.html"
    print(f"""
Where each user goes:
  监督人员 bureau viewers        Superset dashboards   http://127.0.0.1:{s.superset_port}/   ({s.admin_user} / see var/jiandu.env)
  分析员 analysts                Superset SQL Lab      http://127.0.0.1:{s.superset_port}/sqllab/
  数据管理员 data stewards        Superset + `jiandu steward list`; Data Docs: {dd}
  执法人员 officers              case-entry service    {s.lp_api_url}/   (API docs {s.lp_api_url}/docs)
  operators                      Airflow               http://127.0.0.1:{s.airflow_port}/
  provincial hub (simulator)     {s.hub_url}/  (hub-api.md; faults at /_sim/faults)
""")
