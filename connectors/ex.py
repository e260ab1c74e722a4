"""EX, the exchange platform's monthly report files, into the raw layer.

Files arrive in ``<drop_dir>/inbox``; each is one load batch (one transaction), and is moved to
``processed/`` or ``rejected/`` only after that transaction committed (a run killed in between
finds the file again, recognises its bytes and just moves it).

- raw.ex_file: one row per file read (loaded, superseded or rejected), with how it was read.
- raw.ex_file_row: every readable row of every loaded file, as read.
- raw.ex_case_row: the versions of each case (``EX:<subject_code>:<案件编号>``). A case's current
  content is its row in the newest report month among the unit's loaded files (a later file of
  the same month replaces the earlier one, which becomes superseded). A version is written when
  that content differs from the case's latest raw row; a case no loaded file of its unit holds
  any more gets one 'delete' row. record_version: the arrival time (mtime) of the file whose
  loading changed the case, and never earlier than one second after the case's previous version.
- The same bytes dropped again are recognised by sha256 and load nothing.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import psycopg
from psycopg import sql

from connectors.batches import Batch, load_batch
from connectors.ex_prepare import COPY_COLUMNS, FileRead, location, prefix_lines
from connectors.ex_read import COLUMNS, FileFacts, FileUnreadable, Layout, month_from_text
from connectors.raw_versions import (
    SOURCE_TZ, CopyWriter, batch_now, delete_hash_sql, record_version_sql, record_version_text, reject_once,
)

log = logging.getLogger(__name__)

SOURCE = "EX"
REJECT_FLUSH = 1000
_NAME = re.compile(r"^(?P<code>[0-9A-Za-z]{18})_(?P<ym>\d{6})\.(?P<ext>csv|xlsx)$", re.IGNORECASE)
_NAME_YYYYMM = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)")
_NAME_MONTH = re.compile(r"(?<!\d)(\d{1,2})\s*月")
_NOT_YET_COMPLETE = (".tmp", ".part", ".crdownload", ".swp", ".filepart")


class ExSyncError(RuntimeError):
    """One or more files failed for a reason other than their content (they stay in inbox/)."""

    def __init__(self, message: str, result: dict):
        super().__init__(message)
        self.result = result


@dataclass
class FileResult:
    file: str
    outcome: str                       # loaded | rejected | duplicate | failed
    batch_id: int | None = None
    file_id: int | None = None
    subject_code: str | None = None
    report_month: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0             # rows of the file kept in raw.ex_file_row
    rows_rejected: int = 0
    versions: int = 0                  # new case versions in raw.ex_case_row
    deleted: int = 0
    superseded: list[int] = field(default_factory=list)
    reason: str | None = None
    moved_to: str | None = None


def parse_file_name(name: str) -> tuple[str | None, str | None]:
    """``<subject_code>_<YYYYMM>.<csv|xlsx>`` -> (subject_code, YYYYMM); (None, None) otherwise."""
    m = _NAME.match(name)
    if not m or not 1 <= int(m["ym"][4:]) <= 12:
        return None, None
    return m["code"].upper(), m["ym"]


def month_from_name(name: str, arrived: dt.date) -> str | None:
    """A month in a free-form name: '2026年4月', '202604', or '4月' with the year of arrival (the
    year before, if that month would lie after the arrival: a December report sent in January)."""
    month = month_from_text(name)
    if month:
        return month
    m = _NAME_YYYYMM.search(name)
    if m:
        return m.group(1) + m.group(2)
    m = _NAME_MONTH.search(name)
    if m and 1 <= int(m.group(1)) <= 12:
        mon = int(m.group(1))
        year = arrived.year if mon <= arrived.month else arrived.year - 1
        return f"{year:04d}{mon:02d}"
    return None


# --- one file -----------------------------------------------------------------------------

@dataclass
class _Read:
    rows_read: int = 0
    rows_accepted: int = 0
    codes: dict[str, int] = field(default_factory=dict)    # subject code seen -> first row


_location = location


def _copy_rows(conn: psycopg.Connection, batch: Batch, path: Path, source: FileRead, file_id: int) -> _Read:
    """The file's prepared rows into raw.ex_file_row; the rows that cannot be read set aside."""
    read = _Read(codes=source.codes)
    pending: list[tuple] = []
    prefix = f"{file_id}\t{batch.batch_id}\t"

    def flush() -> None:
        for where, reason, key, field_name, raw in pending:
            batch.reject(where, reason, record_key=key, field_name=field_name, raw_content=raw)
        pending.clear()

    with CopyWriter(conn, sql.Identifier("raw", "ex_file_row"), COPY_COLUMNS) as writer:
        for chunk in source.chunks():
            read.rows_read += chunk.read
            read.rows_accepted += chunk.rows
            if chunk.rows:
                writer.write_text(prefix_lines(chunk.text, prefix), chunk.rows)
            if chunk.problems:
                pending.extend(chunk.problems)
                if len(pending) >= REJECT_FLUSH:
                    writer.pause()
                    flush()
    flush()
    # The BRIN index on _file_id skips only summarised page ranges, and pages are summarised by
    # VACUUM: during a long load none of the new pages are, so every look-up of one file's rows
    # (duplicates, versions) read the whole table and each file cost more than the one before.
    # Summarising the new pages reads just them. It takes the index's owner (the pipeline role,
    # which owns raw); any other role keeps the old behaviour rather than failing the load.
    conn.execute("""
        select brin_summarize_new_values(i.oid) from pg_class i
         where i.oid = 'raw.ex_file_row_file'::regclass and pg_has_role(current_user, i.relowner, 'MEMBER')""")
    return read


