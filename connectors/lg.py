"""LG, the old case-handling database, into the raw layer (raw.lg_t_*).

Read-only, through SQLAlchemy: MariaDB (mysql+pymysql / mariadb+pymysql) or, for the embedded demo,
SQLite with the same schema. One load batch per table, committed on its own:

- t_ajxx: rows whose gxsj moved since the stored position (re-reading a few minutes back, since gxsj
  has second resolution and a writer may commit late; equal content is not stored twice). With
  ``full_compare`` (nightly) and on the first run, every row is read and compared by key and hash
  with the raw layer's latest rows, which also finds rows changed without gxsj and rows deleted.
- t_jg, t_ry, t_qzcs: no timestamp; compared by key and hash on every run.
- t_ajlc: append-only, read by lcid past the stored position (a little back again: an
  auto-increment id can commit out of order); compared in full with ``full_compare`` too, so that
  steps deleted with their case are seen.

Rows are streamed, never a whole table in memory: the source packs each row into one delimited
value; MariaDB is read in key order, a few thousand rows per query returned as ONE value (pymysql
parses every result row in Python, which cost more than all the rest), SQLite with one streamed
query. A thread reads the next chunk while this one is checked, hashed and COPY'd into a staging
table, which is then compared inside PostgreSQL with the raw layer's latest rows; a first load
into an empty raw table is COPY'd straight into it.

Keys are compared as MariaDB compares them (case-insensitive, trailing spaces ignored):
``_source_key`` is the key without trailing spaces, upper-cased; the key column keeps the value
as read. Double-encoded text is repaired when provably reversible (``connectors.mojibake``): raw
keeps the repaired text and the row's ``_notes`` keep the original, shown to stewards in
``quality.connector_note``; a value that cannot be repaired sets its row aside.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator

import psycopg
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection as SourceConnection, Engine
from sqlalchemy.pool import NullPool

from connectors import mojibake
from connectors.batches import Batch, get_position, load_batch
from connectors.raw_versions import (
    SOURCE_TZ, STAGE_META, CopyWriter, copy_field, batch_now, content_hash_fast, create_stage,
    insert_new_versions, notes_json, record_deletions, record_version_text, reject_once,
)

log = logging.getLogger(__name__)

SOURCE = "LG"
CHUNK_ROWS = 5000
GXSJ_OVERLAP = dt.timedelta(minutes=10)
LCID_OVERLAP = 1000
REJECT_FLUSH = 1000          # set-aside rows held while a COPY runs, at most
_SEP = "\x1f"


@dataclass(frozen=True)
class LgTable:
    name: str
    columns: tuple[str, ...]     # as in LG and in raw.lg_<name>; the key first
    int_key: bool
    mode: str                    # compare | changed (gxsj) | append (lcid)

    @property
    def key(self) -> str:
        return self.columns[0]

    @property
    def raw_table(self) -> str:
        return f"lg_{self.name}"


TABLES: tuple[LgTable, ...] = (
    LgTable("t_jg", ("jgid", "jgmc", "tyshxydm", "xzqh", "jb"), True, "compare"),
    LgTable("t_ry", ("ryid", "xm", "sfzh", "zfzh", "jgid", "zjyxq"), True, "compare"),
    LgTable("t_ajxx", ("ajbh", "ajlx", "cxlx", "ay", "sxbm", "dsr", "dsrlx", "zjhm", "ajly", "fadd", "xzqh",
                       "larq", "cfjdsh", "cfjdrq", "cfzl", "fkje", "msje", "sdrq", "jarq", "zt", "zfry",
                       "jgid", "gxsj"), False, "changed"),
    LgTable("t_qzcs", ("qzid", "ajbh", "csfs", "ksrq", "qx", "yqts", "jcrq"), True, "compare"),
    LgTable("t_ajlc", ("lcid", "ajbh", "hjmc", "kssj", "jssj", "blr", "yj"), True, "append"),
)
TABLES_BY_NAME = {t.name: t for t in TABLES}


class LgSyncError(RuntimeError):
    """One or more tables failed (their batches are marked failed); ``result`` has the others."""

    def __init__(self, message: str, result: dict):
        super().__init__(message)
        self.result = result


def normalise_key(value: str | None, int_key: bool) -> str | None:
    """The key as MariaDB compares it: trailing spaces ignored, case-insensitive (upper-cased)."""
    if value is None:
        return None
    if int_key:
        v = value.strip()
        try:
            return str(int(v))
        except ValueError:
            return None
    v = value.rstrip(" ")
    return v.upper() if v else None


def parse_gxsj(value: str | None) -> dt.datetime | None:
    """LG's DATETIME as naive local time to the second; None when absent or invalid (0000-00-00)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(SOURCE_TZ).replace(tzinfo=None)
    return moment.replace(microsecond=0) if moment.microsecond else moment


