"""The hub's own PostgreSQL database: held records (live or tombstones) and answered batches.

A batch runs in one transaction holding two advisory locks: one on its Idempotency-Key (so the
same key sent twice at once is stored once and both get the first receipt) and one on its
region_code (references, ORDER and versions are all judged per region, so batches of one region
are judged one after another; other regions proceed in parallel). Keys are always taken before
regions, so two batches cannot wait on each other.

Every query is set-based: a batch costs the same handful of statements whatever its size.
"""
from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from typing import Iterator

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from jiandu.db import libpq_url

from hubsim.judge import Held, Pair

SCHEMA = """
create table if not exists hub_record (
    dataset        text not null,
    region_code    text not null,
    record_key     text collate "C" not null,
    record_version text collate "C" not null,   -- as sent; the fixed +08:00 form sorts as time
    deleted        boolean not null,             -- a tombstone keeps the delete's version
    data           jsonb,
    batch_id       text not null,
    primary key (dataset, region_code, record_key)
);
create table if not exists hub_batch (
    key_sha256  text primary key,                -- the Idempotency-Key may be any length
    batch_id    text not null,
    dataset     text not null,
    region_code text not null,
    receipt     text not null,                   -- the first answer, byte for byte
    answered_at timestamptz not null default now()
);
"""

# Advisory lock classes (first argument of the two-int form).
_LOCK_SCHEMA, _LOCK_KEY, _LOCK_REGION = 7301, 7302, 7303


