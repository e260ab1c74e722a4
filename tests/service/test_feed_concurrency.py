"""The change feed under concurrent writers: no change skipped, none repeated, even though
transactions commit out of the order their ids were handed out.

Real uvicorn on a free port; writer threads through the HTTP API and through the service's own
write path (ChangeLog) with pauses inside their transactions, so that commits interleave; one
writer deliberately holds its transaction open while later ones commit; a reader follows the feed
over HTTP meanwhile. At the end the reader must have seen exactly the rows of the outbox, in key
order, each once.
"""
from __future__ import annotations

import random
import socket
import threading
import time

import httpx
import psycopg
import pytest
import uvicorn
from sqlalchemy import text

from caseentry.app import create_app
from caseentry.changes import SYSTEM, ChangeLog
from caseentry.database import make_engine
from jiandu.db import libpq_url
from jiandu.settings import get_settings
from jiandu.standard import party_id

from service_support import ADMIN, PIPELINE, SECRET

WRITERS_HTTP = 2
WRITERS_DIRECT = 3
WRITES_EACH = 15


class Server:
    def __init__(self, app):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=20)


def _token(base: str, username: str, password: str) -> str:
    r = httpx.post(f"{base}/api/v1/auth/token", json={"username": username, "password": password}, timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


RUN = f"{random.SystemRandom().randrange(10**6):06d}"   # keeps this run's parties apart from earlier ones


def _number(n: int) -> str:
    return f"P{RUN}{n:07d}"


def _party(n: int) -> dict:
    return {"party_type": "1", "party_name": f"并发{n}", "credential_type": "02", "credential_no": _number(n)}


@pytest.fixture(scope="module")
def service(db_url, app):
    # The session's database; a server of its own (real sockets, real threads).
    with Server(create_app(db_url, SECRET)) as server:
        yield db_url, server.url


def _feed_end(engine) -> str:
    with engine.connect() as conn:
        last = conn.execute(text("select xid::text || '.' || seq from change_outbox"
                                 " order by xid desc, seq desc limit 1")).scalar()
    return last or "0.0"


def test_concurrent_writers_no_gap_no_duplicate(service):
    url, base = service
    admin = {"Authorization": f"Bearer {_token(base, *ADMIN)}"}
    reader = {"Authorization": f"Bearer {_token(base, *PIPELINE)}"}
    engine = make_engine(url)
    start = _feed_end(engine)
    stop_reading = threading.Event()
    failures: list[BaseException] = []
    seen: list[dict] = []
    commits: list[int] = []        # xids in the order their transactions committed
    commits_lock = threading.Lock()

    def http_writer(w: int) -> None:
        with httpx.Client(base_url=base, headers=admin, timeout=30) as client:
            for i in range(WRITES_EACH):
                n = w * 1000 + i
                r = client.post("/api/v1/parties", json=_party(n))
                assert r.status_code == 201, r.text
                # and update it again at once: two versions of one record, maybe in one second
                r = client.post("/api/v1/parties", json={**_party(n), "party_name": f"并发{n}改"})
                assert r.status_code == 200, r.text

    def direct_writer(w: int) -> None:
        rnd = random.Random(w)
        for i in range(WRITES_EACH):
            n = 500_000 + w * 1000 + i
            with engine.begin() as conn:
                log = ChangeLog(conn, SYSTEM)
                values = _party(n)
                log.insert("party", {**values, "party_id": party_id("02", _number(n))})
                xid = int(conn.execute(text("select pg_current_xact_id()::text")).scalar_one())
                time.sleep(rnd.uniform(0, 0.03))   # hold the transaction: later ids commit first
                log.insert("party", {**_party(n + 100), "party_id": party_id("02", _number(n + 100))})
            with commits_lock:
                commits.append(xid)

    def follow() -> None:
        cursor = start
        with httpx.Client(base_url=base, headers=reader, timeout=30) as client:
            idle = 0
            while True:
                params = {"limit": 7} | ({"after": cursor} if cursor else {})
                page = client.get("/api/v1/changes", params=params).json()
                seen.extend(page["changes"])
                cursor = page["next_cursor"]
                if page["changes"]:
                    idle = 0
                elif stop_reading.is_set():
                    idle += 1
                    if idle >= 3:   # everything written, and three empty reads in a row
                        return
                time.sleep(0.002)

    def guarded(fn, *args):
        def run():
            try:
                fn(*args)
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                failures.append(exc)
        return threading.Thread(target=run)

    # A long transaction in another database on the same server, older than everything below:
    # the cluster-wide horizon would hold the whole feed back behind it; this feed must not.
    # (The maintenance database; a temporary table, rolled back: nothing is left behind.)
    foreign = psycopg.connect(libpq_url(get_settings().admin_url))
    held = psycopg.connect(libpq_url(url))
    threads: list[threading.Thread] = []
    try:
        foreign.execute("create temporary table busy (x int)")  # takes an xid, keeps it until rollback
        foreign_xid = int(foreign.execute("select pg_current_xact_id()::text").fetchone()[0])
        with httpx.Client(base_url=base, headers=admin, timeout=30) as client:
            for n in range(900_000, 900_003):
                assert client.post("/api/v1/parties", json=_party(n)).status_code == 201
        # One transaction of this database held open while everything else runs and commits.
        held_xid = int(held.execute("select pg_current_xact_id()::text").fetchone()[0])
        held.execute("insert into change_outbox (entity, record_key, op, changed_at, data)"
                     " values ('party', 'held', 'upsert', now(), null)")
        assert foreign_xid < held_xid

        threads = ([guarded(follow)] + [guarded(http_writer, w) for w in range(WRITERS_HTTP)]
                   + [guarded(direct_writer, w) for w in range(WRITERS_DIRECT)])
        for th in threads:
            th.start()
        for th in threads[1:]:
            th.join(timeout=120)
        assert not failures, failures

        # While the held transaction runs, nothing at or after its id is served, though much has
        # been committed after it: a reader following plain ids would have skipped it for ever.
        with engine.connect() as conn:
            later = conn.execute(text("select count(*) from change_outbox where xid > cast(:x as xid8)"),
                                 {"x": str(held_xid)}).scalar_one()
        assert later > 0
        time.sleep(0.2)
        assert all(int(c["cursor"].split(".")[0]) < held_xid for c in seen)
        # ... while what committed before it was served, despite the older foreign transaction
        assert [c["key"] for c in seen] == [party_id("02", _number(n)) for n in range(900_000, 900_003)]

        held.commit()
    finally:
        held.close()           # rolls back if the test failed before the commit
        foreign.close()        # rolls back: the temporary table goes with it
        stop_reading.set()
        if threads:
            threads[0].join(timeout=120)
    assert not failures, failures

    with engine.connect() as conn:
        first = start.split(".")
        rows = conn.execute(text("select xid::text || '.' || seq from change_outbox"
                                 " where (xid, seq) > (cast(:x as xid8), :s) order by xid, seq"),
                            {"x": first[0], "s": int(first[1])}).scalars().all()
    engine.dispose()

    cursors = [c["cursor"] for c in seen]
    assert len(cursors) == len(set(cursors)), "a change was served twice"
    assert cursors == rows, "the feed skipped changes or served them out of order"
    expected = 3 + WRITERS_HTTP * WRITES_EACH * 2 + WRITERS_DIRECT * WRITES_EACH * 2 + 1
    assert len(rows) == expected
    # the writers really did commit out of id order (the situation that loses rows)
    assert any(a > b for a, b in zip(commits, commits[1:])), "no out-of-order commit happened; test too weak"
    # two versions of one record never share a record_version
    versions: dict[str, list[str]] = {}
    for c in seen:
        if c["data"]:
            versions.setdefault(c["key"], []).append(c["changed_at"])
    assert all(len(v) == len(set(v)) for v in versions.values())