def _set_aside_duplicates(conn: psycopg.Connection, batch: Batch, path: Path, file_id: int) -> int:
    """A case number twice in one file: the first row stays, later ones are set aside."""
    if not conn.execute("select exists (select 1 from raw.ex_file_row where _file_id = %s"
                        " group by _source_key having count(*) > 1)", (file_id,)).fetchone()[0]:
        return 0
    dups = conn.execute("""
        select _row_no, case_no, first_row, to_jsonb(r) - '_file_id' - '_batch_id' - '_content_hash' - '_notes'
        from (select r.*, min(_row_no) over (partition by _source_key) as first_row
              from raw.ex_file_row r where _file_id = %s) r
        where _row_no > first_row order by _row_no""", (file_id,)).fetchall()
    for row_no, case_no, first_row, content in dups:
        batch.reject(_location(path.name, row_no),
                     f"文件 {path.name} 第 {row_no} 行的案件编号“{case_no}”与第 {first_row} 行重复；"
                     f"保留第 {first_row} 行，此行暂不入库，请核对后重报",
                     record_key=case_no, field_name="case_no", raw_content=str(content))
        conn.execute("delete from raw.ex_file_row where _file_id = %s and _row_no = %s", (file_id, row_no))
    return len(dups)


_LATEST = ("select r._content_hash, r._op, r._record_version, r.subject_code, r.case_no from raw.ex_case_row r"
           " where r._source_key = {k} order by r._raw_id desc limit 1")


