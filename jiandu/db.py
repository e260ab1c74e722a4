"""Connections to the project's databases, built from the settings."""
from __future__ import annotations

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

from jiandu.settings import Settings, get_settings


def libpq_url(sqlalchemy_url: str) -> str:
    """postgresql+psycopg://... -> postgresql://... (what psycopg and libpq take)."""
    url = make_url(sqlalchemy_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def connect(url: str, *, autocommit: bool = False, application_name: str = "jiandu") -> psycopg.Connection:
    return psycopg.connect(libpq_url(url), autocommit=autocommit, application_name=application_name)


def connect_warehouse(settings: Settings | None = None, **kw) -> psycopg.Connection:
    return connect((settings or get_settings()).warehouse_url, **kw)


def warehouse_engine(settings: Settings | None = None) -> Engine:
    return create_engine((settings or get_settings()).warehouse_url, pool_pre_ping=True)
