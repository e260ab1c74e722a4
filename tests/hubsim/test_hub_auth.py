"""hub-api.md "Authentication": tokens, their expiry, and 401 before everything but 429/503."""
from __future__ import annotations

import time

import pytest

from hubsim.app import create_app
from hubsim.server import serve_in_thread
from hubkit import CLIENT_ID, CLIENT_SECRET, Hub


def test_token_is_issued_for_the_deployment_credentials(hub):
    r = hub.get_token()
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"access_token", "expires_in"}
    assert isinstance(body["access_token"], str) and body["access_token"]
    assert body["expires_in"] == 3600


@pytest.mark.parametrize("client_id, secret", [(CLIENT_ID, "wrong"), ("someone-else", CLIENT_SECRET), (CLIENT_ID, "")])
def test_wrong_credentials_get_401(hub, client_id, secret):
    r = hub.http.post(hub.url("/api/v1/token"), json={"client_id": client_id, "client_secret": secret})
    assert r.status_code == 401
    assert r.json() == {"code": "TOKEN_INVALID"}


@pytest.mark.parametrize("body", [
    b"not json",
    b'["jiandu-test", "s3cret-for-tests"]',
    b'{"client_id": "jiandu-test"}',
    b'{"client_secret": "s3cret-for-tests"}',
    b'{"client_id": "jiandu-test", "client_secret": 12345}',
    b'{"client_id": null, "client_secret": "s3cret-for-tests"}',
    b"",
])
def test_a_token_body_not_of_that_shape_gets_422(hub, body):
    r = hub.http.post(hub.url("/api/v1/token"), data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json() == {"code": "BATCH_MALFORMED"}


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer not-a-token", "Basic amlhbmR1OnNlY3JldA=="])
def test_a_missing_or_wrong_token_gets_401_on_every_call(hub, region, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    r = hub.push("ZF01", region, [], headers=headers)
    assert r.status_code == 401 and r.json() == {"code": "TOKEN_INVALID"}
    r = hub.summary("ZF01", region, headers=headers)
    assert r.status_code == 401 and r.json() == {"code": "TOKEN_INVALID"}


def test_401_comes_before_404_and_before_the_missing_key(hub, region):
    r = hub.post_batch("ZF99", {"batch_id": "x", "region_code": region, "records": []}, None,
                       headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    r = hub.summary("ZF99", "bad", headers={})
    assert r.status_code == 401


def test_the_bearer_scheme_is_case_insensitive(hub, region):
    r = hub.push("ZF01", region, [], headers={"Authorization": f"bearer {hub.token}"})
    assert r.status_code == 200


def test_a_token_expires_after_its_ttl_and_a_new_one_works(hub_db, region):
    with serve_in_thread(create_app(hub_db, {CLIENT_ID: CLIENT_SECRET}, token_ttl=1)) as url:
        hub = Hub(url)
        r = hub.get_token()
        assert r.json()["expires_in"] == 1
        hub._token = r.json()["access_token"]
        assert hub.summary("ZF01", region).status_code == 200
        time.sleep(1.2)
        expired = hub.summary("ZF01", region)
        assert expired.status_code == 401 and expired.json() == {"code": "TOKEN_INVALID"}
        assert hub.push("ZF01", region, []).status_code == 401
        hub._token = None                      # the client gets a new token once and retries
        assert hub.summary("ZF01", region).status_code == 200


def test_a_token_of_one_simulator_is_not_valid_at_another(hub_db, hub, region):
    with serve_in_thread(create_app(hub_db, {CLIENT_ID: CLIENT_SECRET})) as url:
        other = Hub(url)
        r = other.summary("ZF01", region, headers=hub.auth())
        assert r.status_code == 401
