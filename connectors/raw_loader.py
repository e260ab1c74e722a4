"""Bulk loading into the raw layer: COPY into a temporary table, then keep only new versions.

A row is a new version when its key's latest row in the raw table has another content hash
(or another op). So loading the same rows twice adds nothing, and a change that goes A -> B -> A
is kept as three versions. The caller runs the whole batch (rows, rejected input, stream
position, batch status) in one transaction: an interrupted batch leaves nothing, and its retry
starts again from the last committed position, so every version lands exactly once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import psycopg
from psycopg import sql

META_COLUMNS = ("_batch_id", "_source_key", "_op", "_content_hash", "_extracted_at", "_record_version")


def content_hash(values: Mapping[str, Any] | Iterable[Any]) -> str:
    """sha256 over a canonical JSON form of the row's content (never over bookkeeping columns)."""
    payload = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class RawRow:
    source_key: str
    values: dict[str, Any]          # content columns -> text (or a dict for a jsonb payload)
    op: str = "upsert"
    record_version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)   # more bookkeeping (_file_id, _row_no ...)


@dataclass
class LoadCounts:
    read: int = 0
    loaded: int = 0

    @property
    def unchanged(self) -> int:
        return self.read - self.loaded


def _as_copy_value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return str(v) if not isinstance(v, str) else v


def load_raw(
    conn: psycopg.Connection,
    table: str,
    columns: list[str],
    rows: Iterable[RawRow],
    *,
    batch_id: int,
    extracted_at: dt.datetime,
    extra_columns: list[str] | None = None,
) -> LoadCounts:
    """Stream ``rows`` into ``raw.<table>``; returns how many were read and how many were new.

    Runs inside the caller's transaction and does not commit.
    """
    extra_columns = extra_columns or []
    all_cols = list(META_COLUMNS) + extra_columns + columns
    tmp = sql.Identifier(f"_in_{table}")
    target = sql.Identifier("raw", table)
    counts = LoadCounts()
    with conn.cursor() as cur:
        cur.execute(sql.SQL(
            "create temporary table if not exists {tmp} (_ord bigserial, {cols}) on commit drop"
        ).format(tmp=tmp, cols=sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_tmp_type(table, c, conn)))
            for c in all_cols)))
        cur.execute(sql.SQL("truncate {tmp}").format(tmp=tmp))
        with cur.copy(sql.SQL("copy {tmp} ({cols}) from stdin").format(
                tmp=tmp, cols=sql.SQL(", ").join(map(sql.Identifier, all_cols)))) as copy:
            for row in rows:
                counts.read += 1
                values = [row.values.get(c) for c in columns]
                meta = [batch_id, row.source_key, row.op, content_hash([row.op, values]),
                        extracted_at, row.record_version]
                copy.write_row(meta + [_as_copy_value(row.extra.get(c)) for c in extra_columns]
                               + [_as_copy_value(v) for v in values])
        # A key's rows within one batch are compared with the previous row of the same batch too,
        # so consecutive identical versions collapse to one.
        cur.execute(sql.SQL("""
            insert into {target} ({cols})
            select {icols} from (
                select i.*, lag(i._content_hash) over (partition by i._source_key order by i._ord) as _prev_hash,
                       lag(i._op) over (partition by i._source_key order by i._ord) as _prev_op
                from {tmp} i
            ) i
            left join lateral (
                select r._content_hash, r._op from {target} r
                where r._source_key = i._source_key order by r._raw_id desc limit 1
            ) l on true
            where (i._prev_hash is null and (l._content_hash is distinct from i._content_hash
                                             or l._op is distinct from i._op))
               or (i._prev_hash is not null and (i._prev_hash <> i._content_hash or i._prev_op <> i._op))
            order by i._ord
        """).format(target=target, tmp=tmp, cols=sql.SQL(", ").join(map(sql.Identifier, all_cols)),
                    icols=sql.SQL(", ").join(sql.Identifier("i", c) for c in all_cols)))
        counts.loaded = cur.rowcount
    return counts


_type_cache: dict[tuple[str, str], str] = {}


def _tmp_type(table: str, column: str, conn: psycopg.Connection) -> str:
    """The temporary table mirrors the raw table's column types (text, jsonb, bigint ...)."""
    key = (table, column)
    if key not in _type_cache:
        row = conn.execute(
            "select format_type(a.atttypid, a.atttypmod) from pg_attribute a "
            "where a.attrelid = %s::regclass and a.attname = %s and not a.attisdropped",
            (f"raw.{table}", column)).fetchone()
        if row is None:
            raise ValueError(f"raw.{table} has no column {column}")
        _type_cache[key] = row[0]
    return _type_cache[key]
