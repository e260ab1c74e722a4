"""Fixtures shared by every test folder.

Tests never touch the databases `make demo` fills: each session works in throw-away databases
on the configured server, dropped afterwards, so the suite passes whether or not the demo ran.
"""
from __future__ import annotations

import pytest

from jiandu.settings import get_settings
from jiandu.testing import temp_database


@pytest.fixture(scope="session")
def warehouse_db_url():
    """A fresh warehouse (schemas and bookkeeping tables), admin credentials, for the session."""
    from jiandu.warehouse import migrate
    with temp_database("test_wh") as url:
        migrate.apply(url)
        yield url


@pytest.fixture()
def fresh_warehouse_url():
    """A fresh warehouse for one test (when a test must start from empty tables)."""
    from jiandu.warehouse import migrate
    with temp_database("test_wh") as url:
        migrate.apply(url)
        yield url


@pytest.fixture(scope="session")
def settings():
    return get_settings()



@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` runs on two pytest-xdist workers, and each test folder (or top-level test
    file) goes whole to one worker, so a folder's session-scoped fixtures (a dbt build, a Superset
    server, an Airflow home) are made once, not once per worker. (xdist's own --dist loadgroup
    would do it with marks, but with pytest 9 its nodeid suffix is lost and every test becomes a
    group of its own.)"""
    from xdist.scheduler import LoadScopeScheduling

    class FolderScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            parts = nodeid.split("::", 1)[0].split("/")
            return parts[1] if parts[0] == "tests" and len(parts) > 2 else parts[-1]

    return FolderScheduling(config, log)
