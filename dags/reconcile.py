"""Nightly reconciliation with the provincial hub (hub-api.md: "a full reconciliation nightly"):
per dataset and region, the hub's summary against what the warehouse believes it pushed, the
differences into ops.reconciliation, a repair push and a second summary to confirm.

02:30 China time: after the evening's case entry has been pushed, before the working day.
"""
import datetime as dt

from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from jiandu.pipeline.defaults import DEFAULT_ARGS, START_DATE


@dag(dag_id="reconcile_hub", schedule=CronTriggerTimetable("30 2 * * *", timezone="Asia/Shanghai"),
     start_date=START_DATE, catchup=False, max_active_runs=1, default_args=DEFAULT_ARGS,
     tags=["jiandu", "push", "hub", "reconcile"], dagrun_timeout=dt.timedelta(hours=4))
def reconcile_hub():
    @task(execution_timeout=dt.timedelta(hours=3))
    def reconcile():
        from jiandu.pipeline.steps import reconcile as step
        return step()

    reconcile()


reconcile_hub()
