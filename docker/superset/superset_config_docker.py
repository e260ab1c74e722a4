"""Superset's configuration in the containers: the project's own (dashboards/superset_config.py,
the same file `make up` uses) plus what a multi-process deployment needs: a shared Redis cache,
Celery for async SQL Lab queries and reports, and the proxy's HTTPS in front.

Every value comes from the environment that docker/compose.yaml sets.
"""
import os
import runpy

from celery.schedules import crontab

# The project's settings first (secret key, metadata URL, locale, feature flags, limits). Loaded
# by path: Superset itself loads *this* file under the module name superset_config.
_project = runpy.run_path(os.environ.get("SUPERSET_PROJECT_CONFIG_PATH",
                                         "/opt/jiandu/dashboards/superset_config.py"))
globals().update({k: v for k, v in _project.items() if k.isupper()})

_REDIS = os.environ["SUPERSET_REDIS_URL"].rstrip("/")
# Redis databases: 0 is Airflow's Celery broker; Superset takes 1 (broker), 2 (results), 3 (caches).
_BROKER, _RESULTS, _CACHE = f"{_REDIS}/1", f"{_REDIS}/2", f"{_REDIS}/3"


def _cache(prefix: str, timeout: int) -> dict:
    return {"CACHE_TYPE": "RedisCache", "CACHE_DEFAULT_TIMEOUT": timeout, "CACHE_KEY_PREFIX": prefix,
            "CACHE_REDIS_URL": _CACHE}


# Several gunicorn workers and replicas: an in-process cache would differ per process.
CACHE_CONFIG = _cache("superset_", 300)
DATA_CACHE_CONFIG = _cache("superset_data_", 3600)
FILTER_STATE_CACHE_CONFIG = _cache("superset_filter_", 86400)
EXPLORE_FORM_DATA_CACHE_CONFIG = _cache("superset_explore_", 86400)

from cachelib.redis import RedisCache  # noqa: E402
from redis import Redis  # noqa: E402

# async SQL Lab results, read by whichever web process the user's next request reaches
RESULTS_BACKEND = RedisCache(host=Redis.from_url(_RESULTS), key_prefix="superset_results_")


class CeleryConfig:
    broker_url = _BROKER
    result_backend = _RESULTS
    imports = ("superset.sql_lab", "superset.tasks.scheduler", "superset.tasks.thumbnails",
               "superset.tasks.cache")
    worker_prefetch_multiplier = 1
    task_acks_late = False
    beat_schedule = {
        "reports.scheduler": {"task": "reports.scheduler", "schedule": crontab(minute="*", hour="*")},
        "reports.prune_log": {"task": "reports.prune_log", "schedule": crontab(minute=10, hour=0)},
    }


CELERY_CONFIG = CeleryConfig

FEATURE_FLAGS = {**globals().get("FEATURE_FLAGS", {}), "ALERT_REPORTS": True}
SQLLAB_ASYNC_TIME_LIMIT_SEC = 600

# Behind the reverse proxy: trust its X-Forwarded-* headers, cookies only over HTTPS.
ENABLE_PROXY_FIX = True
PREFERRED_URL_SCHEME = "https"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"

# Reports: the worker's browser reaches Superset on the internal network; links in mails use
# the public address.
WEBDRIVER_BASEURL = "http://superset:8088/"
WEBDRIVER_BASEURL_USER_FRIENDLY = os.environ.get("SUPERSET_PUBLIC_URL", "")