# --- reading the source -------------------------------------------------------------------

def _is_mysql(engine: Engine) -> bool:
    return engine.dialect.name in ("mysql", "mariadb")


def _packed_expr(engine: Engine, table: LgTable) -> str:
    """One value per row: '=' + value (or '' for NULL) per column, joined by U+001F, as bytes
    (decoded here, so that a value that is not UTF-8 sets its row aside instead of the batch)."""
    if _is_mysql(engine):
        parts = ", ".join(f"COALESCE(CONCAT('=', `{c}`), '')" for c in table.columns)
        return f"CAST(CONCAT_WS(X'1F', {parts}) AS BINARY)"
    parts = " || char(31) || ".join(f"COALESCE('=' || \"{c}\", '')" for c in table.columns)
    return f"CAST({parts} AS BLOB)"


def _plain_select_by_key(engine: Engine, table: LgTable) -> str:
    if _is_mysql(engine):
        cols = ", ".join(f"CAST(`{c}` AS BINARY)" for c in table.columns)
        return f"SELECT {cols} FROM `{table.name}` WHERE `{table.key}` = :k"
    cols = ", ".join(f'CAST("{c}" AS BLOB)' for c in table.columns)
    return f'SELECT {cols} FROM "{table.name}" WHERE "{table.key}" = :k'


def _mysql_chunks(engine: Engine, table: LgTable, cond: str, params: dict) -> Iterator[_Chunk]:
    """MariaDB: the rows in key order, a few thousand per query, each chunk as ONE value
    (GROUP_CONCAT of the packed rows). pymysql parses every result row in Python, which cost more
    than the rest of the connector; this way it parses one per chunk. The reads share one
    REPEATABLE READ snapshot, so the chunks add up to one consistent read of the table."""
    key = f"`{table.key}`"
    packed = _packed_expr(engine, table)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as sconn:
        sconn.exec_driver_sql("SET SESSION group_concat_max_len = @@global.max_allowed_packet")
        after = None
        while True:
            where = " AND ".join(c for c in (cond, f"{key} > :after" if after is not None else "") if c)
            inner = (f"SELECT {key} AS k, {packed} AS p FROM `{table.name}`"
                     f"{' WHERE ' + where if where else ''} ORDER BY {key} LIMIT {CHUNK_ROWS}")
            count, last, blob = sconn.execute(
                text(f"SELECT COUNT(*), MAX(k), GROUP_CONCAT(p SEPARATOR X'1E') FROM ({inner}) x"),
                {**params, "after": after}).one()
            if not count:
                return
            blob = bytes(blob) if blob is not None else b""
            rows = blob.split(b"\x1e") if blob else []
            if len(rows) != count:
                # U+001E inside a value, or a chunk longer than the server sends in one value.
                rows = [bytes(r[0]) for r in sconn.execute(text(f"SELECT p FROM ({inner}) x"),
                                                           {**params, "after": after})]
                blob = None
            yield _chunk(rows, blob)
            if count < CHUNK_ROWS:
                return
            after = last


