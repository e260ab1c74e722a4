"""Writing source rows into the raw layer as versions, for the LG and EX connectors.

LP takes the record_version its feed sends (connectors.lp). These connectors need one that
depends on the key's previous raw row (the standard's ``rules.record_version``: the source's own
change time where it moved, else the time the content was first seen; never backwards, and moving
on every change), so the comparison with the previous row and the record_version are both worked
out inside PostgreSQL, in one INSERT ... SELECT from a COPY-filled staging table.

Content hashes: each table has one definition, used for all its rows. LG hashes the packed row
the source sends (``lg.row_hash``), EX the row's COPY text (``ex_prepare.row_hash``), both cheaper than a JSON
form; ``content_hash_fast`` computes the JSON hash where a row cannot be packed. A deletion hashes as sha256('delete:' + key).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from json.encoder import encode_basestring as _json_str   # the C encoder json.dumps uses
from typing import Any, Iterable, Sequence

import psycopg
from psycopg import sql

from jiandu.standard import mask_resident_ids_in_text

from connectors.batches import Batch

SOURCE_TZ = dt.timezone(dt.timedelta(hours=8))   # Asia/Shanghai has no daylight saving

# to_char pattern of the standard's datetime (YYYY-MM-DDTHH:MM:SS+08:00).
_RV_PATTERN = 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'


def record_version_text(moment: dt.datetime) -> str:
    """A moment in the standard's datetime form, in +08:00, to the second."""
    return moment.astimezone(SOURCE_TZ).strftime("%Y-%m-%dT%H:%M:%S+08:00")


def batch_now(batch: Batch) -> dt.datetime:
    """The batch's extraction time to the second: the 'first seen' record_version."""
    return batch.extracted_at.astimezone(SOURCE_TZ).replace(microsecond=0)


def content_hash_fast(op: str, values: Sequence[str | None]) -> str:
    """sha256 of the canonical JSON ``[op, values]`` (sorted keys, no spacing, UTF-8) for
    text-or-None values, built without json.dumps."""
    body = ",".join(["null" if v is None else _json_str(v) for v in values])
    return hashlib.sha256(f'["{op}",[{body}]]'.encode("utf-8")).hexdigest()


def delete_hash_sql(key_expr: str) -> str:
    """The content hash of a deletion: sha256 of 'delete:' and the key (a deletion has no content)."""
    return f"encode(sha256(convert_to('delete:' || {key_expr}, 'UTF8')), 'hex')"


def record_version_sql(candidate: str, previous: str) -> str:
    """SQL for a new version's record_version.

    ``candidate``: the source's own change time (timestamptz, may be null); ``previous``: the key's
    latest raw _record_version (text, null for a new key). The parameter %(now)s is the batch's
    extraction time. A candidate that moved past the previous version wins; otherwise the time
    first seen, and always at least one second after the previous version, so that the hub never
    takes a change for a stale repeat.
    """
    return f"""to_char((case
        when {previous} is null then coalesce({candidate}, %(now)s::timestamptz)
        when {candidate} > {previous}::timestamptz then {candidate}
        else greatest(%(now)s::timestamptz, {previous}::timestamptz + interval '1 second')
      end) at time zone 'Asia/Shanghai', '{_RV_PATTERN}')"""


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_SPECIALS = re.compile(r"[\\\t\n\r]")


def copy_field(value: Any) -> str:
    """One field in COPY's text format."""
    if value is None:
        return "\\N"
    text = value if isinstance(value, str) else str(value)
    return text.translate(_COPY_ESCAPES) if COPY_SPECIALS.search(text) else text


def copy_line(values: Iterable[Any]) -> str:
    return "\t".join([copy_field(v) for v in values]) + "\n"


class CopyWriter:
    """COPY lines (text format, see ``copy_line``) into a table, in chunks, pausable: other
    statements (set-aside rows) cannot run on the connection while a COPY is open.

    Formatting lines here is cheaper than psycopg's write_row, which looks up a dumper for each
    of the thirty values of every row.
    """

    CHUNK_LINES = 2000

    def __init__(self, conn: psycopg.Connection, table: sql.Composable, columns: Sequence[str]):
        self._cur = conn.cursor()
        self._stmt = sql.SQL("copy {} ({}) from stdin").format(
            table, sql.SQL(", ").join(map(sql.Identifier, columns)))
        self._cm = None
        self._copy = None
        self._lines: list[str] = []
        self.rows = 0

    def write_line(self, line: str) -> None:
        self._lines.append(line)
        self.rows += 1
        if len(self._lines) >= self.CHUNK_LINES:
            self._send()

    def write(self, values: Sequence[Any]) -> None:
        self.write_line(copy_line(values))

    def write_text(self, data: str, rows: int) -> None:
        """``rows`` lines formatted already, each ending with a newline."""
        self._lines.append(data)
        self.rows += rows
        self._send()

    def _send(self) -> None:
        if not self._lines:
            return
        if self._copy is None:
            self._cm = self._cur.copy(self._stmt)
            self._copy = self._cm.__enter__()
        data, self._lines = "".join(self._lines), []
        self._copy.write(data.encode("utf-8"))

    def pause(self, exc: BaseException | None = None) -> None:
        if exc is None:
            self._send()
        else:
            self._lines = []
        if self._cm is not None:
            cm, self._cm, self._copy = self._cm, None, None
            if exc is None:
                cm.__exit__(None, None, None)
            else:
                cm.__exit__(type(exc), exc, exc.__traceback__)

    def __enter__(self) -> "CopyWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.pause(exc)
        self._cur.close()


