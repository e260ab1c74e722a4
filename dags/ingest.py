"""Ingest DAGs, one per source: every 15 minutes into the raw layer. Each publishes its raw
Asset, which wakes the transform DAG."""
import datetime as dt

from airflow.sdk import dag, task

from jiandu.pipeline import assets
from jiandu.pipeline.defaults import DEFAULT_ARGS, START_DATE

EVERY_15_MIN = "*/15 * * * *"
TIMEOUT = {"dagrun_timeout": dt.timedelta(minutes=60)}


@dag(dag_id="ingest_lp", schedule=EVERY_15_MIN, start_date=START_DATE, catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["jiandu", "ingest", "LP"], **TIMEOUT)
def ingest_lp():
    @task(outlets=[assets.RAW_LP])
    def pull_change_feed():
        from jiandu.pipeline.steps import ingest_lp as step
        return step()

    pull_change_feed()


@dag(dag_id="ingest_lg", schedule=EVERY_15_MIN, start_date=START_DATE, catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["jiandu", "ingest", "LG"], **TIMEOUT)
def ingest_lg():
    @task(outlets=[assets.RAW_LG])
    def pull_old_database(data_interval_end=None):
        from jiandu.pipeline.steps import ingest_lg as step
        # The key-and-hash comparison (deletions, changes without gxsj) runs once a night.
        full = data_interval_end is not None and data_interval_end.hour == 2 and data_interval_end.minute < 15
        return step(full_compare=full)

    pull_old_database()


@dag(dag_id="ingest_ex", schedule=EVERY_15_MIN, start_date=START_DATE, catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["jiandu", "ingest", "EX"], **TIMEOUT)
def ingest_ex():
    @task(outlets=[assets.RAW_EX])
    def read_drop_folder():
        from jiandu.pipeline.steps import ingest_ex as step
        return step()

    read_drop_folder()


ingest_lp()
ingest_lg()
ingest_ex()