def _sqlite_chunks(engine: Engine, table: LgTable, cond: str, params: dict) -> Iterator[_Chunk]:
    """SQLite (the embedded demo): one streamed query; the sqlite3 module reads rows in C."""
    query = f'SELECT {_packed_expr(engine, table)} FROM "{table.name}"' + (f" WHERE {cond}" if cond else "")
    with engine.connect() as sconn:
        result = sconn.execution_options(stream_results=True, max_row_buffer=CHUNK_ROWS).execute(text(query), params)
        for part in result.partitions(CHUNK_ROWS):
            yield _chunk([bytes(r[0]) for r in part])


@dataclass
class _Chunk:
    rows: list[bytes]
    # Whole-chunk checks (one memchr each) that let the per-row loop skip its own:
    latin: bool      # 0xC3: a UTF-8 lead for U+00C0..U+00FF, which double-encoded text needs
    special: bool    # backslash, tab, newline, CR, NUL: COPY escaping needed, or NUL refused


def _chunk(rows: list[bytes], blob: bytes | None = None) -> _Chunk:
    blob = blob if blob is not None else b"\x1e".join(rows)
    return _Chunk(rows, b"\xc3" in blob, any(c in blob for c in (b"\\", b"\t", b"\n", b"\r", b"\x00")))


def _prefetched(chunks: Iterator[_Chunk], depth: int = 2) -> Iterator[_Chunk]:
    """Read the next chunks in a thread while this one is checked and COPY'd: the source's
    server and the warehouse's work at the same time (the thread waits on sockets, not the GIL)."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def run() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        q.put(chunk, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(end)
        except BaseException as exc:       # handed to the reading side, raised there
            q.put(exc)
        finally:
            chunks.close()

    thread = threading.Thread(target=run, name="lg-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def packed_chunks(engine: Engine, table: LgTable, cond: str = "", params: dict | None = None) -> Iterator[_Chunk]:
    """Every row of ``table`` (matching ``cond``) in the packed form, streamed in chunks."""
    reader = _mysql_chunks if _is_mysql(engine) else _sqlite_chunks
    return _prefetched(reader(engine, table, cond, params or {}))


@dataclass
class _Rejection:
    location: str
    reason: str
    record_key: str | None
    field_name: str | None
    raw_content: str | None


@dataclass
class _TableRun:
    """What one table's read found; the hot loop is in ``_read_into``."""
    table: LgTable
    read: int = 0
    repaired: int = 0
    max_gxsj: dt.datetime | None = None
    max_lcid: int | None = None


def _row_text(table: LgTable, values: list[str | None]) -> str:
    return json.dumps(dict(zip(table.columns, values)), ensure_ascii=False)


def _location(table: LgTable, raw_key: str | None) -> str:
    return f"{table.name} {table.key}={raw_key if raw_key is not None else '（空）'}"


def _decode_plain_row(table: LgTable, row: Any) -> tuple[list[str | None] | None, str | None]:
    values = []
    for col, v in zip(table.columns, row):
        if v is None:
            values.append(None)
            continue
        try:
            values.append(bytes(v).decode("utf-8"))
        except UnicodeDecodeError:
            return None, col
    return values, None


_HASH_PREFIX = hashlib.sha256(b"upsert\x1e")
_NULL_PAIR, _NULL_FILLED = _SEP + _SEP, _SEP + "\\N" + _SEP


def packed(values: list[str | None]) -> str:
    """The source's packed form of a row: '=' + value, or '' for NULL, joined by U+001F."""
    return _SEP.join(["" if v is None else "=" + v for v in values])


def unpack(line: str) -> list[str | None]:
    return [f[1:] if f else None for f in line.split(_SEP)]


def row_hash(packed_bytes: bytes) -> str:
    """A LG row's content hash: sha256 of 'upsert', U+001E and the packed row, taken from the
    bytes the source sent without building anything per value. (A row with U+001F in a value,
    which the packed form cannot carry unambiguously, is hashed by raw_versions.content_hash_fast.)"""
    h = _HASH_PREFIX.copy()
    h.update(packed_bytes)
    return h.hexdigest()


