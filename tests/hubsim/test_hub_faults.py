"""429, 503, slow answers and "commit then drop the connection", through real sockets."""
from __future__ import annotations

import socket
import time
import uuid

import pytest
import requests

from hubsim.app import create_app
from hubsim.server import serve_in_thread
from hubsim.store import live_records
from hubkit import CLIENT_ID, CLIENT_SECRET, V1, Hub, upsert


def item(code: str) -> dict:
    return {"item_code": code, "item_name": "事项", "item_category": "1", "domain_code": "01",
            "legal_basis": "依据", "legal_review_required": False, "valid_from": "2020-01-01"}


# --- rate limit ----------------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_rate_limit_answers_429_with_retry_after_and_refused_calls_count(hub_db, region):
    app = create_app(hub_db, {CLIENT_ID: CLIENT_SECRET}, rate_limit_per_minute=3)
    clock = Clock()
    app.state.limiter.clock = clock
    with serve_in_thread(app) as url:
        hub = Hub(url)
        hub.token                                                         # 1
        assert hub.push("ZF03", region, []).status_code == 200            # 2
        assert hub.summary("ZF03", region).status_code == 200             # 3
        clock.now += 20
        for call in (hub.get_token, lambda: hub.push("ZF03", region, []), lambda: hub.summary("ZF03", region)):
            r = call()                                                    # token and summary too
            assert r.status_code == 429 and r.json() == {"code": "RATE_LIMITED"}
            assert r.headers["Retry-After"] == "40"
        # 429 comes before 401
        r = hub.summary("ZF03", region, headers={})
        assert r.status_code == 429
        clock.now += 41          # the first three calls left the window; the four refused ones did not
        r = hub.summary("ZF03", region)
        assert r.status_code == 429, "refused calls must count towards the limit"
        clock.now += 20          # the four left; the one refused at +61 s still counts: two calls pass
        assert [hub.summary("ZF03", region).status_code for _ in range(4)] == [200, 200, 429, 429]


# --- switchable faults ---------------------------------------------------------------------------

def test_unavailable_by_count_answers_503_to_any_call_then_recovers(hub, region):
    hub.token
    hub.set_faults({"unavailable": {"count": 3}})
    r = hub.get_token()
    assert r.status_code == 503 and r.json() == {"code": "MAINTENANCE"}
    assert hub.push("ZF03", region, [upsert("ZF03", item("x"))], headers={}).status_code == 503   # before 401
    assert hub.summary("ZF03", region).status_code == 503
    assert hub.summary("ZF03", region).status_code == 200
    assert live_records(hub.hub_db, "ZF03", region) == {}


def test_unavailable_named_without_count_or_probability_is_maintenance(hub, region):
    hub.token
    state = hub.set_faults({"unavailable": {}})
    assert state["config"]["unavailable"]["probability"] == 1.0
    assert {hub.summary("ZF03", region).status_code for _ in range(5)} == {503}


def test_a_probability_is_drawn_from_the_seed_so_runs_repeat(hub, region):
    hub.token
    def run(seed: int) -> list[int]:
        hub.set_faults({"seed": seed, "unavailable": {"probability": 0.5}})
        return [hub.summary("ZF03", region).status_code for _ in range(24)]
    first = run(7)
    assert set(first) == {200, 503}
    assert run(7) == first
    assert run(8) != first


def test_a_429_burst_carries_its_retry_after(hub, region):
    hub.token
    hub.set_faults({"rate_limited": {"count": 2, "retry_after": 5}})
    for _ in range(2):
        r = hub.push("ZF03", region, [])
        assert r.status_code == 429 and r.json() == {"code": "RATE_LIMITED"} and r.headers["Retry-After"] == "5"
    assert hub.push("ZF03", region, []).status_code == 200
    assert hub.http.get(hub.url("/_sim/faults")).json()["hits"]["rate_limited"] == 2


def test_a_slow_answer_comes_after_the_work_so_a_timed_out_batch_may_be_stored(hub, region):
    hub.token
    hub.set_faults({"slow": {"delay_ms": 600, "count": 1}})
    key = str(uuid.uuid4())
    with pytest.raises(requests.exceptions.ReadTimeout):
        hub.push("ZF03", region, [upsert("ZF03", item("late"))], batch_id=key, timeout=0.2)
    time.sleep(0.5)
    assert live_records(hub.hub_db, "ZF03", region) == {"late": V1}
    started = time.monotonic()
    r = hub.push("ZF03", region, [upsert("ZF03", item("late"))], batch_id=key)
    assert time.monotonic() - started < 0.5
    assert r.json()["accepted"] == 1                       # the first receipt


def test_slow_answers_delay_every_call_when_always_on(hub, region):
    hub.token
    hub.set_faults({"slow": {"delay_ms": 150}})
    started = time.monotonic()
    assert hub.summary("ZF03", region).status_code == 200
    assert time.monotonic() - started >= 0.15


@pytest.mark.parametrize("http, loop", [("h11", "asyncio"), ("httptools", "asyncio"), ("h11", "uvloop"),
                                        ("httptools", "uvloop")])
