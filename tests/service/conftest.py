"""Fixtures of the case-entry service tests: one throw-away PostgreSQL database per test session
(migrated), the app, and API clients per role. Tests that need an empty feed or their own
database make one themselves."""
from __future__ import annotations

import warnings

import pytest
from fastapi.testclient import TestClient

from caseentry.app import create_app
from caseentry.migrate import upgrade
from caseentry.users import ensure_user
from jiandu.testing import temp_database

from service_support import ADMIN, PIPELINE, SECRET, Api, Counts, World, build_world, login


@pytest.fixture(scope="session")
def db_url():
    with temp_database("svc") as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def app(db_url):
    ensure_user(db_url, *ADMIN, "admin")
    ensure_user(db_url, *PIPELINE, "pipeline")
    return create_app(db_url, SECRET)


@pytest.fixture(scope="session")
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def admin(client) -> Api:
    return Api(client, login(client, *ADMIN))


@pytest.fixture(scope="session")
def pipeline(client) -> Api:
    return Api(client, login(client, *PIPELINE))


@pytest.fixture(scope="session")
def world(admin) -> World:
    return build_world(admin)


# A leader signs approvals with their recorded name: the tests' leaders are all 赵局长.
FULL_NAMES = {"leader": "赵局长", "officer": "钱警官", "legal_reviewer": "孙法制", "supervisor": "李监督"}


@pytest.fixture(scope="session")
def make_user(client, admin):
    """make_user(role, subject_code) -> Api logged in as a new user of that role."""
    made = iter(range(1, 10_000))

    def make(role: str, subject_code: str | None = None) -> Api:
        username = f"{role}{next(made)}"
        r = admin.post("/api/v1/users", {"username": username, "password": "password-123", "role": role,
                                         "subject_code": subject_code, "full_name": FULL_NAMES.get(role, "测试用户")})
        assert r.status_code == 201, r.text
        return Api(client, login(client, username, "password-123"))
    return make


@pytest.fixture(scope="session")
def officer(make_user, world) -> Api:
    return make_user("officer", world.subject)


@pytest.fixture(scope="session")
def leader(make_user, world) -> Api:
    return make_user("leader", world.subject)


@pytest.fixture()
def counts(db_url):
    c = Counts(db_url)
    yield c
    c.close()


@pytest.fixture(autouse=True)
def _no_xid8_warning():
    # SQLAlchemy does not know PostgreSQL's xid8 type when reflecting; harmless here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Did not recognize type 'xid8'")
        yield
