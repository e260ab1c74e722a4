"""The case-entry service as an ASGI factory, so that uvicorn can run several worker processes
(`uvicorn --factory caseentry_asgi:create_app --workers N`); `python -m caseentry` runs one.

Migrations are not run here: N workers starting together would race on them. The `init`
service runs them once before any worker starts.
"""
from caseentry.app import create_app as _create_app
from jiandu.settings import load_settings


def create_app():
    s = load_settings()
    if not s.service_secret_key:
        raise SystemExit("JIANDU_SERVICE_SECRET_KEY is empty: the service needs a secret to sign tokens")
    return _create_app(s.service_db_url, s.service_secret_key)