def packed_to_copy(line: str) -> str:
    """A packed row (no U+001F in values, nothing to escape) as COPY text fields, by a few
    replacements over the whole line instead of work per value."""
    s = (_SEP + line + _SEP).replace(_NULL_PAIR, _NULL_FILLED).replace(_NULL_PAIR, _NULL_FILLED)
    return s.replace(_SEP + "=", "\t").replace(_SEP, "\t")[1:-1]


def _read_into(engine: Engine, chunks: Iterator[_Chunk], writer: CopyWriter, run: _TableRun, *,
               fast: bool, batch: Batch, now: dt.datetime, rejections: list[_Rejection], flush) -> None:
    """The hot loop: one packed value per source row -> one COPY line. Only rows that need a
    closer look (double encoding, escaping, U+001F in a value) are split into values."""
    table = run.table
    cols = table.columns
    ncols = len(cols)
    gx_idx = cols.index("gxsj") if "gxsj" in cols else None
    gx_last = gx_idx == ncols - 1
    track_lcid = table.name == "t_ajlc"
    int_key = table.int_key
    now_rv = record_version_text(now)
    latest_allowed = now.replace(tzinfo=None) + dt.timedelta(hours=1)
    fast_prefix = f"{batch.batch_id}\t"
    fast_extracted = f"\t{batch.extracted_at.isoformat()}\t"
    lookup: SourceConnection | None = None
    write_line = writer.write_line
    maybe_mojibake = mojibake.MAYBE.search
    skip_tail = "\t" + "\t".join(["\\N"] * ncols) + "\n"

    def set_aside(raw_key, reason, field_name=None, values=None, content=None, key=None):
        rejections.append(_Rejection(_location(table, raw_key), reason, key or raw_key, field_name,
                                     content if content is not None else
                                     (_row_text(table, values) if values is not None else None)))
        if not fast and key is not None:
            # Still held by the source: its key must not be taken for deleted.
            write_line(f"{copy_field(key)}\tskip\t\t\\N\t\\N{skip_tail}")
        if len(rejections) >= REJECT_FLUSH:
            writer.pause()
            flush()

    try:
        for chunk in chunks:
            latin, special = chunk.latin, chunk.special
            for blob in chunk.rows:
                run.read += 1
                try:
                    line = blob.decode("utf-8")
                except UnicodeDecodeError as exc:
                    shown = blob.decode("utf-8", "replace")
                    raw_key = shown.split(_SEP, 1)[0][1:] or None
                    set_aside(raw_key, f"LG 表 {table.name}（{table.key}={raw_key}）含非 UTF-8 字节"
                              f"（第 {exc.start} 字节起），无法读取，整行暂不入库",
                              content=shown.replace(_SEP, " | "), key=normalise_key(raw_key, int_key))
                    continue
                values = None        # built only for rows that need a closer look
                notes = None
                digest = None
                if line.count(_SEP) != ncols - 1:
                    # A value holds U+001F itself: read this row column by column.
                    raw_key = unpack(line)[0]
                    if lookup is None:
                        lookup = engine.connect()
                    found = lookup.execute(text(_plain_select_by_key(engine, table)), {"k": raw_key}).fetchall()
                    values, bad_col = (_decode_plain_row(table, found[0]) if len(found) == 1 else (None, None))
                    if values is None:
                        set_aside(raw_key, f"LG 表 {table.name}（{table.key}={raw_key}）"
                                  + (f"字段 {bad_col} 含非 UTF-8 字节" if bad_col else "含控制字符 U+001F 且无法按主键单独读取")
                                  + "，无法读取，整行暂不入库",
                                  field_name=bad_col, content=line.replace(_SEP, " | "),
                                  key=normalise_key(raw_key, int_key))
                        continue
                    digest = content_hash_fast("upsert", values)
                if special and "\x00" in line:
                    values = values or unpack(line)
                    bad = [c for c, v in zip(cols, values) if v and "\x00" in v]
                    set_aside(values[0], f"LG 表 {table.name}（{table.key}={values[0]}）字段 {'、'.join(bad)}"
                              " 含 NUL 字符，数据库无法保存，整行暂不入库", field_name=",".join(bad),
                              content=_row_text(table, values).replace("\x00", "\\0"),
                              key=normalise_key(values[0], int_key))
                    continue
                if latin and maybe_mojibake(line):
                    values = values or unpack(line)
                    notes, bad = _repair_row(table, values)
                    if bad:
                        set_aside(values[0], f"LG 表 {table.name}（{table.key}={values[0]}）"
                                  + "；".join(f"字段 {c}：{why}" for c, why in bad)
                                  + "。整行暂不入库，请在源库改正后重新抽取",
                                  field_name=",".join(c for c, _ in bad), values=values,
                                  key=normalise_key(values[0], int_key))
                        continue
                    if notes:
                        run.repaired += 1
                        digest = digest or row_hash(packed(values).encode("utf-8"))
                    else:
                        values = None if digest is None else values
                if values is None:
                    raw_key = line[1:line.index(_SEP)] if line[0] == "=" else None
                    if gx_idx is None:
                        gxsj = None
                    elif gx_last:
                        gxsj = line[line.rindex(_SEP) + 2:]
                    else:
                        gxsj = unpack(line)[gx_idx]
                else:
                    raw_key = values[0]
                    gxsj = values[gx_idx] if gx_idx is not None else None
                key = normalise_key(raw_key, int_key)
                if key is None:
                    set_aside(raw_key, f"LG 表 {table.name} 有一行主键 {table.key} 为空"
                              + ("或不是整数" if int_key else "") + "，无法识别记录，整行暂不入库",
                              field_name=table.key, values=values or unpack(line))
                    continue
                candidate = None
                if gxsj:
                    moment = parse_gxsj(gxsj)
                    if moment is not None:
                        if moment <= latest_allowed and (run.max_gxsj is None or moment > run.max_gxsj):
                            run.max_gxsj = moment
                        # MariaDB's DATETIME text is already the ISO form: no formatting per row.
                        candidate = gxsj if len(gxsj) == 19 and gxsj[10] == " " else moment.isoformat(" ")
                if track_lcid:
                    lcid = int(key)
                    if run.max_lcid is None or lcid > run.max_lcid:
                        run.max_lcid = lcid
                if digest is None:
                    digest = row_hash(blob)
                if values is None and not (special and ("\\" in line or "\t" in line or "\n" in line or "\r" in line)):
                    body = packed_to_copy(line)
                else:
                    body = "\t".join([copy_field(v) for v in (values or unpack(line))])
                    key = copy_field(key)
                notes_field = "\\N" if notes is None else copy_field(notes)
                if fast:
                    rv = f"{candidate[:10]}T{candidate[11:]}+08:00" if candidate is not None else now_rv
                    write_line(f"{fast_prefix}{key}\tupsert\t{digest}{fast_extracted}{rv}\t{notes_field}\t{body}\n")
                else:
                    cand = f"{candidate}+08" if candidate is not None else "\\N"
                    write_line(f"{key}\tupsert\t{digest}\t{cand}\t{notes_field}\t{body}\n")
    finally:
        if lookup is not None:
            lookup.close()


