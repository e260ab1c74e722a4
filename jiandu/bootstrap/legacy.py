"""The old case-handling database (LG): the real MariaDB when one answers, else a SQLite file."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from jiandu import envfile
from jiandu.settings import Settings, get_settings


def say(msg: str) -> None:
    print(f"[setup] {msg}", flush=True)


def ensure_lg_database(s: Settings) -> Settings:
    """Create the LG database on MariaDB, or fall back to var/lg.sqlite when MariaDB is absent."""
    url = make_url(s.lg_url)
    if url.get_backend_name() == "sqlite":
        say(f"old system (LG): SQLite file {url.database}")
        return s
    server = url.set(database="")
    try:
        eng = sa.create_engine(server, connect_args={"connect_timeout": 5})
        with eng.begin() as conn:
            conn.execute(sa.text(f"create database if not exists `{url.database}` character set utf8mb4"))
        eng.dispose()
        say(f"old system (LG): MariaDB database {url.database} at {url.host}:{url.port or 3306}")
        return s
    except Exception as exc:  # noqa: BLE001 - any failure to reach MariaDB means: use the stand-in
        sqlite_path = s.var_dir / "lg.sqlite"
        say(f"MariaDB not reachable ({type(exc).__name__}); the old system falls back to SQLite at {sqlite_path}")
        envfile.update({"JIANDU_LG_URL": f"sqlite:///{sqlite_path}"})
        return get_settings()
