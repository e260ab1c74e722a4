"""Case-entry service benchmark: with --cases cases loaded (100,000 by default), p50/p99 latency
of case read, case create and step advance through the HTTP API on loopback under concurrent
clients, and the change feed's throughput reading everything from the start.

    .venvs/main/bin/python bench/service_bench.py                       # 100,000 cases
    .venvs/main/bin/python bench/service_bench.py --cases 20000 --concurrency 4 --workers 2

The clients run in this process on the same cores as the server and PostgreSQL, so each level's
baseline (GET /api/v1/health) shows how much of a latency is the machine's own queueing.

Baselines, measured in the same run: GET /api/v1/health (one `select 1`) through the same
server at the same concurrency, for the single-case operations; a plain SQL read of the same
outbox rows in the same order, for the feed. Targets on the reference machine: p99 under 50 ms
for single-case operations; the feed at least 5,000 changes/s.

The service runs in its own process (uvicorn, --workers) on a throw-away database. Cases are
loaded in bulk by SQL, copied from one case registered through the API (with its outbox rows,
so the feed serves every one of them); the measured operations all go through the API.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-key"
ADMIN = ("admin", "bench-admin-password")
OFFICER = ("bench_officer", "bench-officer-password")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    import httpx
    port = _free_port()
    code = ("import os, sys, uvicorn; from caseentry.app import create_app; "
            "app = create_app(os.environ['BENCH_DB'], os.environ['BENCH_SECRET'])")
    # uvicorn needs an import string for several workers: a tiny module built from the env.
    module = ROOT / "var" / "bench_service_app.py"
    module.parent.mkdir(exist_ok=True)
    module.write_text(code.replace("; ", "\n") + "\n")
    env = os.environ | {"BENCH_DB": db_url, "BENCH_SECRET": SECRET, "PYTHONPATH": str(module.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench_service_app:app", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers), "--log-level", "warning",
                             "--no-access-log"], env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the service did not start")
        time.sleep(0.2)


def token(base: str, user: tuple[str, str]) -> str:
    import httpx
    r = httpx.post(f"{base}/api/v1/auth/token", json={"username": user[0], "password": user[1]}, timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


# --- data -------------------------------------------------------------------------------------

def reference_data(base: str, admin: str) -> dict:
    """One unit with two officers, a penalty item and a party, registered through the API."""
    import httpx
    from stdnum.cn import uscc

    from jiandu.standard import resident_id_check_char
    h = {"Authorization": f"Bearer {admin}"}
    body = "11440106" + "".join(random.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    subject = body + uscc.calc_check_digit(body)

    def post(url, data):
        r = httpx.post(base + url, json=data, headers=h, timeout=30)
        assert r.status_code in (200, 201), r.text
        return r.json()
    post("/api/v1/subjects", {"subject_code": subject, "subject_name": "压测市场监督管理局", "region_code": "440106",
                              "subject_level": "3", "subject_type": "01", "domain_code": "01", "is_active": True})
    certs = []
    for k in range(2):
        idb = "440106198503120" + f"{k:02d}"
        certs.append(f"BENCH{k}")
        post("/api/v1/officers", {"cert_no": certs[-1], "officer_name": "压测员", "id_no": idb + resident_id_check_char(idb),
                                  "subject_code": subject, "cert_valid_from": "2020-01-01",
                                  "cert_valid_to": "2035-12-31", "cert_status": "01"})
    post("/api/v1/items", {"item_code": "BENCH-ITEM", "item_name": "压测事项", "item_category": "2",
                           "domain_code": "01", "legal_basis": "《测试法》第一条", "fine_min": "100",
                           "fine_max": "10000", "legal_review_required": False, "valid_from": "2019-01-01"})
    party = post("/api/v1/parties", {"party_type": "2", "party_name": "压测贸易有限公司", "credential_type": "10",
                                     "credential_no": subject})["party_id"]
    post("/api/v1/users", {"username": OFFICER[0], "password": OFFICER[1], "role": "officer", "subject_code": subject})
    return {"subject": subject, "certs": certs, "item": "BENCH-ITEM", "party": party}


def case_body(ref: dict, n: int) -> dict:
    return {"case_type": "2", "subject_code": ref["subject"], "item_code": ref["item"], "party_id": ref["party"],
            "source_channel": "01", "region_code": "440106", "procedure": "2", "officer_cert_nos": ref["certs"],
            "case_no": f"压测案{n}号", "registered_at": "2024-03-01T09:00:00+08:00", "time_limit_extended": False}


def bulk_load(db_url: str, template_id: int, n: int, batch: int = 10_000) -> float:
    """Copy the template case (with its penalty, steps and outbox rows) n times, in batches."""
    from sqlalchemy import create_engine, text

    from caseentry.database import normalise_url
    engine = create_engine(normalise_url(db_url))
    started = time.perf_counter()

    def cols(conn, table, skip):
        return [r[0] for r in conn.execute(text(
            "select column_name from information_schema.columns where table_name = :t and table_schema = 'public'"
            " and is_generated = 'NEVER' and identity_generation is null order by ordinal_position"), {"t": table})
            if r[0] not in skip]
    with engine.begin() as conn:
        case_cols = cols(conn, "enforcement_case", {"id", "case_no"})
        pen_cols = cols(conn, "penalty", {"case_id"})
        step_cols = cols(conn, "case_step", {"case_id"})
    select_case = ", ".join(f"t.{c}" for c in case_cols)
    sql = f"""
        with new as (
            insert into enforcement_case ({', '.join(case_cols)}, case_no)
            select {select_case}, '压测批量案' || g || '号' from enforcement_case t, generate_series(cast(:lo as bigint), cast(:hi as bigint)) g
            where t.id = cast(:tpl as bigint) returning id),
        p as (insert into penalty (case_id, {', '.join(pen_cols)})
              select new.id, {', '.join('t.' + c for c in pen_cols)} from new, penalty t where t.case_id = :tpl),
        s as (insert into case_step (case_id, {', '.join(step_cols)})
              select new.id, {', '.join('t.' + c for c in step_cols)} from new, case_step t where t.case_id = :tpl)
        insert into change_outbox (entity, record_key, op, changed_at, data)
        select o.entity, regexp_replace(o.record_key, '^LP:[0-9]+', 'LP:' || new.id), o.op, o.changed_at,
               jsonb_set(o.data, '{{case_id}}', to_jsonb(('LP:' || new.id)::text))
        from new, change_outbox o
        where o.record_key = 'LP:' || cast(:tpl as text) or o.record_key like 'LP:' || cast(:tpl as text) || '|%'
        order by new.id, o.seq
    """
    try:
        for lo in range(1, n + 1, batch):
            with engine.begin() as conn:
                conn.execute(text(sql), {"lo": lo, "hi": min(n, lo + batch - 1), "tpl": template_id})
        with engine.begin() as conn:
            conn.execute(text("analyze"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


def open_case_ids(db_url: str, count: int) -> list[int]:
    from sqlalchemy import create_engine, text

    from caseentry.database import normalise_url
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(
                "select id from enforcement_case where status = '10' order by random() limit :n"), {"n": count}).scalars())
    finally:
        engine.dispose()


# --- measuring ------------------------------------------------------------------------------

def run_concurrently(base: str, auth: str, make_request, count: int, concurrency: int) -> dict:
    """``count`` requests from ``concurrency`` threads, each with its own keep-alive connection."""
    import httpx
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(count))

    def worker():
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {auth}"}, timeout=60) as client:
            mine = []
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    break
                method, url, body = make_request(i)
                t0 = time.perf_counter()
                r = client.request(method, url, json=body)
                mine.append(time.perf_counter() - t0)
                if r.status_code >= 300:
                    with lock:
                        errors.append(f"{r.status_code} {r.text[:200]}")
            with lock:
                latencies.extend(mine)
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, first: {errors[0]}")
    latencies.sort()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"n": len(latencies), "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000, "rps": len(latencies) / wall}


def read_feed(base: str, auth: str, limit: int) -> tuple[int, float]:
    import httpx
    total, after = 0, None
    started = time.perf_counter()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {auth}"}, timeout=120) as client:
        while True:
            params = {"limit": limit} | ({"after": after} if after else {})
            r = client.get("/api/v1/changes", params=params)
            r.raise_for_status()
            page = r.json()
            total += len(page["changes"])
            after = page["next_cursor"]
            if not page["has_more"]:
                break
    return total, time.perf_counter() - started


def read_outbox_sql(db_url: str, batch: int) -> tuple[int, float]:
    """The feed's floor: the same rows in the same order straight from PostgreSQL, decoded."""
    import psycopg
    from sqlalchemy.engine import make_url
    u = make_url(db_url)
    total = 0
    started = time.perf_counter()
    with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database) as conn:
        last = (0, 0)
        while True:
            rows = conn.execute("select xid::text::bigint, seq, entity, record_key, op, changed_at, data "
                                "from change_outbox where (xid::text::bigint, seq) > (%s, %s) "
                                "order by xid, seq limit %s", (*last, batch)).fetchall()
            if not rows:
                break
            total += len(rows)
            last = (rows[-1][0], rows[-1][1])
    return total, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--concurrency", default="2,4,8",
                    help="concurrent clients; several levels separated by commas, each measured in turn")
    ap.add_argument("--requests", type=int, default=2000, help="requests per measured operation")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--feed-limit", type=int, default=10_000, help="changes per feed page")
    args = ap.parse_args()

    from caseentry.migrate import upgrade
    from caseentry.users import ensure_user
    from jiandu.testing import temp_database

    with temp_database("bench_svc") as db_url:
        upgrade(db_url)
        ensure_user(db_url, *ADMIN, "admin")
        proc, base = start_server(db_url, args.workers)
        try:
            import httpx
            admin = token(base, ADMIN)
            ref = reference_data(base, admin)
            officer = token(base, OFFICER)
            r = httpx.post(f"{base}/api/v1/cases", json=case_body(ref, 0), headers={"Authorization": f"Bearer {officer}"},
                           timeout=30)
            r.raise_for_status()
            template = r.json()["id"]
            load_s = bulk_load(db_url, template, args.cases - 1)
            print(f"loaded {args.cases:,} cases in {load_s:.1f} s (bulk SQL copies of one case registered through the API)")
            levels = [int(x) for x in str(args.concurrency).split(",")]
            n_req = args.requests
            all_ids = open_case_ids(db_url, n_req * len(levels))
            worst_by_level = {}
            for level_no, c in enumerate(levels):
                # each level advances its own cases: a step can be recorded once per case
                ids = all_ids[level_no * n_req:(level_no + 1) * n_req]
                print(f"service: {args.workers} uvicorn worker(s); {c} concurrent clients on loopback; "
                      f"{n_req} requests each; load average {os.getloadavg()[0]:.2f}\n")
                # warm-up: connections, pools, caches
                run_concurrently(base, officer, lambda i: ("GET", f"/api/v1/cases/{ids[i % len(ids)]}", None), 200, c)
                results = {
                    "baseline: GET /api/v1/health": run_concurrently(
                        base, officer, lambda i: ("GET", "/api/v1/health", None), n_req, c),
                    "case read (GET /api/v1/cases/{id})": run_concurrently(
                        base, officer, lambda i: ("GET", f"/api/v1/cases/{random.choice(ids)}", None), n_req, c),
                    "case create (POST /api/v1/cases)": run_concurrently(
                        base, officer, lambda i: ("POST", "/api/v1/cases",
                                                  case_body(ref, 10_000_000 + level_no * n_req + i)), n_req, c),
                    "step advance (POST .../steps, C2)": run_concurrently(
                        base, officer, lambda i: ("POST", f"/api/v1/cases/{ids[i]}/steps", {
                            "stage_code": "C2", "entered_at": "2024-03-02T09:00:00+08:00",
                            "handler_cert_no": ref["certs"][0]}), len(ids), c),
                }
                print(f"{'operation':40} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}")
                for name, m in results.items():
                    print(f"{name:40} {m['n']:>6} {m['p50_ms']:>8.1f} {m['p99_ms']:>8.1f} {m['rps']:>8.0f}")
                worst = max(m["p99_ms"] for name, m in results.items() if not name.startswith("baseline"))
                worst_by_level[c] = worst
                print(f"target: p99 < 50 ms for single-case operations -> worst p99 {worst:.1f} ms: "
                      f"{'met' if worst < 50 else 'MISSED'}\n")
            if len(levels) > 1:
                print("worst p99 by concurrency: " + ", ".join(
                    f"{c} clients {w:.1f} ms ({'met' if w < 50 else 'missed'})" for c, w in worst_by_level.items()) + "\n")

            sql_n, sql_s = read_outbox_sql(db_url, args.feed_limit)
            feed_n, feed_s = read_feed(base, admin, args.feed_limit)
            print(f"baseline: plain SQL read of the outbox  {sql_n:>9,} rows    in {sql_s:6.1f} s = {sql_n / sql_s:>9,.0f} rows/s")
            print(f"change feed from the start (limit {args.feed_limit}) {feed_n:>9,} changes in {feed_s:6.1f} s = "
                  f"{feed_n / feed_s:>9,.0f} changes/s")
            print(f"target: >= 5,000 changes/s -> {'met' if feed_n / feed_s >= 5000 else 'MISSED'}")
            if feed_n < sql_n:
                raise SystemExit(f"the feed served {feed_n} changes, the outbox holds {sql_n}")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
