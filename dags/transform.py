"""Transform: dbt build of the standard layer and marts, then the quality gate. Woken by any raw
Asset; it always builds from everything in raw, never from "this event" (apache/airflow#56050)."""
import datetime as dt

from airflow.sdk import dag, task

from jiandu.pipeline import assets
from jiandu.pipeline.defaults import DEFAULT_ARGS, START_DATE


@dag(dag_id="transform", schedule=(assets.RAW_LP | assets.RAW_LG | assets.RAW_EX), start_date=START_DATE,
     catchup=False, max_active_runs=1, default_args=DEFAULT_ARGS, tags=["jiandu", "transform", "dbt"],
     dagrun_timeout=dt.timedelta(hours=2))
def transform():
    @task
    def dbt_build():
        from jiandu.pipeline.steps import transform as step
        return step()

    @task(outlets=[assets.STANDARD])
    def quality_gate():
        from jiandu.pipeline.steps import quality_gate as step
        return step()

    dbt_build() >> quality_gate()


transform()
