"""Ingest benchmark: the LP, LG and EX connectors into the raw layer, beside a plain COPY of the
same rows from a prepared file and two pandas baselines, with each one's peak memory.

    .venvs/main/bin/python bench/ingest_bench.py --rows 1000000            # LP, LG (MariaDB) and EX
    .venvs/main/bin/python bench/ingest_bench.py --rows 1000000 --connector lp
    .venvs/main/bin/python bench/ingest_bench.py --rows 200000 --connector lg --lg-source sqlite
    .venvs/main/bin/python bench/ingest_bench.py --rows 100000,400000      # memory at two sizes
    .venvs/main/bin/python bench/ingest_bench.py --rows 100000 --connector ex --ex-format xlsx

Every measurement runs in its own process (peak memory is that process's maximum resident set)
against its own throw-away warehouse on the configured PostgreSQL; the LG source is a throw-away
MariaDB database (or SQLite file) of synthetic cases, EX a drop folder of GB18030 CSV (or XLSX)
files of 50,000 rows, each with a title row and a totals row, LP the case-entry service (uvicorn,
one worker, on a throw-away database) whose change feed holds --rows changes: cases copied in bulk
from one registered through its API, as bench/service_bench.py loads them (about 3 changes per
case: the case, its penalty, its first step). For LP "rows" are feed changes, spread over the
raw.lp_<entity> tables; the service answering the feed runs on the same two cores and its time
is part of every LP figure, baselines included.

What each line measures:
- connector: the connector end to end, from the source to committed raw rows (reading, checks,
  hashing, versioning against the raw layer, the load log).
- plain COPY from file: the rows the connector wrote (exported from its raw table), COPY'd from a
  prepared file into the same table with the same indexes and foreign keys. No reading of the
  source, no checks: the limit. (EX also keeps every row as read in raw.ex_file_row, so the EX
  connector writes each row twice; this COPY writes raw.ex_case_row only.)
- pandas, read + to_sql: what people write first for this job, timed end to end like the
  connector: pd.read_sql of the LG table (pd.read_csv / pd.read_excel of each EX file, encoding
  given rather than detected, title and totals rows dropped; for LP requests paging through the
  feed 5,000 changes at a time into a DataFrame split by entity), the bookkeeping columns the raw table requires added in pandas (batch id,
  key, sha256 of the row, extraction time; EX: file id and row number), then DataFrame.to_sql
  (chunks of 10,000; SQLAlchemy's insertmanyvalues) into the same raw table. It does none of
  the connector's checks (no versioning, no set-aside rows, no repair) and holds everything in
  memory, so it reads at most --to-sql-rows source rows (whole EX files); its rate is compared.
- pandas, to_sql only: DataFrame.to_sql of the exported rows, already in memory and typed; only
  the write is timed (at most --to-sql-rows rows). Shown so that nobody takes the end-to-end
  figure for the write alone: with insertmanyvalues the write by itself is not slow.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.lp import ENTITIES as LP_ENTITIES  # noqa: E402

LG_COLUMNS = ["ajbh", "ajlx", "cxlx", "ay", "sxbm", "dsr", "dsrlx", "zjhm", "ajly", "fadd", "xzqh", "larq", "cfjdsh",
              "cfjdrq", "cfzl", "fkje", "msje", "sdrq", "jarq", "zt", "zfry", "jgid", "gxsj"]
LG_SCHEMA = ROOT.parent / "shared" / "legacy" / "lg-schema.sql"
EX_PER_FILE = 50000
MARIADB = dict(host="127.0.0.1", port=3306, user="root", password="", charset="utf8mb4")
LP_TABLES = [f"lp_{e}" for e in LP_ENTITIES]
LP_USER = ("admin", "bench-admin-password")
TABLES = {"lg": ["lg_t_ajxx"], "ex": ["ex_case_row"], "lp": LP_TABLES}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(**values) -> None:
    print("RESULT " + json.dumps(values, ensure_ascii=False), flush=True)


# --- synthetic sources --------------------------------------------------------------------

def _schema_statements() -> list[str]:
    import re
    text = LG_SCHEMA.read_text(encoding="utf-8")
    return [s for s in re.split(r";[ \t]*\n", text + "\n")
            if any(line.strip() and not line.strip().startswith("--") for line in s.splitlines())]


def make_mariadb_lg(rows: int) -> tuple[str, str]:
    """A MariaDB LG with ``rows`` cases, filled by the server itself (the Sequence engine)."""
    import pymysql
    name = f"bench_lg_{secrets.token_hex(4)}"
    conn = pymysql.connect(autocommit=True, **MARIADB)
    cur = conn.cursor()
    cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    cur.execute(f"USE `{name}`")
    for statement in _schema_statements():
        cur.execute(statement)
    # About one row in ten thousand is double-encoded, one in ten has no gxsj.
    cur.execute(f"""
        INSERT INTO t_ajxx
        SELECT CONCAT('BN', LPAD(seq, 9, '0')), ELT(1 + seq % 4, '处罚', '行政处罚', '检查', '查封'),
               ELT(1 + seq % 3, '一般', '简易程序', ''),
               IF(seq % 10000 = 7, CONVERT(CONVERT(CAST(CONVERT('占道经营' USING utf8mb4) AS BINARY) USING latin1) USING utf8mb4),
                  CONCAT('擅自占用城市道路堆放物料', seq % 97)),
               IF(seq % 3 = 0, '', CONCAT('440100-CG-', LPAD(seq % 500, 4, '0'))),
               CONCAT('某建材有限公司', seq % 1000), ELT(1 + seq % 3, '个人', '企业', '个体户'),
               CONCAT('440106', 19700000 + seq % 300000, LPAD(seq % 1000, 3, '0'), 'X'),
               ELT(1 + seq % 3, '巡查发现', '群众举报', '12345转办'), CONCAT('某路', seq % 300, '号'), '440106',
               CONCAT('2023-', 1 + seq % 12, '-', 1 + seq % 28), CONCAT('穗城管罚字〔2023〕', seq, '号'),
               '2023/6/20', '罚款', ELT(1 + seq % 3, '5,000.00', '5000元', ''), '', '20230625', '2023-07-10',
               ELT(1 + seq % 4, '在办', '结案', '归档', '已结'), '张三(44010020150012),李四(44010020150013)',
               1 + seq % 20, IF(seq % 10 = 0, NULL, TIMESTAMP('2023-01-01') + INTERVAL seq SECOND)
        FROM seq_1_to_{rows}""")
    conn.close()
    return name, f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"


def drop_mariadb_lg(name: str) -> None:
    import pymysql
    conn = pymysql.connect(autocommit=True, **MARIADB)
    conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    conn.close()


def make_sqlite_lg(rows: int, folder: Path) -> str:
    path = folder / "lg.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(LG_SCHEMA.read_text(encoding="utf-8").replace(
            "BIGINT PRIMARY KEY AUTO_INCREMENT", "INTEGER PRIMARY KEY AUTOINCREMENT"))
        db.executemany(f"INSERT INTO t_ajxx VALUES ({', '.join('?' * len(LG_COLUMNS))})", (
            (f"BN{i:09d}", "行政处罚", "一般程序", f"擅自占用城市道路堆放物料{i % 97}", "440100-CG-0031",
             f"某建材有限公司{i % 1000}", "企业", "91440106MA59ABCD1M", "巡查发现", f"某路{i % 300}号", "440106",
             "2023年5月6日", f"穗城管罚字〔2023〕{i}号", "2023/6/20", "罚款", "5,000.00", "", "20230625",
             "2023-07-10", "结案", "张三(44010020150012),李四(44010020150013)", 1 + i % 20,
             None if i % 10 == 0 else f"2023-07-10 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}")
            for i in range(1, rows + 1)))
    return f"sqlite:///{path}"


@contextlib.contextmanager
def lp_service(rows: int) -> Iterator[str]:
    """The case-entry service on a throw-away database whose change feed holds about ``rows`` changes."""
    sys.path.insert(0, str(ROOT / "bench"))
    from service_bench import OFFICER, bulk_load, case_body, reference_data, start_server, token
    from sqlalchemy import create_engine, text
    from caseentry.database import normalise_url
    from caseentry.migrate import upgrade
    from caseentry.users import ensure_user
    from jiandu.testing import temp_database
    import httpx
    with temp_database("bench_lp") as db_url:
        upgrade(db_url)
        ensure_user(db_url, *LP_USER, "admin")
        proc, base = start_server(db_url, workers=1)
        try:
            ref = reference_data(base, token(base, LP_USER))
            r = httpx.post(f"{base}/api/v1/cases", json=case_body(ref, 0), timeout=30,
                           headers={"Authorization": f"Bearer {token(base, OFFICER)}"})
            r.raise_for_status()
            template = r.json()["id"]
            engine = create_engine(normalise_url(db_url))
            count_sql = text("select count(*) filter (where record_key = :k or record_key like :k || '|%'), count(*)"
                             " from change_outbox")
            with engine.connect() as conn:
                per_case, held = conn.execute(count_sql, {"k": f"LP:{template}"}).one()
            bulk_load(db_url, template, max(0, (rows - held) // per_case))
            with engine.connect() as conn:
                print(f"  the feed holds {conn.execute(count_sql, {'k': ''}).one()[1]} changes"
                      f" ({per_case} per case)", flush=True)
            engine.dispose()
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _ex_rows(unit: str, count: int) -> Iterator[list]:
    for i in range(count):
        yield [i + 1, "某区市场监督管理局", unit, "行政处罚", f"SJ2026-{i:07d}", "440100-CG-0031",
               f"某建材有限公司{i % 1000}", "法人", "统一社会信用代码", "91440106MA59ABCD1M", "巡查发现",
               "2026-3-5", f"穗市监罚〔2026〕{i}号", "2026/3/20", "罚款、警告", "3000元", "", "", "",
               "2026-03-25", "已结案", "44010620160001、44010620160002"]


def make_ex_files(rows: int, drop_dir: Path, per_file: int = EX_PER_FILE, file_format: str = "csv") -> None:
    from connectors.ex_read import TEMPLATE
    inbox = drop_dir / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    headers = [h for _, h in TEMPLATE]
    title = "某区市场监督管理局2026年3月行政执法数据报送表"
    done = 0
    unit_no = 0
    while done < rows:
        unit_no += 1
        unit = f"1144010{unit_no:04d}MB2C9213"[:18]
        count = min(per_file, rows - done)
        totals = ["合计", f"{count}件"] + [""] * (len(headers) - 2)
        if file_format == "xlsx":
            import openpyxl
            wb = openpyxl.Workbook(write_only=True)
            ws = wb.create_sheet("报送表")
            ws.append([title])
            ws.append(headers)
            for row in _ex_rows(unit, count):
                ws.append(row)
            ws.append(totals)
            wb.save(inbox / f"{unit}_202603.xlsx")
        else:
            with open(inbox / f"{unit}_202603.csv", "w", encoding="gb18030", newline="") as f:
                f.write(title + "\n")
                w = csv.writer(f)
                w.writerow(headers)
                w.writerows(_ex_rows(unit, count))
                w.writerow(totals)
        done += count


# --- measured steps (each in its own process) -----------------------------------------------

def step_lg(lg_url: str, warehouse_url: str, export: str) -> None:
    import psycopg
    from jiandu.db import libpq_url
    from connectors.lg import sync_lg
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        t0 = time.perf_counter()
        first = sync_lg(lg_url, conn, tables=("t_ajxx",))["t_ajxx"]
        t1 = time.perf_counter()
        again = sync_lg(lg_url, conn, tables=("t_ajxx",), full_compare=True)["t_ajxx"]
        t2 = time.perf_counter()
        _export(conn, "lg_t_ajxx", f"{export}.lg_t_ajxx")
    emit(first_seconds=t1 - t0, rows=first["read"], loaded=first["loaded"], repaired=first["repaired"],
         compare_seconds=t2 - t1, compare_loaded=again["loaded"], peak_mb=peak_mb())


def step_ex(drop_dir: str, warehouse_url: str, export: str) -> None:
    import psycopg
    from jiandu.db import libpq_url
    from connectors.ex import sync_ex
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        t0 = time.perf_counter()
        result = sync_ex(Path(drop_dir), conn)
        t1 = time.perf_counter()
        _export(conn, "ex_case_row", f"{export}.ex_case_row")
        _export(conn, "ex_file", f"{export}.ex_file")
    emit(first_seconds=t1 - t0, rows=result["rows_read"], loaded=result["versions"], peak_mb=peak_mb())


def step_lp(base: str, warehouse_url: str, export: str) -> None:
    import psycopg
    from connectors.lp import LPClient, sync_lp
    from jiandu.db import libpq_url
    client = LPClient(base, *LP_USER)
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        t0 = time.perf_counter()
        totals = sync_lp(client, conn)
        t1 = time.perf_counter()
        again = sync_lp(client, conn)
        t2 = time.perf_counter()
        for table in LP_TABLES:
            _export(conn, table, f"{export}.{table}")
    loaded = sum(v for k, v in totals.items() if not k.startswith("_"))
    emit(first_seconds=t1 - t0, rows=loaded, loaded=loaded, pages=totals.get("_pages", 0),
         again_seconds=t2 - t1, again_loaded=sum(v for k, v in again.items() if not k.startswith("_")),
         peak_mb=peak_mb())


def _columns(conn, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "select attname from pg_attribute where attrelid = %s::regclass and attnum > 0 and not attisdropped"
        " and attname not in ('_raw_id', 'file_id') order by attnum", (f"raw.{table}",))]


def _export(conn, table: str, path: str) -> None:
    cols = ", ".join(_columns(conn, table))
    with open(path, "wb") as f, conn.cursor().copy(f"copy (select {cols} from raw.{table}) to stdout") as copy:
        for block in copy:
            f.write(block)


def _prepare_target(conn, table: str, export: str) -> None:
    """The same batch (and, for EX, the same files) the exported rows refer to."""
    # Batch ids as in the connector's warehouse (one per EX file): enough of them.
    conn.execute("insert into ops.load_batch (source, stream) select 'LG', 'bench' from generate_series(1, 1000)")
    if table == "ex_case_row":
        cols = ", ".join(_columns(conn, "ex_file"))
        with conn.cursor().copy(f"copy raw.ex_file ({cols}) from stdin") as copy, open(f"{export}.ex_file", "rb") as f:
            copy.write(f.read())
        conn.execute("update raw.ex_file set superseded_by = null")
    conn.commit()


def step_copy(tables: str, warehouse_url: str, export: str) -> None:
    import psycopg
    from jiandu.db import libpq_url
    names = tables.split(",")
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        _prepare_target(conn, names[0], export)
        columns = {t: ", ".join(_columns(conn, t)) for t in names}
        t0 = time.perf_counter()
        for table in names:
            with conn.cursor().copy(f"copy raw.{table} ({columns[table]}) from stdin") as copy, \
                    open(f"{export}.{table}", "rb") as f:
                while block := f.read(1 << 20):
                    copy.write(block)
        conn.commit()
        t1 = time.perf_counter()
        rows = sum(conn.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in names)
    emit(first_seconds=t1 - t0, rows=rows, peak_mb=peak_mb())


def _raw_dtypes(table: str) -> dict:
    """What to_sql must be told: LP's payload is jsonb (a dict per row, serialised by SQLAlchemy)."""
    from sqlalchemy.dialects.postgresql import JSONB
    return {"payload": JSONB} if table.startswith("lp_") else {}


