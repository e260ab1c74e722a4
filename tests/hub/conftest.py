"""Fixtures of the push/reconciliation soak tests: one real simulator (uvicorn on loopback) over a
throw-away hub database for the folder, and a fresh throw-away warehouse per test.

Tests keep apart at the hub by region_code (the hub keeps, checks and sums records per region).
"""
from __future__ import annotations

import pytest

from hubsim.app import create_app
from hubsim.faults import FaultConfig
from hubsim.server import serve_in_thread
from jiandu.testing import temp_database

from hubsoak import CLIENT_ID, SECRET, Env, new_region


@pytest.fixture(scope="session")
def soak_hub_db() -> str:
    with temp_database("hub_soak") as url:
        yield url


@pytest.fixture(scope="session")
def soak_hub_app(soak_hub_db):
    return create_app(soak_hub_db, {CLIENT_ID: SECRET})


@pytest.fixture(scope="session")
def soak_hub_url(soak_hub_app) -> str:
    with serve_in_thread(soak_hub_app) as url:
        yield url


@pytest.fixture
def env(soak_hub_url, soak_hub_app, soak_hub_db, fresh_warehouse_url) -> Env:
    e = Env(wh=fresh_warehouse_url, hub_url=soak_hub_url, hub_db=soak_hub_db, region=new_region())
    e.create_tables()
    yield e
    soak_hub_app.state.faults.configure(FaultConfig())      # no test leaks its faults into the next
