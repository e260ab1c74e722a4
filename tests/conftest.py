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
