"""Defaults shared by every DAG: retries with backoff, time-outs, the failure callback."""
from __future__ import annotations

import datetime as dt
import logging

log = logging.getLogger(__name__)


def on_task_failure(context) -> None:
    """Leave one clear line in the task log naming the DAG, task and error (alerting hooks here)."""
    ti = context.get("task_instance")
    log.error("jiandu task failed: dag=%s task=%s run=%s error=%s",
              getattr(ti, "dag_id", "?"), getattr(ti, "task_id", "?"), context.get("run_id"),
              context.get("exception"))


DEFAULT_ARGS = {
    "owner": "jiandu",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": dt.timedelta(minutes=10),
    "execution_timeout": dt.timedelta(hours=1),
    "on_failure_callback": on_task_failure,
}

START_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
