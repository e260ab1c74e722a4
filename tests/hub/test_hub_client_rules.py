"""The client's side of hub-api.md, against the real simulator: tokens, Retry-After, refusals."""
from __future__ import annotations

import pytest

from connectors.hub_client import HubAuthFailed, HubClient, HubRefused, RetryPolicy

from hubsoak import CLIENT_ID, SECRET


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_a_token_the_hub_forgot_is_renewed_once_and_the_call_repeated(env, soak_hub_app):
    client = env.client()
    assert client.summary("ZF03", env.region)["records"] == 0
    soak_hub_app.state.tokens._issued.clear()             # as after a restart of the hub
    calls = client.calls
    assert client.summary("ZF03", env.region)["records"] == 0
    assert client.calls - calls == 3                      # 401, token, the call again


def test_wrong_credentials_stop_the_push_without_failing_any_batch(env):
    env.fill(5)
    bad = HubClient(env.hub_url, CLIENT_ID, "not-the-secret", retry=RetryPolicy(attempts=2, base_delay=0.001))
    with pytest.raises(HubAuthFailed):
        bad.summary("ZF03", env.region)
    report = env.push(bad)
    assert report.stopped and "401" in report.stopped
    with env.connect() as conn:
        assert conn.execute("select count(*) from ops.push_batch where status = 'failed'").fetchone()[0] == 0
    env.push_until_done()                                 # with the right credentials, all of it goes


def test_retry_after_is_honoured_and_429_has_its_own_budget(env):
    env.set_faults({"rate_limited": {"count": 8, "retry_after": 3}})
    sleeps = Sleeps()
    client = HubClient(env.hub_url, CLIENT_ID, SECRET, retry=RetryPolicy(attempts=2, base_delay=0.001), sleep=sleeps)
    assert client.summary("ZF03", env.region)["records"] == 0        # 8 refusals > 2 attempts, still answered
    assert len(sleeps) == 8 and all(3.0 <= s <= 3.3 for s in sleeps)


def test_a_final_refusal_is_not_retried(env):
    client = env.client()
    with pytest.raises(HubRefused) as err:
        client.summary("ZF99", env.region)
    assert err.value.status == 404 and client.calls == 2          # the token, then the one refused call
