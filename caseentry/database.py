"""The service's connection to its PostgreSQL database."""
from __future__ import annotations

from typing import AsyncIterator

import anyio
from fastapi import Request
from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import Engine, make_url
from starlette.concurrency import run_in_threadpool


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


def request_connection(request) -> Connection:
    """The request's one database connection, opened on first use and closed when the request
    ends (``release_request_connection``, an app-wide dependency).

    Authentication, the write and the case shown back all run on it, mostly in one transaction:
    a connection per step cost a pool checkout, a liveness ping and a BEGIN/ROLLBACK each, which
    was most of a single-case request's latency.
    """
    conn = getattr(request.state, "db", None)
    if conn is None:
        conn = request.app.state.engine.connect()
        request.state.db = conn
    return conn


async def release_request_connection(request: Request) -> AsyncIterator[None]:
    try:
        yield
    finally:
        conn = getattr(request.state, "db", None)
        if conn is not None:
            request.state.db = None
            # closing rolls back an open read transaction: a round trip, kept off the event loop,
            # and shielded so that a cancelled request cannot leave the connection (and any
            # transaction on it) open until the garbage collector finds it
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(conn.close)
