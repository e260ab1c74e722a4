"""The whole pipeline in one run: the three sources into raw, dbt build, the quality gate, the
hub push. For the demo (`make demo`) and for a manual catch-up; the scheduled path is the
ingest -> transform -> push DAGs chained by Assets."""
from airflow.sdk import dag, task

from jiandu.pipeline import assets
from jiandu.pipeline.defaults import DEFAULT_ARGS, START_DATE


@dag(dag_id="jiandu_pipeline", schedule=None, start_date=START_DATE, catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["jiandu", "pipeline", "demo"],
     doc_md=__doc__)
def jiandu_pipeline():
    @task(outlets=[assets.RAW_LP])
    def ingest_lp():
        from jiandu.pipeline.steps import ingest_lp as step
        return step()

    @task(outlets=[assets.RAW_LG])
    def ingest_lg():
        from jiandu.pipeline.steps import ingest_lg as step
        return step()

    @task(outlets=[assets.RAW_EX])
    def ingest_ex():
        from jiandu.pipeline.steps import ingest_ex as step
        return step()

    @task
    def transform():
        from jiandu.pipeline.steps import transform as step
        return step()

    @task(outlets=[assets.STANDARD])
    def quality_gate():
        from jiandu.pipeline.steps import quality_gate as step
        return step()

    @task
    def push_hub():
        from jiandu.pipeline.steps import push_hub as step
        return step()

    t = transform()
    [ingest_lp(), ingest_lg(), ingest_ex()] >> t
    t >> quality_gate() >> push_hub()


jiandu_pipeline()
