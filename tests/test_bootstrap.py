"""Setup's PostgreSQL discovery: with no server reachable it starts the embedded one."""
import os
import socket

import psycopg
import pytest

from jiandu import envfile
from jiandu.bootstrap import postgres
from jiandu.db import libpq_url
from jiandu.settings import get_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def isolated(monkeypatch, tmp_path):
    """Settings pointing at a port where nothing listens, with their own env file and var dir."""
    env_file = tmp_path / "jiandu.env"
    monkeypatch.setenv("JIANDU_ENV_FILE", str(env_file))
    monkeypatch.setenv("JIANDU_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("JIANDU_PG_EMBEDDED_PORT", str(free_port()))
    for var in ("JIANDU_PG_PORT", "JIANDU_PG_HOST", "JIANDU_PG_ADMIN_USER", "JIANDU_PG_ADMIN_PASSWORD",
                "JIANDU_PIPELINE_PASSWORD", "JIANDU_ANALYST_PASSWORD", "JIANDU_SUPERSET_READER_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    env_file.write_text(f"JIANDU_PG_PORT={free_port()}\n")
    get_settings.cache_clear()
    yield tmp_path
    try:
        postgres.stop_embedded(get_settings())
    finally:
        get_settings.cache_clear()


def test_no_server_reachable_starts_the_embedded_postgres(isolated):
    s = postgres.ensure_server()
    written = envfile.read()
    assert written["JIANDU_PG_EMBEDDED"] == "1"
    assert s.pg_port == int(os.environ["JIANDU_PG_EMBEDDED_PORT"])
    assert (isolated / "var" / "pg" / "PG_VERSION").read_text().strip() == "18"
    s = postgres.ensure_roles_and_databases(s)
    with psycopg.connect(libpq_url(s.warehouse_url)) as conn:     # the pipeline role logs in
        assert conn.execute("select current_user").fetchone()[0] == "jiandu_pipeline"
    assert oct(os.stat(isolated / "jiandu.env").st_mode & 0o777) == "0o600"
    # A second setup finds the running server and changes nothing.
    again = postgres.ensure_server()
    assert again.pg_port == s.pg_port
