"""Fixtures: one throw-away hub database and one real uvicorn server for the whole folder.

Tests keep apart by region_code (the hub keeps and checks records per region) and by fresh
Idempotency-Keys, so they share the server without resetting it. Tests that need other settings
(token lifetime, rate limit) or a specific uvicorn build start their own server on the same database.
"""
from __future__ import annotations

import pytest

from jiandu.testing import temp_database

from hubsim.app import create_app
from hubsim.faults import FaultConfig
from hubsim.server import serve_in_thread
from hubkit import CLIENT_ID, CLIENT_SECRET, Hub, Region, new_region


@pytest.fixture(scope="session")
def hub_db() -> str:
    with temp_database("hubsim_test") as url:
        yield url


@pytest.fixture(scope="session")
def hub_app(hub_db):
    return create_app(hub_db, {CLIENT_ID: CLIENT_SECRET})


@pytest.fixture(scope="session")
def hub_url(hub_app) -> str:
    with serve_in_thread(hub_app) as url:
        yield url


@pytest.fixture
def hub(hub_url, hub_app, hub_db) -> Hub:
    client = Hub(hub_url)
    client.hub_db = hub_db
    yield client
    hub_app.state.faults.configure(FaultConfig())          # no test leaks its faults into the next


@pytest.fixture
def region() -> str:
    return new_region()


@pytest.fixture
def seeded(hub, region) -> Region:
    """A region with a subject, an item, a party, three officers and one case, all accepted."""
    return Region(region).seed(hub)