def _write_versions(conn: psycopg.Connection, batch: Batch, file_id: int, unit: str, month: str,
                    superseded: list[int], arrived: dt.datetime) -> tuple[int, int]:
    """New case versions for every case held by this file or the ones it replaced: the content of
    its newest loaded report, where it differs from the case's latest raw row; a case no loaded
    file holds any more is recorded deleted. Returns (versions, deleted)."""
    params = {"batch": batch.batch_id, "extracted": batch.extracted_at, "now": batch_now(batch),
              "arrived": arrived, "file": file_id, "month": month, "unit": unit, "files": [file_id, *superseded],
              "arrived_rv": record_version_text(arrived)}
    cols = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
    w_cols = sql.SQL(", ").join(sql.Identifier("w", c) for c in COLUMNS)
    upsert = sql.SQL("""
        insert into raw.ex_case_row (_batch_id, _source_key, _op, _content_hash, _extracted_at, _record_version,
                                     _notes, _file_id, _row_no, _report_month, {cols})
        select %(batch)s, w._source_key, 'upsert', w._content_hash, %(extracted)s, {rv}, w._notes, w._file_id,
               w._row_no, w._month, {w_cols}
        from {winners} w left join lateral ({latest}) l on true
        where l._content_hash is distinct from w._content_hash or l._op is distinct from 'upsert'
        order by w._file_id, w._row_no""")
    # A new case's record_version is the arrival itself: formatted once here, not on every row.
    rv = sql.SQL("case when l._record_version is null then %(arrived_rv)s else {} end").format(
        sql.SQL(record_version_sql("%(arrived)s::timestamptz", "l._record_version")))
    latest = sql.SQL(_LATEST.format(k="w._source_key"))
    newer = conn.execute("select exists (select 1 from raw.ex_file where subject_code = %(unit)s and status = 'loaded'"
                         " and report_month >= %(month)s and file_id <> %(file)s)", params).fetchone()[0]
    if not superseded and not newer:
        # The usual monthly file: the newest of its unit, replacing nothing, so each of its rows
        # is its case's current content and no case can have gone.
        winners = sql.SQL("(select r.*, %(month)s::text as _month from raw.ex_file_row r where r._file_id = %(file)s)")
        # The file's rows are sorted by row number to be written in order: in memory, not on disk.
        conn.execute("set local work_mem = '64MB'")
        versions = conn.execute(upsert.format(cols=cols, w_cols=w_cols, winners=winners, latest=latest, rv=rv),
                                params).rowcount
        return versions, 0
    conn.execute("drop table if exists _ex_affected, _ex_winner")
    conn.execute("""create temporary table _ex_affected on commit drop as
                    select distinct _source_key from raw.ex_file_row where _file_id = any(%(files)s)""", params)
    conn.execute("""
        create temporary table _ex_winner on commit drop as
        select distinct on (r._source_key) r.*, f.report_month as _month
        from raw.ex_file_row r join raw.ex_file f on f.file_id = r._file_id
        where r._source_key in (select _source_key from _ex_affected) and f.status = 'loaded'
        order by r._source_key, f.report_month desc, f.file_id desc""")
    versions = conn.execute(upsert.format(cols=cols, w_cols=w_cols, winners=sql.Identifier("_ex_winner"),
                                          latest=latest, rv=rv), params).rowcount
    deleted = conn.execute(sql.SQL("""
        insert into raw.ex_case_row (_batch_id, _source_key, _op, _content_hash, _extracted_at, _record_version,
                                     _file_id, _row_no, _report_month, subject_code, case_no)
        select %(batch)s, a._source_key, 'delete', {hash}, %(extracted)s, {rv}, %(file)s, 0, %(month)s,
               l.subject_code, l.case_no
        from _ex_affected a cross join lateral ({latest}) l
        where l._op = 'upsert' and not exists (select 1 from _ex_winner w where w._source_key = a._source_key)
        order by a._source_key""").format(
        hash=sql.SQL(delete_hash_sql("a._source_key")), latest=sql.SQL(_LATEST.format(k="a._source_key")),
        rv=rv), params).rowcount
    return versions, deleted


