"""Helpers for tests: throw-away PostgreSQL databases on the configured server."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from typing import Iterator

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from jiandu.db import libpq_url
from jiandu.settings import Settings, get_settings


@contextmanager
def temp_database(prefix: str, settings: Settings | None = None) -> Iterator[str]:
    """Create an empty database named ``<prefix>_<random>``; yield its SQLAlchemy URL (admin
    credentials); drop it afterwards, whatever happened."""
    s = settings or get_settings()
    name = f"{prefix}_{secrets.token_hex(4)}".lower()
    with psycopg.connect(libpq_url(s.admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {} template template0 encoding 'UTF8'").format(sql.Identifier(name)))
    try:
        yield make_url(s.admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_url(s.admin_url), autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def pg_type(field_type) -> str:
    """The PostgreSQL type of a standard field type (as the standard layer declares it)."""
    base = field_type.base
    if base == "string":
        return f"varchar({field_type.length})"
    if base == "code":
        return "varchar(6)" if field_type.code_set == "region" else "varchar(2)"
    if base == "list":
        return pg_type(field_type.item) + "[]"
    return {"date": "date", "datetime": "timestamptz", "decimal": "numeric(18,2)", "int": "integer",
            "bool": "boolean"}[base]


def create_standard_tables(conn) -> None:
    """Standard-layer tables made straight from the YAML, for tests that need no dbt build."""
    from jiandu.standard import load_standard
    for ds in load_standard().datasets.values():
        cols = ", ".join(f"{f.name} {pg_type(f.type)}" for f in ds.fields)
        conn.execute(f"create table standard.zf{ds.code[2:]}_{ds.name} ({cols}, record_key varchar(200) primary key,"
                     " record_version timestamptz not null)")


@contextmanager
def temp_mariadb_database(prefix: str, server_url: str = "mysql+pymysql://root@127.0.0.1:3306/") -> Iterator[str]:
    """A throw-away database on the real MariaDB; yields its SQLAlchemy URL (utf8mb4)."""
    import sqlalchemy as sa
    name = f"{prefix}_{secrets.token_hex(4)}".lower()
    engine = sa.create_engine(server_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"create database `{name}` character set utf8mb4"))
    try:
        yield f"{server_url.rstrip('/')}/{name}?charset=utf8mb4"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"drop database if exists `{name}`"))
        engine.dispose()