def step_to_sql(tables: str, warehouse_url: str, export: str, limit: int) -> None:
    import pandas as pd
    import psycopg
    from sqlalchemy import create_engine
    from jiandu.db import libpq_url
    names = tables.split(",")
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        _prepare_target(conn, names[0], export)
        columns = {t: _columns(conn, t) for t in names}
    frames = {}
    left = limit
    for table in names:
        if left <= 0:
            break
        frame = pd.read_csv(f"{export}.{table}", sep="\t", header=None, names=columns[table], dtype=str, nrows=left,
                            na_values=["\\N"], keep_default_na=False, quoting=csv.QUOTE_NONE)
        # The columns' own types (to_sql sends text as VARCHAR, which bigint and timestamptz refuse).
        frame = frame.drop(columns=[c for c in ("_notes",) if c in frame])
        for c in ("_batch_id", "_file_id", "_row_no"):
            if c in frame:
                frame[c] = frame[c].astype("int64")
        frame["_extracted_at"] = pd.to_datetime(frame["_extracted_at"], utc=True, format="ISO8601")
        if "payload" in frame:   # jsonb in COPY's text format: only backslashes are escaped
            frame["payload"] = frame["payload"].map(lambda v: json.loads(v.replace("\\\\", "\\"))
                                                    if isinstance(v, str) else None)
        frames[table] = frame
        left -= len(frame)
    engine = create_engine(warehouse_url)
    t0 = time.perf_counter()
    for table, frame in frames.items():
        frame.to_sql(table, engine, schema="raw", if_exists="append", index=False, chunksize=10000,
                     dtype=_raw_dtypes(table))
    t1 = time.perf_counter()
    engine.dispose()
    emit(first_seconds=t1 - t0, rows=sum(len(f) for f in frames.values()), peak_mb=peak_mb())