def _repair_row(table: LgTable, values: list[str | None]) -> tuple[str | None, list[tuple[str, str]]]:
    """Repairs double-encoded values in place; returns the notes (JSON) and the unrepairable."""
    notes, bad = [], []
    for i, v in enumerate(values):
        if v is None or not mojibake.MAYBE.search(v):
            continue
        verdict = mojibake.check(v)
        if verdict.kind == mojibake.REPAIRED:
            values[i] = verdict.text
            notes.append({"field": table.columns[i], "kind": "mojibake_repaired", "original": v,
                          "message": f"字段 {table.columns[i]} 是双重编码的乱码（UTF-8 字节被当作 latin1 读出后"
                                     f"再存为 UTF-8），已逐字节可逆还原；原值见 original"})
        elif verdict.kind == mojibake.UNREPAIRABLE:
            bad.append((table.columns[i], f"{verdict.why}，原值“{v}”"))
    return notes_json(notes), bad


# --- one table ----------------------------------------------------------------------------

def _has_rows(conn: psycopg.Connection, raw_table: str) -> bool:
    return conn.execute(sql.SQL("select exists (select 1 from {})").format(
        sql.Identifier("raw", raw_table))).fetchone()[0]


def _flush_rejections(batch: Batch, rejections: list[_Rejection]) -> None:
    for r in rejections:
        reject_once(batch, r.location, r.reason, record_key=r.record_key, field_name=r.field_name,
                    raw_content=r.raw_content)
    rejections.clear()


