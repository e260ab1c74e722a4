"""The pipeline's steps, each a plain function returning a JSON-able summary.

The DAG files call these and nothing else, so every step can be run and tested without
Airflow (`jiandu run <step>`), and Airflow adds only scheduling, retries and logs.
"""
from __future__ import annotations

import logging
from pathlib import Path

from jiandu.db import connect_warehouse
from jiandu.settings import get_settings

log = logging.getLogger(__name__)


def ingest_lp() -> dict:
    from connectors.lp import sync_from_settings  # noqa: PLC0415 - heavy imports stay out of DAG parsing
    with connect_warehouse() as conn:
        return sync_from_settings(conn)


def ingest_lg(full_compare: bool = False) -> dict:
    from connectors.lg import sync_lg  # noqa: PLC0415
    s = get_settings()
    with connect_warehouse() as conn:
        return sync_lg(s.lg_url, conn, full_compare=full_compare)


def ingest_ex() -> dict:
    from connectors.ex import sync_ex  # noqa: PLC0415
    s = get_settings()
    with connect_warehouse() as conn:
        return sync_ex(Path(s.drop_dir), conn)


def transform(full_refresh: bool = False) -> dict:
    from jiandu.pipeline.dbt_runner import run_dbt  # noqa: PLC0415
    args = ["build"] + (["--full-refresh"] if full_refresh else [])
    result = run_dbt(args)
    return {"statuses": result.statuses, "elapsed_s": round(result.elapsed, 1)}


def quality_gate() -> dict:
    from expectations.gate import run_gate  # noqa: PLC0415
    s = get_settings()
    # Data Docs: a static site rebuilt after each run (var/data_docs/index.html, README "Data quality")
    report = run_gate(s.warehouse_url, docs_dir=s.var_dir / "data_docs")
    return {"suites": report.suites, "failed_suites": report.failed_suites, "open_issues": report.open_issues,
            "new_issues": report.new_issues, "closed_issues": report.closed_issues,
            "corrections": report.corrections, "data_docs": report.docs_index}


def push_hub() -> dict:
    from connectors.hub_client import HubClient, RetryPolicy  # noqa: PLC0415
    from connectors.hub_push import push_all  # noqa: PLC0415
    s = get_settings()
    client = HubClient(s.hub_url, s.hub_client_id, s.hub_client_secret, timeout=s.hub_timeout_seconds,
                       retry=RetryPolicy(attempts=s.hub_max_attempts))
    with connect_warehouse() as conn:
        report = push_all(conn, client, s.region_code, circuit_failures=s.hub_circuit_failures)
    if report.stopped:
        raise RuntimeError(report.stopped)
    return {"batches": report.batches_sent, "records": report.records_sent, "accepted": report.accepted,
            "stale": report.stale, "rejected": report.rejected, "held_by_quality": report.held,
            "per_dataset": report.per_dataset}


def reconcile() -> dict:
    """Nightly reconciliation with the hub (connectors/hub_reconcile.py), then its repair push."""
    from connectors.hub_client import HubClient, RetryPolicy  # noqa: PLC0415
    from connectors.hub_reconcile import reconcile as run  # noqa: PLC0415
    s = get_settings()
    client = HubClient(s.hub_url, s.hub_client_id, s.hub_client_secret, timeout=s.hub_timeout_seconds,
                       retry=RetryPolicy(attempts=s.hub_max_attempts))
    with connect_warehouse() as conn:
        report = run(conn, client, s.region_code, circuit_failures=s.hub_circuit_failures)
    if report.stopped:
        raise RuntimeError(report.stopped)
    return {"run_id": report.run_id, "compared": report.compared, "different": report.different,
            "repaired": report.repaired, "still_different": report.still_different,
            "repair_records": report.repair_records,
            "rows": [{"dataset": c.dataset, "region_code": c.region_code, "status": c.status,
                      "status_after": c.status_after, "differing_keys": len(c.findings)}
                     for c in report.rows if c.status != "ok" or c.status_after]}


STEPS = {
    "ingest_lp": ingest_lp, "ingest_lg": ingest_lg, "ingest_ex": ingest_ex,
    "transform": transform, "quality_gate": quality_gate, "push_hub": push_hub, "reconcile": reconcile,
}