def psycopg_url(database_url: str) -> str:
    """A SQLAlchemy URL for psycopg 3 whatever driver the caller named."""
    return make_url(database_url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def ensure_schema(database_url: str) -> None:
    with psycopg.connect(libpq_url(database_url)) as conn:
        conn.execute("select pg_advisory_xact_lock(%s, 0)", (_LOCK_SCHEMA,))
        conn.execute(SCHEMA)


def key_hash(batch_id: str) -> str:
    return hashlib.sha256(batch_id.encode("utf-8")).hexdigest()


class Store:
    def __init__(self, database_url: str, pool_size: int = 4, max_overflow: int = 12) -> None:
        self.url = psycopg_url(database_url)
        # synchronous_commit off: a simulator may lose its last few ms of batches if PostgreSQL
        # itself crashes, and gains a WAL flush per batch (a third of a small batch's time).
        self.engine = create_engine(self.url, pool_size=pool_size, max_overflow=max_overflow,
                                    pool_pre_ping=True,
                                    connect_args={"options": "-c synchronous_commit=off",
                                                  "application_name": "hubsim"})
        self._lock = threading.Lock()
        self.statements = 0          # counted so tests can prove a batch is judged set-based
        self.batches = 0

    def ensure_schema(self) -> None:
        ensure_schema(self.url)

    def dispose(self) -> None:
        self.engine.dispose()

    def count(self, statements: int = 1, batches: int = 0) -> None:
        with self._lock:
            self.statements += statements
            self.batches += batches

    @contextmanager
    def transaction(self) -> Iterator["Tx"]:
        """A pooled connection in one transaction; rolled back unless Tx.commit() was called."""
        proxied = self.engine.raw_connection()
        try:
            conn: psycopg.Connection = proxied.driver_connection
            tx = Tx(self, conn)
            try:
                yield tx
            finally:
                if not tx.committed:
                    conn.rollback()
        finally:
            proxied.close()

    # --- reconciliation and the admin endpoints --------------------------------------------
    def summary(self, dataset: str, region_code: str) -> dict:
        with self.transaction() as tx:
            records, latest, checksum = tx.execute(
                """select count(*), max(record_version),
                          encode(sha256(convert_to(coalesce(
                              string_agg(record_key || E'\\n', '' order by record_key collate "C"), ''),
                              'UTF8')), 'hex')
                     from hub_record
                    where dataset = %s and region_code = %s and not deleted""",
                (dataset, region_code)).fetchone()
        return {"dataset": dataset, "region_code": region_code, "records": records,
                "latest_version": latest, "checksum": checksum}

    def reset(self) -> None:
        with self.transaction() as tx:
            tx.execute("truncate hub_record, hub_batch")
            tx.commit()


class Tx:
    def __init__(self, store: Store, conn: psycopg.Connection) -> None:
        self.store, self.conn = store, conn
        self.committed = False

    def execute(self, query: str, params=None) -> psycopg.Cursor:
        self.store.count()
        return self.conn.execute(query, params)

    def commit(self) -> None:
        self.conn.commit()
        self.committed = True

    def lock_batch_key(self, batch_id: str) -> None:
        self.execute("select pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_KEY, batch_id))

    def lock_region(self, region_code: str) -> None:
        self.execute("select pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_REGION, region_code))

    def find_receipt(self, batch_id: str) -> str | None:
        row = self.execute("select receipt from hub_batch where key_sha256 = %s", (key_hash(batch_id),)).fetchone()
        return row[0] if row else None

    def load_held(self, region_code: str, pairs: set[Pair], with_data: set[str]) -> dict[Pair, Held]:
        """One query for every held record (live or tombstone) the batch can touch."""
        if not pairs:
            return {}
        datasets, keys = zip(*pairs)
        rows = self.execute(
            """select h.dataset, h.record_key, h.record_version, h.deleted,
                      case when h.dataset = any(%(with_data)s) then h.data end
                 from unnest(%(datasets)b::text[], %(keys)b::text[]) as w(dataset, record_key)
                 join hub_record h
                   on h.dataset = w.dataset and h.region_code = %(region)s and h.record_key = w.record_key""",
            {"with_data": list(with_data), "datasets": list(datasets), "keys": list(keys),
             "region": region_code}).fetchall()
        return {(ds, key): Held(version, not deleted, data) for ds, key, version, deleted, data in rows}

    # Arrays go in binary (%b): psycopg's text form escapes every element with a regex, which
    # cost more than the whole rest of a 500-record batch.
    def save_records(self, dataset: str, region_code: str, batch_id: str,
                     writes: dict[str, Held], data_json: dict[str, str | None]) -> None:
        if not writes:
            return
        keys = list(writes)
        self.execute(
            """insert into hub_record (dataset, region_code, record_key, record_version, deleted, data, batch_id)
               select %(dataset)s, %(region)s, w.k, w.v, w.d, w.j::jsonb, %(batch)s
                 from unnest(%(k)b::text[], %(v)b::text[], %(d)b::bool[], %(j)b::text[]) as w(k, v, d, j)
               on conflict (dataset, region_code, record_key) do update
                  set record_version = excluded.record_version, deleted = excluded.deleted,
                      data = excluded.data, batch_id = excluded.batch_id""",
            {"dataset": dataset, "region": region_code, "batch": batch_id, "k": keys,
             "v": [writes[k].version for k in keys], "d": [not writes[k].live for k in keys],
             "j": [data_json[k] for k in keys]})

    def save_receipt(self, batch_id: str, dataset: str, region_code: str, receipt: str) -> None:
        self.execute(
            "insert into hub_batch (key_sha256, batch_id, dataset, region_code, receipt) values (%s, %s, %s, %s, %s)",
            (key_hash(batch_id), batch_id, dataset, region_code, receipt))


def live_records(database_url: str, dataset: str, region_code: str) -> dict[str, str]:
    """record_key -> record_version of the live records the hub holds (for tests)."""
    with psycopg.connect(libpq_url(database_url)) as conn:
        rows = conn.execute(
            "select record_key, record_version from hub_record where dataset = %s and region_code = %s and not deleted",
            (dataset, region_code)).fetchall()
    return dict(rows)


def held_records(database_url: str, dataset: str, region_code: str) -> dict[str, tuple[str, bool]]:
    """record_key -> (record_version, deleted) of everything held, tombstones included (for tests)."""
    with psycopg.connect(libpq_url(database_url)) as conn:
        rows = conn.execute(
            "select record_key, record_version, deleted from hub_record where dataset = %s and region_code = %s",
            (dataset, region_code)).fetchall()
    return {k: (v, d) for k, v, d in rows}
