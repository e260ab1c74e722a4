"""Load batches: the unit of work of every connector.

A batch's rows, its set-aside input, the stream's new position and the batch's status are
written in one transaction. The batch row itself is created first, in its own transaction, so a
batch that fails still shows in ``ops.load_batch`` as failed with its error.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import psycopg

from jiandu.standard import mask_resident_ids_in_text


def get_position(conn: psycopg.Connection, source: str, stream: str) -> str | None:
    row = conn.execute("select position from ops.source_position where source = %s and stream = %s",
                       (source, stream)).fetchone()
    return row[0] if row else None


@dataclass
class Batch:
    conn: psycopg.Connection
    batch_id: int
    source: str
    stream: str
    extracted_at: dt.datetime
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    position_to: str | None = None
    notes: list[str] = field(default_factory=list)

    def reject(self, location: str, reason: str, *, record_key: str | None = None,
               field_name: str | None = None, raw_content: str | None = None) -> None:
        """Set a row or file aside for a data steward; the reason is plain Chinese.

        Raw content may hold resident ID numbers: they are masked here, since the queue is read
        outside the hub push (standard, masking.resident_id_anywhere).
        """
        self.rows_rejected += 1
        self.conn.execute(
            "insert into quality.rejected_input (batch_id, source, stream, location, record_key, field,"
            " raw_content, reason) values (%s, %s, %s, %s, %s, %s, %s, %s)",
            (self.batch_id, self.source, self.stream, location, record_key, field_name,
             mask_resident_ids_in_text(raw_content), reason))

    def add_counts(self, read: int, loaded: int) -> None:
        """Rows read and accepted into the load (set-aside rows are counted by reject())."""
        self.rows_read += read
        self.rows_loaded += loaded


@contextmanager
def load_batch(conn: psycopg.Connection, source: str, stream: str,
               position_from: str | None = None) -> Iterator[Batch]:
    """Open a batch on ``conn`` (not in autocommit); commit everything on success."""
    with psycopg.connect(conn.info.dsn, password=conn.info.password or None, autocommit=True) as side:
        # A batch of this stream still 'running' belongs to a process that died before it could
        # commit or say it failed (max_active_runs=1 lets only one run per stream at a time).
        side.execute("update ops.load_batch set status = 'failed', finished_at = now(),"
                     " error = '中断：进程在提交前结束（由下一批次记录）' where source = %s and stream = %s"
                     " and status = 'running'", (source, stream))
        batch_id = side.execute(
            "insert into ops.load_batch (source, stream, position_from) values (%s, %s, %s) returning batch_id",
            (source, stream, position_from)).fetchone()[0]
    batch = Batch(conn=conn, batch_id=batch_id, source=source, stream=stream,
                  extracted_at=dt.datetime.now(dt.timezone.utc))
    try:
        yield batch
        if batch.position_to is not None:
            conn.execute(
                "insert into ops.source_position (source, stream, position, batch_id, updated_at)"
                " values (%s, %s, %s, %s, now()) on conflict (source, stream) do update"
                " set position = excluded.position, batch_id = excluded.batch_id, updated_at = now()",
                (source, stream, batch.position_to, batch_id))
        conn.execute(
            "update ops.load_batch set status = 'committed', finished_at = now(), position_to = %s,"
            " rows_read = %s, rows_loaded = %s, rows_unchanged = %s, rows_rejected = %s where batch_id = %s",
            (batch.position_to, batch.rows_read + batch.rows_rejected, batch.rows_loaded,
             batch.rows_read - batch.rows_loaded, batch.rows_rejected, batch_id))
        conn.commit()
    except BaseException as exc:
        conn.rollback()
        with psycopg.connect(conn.info.dsn, password=conn.info.password or None, autocommit=True) as side:
            side.execute("update ops.load_batch set status = 'failed', finished_at = now(), error = %s"
                         " where batch_id = %s", (f"{type(exc).__name__}: {exc}"[:4000], batch_id))
        raise
