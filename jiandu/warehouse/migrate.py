"""Apply the warehouse's DDL files (``ddl/NNN_*.sql``) once each, in order.

Each file runs in its own transaction and is recorded in ``ops.schema_migration``, so running
setup again applies only what is new.
"""
from __future__ import annotations

from pathlib import Path

import psycopg

from jiandu.db import libpq_url

DDL_DIR = Path(__file__).resolve().parent / "ddl"


def ddl_files() -> list[Path]:
    return sorted(DDL_DIR.glob("[0-9][0-9][0-9]_*.sql"))


def apply(database_url: str) -> list[str]:
    """Bring the warehouse at ``database_url`` up to date; returns the files applied now."""
    applied_now = []
    with psycopg.connect(libpq_url(database_url)) as conn:
        conn.execute("create schema if not exists ops")
        conn.execute("create table if not exists ops.schema_migration ("
                     " name text primary key, applied_at timestamptz not null default now())")
        conn.commit()
        # One setup at a time: a second one waits instead of applying the same file twice.
        conn.execute("select pg_advisory_xact_lock(hashtext('jiandu.warehouse.migrate'))")
        done = {r[0] for r in conn.execute("select name from ops.schema_migration")}
        for path in ddl_files():
            if path.name in done:
                continue
            conn.execute(path.read_text(encoding="utf-8"))
            conn.execute("insert into ops.schema_migration (name) values (%s)", (path.name,))
            applied_now.append(path.name)
        conn.commit()
    return applied_now
