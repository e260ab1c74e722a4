"""The LP request stream, sent to the real case-entry service (in-process, on a throw-away
PostgreSQL database), is accepted whole: nothing the service refuses as unlawful."""
from __future__ import annotations

import warnings
from collections import Counter

import pytest

from demo_support import AS_OF
from jiandu.demo import Universe, lp_requests
from jiandu.testing import temp_database

ADMIN = ("admin", "admin-password-1")


@pytest.fixture(scope="module")
def service():
    from fastapi.testclient import TestClient

    from caseentry.app import create_app
    from caseentry.migrate import upgrade
    from caseentry.users import ensure_user
    with temp_database("test_demo_lp") as url:
        upgrade(url)
        ensure_user(url, *ADMIN, "admin")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with TestClient(create_app(url, "demo-test-secret")) as client:
                r = client.post("/api/v1/auth/token", json={"username": ADMIN[0], "password": ADMIN[1]})
                assert r.status_code == 200, r.text
                yield client, {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_the_service_accepts_every_request(service):
    client, headers = service
    ids: dict[str, int] = {}
    refused, sent = [], Counter()
    for method, path, body, ref in lp_requests(Universe(5, 30, AS_OF)):
        url = path.replace("{case}", str(ids[ref])) if "{case}" in path else path
        response = client.request(method, url, json=body, headers=headers)
        sent[path] += 1
        if response.status_code >= 300:
            refused.append((path, ref, response.status_code, response.text[:300]))
        elif path == "/api/v1/cases":
            ids[ref] = response.json()["id"]
    assert not refused, refused[:5]
    assert sent["/api/v1/cases/{case}/revoke"] and sent["/api/v1/cases/{case}/publicity"]