def _drop_duplicate_keys(conn: psycopg.Connection, table: LgTable, batch: Batch, *, fast: bool,
                         stage: sql.Identifier | None) -> int:
    """Rows whose keys differ only in case or trailing spaces (possible in SQLite, hardly ever in
    MariaDB): the first read stays, the others are set aside."""
    cols = sql.SQL(", ").join(map(sql.Identifier, table.columns))
    if fast:
        src = sql.SQL("select _raw_id as id, _source_key, {cols} from {t} where _batch_id = %(b)s").format(
            t=sql.Identifier("raw", table.raw_table), cols=cols)
    else:
        src = sql.SQL("select _ord as id, _source_key, {cols} from {t} where _op = 'upsert'").format(t=stage, cols=cols)
    # A cheap aggregate first; the rows themselves only when there is something to set aside.
    if not conn.execute(sql.SQL("select exists (select 1 from ({src}) d group by _source_key having count(*) > 1)")
                        .format(src=src), {"b": batch.batch_id}).fetchone()[0]:
        return 0
    dups = conn.execute(sql.SQL("""
        select * from (select d.*, row_number() over (partition by _source_key order by id) as n,
                              first_value({key}) over (partition by _source_key order by id) as first_key
                       from ({src}) d) x
        where n > 1 order by id""").format(src=src, key=sql.Identifier(table.key)), {"b": batch.batch_id}).fetchall()
    for row in dups:
        values = list(row[2:2 + len(table.columns)])
        first_key = row[-1]
        reject_once(batch, _location(table, values[0]),
                    f"LG 表 {table.name} 主键 {table.key}={values[0]} 与 {first_key} 仅大小写或末尾空格不同，"
                    f"MariaDB 视为同一记录；保留先读到的 {first_key}，此行暂不入库",
                    record_key=row[1], field_name=table.key, raw_content=_row_text(table, values))
        if fast:
            conn.execute(sql.SQL("delete from {} where _raw_id = %s").format(
                sql.Identifier("raw", table.raw_table)), (row[0],))
        else:
            conn.execute(sql.SQL("update {} set _op = 'skip' where _ord = %s").format(stage), (row[0],))
    return len(dups)