def _sha256_rows(frame) -> "pd.Series":
    """sha256 of each row's values joined by U+001F (NULL as empty): the hash people reach for."""
    import hashlib
    joined = frame.where(frame.notna(), "").astype(str).agg("\x1f".join, axis=1)
    return joined.map(lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest())


def _read_lg_frame(source: str, limit: int):
    import pandas as pd
    from sqlalchemy import create_engine
    engine = create_engine(source)
    try:
        frame = pd.read_sql(f"select * from t_ajxx order by ajbh limit {limit}", engine)
    finally:
        engine.dispose()
    frame = frame.astype(object).where(frame.notna(), None)
    content = frame[LG_COLUMNS]
    frame["_source_key"] = frame["ajbh"].str.rstrip(" ").str.upper()
    frame["_op"] = "upsert"
    frame["_content_hash"] = _sha256_rows(content)
    frame["_record_version"] = frame["gxsj"].map(lambda v: str(v)[:19].replace(" ", "T") + "+08:00" if v else None)
    return [("lg_t_ajxx", frame)]


def _read_ex_frames(drop_dir: str, limit: int, file_ids: dict[str, int]):
    """Each file as people read it: skip the title row, every column as text, drop the totals row."""
    import pandas as pd
    from connectors.ex_read import TEMPLATE
    by_header = {h: c for c, h in TEMPLATE}
    files = sorted((Path(drop_dir) / "processed").iterdir())
    done = 0
    for path in files:
        if done >= limit:
            break
        if path.suffix == ".xlsx":
            frame = pd.read_excel(path, header=1, dtype=str)
        else:
            frame = pd.read_csv(path, header=1, dtype=str, encoding="gb18030", keep_default_na=False)
            frame = frame.replace("", None)
        frame = frame[frame["序号"] != "合计"].rename(columns=by_header)
        unit, month = path.stem.split("_")
        frame["_file_id"] = file_ids[path.name]
        frame["_row_no"] = frame.index + 3
        frame["_report_month"] = month
        frame["_source_key"] = "EX:" + unit + ":" + frame["case_no"]
        frame["_op"] = "upsert"
        frame["_content_hash"] = _sha256_rows(frame[[c for c, _ in TEMPLATE[1:]]])
        frame["_record_version"] = "2026-03-31T00:00:00+08:00"
        done += len(frame)
        yield "ex_case_row", frame


