"""The scale-out path, really run: the pipeline DAG through Airflow's scheduler with the Celery
executor, the local Redis as broker, a PostgreSQL result backend and a Celery worker process,
the way docker/compose.yaml runs it (not `airflow dags test`, which runs tasks in-process).

Everything is throw-away: the Airflow metadata database, the Celery result backend, the
warehouse, the case-entry service's and the hub's databases, the old system's MariaDB database,
AIRFLOW_HOME, the ports, a Redis database nobody uses and a queue of the test's own. The
servers (api-server for the task runners' execution API, scheduler, dag-processor, Celery
worker) are stopped afterwards, also when the test fails.
"""
from __future__ import annotations

import datetime as dt
import secrets
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

from caseentry.app import create_app as create_service
from caseentry.migrate import upgrade
from caseentry.users import ensure_user
from hubsim.app import create_app as create_hub
from hubsim.server import serve_in_thread
from jiandu.bootstrap.airflow import airflow_env
from jiandu.bootstrap.demo import ServiceClient, send_lp
from jiandu.db import libpq_url
from jiandu.demo.generate import generate
from jiandu.demo.universe import Universe
from jiandu.settings import PROJECT_ROOT, get_settings
from jiandu.testing import temp_database, temp_mariadb_database

from deploy_support import VENV, Processes, free_port, group_alive, tail, wait_for_port

AS_OF = dt.date(2026, 3, 1)
CASES, SEED = 40, 7
REGION = "440100"
DAG_ID = "jiandu_pipeline"
TASKS = {"ingest_lp", "ingest_lg", "ingest_ex", "transform", "quality_gate", "push_hub"}
RUN_TIMEOUT = 420          # generous: the machine is shared; a normal run takes far less
AIRFLOW = str(VENV / "bin" / "airflow")


def pick_redis_db() -> int:
    """A Redis database that holds no key now (others on this machine use the low numbers)."""
    for db in range(15, 0, -1):
        with redis.Redis(host="127.0.0.1", port=6379, db=db) as r:
            if r.dbsize() == 0:
                return db
    pytest.fail("no empty Redis database (1..15) for the Celery broker")


def pg(url: str, query: str, *args):
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(query, args).fetchall()


@pytest.fixture()
def sources(tmp_path):
    """Throw-away sources with small demo data, the hub simulator and the case-entry service,
    and the JIANDU_* environment that points the pipeline at them."""
    mp = pytest.MonkeyPatch()
    with temp_database("test_celery_wh") as wh, temp_database("test_celery_svc") as svc, \
            temp_database("test_celery_hub") as hubdb, temp_mariadb_database("test_celery_lg") as lg:
        from jiandu.warehouse import migrate
        migrate.apply(wh)
        upgrade(svc)
        ensure_user(svc, "admin", "admin-password", "admin")
        ensure_user(svc, "pipeline", "feed-password", "pipeline")
        with serve_in_thread(create_service(svc, "celery-secret-key")) as svc_url, \
                serve_in_thread(create_hub(hubdb, {"celery": "celery-secret"})) as hub_url:
            s0 = get_settings()
            jiandu_env = {
                "JIANDU_ENV_FILE": str(tmp_path / "none.env"), "JIANDU_VAR_DIR": str(tmp_path / "var"),
                "JIANDU_PG_HOST": s0.pg_host, "JIANDU_PG_PORT": str(s0.pg_port),
                "JIANDU_WAREHOUSE_DB": make_url(wh).database, "JIANDU_PIPELINE_USER": s0.pg_admin_user,
                "JIANDU_PIPELINE_PASSWORD": s0.pg_admin_password, "JIANDU_PG_ADMIN_USER": s0.pg_admin_user,
                "JIANDU_PG_ADMIN_PASSWORD": s0.pg_admin_password,
                "JIANDU_SERVICE_URL": svc_url, "JIANDU_SERVICE_FEED_USER": "pipeline",
                "JIANDU_SERVICE_FEED_PASSWORD": "feed-password", "JIANDU_HUB_URL": hub_url,
                "JIANDU_HUB_CLIENT_ID": "celery", "JIANDU_HUB_CLIENT_SECRET": "celery-secret",
                "JIANDU_LG_URL": lg, "JIANDU_DROP_DIR": str(tmp_path / "exchange"), "JIANDU_REGION_CODE": REGION,
            }
            for k, v in jiandu_env.items():
                mp.setenv(k, v)
            get_settings.cache_clear()
            generate(CASES, SEED, lg_url=lg, drop_dir=tmp_path / "exchange", as_of=AS_OF)
            lp = send_lp(ServiceClient(svc_url, "admin", "admin-password"), Universe(SEED, CASES, AS_OF))
            assert lp["sent"] > 0, lp
            yield {"wh": wh, "hub_db": hubdb, "env": jiandu_env}
    mp.undo()
    get_settings.cache_clear()


