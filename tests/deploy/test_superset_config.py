"""docker/superset/superset_config_docker.py loads in Superset's own environment (the one the
Superset image is built from) and gives a multi-process deployment what it needs."""
import json
import subprocess

from deploy_support import DOCKER_DIR
from jiandu.settings import PROJECT_ROOT

PROBE = r"""
import json, runpy
c = runpy.run_path(%r)
print("@@" + json.dumps({
    "cache": c["CACHE_CONFIG"]["CACHE_TYPE"], "cache_url": c["CACHE_CONFIG"]["CACHE_REDIS_URL"],
    "data_cache": c["DATA_CACHE_CONFIG"]["CACHE_TYPE"],
    "broker": c["CELERY_CONFIG"].broker_url, "beat": sorted(c["CELERY_CONFIG"].beat_schedule),
    "results": type(c["RESULTS_BACKEND"]).__name__, "proxy_fix": c["ENABLE_PROXY_FIX"],
    "secure_cookie": c["SESSION_COOKIE_SECURE"], "reports": c["FEATURE_FLAGS"].get("ALERT_REPORTS"),
    "locale": c["BABEL_DEFAULT_LOCALE"], "secret": c["SECRET_KEY"],
}))
"""


def test_superset_docker_config_loads_in_supersets_environment(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SUPERSET_SECRET_KEY": "k" * 32,
           "SUPERSET_METADATA_URL": "postgresql+psycopg2://u:p@postgres:5432/jiandu_superset",
           "SUPERSET_REDIS_URL": "redis://:pw@redis:6379",
           "SUPERSET_PROJECT_CONFIG_PATH": str(PROJECT_ROOT / "dashboards" / "superset_config.py")}
    python = PROJECT_ROOT / ".venvs" / "superset" / "bin" / "python"
    proc = subprocess.run([str(python), "-c", PROBE % str(DOCKER_DIR / "superset" / "superset_config_docker.py")],
                          env=env, capture_output=True, text=True, timeout=120)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("@@")), None)
    assert line, proc.stderr[-3000:]
    c = json.loads(line[2:])
    # one cache and one broker for every gunicorn process, replica and Celery worker
    assert c["cache"] == c["data_cache"] == "RedisCache"
    assert c["cache_url"] == "redis://:pw@redis:6379/3" and c["broker"] == "redis://:pw@redis:6379/1"
    assert c["results"] == "RedisCache"
    assert "reports.scheduler" in c["beat"] and c["reports"] is True
    assert c["proxy_fix"] is True and c["secure_cookie"] is True
    # the project's own settings still apply
    assert c["locale"] == "zh" and c["secret"] == "k" * 32
