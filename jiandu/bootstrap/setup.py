"""`jiandu setup`: everything a fresh machine needs after the environments exist.

Idempotent: each step checks what is already there, so running it again is cheap and safe.
Generated secrets are written once to var/jiandu.env and printed once, when first made.
"""
from __future__ import annotations

import subprocess
import time

from jiandu import envfile
from jiandu.bootstrap import postgres
from jiandu.settings import get_settings


def say(msg: str) -> None:
    print(f"[setup] {msg}", flush=True)


def _stamp_ok(name: str, value: str) -> bool:
    stamp = get_settings().var_dir / "stamps" / name
    return stamp.exists() and stamp.read_text() == value


def _stamp(name: str, value: str) -> None:
    stamp = get_settings().var_dir / "stamps" / name
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(value)


def run_setup() -> None:
    t0 = time.monotonic()
    fresh_admin = not (envfile.read().get("JIANDU_ADMIN_PASSWORD"))
    for name in ("JIANDU_ADMIN_PASSWORD", "JIANDU_SERVICE_SECRET_KEY", "JIANDU_SERVICE_ADMIN_PASSWORD",
                 "JIANDU_SERVICE_FEED_PASSWORD", "JIANDU_HUB_CLIENT_SECRET"):
        envfile.ensure_secret(name)

    s = postgres.ensure_server()
    s = postgres.ensure_roles_and_databases(s)
    from jiandu.warehouse import migrate  # noqa: PLC0415
    applied = migrate.apply(s.warehouse_url)
    say(f"warehouse {s.warehouse_db}: schemas raw, staging, standard, marts, quality, ops"
        + (f" ({len(applied)} DDL files applied)" if applied else " (up to date)"))
    postgres.grant_readers(s)

    from jiandu.bootstrap import legacy  # noqa: PLC0415
    s = legacy.ensure_lg_database(s)

    from caseentry.migrate import upgrade  # noqa: PLC0415
    from caseentry.users import ensure_user  # noqa: PLC0415
    upgrade(s.service_db_url)
    ensure_user(s.service_db_url, s.service_admin_user, s.service_admin_password, "admin")
    ensure_user(s.service_db_url, s.service_feed_user, s.service_feed_password, "pipeline")
    say(f"case-entry service database {s.service_db}: migrated; users {s.service_admin_user}, {s.service_feed_user}")

    from jiandu.bootstrap import airflow  # noqa: PLC0415
    if _stamp_ok("airflow", s.pg_url(s.airflow_db, s.pipeline_user) + s.admin_password):
        say("Airflow metadata: up to date")
    else:
        say("Airflow metadata: migrating (about 15 s)")
        airflow.init_airflow(s)
        _stamp("airflow", s.pg_url(s.airflow_db, s.pipeline_user) + s.admin_password)

    from jiandu.bootstrap import superset  # noqa: PLC0415
    if _stamp_ok("superset", s.pg_url(s.superset_db, s.pipeline_user) + s.admin_password):
        say("Superset metadata: up to date")
    else:
        say("Superset metadata: initialising (about 90 s)")
        superset.init_superset(s)
        _stamp("superset", s.pg_url(s.superset_db, s.pipeline_user) + s.admin_password)
    s = get_settings()
    if _stamp_ok("superset-dashboards", superset.assets_fingerprint(s)):
        say("Superset dashboards, roles and row-level security: up to date")
    else:
        say("Superset dashboards (dashboards/assets), roles and row-level security: importing (about 30 s)")
        superset.import_dashboards(s, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _stamp("superset-dashboards", superset.assets_fingerprint(s))

    say(f"done in {time.monotonic() - t0:.0f} s")
    if fresh_admin:
        s = get_settings()
        print("\n  Generated credentials (shown once; kept in var/jiandu.env):")
        print(f"    Airflow and Superset: {s.admin_user} / {s.admin_password}")
        print(f"    case-entry service:   {s.service_admin_user} / {s.service_admin_password}\n", flush=True)