def test_commit_then_drop_stores_the_batch_and_the_client_sees_a_connection_error(hub_db, region, http, loop):
    app = create_app(hub_db, {CLIENT_ID: CLIENT_SECRET})
    with serve_in_thread(app, http=http, loop=loop) as url:
        hub = Hub(url)
        hub.token
        hub.set_faults({"drop_after_commit": {"count": 1}})
        key = str(uuid.uuid4())
        records = [upsert("ZF03", item("dropped"))]
        with pytest.raises(requests.exceptions.ConnectionError):
            hub.push("ZF03", region, records, batch_id=key)
        assert live_records(hub_db, "ZF03", region) == {"dropped": V1}        # stored nonetheless
        again = hub.push("ZF03", region, records, batch_id=key)                # same key: the first receipt
        assert again.status_code == 200
        assert again.json() == {"batch_id": key, "received": 1, "accepted": 1, "stale": 0, "rejected": []}
        assert hub.summary("ZF03", region).json()["records"] == 1            # the server lives on


def test_commit_then_drop_seen_on_a_raw_socket_gets_no_bytes_at_all(hub, hub_url, region):
    hub.set_faults({"drop_after_commit": {"count": 1}})
    key = str(uuid.uuid4())
    body = ('{"batch_id": "%s", "region_code": "%s", "records": []}' % (key, region)).encode()
    host, port = hub_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"POST /api/v1/datasets/ZF03/batches HTTP/1.1\r\nHost: x\r\n"
                  + f"Authorization: Bearer {hub.token}\r\nIdempotency-Key: {key}\r\n".encode()
                  + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        try:
            received = s.recv(65536)
        except ConnectionResetError:
            received = b""
    assert received == b""
    assert hub.push("ZF03", region, [], batch_id=key).json()["batch_id"] == key


def test_drop_by_probability_only_hits_new_batches(hub, region):
    hub.token
    hub.set_faults({"seed": 3, "drop_after_commit": {"probability": 1.0}})
    assert hub.summary("ZF03", region).status_code == 200       # not a batch: answered
    key = str(uuid.uuid4())
    with pytest.raises(requests.exceptions.ConnectionError):
        hub.push("ZF03", region, [], batch_id=key)
    assert hub.push("ZF03", region, [], batch_id=key).status_code == 200   # an answered key stores nothing new
    r = hub.push("ZF03", region, [], batch_id=key, headers={})   # 401 is not a commit either
    assert r.status_code == 401


# --- the controls --------------------------------------------------------------------------------

def test_fault_configuration_is_validated_and_replaced_whole(hub):
    assert hub.http.post(hub.url("/_sim/faults"), json={"unavailable": {"probability": 2}}).status_code == 422
    assert hub.http.post(hub.url("/_sim/faults"), json={"flaky": {}}).status_code == 422
    assert hub.http.post(hub.url("/_sim/faults"), json={"slow": {"delay": 5}}).status_code == 422
    hub.set_faults({"seed": 1, "slow": {"delay_ms": 1, "count": 2}, "rate_limited": {"count": 1}})
    state = hub.set_faults({"unavailable": {"count": 1}})
    assert set(state["config"]) == {"seed", "unavailable"}
    assert state["remaining"]["unavailable"] == 1
    assert hub.http.get(hub.url("/_sim/faults")).json() == state


def test_reset_wipes_records_and_answered_keys(hub_db, region):
    app = create_app(hub_db, {CLIENT_ID: CLIENT_SECRET})
    with serve_in_thread(app) as url:
        hub = Hub(url)
        key = str(uuid.uuid4())
        assert hub.push("ZF03", region, [upsert("ZF03", item("r"))], batch_id=key).json()["accepted"] == 1
        assert hub.http.post(hub.url("/_sim/reset")).json() == {"reset": True}
        assert live_records(hub_db, "ZF03", region) == {}
        assert hub.push("ZF03", region, [upsert("ZF03", item("r"))], batch_id=key).json()["accepted"] == 1


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))          # TEST-NET: no packet is sent for a UDP connect
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_the_controls_answer_loopback_only(hub_db):
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    with serve_in_thread(create_app(hub_db, {CLIENT_ID: CLIENT_SECRET}), host=address) as url:
        for method, path in [("get", "/_sim/faults"), ("post", "/_sim/faults"), ("post", "/_sim/reset"),
                             ("get", "/_sim/stats")]:
            r = requests.request(method, url + path, json={}, timeout=5)
            assert (path, r.status_code) == (path, 403)
        assert requests.post(url + "/api/v1/token", json={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
                             timeout=5).status_code == 200



def test_in_process_clients_see_the_drop_as_an_exception(hub_db, region):
    import asyncio
    import httpx

    async def push_once() -> None:
        app = create_app(hub_db, {CLIENT_ID: CLIENT_SECRET})
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
            token = (await client.post("/api/v1/token", json={"client_id": CLIENT_ID,
                                                              "client_secret": CLIENT_SECRET})).json()["access_token"]
            assert (await client.post("/_sim/faults", json={"drop_after_commit": {"count": 1}})).status_code == 200
            key = str(uuid.uuid4())
            with pytest.raises(ConnectionAbortedError):
                await client.post("/api/v1/datasets/ZF03/batches",
                                  headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                                  json={"batch_id": key, "region_code": region, "records": [upsert("ZF03", item("tc"))]})
        app.state.store.dispose()
    asyncio.run(push_once())
    assert live_records(hub_db, "ZF03", region) == {"tc": V1}
