"""Superset in its own virtualenv: environment, metadata initialisation, the warehouse connection."""
from __future__ import annotations

import os
from pathlib import Path
import subprocess

from jiandu import envfile
from jiandu.settings import PROJECT_ROOT, Settings, get_settings

WAREHOUSE_CONNECTION_NAME = "监督数据仓库"


def superset_env(s: Settings | None = None) -> dict[str, str]:
    s = s or get_settings()
    env = dict(os.environ)
    env.update({
        "SUPERSET_CONFIG_PATH": str(PROJECT_ROOT / "dashboards" / "superset_config.py"),
        "SUPERSET_SECRET_KEY": envfile.read().get("JIANDU_SUPERSET_SECRET") or os.environ.get("JIANDU_SUPERSET_SECRET", ""),
        "SUPERSET_METADATA_URL": s.pg_url(s.superset_db, s.pipeline_user, s.pipeline_password,
                                          driver="postgresql+psycopg2"),
        "FLASK_APP": "superset",
        "SUPERSET_HOME": str(s.var_dir / "superset"),
    })
    return env


def run_superset(args: list[str], s: Settings | None = None, **kw) -> subprocess.CompletedProcess:
    s = s or get_settings()
    return subprocess.run([str(s.superset_executable), *args], env=superset_env(s), check=True, **kw)


def warehouse_reader_uri(s: Settings) -> str:
    return s.pg_url(s.warehouse_db, s.superset_reader_user, s.superset_reader_password, driver="postgresql+psycopg2")


def _adopt_secret_key(s: Settings) -> None:
    """Use the SECRET_KEY the Superset metadata database was initialised with.

    Superset encrypts connection passwords with its SECRET_KEY, so a second checkout on the same
    server (a CI clone, a colleague's) must use the same key or `superset init` fails. The key is
    kept beside the metadata it protects, in a table of that database. A database initialised
    before that table existed cannot be decrypted by anyone: it is rebuilt (dashboards are code
    and are imported again at setup).
    """
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    from jiandu.db import libpq_url  # noqa: PLC0415
    admin_db = s.pg_url(s.superset_db, s.pg_admin_user, s.pg_admin_password)

    def read_or_mark(conn) -> str | None:
        conn.execute("create table if not exists jiandu_setup (name text primary key, value text not null)")
        row = conn.execute("select value from jiandu_setup where name = 'secret_key'").fetchone()
        return row[0] if row else None

    with psycopg.connect(libpq_url(admin_db), autocommit=True) as conn:
        stored = read_or_mark(conn)
        initialised = conn.execute("select to_regclass('public.ab_user') is not null").fetchone()[0]
    if stored:
        envfile.update({"JIANDU_SUPERSET_SECRET": stored})
        return
    if initialised:
        print(f"[setup] Superset metadata {s.superset_db} was made with an unknown SECRET_KEY: rebuilding it", flush=True)
        with psycopg.connect(libpq_url(s.admin_url), autocommit=True) as conn:
            conn.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(s.superset_db)))
            conn.execute(sql.SQL("create database {} owner {} encoding 'UTF8' template template0").format(
                sql.Identifier(s.superset_db), sql.Identifier(s.pipeline_user)))
    secret = envfile.ensure_secret("JIANDU_SUPERSET_SECRET", 32)
    with psycopg.connect(libpq_url(admin_db), autocommit=True) as conn:
        read_or_mark(conn)
        conn.execute("insert into jiandu_setup (name, value) values ('secret_key', %s) on conflict (name) do nothing",
                     (secret,))
        stored = conn.execute("select value from jiandu_setup where name = 'secret_key'").fetchone()[0]
    envfile.update({"JIANDU_SUPERSET_SECRET": stored})


