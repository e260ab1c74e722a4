"""Superset's configuration for jiandu: everything secret or local comes from the environment
that `jiandu superset ...` / `make up` set (see jiandu/bootstrap/superset.py)."""
import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ["SUPERSET_METADATA_URL"]
# The bureau reads Chinese.
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {"zh": {"flag": "cn", "name": "简体中文"}, "en": {"flag": "us", "name": "English"}}
# No calls to the outside world from a government network.
FEATURE_FLAGS = {"DASHBOARD_RBAC": True, "ENABLE_TEMPLATE_PROCESSING": False}
WTF_CSRF_ENABLED = True
SQLLAB_CTAS_NO_LIMIT = True
ROW_LIMIT = 50000
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
