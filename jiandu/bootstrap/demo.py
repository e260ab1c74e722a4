"""The main job (`make demo`): demo data into the three sources, the pipeline DAG once, a summary.

Repeatable: the generator is deterministic, the old database and the drop folder are rewritten
with the same content (which the connectors recognise as unchanged), and the case-entry
service is filled through its API only once.
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import psycopg
import requests
from psycopg import sql

from jiandu.db import libpq_url
from jiandu.settings import Settings, get_settings


def say(msg: str) -> None:
    print(f"[demo] {msg}", flush=True)


class ServiceClient:
    """Minimal admin client of the case-entry service, for loading demo data through its API."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base = base_url.rstrip("/")
        self.session = requests.Session()
        r = self.session.post(f"{self.base}/api/v1/auth/token", json={"username": username, "password": password},
                              timeout=30)
        r.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def has_subject(self, subject_code: str) -> bool:
        r = self.session.get(f"{self.base}/api/v1/subjects/{subject_code}", timeout=30)
        return r.status_code == 200

    def send(self, method: str, path: str, body: dict | None) -> requests.Response:
        return self.session.request(method, self.base + path, json=body, timeout=60)


def send_lp(client: ServiceClient, universe) -> dict:
    """Replay the generator's LP requests against the running service (once per database)."""
    from jiandu.demo.lp_payloads import CASE_PLACEHOLDER, lp_requests  # noqa: PLC0415
    if client.has_subject(universe.subjects[0].code):
        return {"sent": 0, "skipped": "the service already holds the demo data"}
    case_ids: dict[str, int] = {}
    sent = refused = 0
    refusals: list[str] = []
    for method, path, body, case_ref in lp_requests(universe):
        if CASE_PLACEHOLDER in path:
            if case_ref not in case_ids:
                continue          # its creation was refused: its steps cannot follow
            path = path.replace(CASE_PLACEHOLDER, str(case_ids[case_ref]))
        r = client.send(method, path, body)
        if r.status_code >= 400:
            refused += 1
            if len(refusals) < 5:
                refusals.append(f"{method} {path}: {r.status_code} {r.text[:300]}")
            continue
        sent += 1
        if path == "/api/v1/cases" and case_ref:
            case_ids[case_ref] = r.json()["id"]
    return {"sent": sent, "refused": refused, "first_refusals": refusals}


def generate_sources(s: Settings, *, cases: int, seed: int, as_of: dt.date, with_lp: bool = True) -> dict:
    """LG and EX written by the generator; LP entered through the service's API."""
    from jiandu.demo.generate import generate  # noqa: PLC0415
    from jiandu.demo.universe import Universe  # noqa: PLC0415
    out = generate(cases, seed, lg_url=s.lg_url, drop_dir=Path(s.drop_dir), as_of=as_of)
    if with_lp:
        client = ServiceClient(s.lp_api_url, s.service_admin_user, s.service_admin_password)
        out["LP"] = send_lp(client, Universe(seed, cases, as_of))
    return out


def ensure_servers(s: Settings) -> None:
    """The demo needs the case-entry service and the hub simulator answering."""
    from jiandu.bootstrap import processes, servers  # noqa: PLC0415
    for server in servers.server_list(s):
        if server.name in ("case-entry", "hub-simulator"):
            state = processes.start(server)
            say(f"{server.name}: {state}")


def summary(s: Settings) -> str:
    lines = []
    with psycopg.connect(libpq_url(s.warehouse_url)) as conn:
        def count(schema: str, table: str) -> int:
            return conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table))).fetchone()[0]

        def tables(schema: str) -> list[str]:
            return [r[0] for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = %s order by 1", (schema,))]

        for schema in ("raw", "standard", "marts"):
            parts = [f"{t}={count(schema, t)}" for t in tables(schema)]
            lines.append(f"  {schema:<9} " + (", ".join(parts) if parts else "(empty)"))
        if "fct_warning" in tables("marts"):
            levels = conn.execute("select level, count(*) from marts.fct_warning group by 1 order by 1").fetchall()
            lines.append("  warnings  " + ", ".join(f"{lvl}={n}" for lvl, n in levels))
        else:
            lines.append("  warnings  (the supervision marts are not built yet)")
        q = conn.execute("select severity, count(*) from quality.issue where status = 'open' group by 1").fetchall()
        lines.append("  quality   open issues: " + (", ".join(f"{k}={v}" for k, v in q) or "none")
                     + f"; rejected input: {conn.execute('select count(*) from quality.rejected_input').fetchone()[0]}")
        p = conn.execute("select outcome, count(*) from ops.push_state group by 1 order by 1").fetchall()
        lines.append("  hub push  " + (", ".join(f"{k}={v}" for k, v in p) or "nothing pushed"))
        b = conn.execute("select source, count(*), sum(rows_loaded), sum(rows_rejected) from ops.load_batch"
                         " where status = 'committed' group by 1 order by 1").fetchall()
        lines.append("  loads     " + ", ".join(f"{src}: {n} batches, {l} rows, {r} set aside" for src, n, l, r in b))
    return "\n".join(lines)


def run_demo(cases: int = 120, seed: int = 20260301) -> None:
    from jiandu.bootstrap.airflow import run_airflow  # noqa: PLC0415
    from jiandu.bootstrap.servers import print_where  # noqa: PLC0415
    s = get_settings()
    t0 = time.monotonic()
    ensure_servers(s)
    # The demo's world ends yesterday: the service refuses acts dated later than its clock.
    gen = generate_sources(s, cases=cases, seed=seed, as_of=dt.date.today() - dt.timedelta(days=1))
    say(f"demo data: {gen}")
    say("running the pipeline DAG once (airflow dags test jiandu_pipeline)")
    log_file = s.var_dir / "log" / "demo-dag.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "w") as log:
        proc = run_airflow(["dags", "test", "jiandu_pipeline"], s=s, check=False, stdout=log, stderr=log)
    failed = proc.returncode != 0 or "state=failed" in log_file.read_text(errors="replace")
    print(f"\nWhat came out:\n{summary(s)}\n")
    say(f"pipeline log: {log_file}")
    if failed:
        raise SystemExit(f"the pipeline DAG failed; see {log_file}")
    say(f"done in {time.monotonic() - t0:.0f} s")
    print_where(s)
    print("`make up` starts Airflow, Superset, the case-entry service and the hub simulator.")
