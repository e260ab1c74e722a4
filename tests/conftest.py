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


def pytest_collection_modifyitems(config, items):
    """`make test` runs on two workers (pytest-xdist, --dist loadgroup): each test folder (and
    each top-level test file) is one group that one worker runs whole, so a folder's
    session-scoped fixtures (a dbt build, a Superset server, an Airflow home) are made once,
    not once per worker."""
    from pathlib import Path
    tests_dir = Path(__file__).resolve().parent
    for item in items:
        rel = Path(str(item.path)).resolve().relative_to(tests_dir)
        group = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        item.add_marker(pytest.mark.xdist_group(group))
