"""Bring the service's database schema up to date (Alembic, run programmatically)."""
from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Alembic keeps its running context in module globals, so one process migrates one database at a
# time; between processes, env.py takes a PostgreSQL advisory lock.
_in_process = threading.Lock()


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    """``alembic upgrade head``. Idempotent; concurrent callers wait for each other."""
    with _in_process:
        command.upgrade(alembic_config(database_url), "head")
