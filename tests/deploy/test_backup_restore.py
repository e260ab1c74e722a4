"""Back up and restore with the deployment's own scripts (docker/scripts/pg-backup.sh and
pg-restore.sh, what README.md tells the operator to run): a dump of the warehouse and of the
case-entry service's database, restored into fresh databases, holds the same rows.

The standard layer is made from the provincial standard's YAML (every dataset, every field type,
NULLs, Chinese text, arrays) on a throw-away warehouse; the comparison is per table: row count and
an md5 of all rows in a fixed order.
"""
from __future__ import annotations

import os
import re
import secrets
import subprocess

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from caseentry.migrate import upgrade
from caseentry.users import ensure_user
from deploy_support import DOCKER_DIR
from jiandu.db import libpq_url
from jiandu.settings import get_settings
from jiandu.standard import load_standard
from jiandu.testing import create_standard_tables, pg_type, temp_database

ROWS = 300


def value_sql(pg: str) -> str:
    """An expression of type ``pg`` varying with the series value i (NULL in every 7th row)."""
    if pg.endswith("[]"):
        item = value_sql(pg[:-2])
        return f"array[{item}, {item}]::{pg}"
    expr = {
        "boolean": "i % 2 = 0",
        "date": "date '2026-01-01' + i",
        "integer": "i * 7",
        "numeric(18,2)": "(i * 1.25)::numeric(18,2)",
        "timestamptz": "timestamptz '2026-01-01 08:00:00+08' + i * interval '97 minutes'",
    }.get(pg)
    if expr is None:
        n = int(re.fullmatch(r"varchar\((\d+)\)", pg).group(1))
        expr = (f"lpad((i % 90 + 10)::text, {n}, '0')" if n <= 6
                else f"left('执法监督' || md5(i::text) || repeat('案', i % 5), {n})")
    return f"case when i % 7 = 0 then null else {expr} end"


def fill_standard(conn) -> None:
    for ds in load_standard().datasets.values():
        table = f"standard.zf{ds.code[2:]}_{ds.name}"
        cols = [f.name for f in ds.fields] + ["record_key", "record_version"]
        exprs = [value_sql(pg_type(f.type)) for f in ds.fields] + [
            f"'{ds.code}:' || i", "timestamptz '2026-03-01 00:00:00+08' + i * interval '1 second'"]
        conn.execute(f"insert into {table} ({', '.join(cols)}) select {', '.join(exprs)}"
                     f" from generate_series(1, {ROWS}) as i")


def fingerprint(url: str, schemas: tuple[str, ...]) -> dict[str, tuple[int, str]]:
    """{schema.table: (row count, md5 of every row's text, ordered)} for every table of ``schemas``."""
    out = {}
    with psycopg.connect(libpq_url(url)) as conn:
        tables = conn.execute("select table_schema || '.' || table_name from information_schema.tables"
                              " where table_schema = any(%s) and table_type = 'BASE TABLE'", (list(schemas),)).fetchall()
        for (name,) in tables:
            schema, table = name.split(".")
            ident = sql.Identifier(schema, table)
            count, digest = conn.execute(sql.SQL(
                "select count(*), md5(coalesce(string_agg(t::text, E'\\n' order by t::text), ''))"
                " from {} t").format(ident)).fetchone()
            out[name] = (count, digest)
    return out


def libpq_env(url: str) -> dict[str, str]:
    u = make_url(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(PGHOST=u.host or "127.0.0.1", PGPORT=str(u.port or 5432), PGUSER=u.username or "postgres")
    if u.password:
        env["PGPASSWORD"] = u.password
    return env


def run_script(name: str, *args: str, url: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(["sh", str(DOCKER_DIR / "scripts" / name), *args], env=libpq_env(url),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{name} {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture()
def restored_name():
    """The name pg-restore.sh creates; dropped afterwards whatever happened."""
    names = []

    def make(prefix: str) -> str:
        names.append(f"{prefix}_{secrets.token_hex(4)}")
        return names[-1]
    yield make
    with psycopg.connect(libpq_url(get_settings().admin_url), autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def test_warehouse_and_service_survive_backup_and_restore(fresh_warehouse_url, restored_name, tmp_path):
    with psycopg.connect(libpq_url(fresh_warehouse_url), autocommit=True) as conn:
        create_standard_tables(conn)
        fill_standard(conn)
    with temp_database("test_backup_svc") as svc:
        upgrade(svc)
        ensure_user(svc, "admin", "admin-password", "admin")
        ensure_user(svc, "pipeline", "feed-password", "pipeline")

        wh_db, svc_db = make_url(fresh_warehouse_url).database, make_url(svc).database
        out = run_script("pg-backup.sh", str(tmp_path / "backups"), wh_db, svc_db, url=fresh_warehouse_url)
        dumps = [line for line in out.stdout.splitlines() if line.endswith(".dump")]
        assert len(dumps) == 2 and all(os.path.getsize(d) > 0 for d in dumps), out.stdout
        assert all(os.path.exists(d + ".sha256") for d in dumps)
        assert any(line.endswith(".sql") for line in out.stdout.splitlines()), "the roles were not saved"

        wh_copy, svc_copy = restored_name("test_restore_wh"), restored_name("test_restore_svc")
        run_script("pg-restore.sh", dumps[0], wh_copy, url=fresh_warehouse_url)
        run_script("pg-restore.sh", dumps[1], svc_copy, url=svc)
        wh_copy_url = make_url(fresh_warehouse_url).set(database=wh_copy).render_as_string(hide_password=False)
        svc_copy_url = make_url(svc).set(database=svc_copy).render_as_string(hide_password=False)

        before = fingerprint(fresh_warehouse_url, ("standard",))
        assert len(before) == len(load_standard().datasets)
        assert all(count == ROWS for count, _ in before.values()), before
        assert fingerprint(wh_copy_url, ("standard",)) == before
        # the rest of the warehouse (raw, ops, quality bookkeeping) and the service's database too
        assert fingerprint(wh_copy_url, ("raw", "ops", "quality")) == fingerprint(fresh_warehouse_url, ("raw", "ops", "quality"))
        svc_before = fingerprint(svc, ("public",))
        assert any(count > 0 for count, _ in svc_before.values()), "the service database holds no rows"
        assert fingerprint(svc_copy_url, ("public",)) == svc_before


def test_restore_refuses_an_existing_database_and_a_damaged_dump(fresh_warehouse_url, tmp_path):
    wh_db = make_url(fresh_warehouse_url).database
    out = run_script("pg-backup.sh", str(tmp_path), wh_db, url=fresh_warehouse_url)
    dump = next(line for line in out.stdout.splitlines() if line.endswith(".dump"))
    env = libpq_env(fresh_warehouse_url)
    # restoring over the live database must fail, not merge into it
    over = subprocess.run(["sh", str(DOCKER_DIR / "scripts" / "pg-restore.sh"), dump, wh_db], env=env,
                          capture_output=True, text=True, timeout=120)
    assert over.returncode != 0
    # a dump that no longer matches its checksum is refused before anything is created
    with open(dump, "r+b") as f:
        f.seek(100)
        f.write(b"\0garbage\0")
    name = f"test_restore_bad_{secrets.token_hex(4)}"
    bad = subprocess.run(["sh", str(DOCKER_DIR / "scripts" / "pg-restore.sh"), dump, name], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    with psycopg.connect(libpq_url(get_settings().admin_url)) as conn:
        assert not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
