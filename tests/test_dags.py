"""The DAG files: they import cleanly and follow the project's policies."""
import json
import subprocess

import pytest

from jiandu.bootstrap.airflow import airflow_env
from jiandu.settings import PROJECT_ROOT

PROBE = r"""
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=%r)
out = {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for d in bag.dags.values():
    out["dags"][d.dag_id] = {
        "tags": sorted(d.tags), "catchup": d.catchup, "max_active_runs": d.max_active_runs,
        "tasks": {t.task_id: {"retries": t.retries, "timeout": t.execution_timeout.total_seconds() if t.execution_timeout else None,
                              "callback": bool(t.on_failure_callback),
                              "downstream": sorted(t.downstream_task_ids)} for t in d.tasks},
        "schedule": str(d.timetable.__class__.__name__),
    }
print("@@" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    env = airflow_env()
    env["AIRFLOW_HOME"] = str(tmp_path_factory.mktemp("airflow_home"))
    proc = subprocess.run([str(PROJECT_ROOT / ".venvs/main/bin/python"), "-c", PROBE % str(PROJECT_ROOT / "dags")],
                          env=env, capture_output=True, text=True, timeout=300)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("@@")), None)
    assert line, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(line[2:])


def test_dagbag_imports_without_errors(dagbag):
    assert dagbag["errors"] == {}
    assert {"jiandu_pipeline", "ingest_lp", "ingest_lg", "ingest_ex", "transform", "push_hub"} <= set(dagbag["dags"])


def test_every_dag_has_tags_catchup_off_one_run_at_a_time(dagbag):
    for dag_id, dag in dagbag["dags"].items():
        assert "jiandu" in dag["tags"], dag_id
        assert dag["catchup"] is False, dag_id
        assert dag["max_active_runs"] == 1, dag_id


def test_every_task_retries_with_timeout_and_failure_callback(dagbag):
    for dag_id, dag in dagbag["dags"].items():
        for task_id, task in dag["tasks"].items():
            assert task["retries"] >= 2, f"{dag_id}.{task_id}"
            assert task["timeout"], f"{dag_id}.{task_id}"
            assert task["callback"], f"{dag_id}.{task_id}"


def test_pipeline_order(dagbag):
    tasks = dagbag["dags"]["jiandu_pipeline"]["tasks"]
    for ingest in ("ingest_lp", "ingest_lg", "ingest_ex"):
        assert tasks[ingest]["downstream"] == ["transform"]
    assert tasks["transform"]["downstream"] == ["quality_gate"]
    assert tasks["quality_gate"]["downstream"] == ["push_hub"]


def test_consumers_are_scheduled_by_assets(dagbag):
    assert dagbag["dags"]["transform"]["schedule"] == "AssetTriggeredTimetable"
    assert dagbag["dags"]["push_hub"]["schedule"] == "AssetTriggeredTimetable"


def test_dag_files_do_no_io_at_import():
    """DAG files are wiring only: no project module with side effects is imported at parse time."""
    for path in (PROJECT_ROOT / "dags").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        head = text.split("@dag", 1)[0]
        for forbidden in ("jiandu.pipeline.steps", "connectors", "psycopg", "requests", "get_settings("):
            assert forbidden not in head, f"{path.name} imports {forbidden} at module level"
