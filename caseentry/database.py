"""The service's connection to its PostgreSQL database."""
from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url


def normalise_url(database_url: str) -> str:
    """Accept ``postgresql://`` too, but always talk through psycopg 3."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"the case-entry service runs on PostgreSQL only, not {url.get_backend_name()}")
    if url.drivername != "postgresql+psycopg":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def make_engine(database_url: str, *, pool_size: int = 10) -> Engine:
    return create_engine(
        normalise_url(database_url),
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=10,
        connect_args={"application_name": "caseentry"},
    )
