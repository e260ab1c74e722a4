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