def create_stage(conn: psycopg.Connection, name: str, columns: Sequence[str],
                 extra: Sequence[tuple[str, str]] = ()) -> sql.Identifier:
    """A temporary staging table dropped at commit: order, key, op, hash, candidate version,
    notes, ``extra`` (name, type) and the content columns as text."""
    ident = sql.Identifier(f"_stage_{name}")
    conn.execute(sql.SQL("drop table if exists {}").format(ident))
    cols = [sql.SQL("_ord bigserial"), sql.SQL("_source_key text"), sql.SQL("_op text"),
            sql.SQL("_content_hash text"), sql.SQL("_rv_candidate timestamptz"), sql.SQL("_notes jsonb")]
    cols += [sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in extra]
    cols += [sql.SQL("{} text").format(sql.Identifier(c)) for c in columns]
    conn.execute(sql.SQL("create temporary table {} ({}) on commit drop").format(ident, sql.SQL(", ").join(cols)))
    return ident


STAGE_META = ("_source_key", "_op", "_content_hash", "_rv_candidate", "_notes")


def insert_new_versions(conn: psycopg.Connection, table: str, stage: sql.Identifier,
                        columns: Sequence[str], *, batch: Batch, extra: Sequence[str] = ()) -> int:
    """Write the staged rows (op 'upsert' or 'delete', one per key) whose content differs from
    their key's latest raw row; returns how many were written."""
    target = sql.Identifier("raw", table)
    own = list(extra) + list(columns)
    query = sql.SQL("""
        insert into {target} (_batch_id, _source_key, _op, _content_hash, _extracted_at, _record_version,
                              _notes, {own})
        select %(batch)s, s._source_key, s._op, s._content_hash, %(extracted)s, {rv}, s._notes, {s_own}
        from {stage} s
        left join lateral (
            select r._content_hash, r._op, r._record_version from {target} r
            where r._source_key = s._source_key order by r._raw_id desc limit 1
        ) l on true
        where s._op in ('upsert', 'delete')
          and (l._content_hash is distinct from s._content_hash or l._op is distinct from s._op)
        order by s._ord
    """).format(target=target, stage=stage,
                own=sql.SQL(", ").join(map(sql.Identifier, own)),
                s_own=sql.SQL(", ").join(sql.Identifier("s", c) for c in own),
                rv=sql.SQL(record_version_sql("s._rv_candidate", "l._record_version")))
    cur = conn.execute(query, {"batch": batch.batch_id, "extracted": batch.extracted_at,
                               "now": batch_now(batch)})
    return cur.rowcount


def record_deletions(conn: psycopg.Connection, table: str, stage: sql.Identifier, key_column: str,
                     *, batch: Batch) -> int:
    """After a complete read of a source table into ``stage``: every key whose latest raw row is
    not a deletion and that the source no longer holds gets one 'delete' row."""
    target = sql.Identifier("raw", table)
    query = sql.SQL("""
        insert into {target} (_batch_id, _source_key, _op, _content_hash, _extracted_at, _record_version, {key})
        select %(batch)s, l._source_key, 'delete', {hash}, %(extracted)s, {rv}, l.{key}
        from (select distinct r._source_key from {target} r
              where not exists (select 1 from {stage} s where s._source_key = r._source_key)) m
        cross join lateral (
            select r._source_key, r._op, r._record_version, r.{key} from {target} r
            where r._source_key = m._source_key order by r._raw_id desc limit 1
        ) l
        where l._op <> 'delete'
        order by l._source_key
    """).format(target=target, stage=stage, key=sql.Identifier(key_column),
                hash=sql.SQL(delete_hash_sql("l._source_key")),
                rv=sql.SQL(record_version_sql("null::timestamptz", "l._record_version")))
    cur = conn.execute(query, {"batch": batch.batch_id, "extracted": batch.extracted_at,
                               "now": batch_now(batch)})
    return cur.rowcount


def reject_once(batch: Batch, location: str, reason: str, *, record_key: str | None = None,
                field_name: str | None = None, raw_content: str | None = None) -> bool:
    """Set input aside unless the very same input is already waiting for a steward.

    Full comparisons read every row again each night; one open entry per bad row is enough.
    Returns whether a new entry was written (the batch counts the row as set aside either way).
    """
    masked = mask_resident_ids_in_text(raw_content)
    exists = batch.conn.execute(
        "select 1 from quality.rejected_input where status = 'open' and source = %s and stream = %s"
        " and location = %s and reason = %s and raw_content is not distinct from %s limit 1",
        (batch.source, batch.stream, location, reason, masked)).fetchone()
    if exists:
        batch.rows_rejected += 1
        return False
    batch.reject(location, reason, record_key=record_key, field_name=field_name, raw_content=raw_content)
    return True


def notes_json(notes: Iterable[dict[str, Any]] | None) -> str | None:
    notes = list(notes or ())
    return json.dumps(notes, ensure_ascii=False) if notes else None