@pytest.fixture()
def celery_airflow(sources, tmp_path):
    """Airflow on the Celery executor: metadata migrated, then api-server, dag-processor,
    scheduler and one Celery worker started as separate processes."""
    queue = f"jiandu_test_{secrets.token_hex(4)}"
    redis_db = pick_redis_db()
    home = tmp_path / "airflow"
    home.mkdir()
    logs = tmp_path / "proc-logs"
    logs.mkdir()
    api_port, log_port = free_port(), free_port()
    with temp_database("test_celery_af") as meta, temp_database("test_celery_results") as results:
        env = airflow_env(get_settings())
        env.update(sources["env"])
        secret = secrets.token_urlsafe(24)
        env.update({
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": make_url(meta).set(drivername="postgresql+psycopg2")
                .render_as_string(hide_password=False),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:6379/{redis_db}",
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + make_url(results).set(drivername="postgresql")
                .render_as_string(hide_password=False),
            # a queue of this test's own: a worker of anyone else's can never take its tasks
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__API__SECRET_KEY": secret,
            "AIRFLOW__API_AUTH__JWT_SECRET": secret,
            "AIRFLOW__CORE__FERNET_KEY": "",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
            # only the DAG under test runs: the 15-minute ingest DAGs stay paused
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port),
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        })
        t0 = time.monotonic()
        migrated = subprocess.run([AIRFLOW, "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
        assert migrated.returncode == 0, migrated.stdout[-3000:] + migrated.stderr[-5000:]
        timings = {"db_migrate_s": round(time.monotonic() - t0, 1)}
        procs = Processes(logs)
        try:
            api = procs.start("api-server", [AIRFLOW, "api-server", "--port", str(api_port)], env)
            procs.start("dag-processor", [AIRFLOW, "dag-processor"], env)
            procs.start("scheduler", [AIRFLOW, "scheduler"], env)
            procs.start("celery-worker", [AIRFLOW, "celery", "worker", "--queues", queue, "--concurrency", "2",
                                          "--celery-hostname", f"{queue}@%h"], env)
            wait_for_port(api_port, api, procs.log("api-server"), timeout=180)
            timings["servers_up_s"] = round(time.monotonic() - t0, 1)
            yield {"env": env, "meta": meta, "results": results, "queue": queue, "procs": procs,
                   "timings": timings, "wh": sources["wh"], "hub_db": sources["hub_db"]}
        finally:
            codes = procs.stop_all()
            left = [name for name, p in procs.started.items() if group_alive(p.pid)]
            r = redis.Redis(host="127.0.0.1", port=6379, db=redis_db)
            for key in r.scan_iter(f"*{queue}*"):
                r.delete(key)
            r.close()
            assert not left, f"still running after stop: {left} ({codes})"


def airflow_cli(env: dict, *args: str) -> str:
    proc = subprocess.run([AIRFLOW, *args], env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, f"airflow {' '.join(args)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc.stdout


def wait_until(what: str, check, timeout: float, procs: Processes, interval: float = 2.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        dead = [n for n, p in procs.started.items() if p.poll() is not None]
        assert not dead, f"{dead} exited while waiting for {what}:\n" + "\n".join(
            f"--- {n} ---\n{tail(procs.log(n))}" for n in dead)
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}:\n" + "\n".join(
        f"--- {n} ---\n{tail(procs.log(n), 3000)}" for n in procs.started))


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_pipeline_dag_runs_to_success_on_celery_workers(celery_airflow):
    af = celery_airflow
    env, meta, procs, queue = af["env"], af["meta"], af["procs"], af["queue"]
    t0 = time.monotonic()

    wait_until("the dag-processor to parse the pipeline DAG",
               lambda: pg(meta, "select 1 from dag where dag_id = %s", DAG_ID), 240, procs)
    airflow_cli(env, "dags", "unpause", DAG_ID)
    airflow_cli(env, "dags", "trigger", DAG_ID, "--run-id", "celery_test")
    t_trigger = time.monotonic()

    def finished():
        bad = pg(meta, "select task_id, state from task_instance where dag_id = %s and run_id = 'celery_test'"
                       " and state in ('failed', 'up_for_retry', 'upstream_failed')", DAG_ID)
        assert not bad, f"task(s) failed: {bad}\n" + "\n".join(
            f"--- {p.relative_to(env['AIRFLOW_HOME'])} ---\n{tail(p, 4000)}"
            for p in sorted((Path(env["AIRFLOW_HOME"]) / "logs").rglob("*.log"))
            if any(f"task_id={t}" in str(p) for t, _ in bad))
        state = pg(meta, "select state from dag_run where dag_id = %s and run_id = 'celery_test'", DAG_ID)
        assert not state or state[0][0] != "failed", "the DAG run failed"
        return state and state[0][0] == "success"

    wait_until("the DAG run to succeed", finished, RUN_TIMEOUT, procs, interval=3)
    run_s = time.monotonic() - t_trigger

    tis = pg(meta, "select task_id, state, queue, hostname, try_number from task_instance"
                   " where dag_id = %s and run_id = 'celery_test'", DAG_ID)
    assert {t[0] for t in tis} == TASKS
    assert all(state == "success" for _, state, *_ in tis), tis
    # every task went through the broker to the queue the worker listens on
    assert {q for _, _, q, _, _ in tis} == {queue}, tis
    # ... and the worker executed it: Celery recorded each one in the result backend
    # The task runner reports success to Airflow before its Celery task returns and stores its
    # result, so the last result may land a moment after the DAG run is marked successful.
    def results():
        return pg(af["results"], "select count(*) from celery_taskmeta where status = 'SUCCESS'")[0][0]
    wait_until(f"a Celery result for each of the {len(TASKS)} tasks", lambda: results() >= len(TASKS), 60, procs,
               interval=1)
    worker_log = procs.log("celery-worker").read_text(encoding="utf-8", errors="replace")
    for task_id in TASKS:
        assert f"task_id='{task_id}'" in worker_log, f"{task_id} not in the Celery worker's log"

    # the pipeline really did its work on the throw-away databases
    systems = {r[0] for r in pg(af["wh"], "select distinct source_system from standard.zf10_case")}
    assert systems == {"LP", "LG", "EX"}
    accepted = pg(af["wh"], "select count(*) from ops.push_state where outcome = 'accepted'")[0][0]
    assert accepted > 0

    af["timings"].update(dag_run_s=round(run_s, 1), total_s=round(time.monotonic() - t0, 1))
    print(f"\n[celery] timings: {af['timings']}")