def init_superset(s: Settings) -> None:
    _adopt_secret_key(s)
    s = get_settings()
    (s.var_dir / "superset").mkdir(parents=True, exist_ok=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    run_superset(["db", "upgrade"], s, **quiet)
    run_superset(["fab", "create-admin", "--username", s.admin_user, "--firstname", "系统", "--lastname", "管理员",
                  "--email", "admin@jiandu.local", "--password", s.admin_password], s, **quiet)
    # create-admin leaves an existing user's password as it was: reset it to the current one.
    run_superset(["fab", "reset-password", "--username", s.admin_user, "--password", s.admin_password], s, **quiet)
    run_superset(["init"], s, **quiet)
    run_superset(["set-database-uri", "--database_name", WAREHOUSE_CONNECTION_NAME,
                  "--uri", warehouse_reader_uri(s)], s, **quiet)


# --- dashboards as code, roles, row-level security --------------------------------------------

ASSETS_DIR = PROJECT_ROOT / "dashboards" / "assets"
PROVISION = PROJECT_ROOT / "dashboards" / "provision.py"
ANALYST_CONNECTION_NAME = "监督数据仓库（分析员）"


def warehouse_analyst_uri(s: Settings) -> str:
    return s.pg_url(s.warehouse_db, s.analyst_user, s.analyst_password, driver="postgresql+psycopg2")


def provision(args: list[str], s: Settings, stdin: str | None = None, **kw) -> subprocess.CompletedProcess:
    """Run dashboards/provision.py in Superset's interpreter and app context. The connection URIs
    (with passwords) travel in the environment, not on the command line."""
    import json  # noqa: PLC0415
    env = superset_env(s)
    env["JIANDU_SUPERSET_DATABASE_URIS"] = json.dumps({WAREHOUSE_CONNECTION_NAME: warehouse_reader_uri(s),
                                                       ANALYST_CONNECTION_NAME: warehouse_analyst_uri(s)})
    env["JIANDU_ADMIN_USER"] = s.admin_user
    python = Path(s.superset_executable).parent / "python"
    return subprocess.run([str(python), str(PROVISION), *args], env=env, input=stdin, text=True, check=True,
                          cwd=PROJECT_ROOT, **kw)


def district_regions(s: Settings) -> list[dict[str, str]]:
    """The deployment's districts (children of JIANDU_REGION_CODE in the region seed): one data
    scope role and one row-level security filter each."""
    import csv  # noqa: PLC0415
    with open(PROJECT_ROOT / "dbt" / "seeds" / "region.csv", encoding="utf-8") as f:
        return [{"code": r["code"], "name": r["name"]} for r in csv.DictReader(f) if r["parent_code"] == s.region_code]


def import_dashboards(s: Settings, assets: Path = ASSETS_DIR, users: list[dict] | None = None, **kw) -> None:
    """Import the dashboards (overwriting by uuid), then roles, dashboard access and RLS, then
    the given users ({"username", "password", "roles"}), in one start of Superset's app."""
    import json  # noqa: PLC0415
    spec = {"import": str(assets), "access": {"regions": district_regions(s)}, "users": users or []}
    provision(["all"], s, stdin=json.dumps(spec, ensure_ascii=False), **kw)


def export_dashboards(s: Settings, target: Path = ASSETS_DIR, **kw) -> None:
    """Export every dashboard and connection into target, files named stably, no credentials."""
    target.mkdir(parents=True, exist_ok=True)
    provision(["export", str(target)], s, **kw)


def ensure_user(s: Settings, username: str, password: str, roles: list[str], **kw) -> None:
    import json  # noqa: PLC0415
    provision(["user"], s, stdin=json.dumps({"username": username, "password": password, "roles": roles},
                                            ensure_ascii=False), **kw)


def rebuild_assets(s: Settings, target: Path = ASSETS_DIR, **kw) -> None:
    """Rebuild dashboards/assets from dashboards/authoring.py: write the minimal bundle, import it
    into the Superset of s (its warehouse must hold built marts), complete the datasets from the
    warehouse, export. Uuids are derived from the authoring keys, so they stay the same."""
    import json  # noqa: PLC0415
    import shutil  # noqa: PLC0415
    import sys  # noqa: PLC0415
    sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))
    import authoring  # noqa: PLC0415
    if target.exists():
        shutil.rmtree(target)
    authoring.write_bundle(target)
    provision(["import", str(target)], s, **kw)
    labels = {ds.key: ds.labels for ds in authoring.DATASETS}
    provision(["sync"], s, stdin=json.dumps(labels, ensure_ascii=False), **kw)
    provision(["export", str(target)], s, **kw)


def assets_fingerprint(s: Settings) -> str:
    """Changes when the assets, the provisioning, the districts or the connection passwords
    change: setup then imports again (the stamp holds this hash, not the passwords)."""
    import hashlib  # noqa: PLC0415
    h = hashlib.sha256()
    for path in sorted(ASSETS_DIR.rglob("*.yaml")) + [PROVISION, PROJECT_ROOT / "dbt" / "seeds" / "region.csv"]:
        h.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    h.update(warehouse_reader_uri(s).encode() + warehouse_analyst_uri(s).encode() + s.region_code.encode())
    return h.hexdigest()