def _load_rows(conn: psycopg.Connection, batch: Batch, path: Path, source: FileRead, facts: FileFacts,
               arrived: dt.datetime, result: FileResult, read_next: Callable[[], None]) -> None:
    """Everything of one readable file; raises FileUnreadable to set the whole file aside.
    ``read_next`` is called once the file's rows are written: the next file can be read meanwhile."""
    name_unit, name_month = parse_file_name(path.name)
    file_id = conn.execute(
        "insert into raw.ex_file (batch_id, file_name, file_sha256, subject_code, report_month, arrived_at, status,"
        " file_format, encoding) values (%s, %s, %s, %s, %s, %s, 'loaded', %s, %s) returning file_id",
        (batch.batch_id, path.name, facts.sha256, name_unit, name_month, arrived, facts.kind,
         facts.encoding if facts.kind == "csv" else None)).fetchone()[0]
    layout: Layout = source.layout()
    read = _copy_rows(conn, batch, path, source, file_id)
    source.close()
    read_next()

    unit, unit_from = name_unit, "file_name"
    if unit is None:
        unit_from = "column"
        if not read.codes:
            raise FileUnreadable("文件名不符合“<统一社会信用代码>_<YYYYMM>.csv/xlsx”，且“执法主体统一社会信用代码”列为空，"
                                 "无法确定报送单位")
        if len(read.codes) > 1:
            seen = "、".join(f"{c}（第 {r} 行）" for c, r in list(read.codes.items())[:3])
            raise FileUnreadable(f"文件名不符合“<统一社会信用代码>_<YYYYMM>.csv/xlsx”，且“执法主体统一社会信用代码”列"
                                 f"各行不一致（{seen}），无法确定报送单位")
        unit = next(iter(read.codes))
        conn.execute("update raw.ex_file_row set _source_key = 'EX:' || %s || ':' || case_no where _file_id = %s",
                     (unit, file_id))
    month, month_from = name_month, "file_name"
    if month is None:
        month, month_from = layout.title_month, "title"
    if month is None:
        month, month_from = month_from_name(path.stem, arrived.date()), "file_name_month"
    if month is None:
        raise FileUnreadable("无法确定报送年月：文件名不是“<统一社会信用代码>_<YYYYMM>”，标题行没有“YYYY年M月”，"
                             "文件名中也没有月份")

    dropped = _set_aside_duplicates(conn, batch, path, file_id)
    superseded = [r[0] for r in conn.execute(
        "update raw.ex_file set status = 'superseded', superseded_by = %s where subject_code = %s"
        " and report_month = %s and status = 'loaded' and file_id <> %s returning file_id",
        (file_id, unit, month, file_id))]
    versions, deleted = _write_versions(conn, batch, file_id, unit, month, superseded, arrived)
    accepted = read.rows_accepted - dropped
    rejected = read.rows_read - accepted
    conn.execute(
        "update raw.ex_file set subject_code = %s, report_month = %s, unit_from = %s, month_from = %s,"
        " sheet_name = %s, header_row = %s, rows_read = %s, rows_loaded = %s, rows_rejected = %s,"
        " reason = %s where file_id = %s",
        (unit, month, unit_from, month_from, layout.sheet_name, layout.header_row, read.rows_read, accepted,
         rejected, ("缺少模板列：" + "、".join(layout.missing)) if layout.missing else None, file_id))
    batch.add_counts(read=read.rows_read + deleted, loaded=versions + deleted)
    result.__dict__.update(outcome="loaded", file_id=file_id, subject_code=unit, report_month=month,
                           rows_read=read.rows_read, rows_accepted=accepted, rows_rejected=rejected,
                           versions=versions, deleted=deleted, superseded=superseded)


def _load_file(conn: psycopg.Connection, path: Path, source: FileRead,
               read_next: Callable[[], None] = lambda: None) -> FileResult:
    result = FileResult(file=path.name, outcome="failed")
    arrived = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=SOURCE_TZ).replace(microsecond=0)
    with load_batch(conn, SOURCE, path.name) as batch:
        result.batch_id = batch.batch_id
        # One EX load at a time: replacing a unit's month reads and writes across files.
        conn.execute("select pg_advisory_xact_lock(hashtext('jiandu.connector.EX'))")
        try:
            facts = source.facts()
        except OSError as exc:
            facts, unreadable = None, f"无法读取文件：{exc.strerror or exc}"
        if facts is not None:
            dup = conn.execute("select file_id from raw.ex_file where file_sha256 = %s and status <> 'rejected'"
                               " order by file_id limit 1", (facts.sha256,)).fetchone()
            if dup:
                result.outcome, result.file_id = "duplicate", dup[0]
                result.reason = f"与已读入的文件（file_id={dup[0]}）内容完全相同，不再重复入库"
                return result
            saved = (batch.rows_read, batch.rows_loaded, batch.rows_rejected)
            try:
                with conn.transaction():        # a savepoint: a file set aside leaves none of its rows
                    _load_rows(conn, batch, path, source, facts, arrived, result, read_next)
                return result
            except FileUnreadable as exc:
                batch.rows_read, batch.rows_loaded, batch.rows_rejected = saved
                unreadable = exc.reason
        conn.execute(
            "insert into raw.ex_file (batch_id, file_name, file_sha256, arrived_at, status, file_format, encoding,"
            " reason) values (%s, %s, %s, %s, 'rejected', %s, %s, %s)",
            (batch.batch_id, path.name, facts.sha256 if facts else "", arrived, facts.kind if facts else None,
             facts.encoding if facts else None, unreadable))
        reject_once(batch, _location(path.name), f"文件 {path.name} 整个暂不入库：{unreadable}")
        result.outcome, result.reason = "rejected", unreadable
    return result


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():                  # a corrected file has the same name as the one it replaces
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    os.replace(path, target)
    return target


