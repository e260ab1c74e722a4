"""How fast the demo-data generator writes each source.

    .venvs/main/bin/python bench/generate_bench.py --cases 100000
    .venvs/main/bin/python bench/generate_bench.py --cases 1000000 --skip-mariadb

Prints cases per second for: building the universe's cases, LG into SQLite and into MariaDB
(a throw-away database bench_lg_<random>, dropped afterwards), EX report files, LP request
bodies, the whole `generate` (LG in SQLite), and a 1% change of LG (mutate_lg). Each writer
builds only its own source's cases, so its rate counts that source's cases; "all" counts every
case of the universe walked through.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pymysql

from jiandu.demo import Universe, generate, lp_requests, mutate_lg, write_ex, write_lg


def _line(label: str, n: int, seconds: float, total: int | None = None) -> None:
    rate = n / seconds if seconds else float("inf")
    extra = f"  ({total / seconds:,.0f} universe cases/s)" if total else ""
    print(f"{label:<28} {n:>10,} cases in {seconds:8.1f} s = {rate:>10,.0f} cases/s{extra}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 4, 15))
    ap.add_argument("--mariadb", default="127.0.0.1:3306", help="host:port of MariaDB (user root, no password)")
    ap.add_argument("--skip-mariadb", action="store_true")
    args = ap.parse_args(argv)
    n, seed, as_of = args.cases, args.seed, args.as_of
    work = Path(tempfile.mkdtemp(prefix="jiandu-bench-"))
    print(f"{n:,} cases, seed {seed}, as of {as_of}; scratch {work}", flush=True)
    try:
        u = Universe(seed, n, as_of)
        counts = {src: sum(1 for i in range(n) if u.case_source(i) == src) for src in ("LP", "LG", "EX")}
        t = time.perf_counter()
        for _ in u.iter_cases():
            pass
        _line("universe (all cases)", n, time.perf_counter() - t)

        t = time.perf_counter()
        rows = write_lg(f"sqlite:///{work / 'lg.db'}", Universe(seed, n, as_of))
        _line("LG into SQLite", counts["LG"], time.perf_counter() - t, n)
        print(f"{'':<28} rows: {rows}", flush=True)

        if not args.skip_mariadb:
            host, port = args.mariadb.split(":")
            name = f"bench_lg_{secrets.token_hex(4)}"
            try:
                t = time.perf_counter()
                write_lg(f"mysql+pymysql://root@{host}:{port}/{name}?charset=utf8mb4", Universe(seed, n, as_of))
                _line("LG into MariaDB", counts["LG"], time.perf_counter() - t, n)
            finally:
                conn = pymysql.connect(host=host, port=int(port), user="root", password="")
                with conn.cursor() as cur:
                    cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
                conn.close()

        t = time.perf_counter()
        files = write_ex(work / "exchange", Universe(seed, n, as_of))
        _line("EX report files", counts["EX"], time.perf_counter() - t, n)
        print(f"{'':<28} files: {len(files):,}", flush=True)

        t = time.perf_counter()
        requests = sum(1 for _ in lp_requests(Universe(seed, n, as_of)))
        _line("LP request bodies", counts["LP"], time.perf_counter() - t, n)
        print(f"{'':<28} requests: {requests:,}", flush=True)

        shutil.rmtree(work / "exchange", ignore_errors=True)
        t = time.perf_counter()
        summary = generate(n, seed, lg_url=f"sqlite:///{work / 'lg-all.db'}", drop_dir=work / "exchange", as_of=as_of)
        _line("generate (LG in SQLite)", n, time.perf_counter() - t)

        t = time.perf_counter()
        changed = mutate_lg(f"sqlite:///{work / 'lg-all.db'}", seed, 0.01, as_of + dt.timedelta(days=1))
        seconds = time.perf_counter() - t
        print(f"{'mutate_lg 1%':<28} {changed['changed']:>10,} changed, {len(changed['deleted'])} deleted, "
              f"{changed['steps_appended']:,} steps appended in {seconds:.1f} s", flush=True)
        print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB; "
              f"summary: {summary['cases_by_source']}, {summary['ex_files']} EX files, "
              f"{summary['lp_requests']:,} LP requests", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