def _read_lp_frames(base: str, limit: int):
    """The feed as people read it: requests page by page, a DataFrame per page, split by entity."""
    import hashlib
    import pandas as pd
    import requests
    session = requests.Session()
    r = session.post(f"{base}/api/v1/auth/token", json={"username": LP_USER[0], "password": LP_USER[1]}, timeout=60)
    r.raise_for_status()
    session.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    after, done = None, 0
    while done < limit:
        r = session.get(f"{base}/api/v1/changes", params={"limit": 5000} | ({"after": after} if after else {}),
                        timeout=120)
        r.raise_for_status()
        page = r.json()
        frame = pd.DataFrame(page["changes"])
        if frame.empty:
            break
        if "data" not in frame:
            frame["data"] = None
        frame = frame.rename(columns={"key": "_source_key", "op": "_op", "cursor": "_change_cursor",
                                      "data": "payload"})
        frame["_content_hash"] = frame["payload"].map(lambda d: hashlib.sha256(
            json.dumps(d, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest())
        frame["_record_version"] = frame["payload"].map(
            lambda d: d.get("record_version") if isinstance(d, dict) else None).fillna(frame["changed_at"])
        for entity, part in frame.groupby("entity"):
            yield f"lp_{entity}", part.drop(columns=["entity", "changed_at"])
        done += len(frame)
        after = page["next_cursor"]
        if not page["has_more"]:
            break


def step_to_sql_e2e(connector: str, source: str, tables: str, warehouse_url: str, export: str, limit: int) -> None:
    import datetime as dt
    import psycopg
    from sqlalchemy import create_engine
    from jiandu.db import libpq_url
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        _prepare_target(conn, tables.split(",")[0], export)
        batch_id = conn.execute("select min(batch_id) from ops.load_batch").fetchone()[0]
        file_ids = dict(conn.execute("select file_name, file_id from raw.ex_file").fetchall())
    engine = create_engine(warehouse_url)
    rows = 0
    write_seconds = 0.0
    t0 = time.perf_counter()
    frames = {"lg": lambda: _read_lg_frame(source, limit), "ex": lambda: _read_ex_frames(source, limit, file_ids),
              "lp": lambda: _read_lp_frames(source, limit)}[connector]()
    for table, frame in frames:
        frame["_batch_id"] = batch_id
        frame["_extracted_at"] = dt.datetime.now(dt.timezone.utc)
        t_write = time.perf_counter()
        frame.to_sql(table, engine, schema="raw", if_exists="append", index=False, chunksize=10000,
                     dtype=_raw_dtypes(table))
        write_seconds += time.perf_counter() - t_write
        rows += len(frame)
    t1 = time.perf_counter()
    engine.dispose()
    emit(first_seconds=t1 - t0, rows=rows, write_seconds=write_seconds, peak_mb=peak_mb())


# --- orchestration --------------------------------------------------------------------------

COPY_LABEL = "plain COPY from file (the limit)"
E2E_LABEL = "pandas {reader} + to_sql, end to end"
WRITE_LABEL = "pandas to_sql only (frame in memory)"


def run_step(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "_step", *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"step {args[0]} failed:\n{out.stderr[:3000]}")
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def bench_size(connector: str, rows: int, lg_source: str, to_sql_rows: int, workdir: Path,
               ex_format: str = "csv") -> list[dict]:
    from jiandu.testing import temp_database
    from jiandu.warehouse.migrate import apply
    tables = ",".join(TABLES[connector])
    export = str(workdir / f"{connector}_{rows}")
    results = []
    with contextlib.ExitStack() as stack:
        t0 = time.perf_counter()
        if connector == "lg":
            if lg_source == "sqlite":
                source = make_sqlite_lg(rows, workdir)
            else:
                source_db, source = make_mariadb_lg(rows)
                stack.callback(drop_mariadb_lg, source_db)
        elif connector == "lp":
            source = stack.enter_context(lp_service(rows))
        else:
            source = str(workdir / f"drop_{rows}")
            make_ex_files(rows, Path(source), file_format=ex_format)
        print(f"  prepared {rows} source rows in {time.perf_counter() - t0:.1f} s", flush=True)
        with temp_database("bench_wh") as url:
            apply(url)
            r = run_step(connector, source, url, export)
        results.append({"method": f"{connector} connector", **r})
        if connector == "lg":
            results.append({"method": "  same, full compare again (nothing changed)",
                            "first_seconds": r["compare_seconds"], "rows": r["rows"], "peak_mb": r["peak_mb"]})
        if connector == "lp":
            print(f"  lp connector: {r['pages']} pages; run again from the stored cursor: {r['again_loaded']} rows"
                  f" in {r['again_seconds']:.2f} s", flush=True)
        reader = {"lg": "read_sql", "lp": "requests"}.get(connector) or (
            "read_excel" if ex_format == "xlsx" else "read_csv")
        for method, args in (
                (COPY_LABEL, ("copy", tables, "{url}", export)),
                (E2E_LABEL.format(reader=reader), ("to_sql_e2e", connector, source, tables, "{url}", export,
                                                   str(to_sql_rows))),
                (WRITE_LABEL, ("to_sql", tables, "{url}", export, str(to_sql_rows)))):
            with temp_database("bench_wh") as url:
                apply(url)
                results.append({"method": method, **run_step(*[a.format(url=url) for a in args])})
    return results


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_step":
        kind, *rest = sys.argv[2:]
        if kind == "lg":
            step_lg(*rest)
        elif kind == "ex":
            step_ex(*rest)
        elif kind == "lp":
            step_lp(*rest)
        elif kind == "copy":
            step_copy(*rest)
        elif kind == "to_sql_e2e":
            step_to_sql_e2e(*rest[:5], int(rest[5]))
        elif kind == "to_sql":
            step_to_sql(rest[0], rest[1], rest[2], int(rest[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="100000", help="source rows; several sizes separated by commas")
    parser.add_argument("--connector", choices=["lp", "lg", "ex", "all"], default="all")
    parser.add_argument("--lg-source", choices=["mariadb", "sqlite"], default="mariadb")
    parser.add_argument("--to-sql-rows", type=int, default=200000,
                        help="source rows the pandas baselines load at most (they hold them all in memory)")
    parser.add_argument("--ex-format", choices=["csv", "xlsx"], default="csv")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (other work on the machine skews every figure)")
    with tempfile.TemporaryDirectory(prefix="ingest_bench_") as tmp:
        for rows in [int(x) for x in args.rows.split(",")]:
            for connector in (["lp", "lg", "ex"] if args.connector == "all" else [args.connector]):
                print(f"\n{connector.upper()} at {rows} rows" + (f" ({args.ex_format})" if connector == "ex" else ""),
                      flush=True)
                results = bench_size(connector, rows, args.lg_source, args.to_sql_rows, Path(tmp), args.ex_format)
                rate_of = {r["method"]: r["rows"] / r["first_seconds"] for r in results}
                copy_rate = rate_of[COPY_LABEL]
                e2e_rate = next(v for k, v in rate_of.items() if k.endswith("end to end"))
                write_rate = rate_of[WRITE_LABEL]
                print(f"  {'method':46} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'vs COPY':>8}"
                      f" {'vs pandas e2e':>13} {'vs to_sql only':>14} {'peak MB':>8}")
                for r in results:
                    rate = r["rows"] / r["first_seconds"]
                    print(f"  {r['method']:46} {r['rows']:>9} {r['first_seconds']:>8.1f} {rate:>9.0f}"
                          f" {rate / copy_rate:>8.2f} {rate / e2e_rate:>13.2f} {rate / write_rate:>14.2f}"
                          f" {r['peak_mb']:>8.0f}")
                    if "write_seconds" in r:
                        print(f"  {'':4}(of which to_sql {r['write_seconds']:.1f} s; reading and preparing the frames"
                              f" {r['first_seconds'] - r['write_seconds']:.1f} s)")
        print(f"\n  load average now: {os.getloadavg()[0]:.2f}", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