def pending_files(drop_dir: Path) -> list[Path]:
    """Files waiting in the inbox, in order of arrival (a correction after what it corrects)."""
    inbox = Path(drop_dir) / "inbox"
    if not inbox.is_dir():
        return []
    files = [p for p in inbox.iterdir()
             if p.is_file() and not p.name.startswith((".", "~$")) and not p.name.lower().endswith(_NOT_YET_COMPLETE)]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def sync_ex(drop_dir: Path, warehouse_conn: psycopg.Connection) -> dict:
    """Load every file waiting in ``drop_dir/inbox``; returns totals and one entry per file.

    ``warehouse_conn`` must not be in autocommit. A file whose load fails for a reason other than
    its content stays in the inbox for the next run; ExSyncError is raised after the others.
    """
    if warehouse_conn.autocommit:
        raise ValueError("sync_ex needs a warehouse connection that is not in autocommit mode")
    drop_dir = Path(drop_dir)
    details: list[FileResult] = []
    failures = []
    files = pending_files(drop_dir)
    ahead: FileRead | None = None          # the next file, being read while this one is written

    def read_next(following: Path | None) -> None:
        nonlocal ahead
        if following is not None and ahead is None:
            ahead = FileRead(following, parse_file_name(following.name)[0]).start()

    try:
        for i, path in enumerate(files):
            source = ahead if ahead is not None and ahead.path == path else FileRead(path, parse_file_name(path.name)[0])
            if ahead is not None and ahead is not source:
                ahead.close()
            ahead = None
            following = files[i + 1] if i + 1 < len(files) else None
            try:
                if not path.exists():      # taken by a run working beside this one
                    continue
                try:
                    res = _load_file(warehouse_conn, path, source, lambda f=following: read_next(f))
                except Exception as exc:   # the batch is marked failed; the file stays in inbox/
                    log.exception("EX file %s failed", path.name)
                    failures.append(f"{path.name}: {type(exc).__name__}: {exc}")
                    details.append(FileResult(file=path.name, outcome="failed", reason=f"{type(exc).__name__}: {exc}"))
                    continue
            finally:
                source.close()
            try:
                res.moved_to = str(_move(path, drop_dir / ("rejected" if res.outcome == "rejected" else "processed")))
            except OSError as exc:         # committed already: the next run sees a duplicate and moves it
                log.warning("EX file %s loaded but not moved: %s", path.name, exc)
            details.append(res)
    finally:
        if ahead is not None:
            ahead.close()
    result: dict[str, Any] = {"files": len(details)}
    for outcome in ("loaded", "rejected", "duplicate", "failed"):
        result[outcome] = sum(1 for d in details if d.outcome == outcome)
    for total in ("rows_read", "rows_accepted", "rows_rejected", "versions", "deleted"):
        result[total] = sum(getattr(d, total) for d in details)
    result["details"] = [asdict(d) for d in details]
    if failures:
        raise ExSyncError("EX files failed: " + "; ".join(failures), result)
    return result
