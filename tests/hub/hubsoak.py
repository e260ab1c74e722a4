"""Test kit of the soak tests: the warehouse and the simulator as the push client sees them, and
the one assertion that matters: the hub's records equal the warehouse's pushable records."""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import psycopg
import requests

from connectors.hub_client import HubClient, RetryPolicy
from connectors.hub_push import PushReport, push_all
from connectors.hub_reconcile import pushable_summary
from hubsim.store import live_records
from jiandu.db import libpq_url
from jiandu.standard import PUSH_ORDER, load_standard
from jiandu.testing import create_standard_tables

import standard_gen

CLIENT_ID, SECRET = "jiandu-soak", "soak-secret"
_regions = itertools.count(random.Random().randrange(100, 900) * 1000)


def new_region() -> str:
    return f"{next(_regions):06d}"


@dataclass
class Env:
    wh: str
    hub_url: str
    hub_db: str
    region: str

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(libpq_url(self.wh))

    def hub_connect(self) -> psycopg.Connection:
        return psycopg.connect(libpq_url(self.hub_db))

    def create_tables(self) -> None:
        with self.connect() as conn:
            create_standard_tables(conn)

    def fill(self, cases: int, steps_per_case: int = 1) -> int:
        with self.connect() as conn:
            return standard_gen.fill(conn, cases, steps_per_case)

    def client(self, timeout: float = 10.0, attempts: int = 6) -> HubClient:
        return HubClient(self.hub_url, CLIENT_ID, SECRET, timeout=timeout,
                         retry=RetryPolicy(attempts=attempts, base_delay=0.005, max_delay=0.05))

    def push(self, client: HubClient | None = None, **kw) -> PushReport:
        with self.connect() as conn:
            return push_all(conn, client or self.client(), self.region, **kw)

    def push_until_done(self, client: HubClient | None = None, max_runs: int = 30) -> list[PushReport]:
        """Run the push again (as Airflow's retries and the next schedule would) until a run finds
        nothing left to send and nothing pending."""
        reports = []
        for _ in range(max_runs):
            report = self.push(client)
            reports.append(report)
            if report.stopped is None and not report.deferred and report.records_sent == 0 and not self.pending():
                return reports
        raise AssertionError(f"push not done after {max_runs} runs: {reports[-1]}")

    def pending(self) -> int:
        with self.connect() as conn:
            return conn.execute("select count(*) from ops.push_batch where status <> 'sent'").fetchone()[0]

    def set_faults(self, config: dict) -> None:
        r = requests.post(self.hub_url + "/_sim/faults", json=config, timeout=10)
        assert r.status_code == 200, r.text

    def hub_stored_batches(self) -> set[str]:
        with self.hub_connect() as conn:
            return {r[0] for r in conn.execute("select batch_id from hub_batch where region_code = %s", (self.region,))}

    def our_batches(self) -> set[str]:
        with self.connect() as conn:
            return {str(r[0]) for r in conn.execute("select batch_id from ops.push_batch")}

    def warehouse_pushable(self, dataset: str) -> dict[str, str]:
        ds = load_standard().datasets[dataset]
        with self.connect() as conn:
            rows = conn.execute(
                f"""select record_key, to_char(record_version at time zone 'Asia/Shanghai',
                                               'YYYY-MM-DD"T"HH24:MI:SS"+08:00"')
                      from standard.zf{dataset[2:]}_{ds.name} t
                     where not exists (select 1 from quality.issue q where q.dataset = %s
                                       and q.record_key = t.record_key and q.status = 'open')""",
                (dataset,)).fetchall()
        return dict(rows)


def assert_hub_equals_warehouse(env: Env, total: int | None = None, counted_once: bool = True) -> None:
    """Every pushable record at the hub in its version, nothing else live there, the hub's own
    summary equal to the one computed from the warehouse, and (``counted_once``, for a history of
    pushes only, no repair) every record counted once."""
    client = env.client()
    sent = 0
    for dataset in PUSH_ORDER:
        want = env.warehouse_pushable(dataset)
        assert live_records(env.hub_db, dataset, env.region) == want, dataset
        hub = client.summary(dataset, env.region)
        with env.connect() as conn:
            mine = pushable_summary(conn, dataset)
        assert (hub["records"], hub["latest_version"], hub["checksum"]) == \
            (mine.records, mine.latest_version, mine.checksum), dataset
        sent += len(want)
    if total is not None:
        assert sent == total
    if not counted_once:
        return
    with env.connect() as conn:
        accepted, stale = conn.execute("select coalesce(sum(accepted), 0), coalesce(sum(stale), 0)"
                                       " from ops.push_receipt").fetchone()
    # each record accepted exactly once over all receipts: a batch resent after a lost answer got
    # its first receipt back, and no record was ever put in a second batch
    assert (accepted, stale) == (sent, 0)
    assert env.hub_stored_batches() == env.our_batches()
