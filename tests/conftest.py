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



# Test folders (or top-level files) that take longest, longest first, as measured by
# `pytest --durations`: each goes whole to one worker (below), and handing out the long ones first
# keeps a long folder from starting last and running alone at the end. Folders not named here
# follow in collection order.
LONGEST_FIRST = ["dbt", "superset", "marts_stats", "deploy", "quality", "marts", "test_pipeline_e2e.py",
                 "service", "demo", "hub", "connectors", "notices"]


def _scope(nodeid: str) -> str:
    """A test's folder under tests/, or its file when it sits in tests/ itself."""
    parts = nodeid.split("::", 1)[0].split("/")
    return parts[1] if parts[0] == "tests" and len(parts) > 2 else parts[-1]


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_scope(item.nodeid), len(rank)))   # stable: order within kept


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
            return _scope(nodeid)

    # hand the folders out in collection order (longest first, above), not by number of tests
    config.option.loadscopereorder = False
    return FolderScheduling(config, log)