def _sync_table(engine: Engine, conn: psycopg.Connection, table: LgTable, full_compare: bool) -> dict:
    pos_text = get_position(conn, SOURCE, table.name)
    position = json.loads(pos_text) if pos_text else None
    full = table.mode == "compare" or full_compare or position is None
    if full:
        cond, params = "", {}
    elif table.mode == "changed":
        since = dt.datetime.fromisoformat(position["gxsj"]) - GXSJ_OVERLAP if position.get("gxsj") else None
        cond, params = ("gxsj >= :since", {"since": since.strftime("%Y-%m-%d %H:%M:%S")}) if since \
            else ("gxsj IS NOT NULL", {})
    else:
        after = max(int(position.get("lcid") or 0) - LCID_OVERLAP, 0)
        cond, params = "lcid > :after_lcid", {"after_lcid": after}

    run = _TableRun(table)
    result: dict[str, Any] = {"mode": "full" if full else "incremental"}
    with load_batch(conn, SOURCE, table.name, position_from=pos_text) as batch:
        # One run of a table at a time: a second one waits and then finds nothing new.
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"jiandu.connector.{SOURCE}.{table.name}",))
        now = batch_now(batch)
        t_start = time.monotonic()
        fast = full and not _has_rows(conn, table.raw_table)
        stage = None
        if fast:
            target = sql.Identifier("raw", table.raw_table)
            columns = ["_batch_id", "_source_key", "_op", "_content_hash", "_extracted_at", "_record_version",
                       "_notes", *table.columns]
        else:
            stage = target = create_stage(conn, table.name, table.columns)
            columns = [*STAGE_META, *table.columns]
        rejections: list[_Rejection] = []
        with CopyWriter(conn, target, columns) as writer:
            _read_into(engine, packed_chunks(engine, table, cond, params), writer, run, fast=fast, batch=batch,
                       now=now, rejections=rejections, flush=lambda: _flush_rejections(batch, rejections))
            written = writer.rows
        t_read = time.monotonic()
        _flush_rejections(batch, rejections)
        dropped = _drop_duplicate_keys(conn, table, batch, fast=fast, stage=stage)
        deleted = 0
        if fast:
            loaded = written - dropped
        else:
            if full:
                deleted = record_deletions(conn, table.raw_table, stage, table.key, batch=batch)
            loaded = insert_new_versions(conn, table.raw_table, stage, table.columns, batch=batch)
        log.info("LG %s: %s rows read in %.1f s, compared and written in %.1f s", table.name, run.read,
                 t_read - t_start, time.monotonic() - t_read)
        batch.add_counts(read=run.read + deleted, loaded=loaded + deleted)
        batch.position_to = json.dumps(_new_position(table, position, run, full, now), ensure_ascii=False)
        result.update(batch_id=batch.batch_id, read=run.read, loaded=loaded, deleted=deleted,
                      rejected=batch.rows_rejected, repaired=run.repaired)
    return result


def _new_position(table: LgTable, old: dict | None, run: _TableRun, full: bool, now: dt.datetime) -> dict:
    pos = dict(old or {})
    if table.mode == "changed":
        old_gxsj = dt.datetime.fromisoformat(pos["gxsj"]) if pos.get("gxsj") else None
        newest = max((m for m in (old_gxsj, run.max_gxsj) if m is not None), default=None)
        pos["gxsj"] = newest.strftime("%Y-%m-%d %H:%M:%S") if newest else None
    if table.mode == "append":
        pos["lcid"] = max(int(pos.get("lcid") or 0), run.max_lcid or 0)
    if full:
        pos["full_compare_at"] = record_version_text(now)
    return pos


def sync_lg(lg_url: str, warehouse_conn: psycopg.Connection, *, full_compare: bool = False,
            tables: tuple[str, ...] | None = None) -> dict:
    """Load what changed in LG into raw.lg_*; returns per table: mode, batch_id, read, loaded (new
    versions), deleted, rejected (set aside), repaired (rows with double-encoded text repaired).

    ``warehouse_conn`` must not be in autocommit: each table is one transaction. A table whose
    batch fails does not stop the others; LgSyncError is raised at the end, carrying the result.
    """
    if warehouse_conn.autocommit:
        raise ValueError("sync_lg needs a warehouse connection that is not in autocommit mode")
    engine = create_engine(lg_url, poolclass=NullPool)
    result: dict[str, Any] = {}
    failures = []
    try:
        for table in TABLES:
            if tables is not None and table.name not in tables:
                continue
            try:
                result[table.name] = _sync_table(engine, warehouse_conn, table, full_compare)
            except Exception as exc:     # the batch is already marked failed with the error
                log.exception("LG %s failed", table.name)
                failures.append(f"{table.name}: {type(exc).__name__}: {exc}")
                result[table.name] = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        engine.dispose()
    if failures:
        raise LgSyncError("LG tables failed: " + "; ".join(failures), result)
    return result
