"""A push process really killed (SIGKILL) between sending a batch and recording its receipt."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import psycopg

from jiandu.db import libpq_url
from jiandu.settings import PROJECT_ROOT

from hubsoak import CLIENT_ID, SECRET, assert_hub_equals_warehouse

PUSHER = textwrap.dedent("""
    import sys
    import psycopg
    from connectors.hub_client import HubClient, RetryPolicy
    from connectors.hub_push import push_all
    from jiandu.db import libpq_url
    wh, url, region, cid, secret = sys.argv[1:]
    client = HubClient(url, cid, secret, timeout=60, retry=RetryPolicy(attempts=2, base_delay=0.01))
    with psycopg.connect(libpq_url(wh)) as conn:
        push_all(conn, client, region)
    print("finished", flush=True)
""")


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_client_killed_between_send_and_receipt_resends_the_same_batch_counted_once(env):
    total = env.fill(300)
    # Every answer comes 2 s after the hub's work is done: the batch is stored at the hub while
    # the client still waits for its receipt, and that is when it is killed.
    env.set_faults({"slow": {"delay_ms": 2000}})
    proc = subprocess.Popen([sys.executable, "-c", PUSHER, env.wh, env.hub_url, env.region, CLIENT_ID, SECRET],
                            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: len(env.hub_stored_batches()) >= 1 or proc.poll() is not None, 60, "the hub to store a batch")
        assert proc.poll() is None, proc.communicate()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    stored = env.hub_stored_batches()
    with env.connect() as conn:
        left = conn.execute("select batch_id::text, status from ops.push_batch").fetchall()
        receipts = conn.execute("select count(*) from ops.push_receipt").fetchone()[0]
    assert len(stored) == 1 and left == [(next(iter(stored)), "pending")] and receipts == 0
    # the hub answered a batch the client never heard of: the warehouse knows nothing was pushed yet
    with psycopg.connect(libpq_url(env.wh)) as conn:
        assert conn.execute("select count(*) from ops.push_state").fetchone()[0] == 0

    env.set_faults({})
    reports = env.push_until_done()
    first = reports[0]
    # the same batch was sent again first, and the hub gave back its first receipt
    with env.connect() as conn:
        status, attempts = conn.execute("select status, attempts from ops.push_batch where batch_id = %s",
                                        (left[0][0],)).fetchone()
    assert status == "sent" and attempts == 1
    assert first.batches_sent >= 2 and first.stale == 0
    assert_hub_equals_warehouse(env, total)
