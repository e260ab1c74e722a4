"""Push to the provincial data hub: woken by the standard layer's Asset (so at most as often
as the transform runs, every 15 minutes), delta by record_version."""
import datetime as dt

from airflow.sdk import dag, task

from jiandu.pipeline import assets
from jiandu.pipeline.defaults import DEFAULT_ARGS, START_DATE


@dag(dag_id="push_hub", schedule=[assets.STANDARD], start_date=START_DATE, catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["jiandu", "push", "hub"], dagrun_timeout=dt.timedelta(hours=2))
def push_hub():
    @task
    def push_delta():
        from jiandu.pipeline.steps import push_hub as step
        return step()

    push_delta()


push_hub()
