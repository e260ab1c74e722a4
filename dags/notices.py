"""Warning notices: every morning, each enforcement subject's contacts get one digest of the
yellow and red warnings raised since they were last told (jiandu/notices). It reads the warning
history the transform keeps, so it needs no Asset: a missed day is covered by the look-back."""
import datetime as dt

from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from jiandu.pipeline.defaults import DEFAULT_ARGS, START_DATE


@dag(dag_id="notices", schedule=CronTriggerTimetable("30 8 * * *", timezone="Asia/Shanghai"),
     start_date=START_DATE, catchup=False, max_active_runs=1, default_args=DEFAULT_ARGS,
     tags=["jiandu", "notices"], dagrun_timeout=dt.timedelta(hours=1))
def notices():
    @task
    def send_warning_digests():
        from jiandu.notices.service import notices_step as step
        return step()

    send_warning_digests()


notices()
