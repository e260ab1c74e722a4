"""Push the standard datasets to the provincial hub: delta by record_version, parents first.

Guarantees (hub-api.md, "Operating expectations"):
- a batch (its Idempotency-Key and exact body) is committed to ops.push_batch before it is first
  sent, and pending batches are re-sent as they are before anything new is built, so a crash
  between send and receipt resends the same batch and the hub counts each record once;
- a record counts as pushed only when a receipt accepted it or counted it stale
  (ops.push_state); a rejected record waits, visible to stewards in quality.issue with the hub's
  code, field and message, until its content (and so its version) changes — except rejections
  judged against what the hub held (REFERENCE_MISSING, ORDER), which are tried again each run;
- records held by an open blocking quality issue are not sent, nor are records whose parent is;
- after ``circuit_failures`` consecutive batches that found the hub unavailable, the run stops
  and says so instead of hammering it; a 401 with a fresh token stops it at once (no batch is at
  fault, so none is marked failed);
- one push or reconciliation at a time per warehouse (a session advisory lock), so two runs never
  build overlapping deltas;
- a batch is kept as the exact bytes sent (ops.push_batch.body, text), and new batches are
  pipelined: the next is built and persisted while the hub judges the one before (see _Pusher).

Where hub-api.md is silent:
- the hub's rejection message is stored for stewards with resident-ID shapes masked (the standard's
  ``resident_id_anywhere``): a real hub may echo a value, and quality.issue is outside the push;
- a record that comes back after its deletion was pushed carries a version one second newer than
  that deletion when its own is not newer: the hub holds the tombstone's version and would count
  the record stale for ever (versions only ever move forward at the hub).
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import psycopg
from psycopg import sql

from connectors.hub_client import HubAuthFailed, HubClient, HubRefused, HubUnavailable
from jiandu.standard import PUSH_ORDER, Dataset, FieldSpec, load_standard, mask_resident_ids_in_text

log = logging.getLogger(__name__)

MAX_RECORDS = 500
MAX_BYTES = 5 * 1024 * 1024               # the hub's limit, on the exact bytes sent (encode_body)
CST = dt.timezone(dt.timedelta(hours=8))
VERSION_SQL = """to_char({} at time zone 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"')"""
PUSH_LOCK = 0x6a6475   # pg_advisory_lock key shared by push and reconciliation ("jdu")


class CircuitOpen(RuntimeError):
    pass


def table_of(ds: Dataset) -> str:
    return f"zf{ds.code[2:]}_{ds.name}"


def format_datetime(value: dt.datetime) -> str:
    return value.astimezone(CST).strftime("%Y-%m-%dT%H:%M:%S+08:00")


def render_value(spec: FieldSpec, value: Any) -> Any:
    """A warehouse value in the JSON form the standard names (hub-api.md, "How a record is judged")."""
    if value is None:
        return None
    base = spec.type.base
    if base == "list":
        return sorted({str(v) for v in value})
    if base == "datetime":
        return format_datetime(value)
    if base == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if base == "decimal":
        return f"{decimal.Decimal(value):.2f}"
    if base == "int":
        return int(value)
    if base == "bool":
        return bool(value)
    return str(value)


@dataclass
class PushReport:
    batches_sent: int = 0
    records_sent: int = 0
    accepted: int = 0
    stale: int = 0
    rejected: int = 0
    held: int = 0
    per_dataset: dict[str, int] = field(default_factory=dict)
    stopped: str | None = None
    deferred: list[str] = field(default_factory=list)   # datasets left for the next run
    hub_wait_seconds: float = 0.0     # time the run had nothing to do but wait for the hub's answers


def _pending_batches(conn: psycopg.Connection, dataset: str | None = None) -> Iterator[tuple[str, Batch]]:
    """Unsent batches, oldest first, one body in memory at a time, with the very bytes first sent."""
    ids = conn.execute("select batch_id, dataset from ops.push_batch where status = 'pending'"
                       " and (%s::text is null or dataset = %s) order by created_at, batch_id",
                       (dataset, dataset)).fetchall()
    conn.commit()
    for batch_id, ds in ids:
        body = conn.execute("select body from ops.push_batch where batch_id = %s and status = 'pending'",
                            (batch_id,)).fetchone()
        conn.commit()
        if body:
            yield ds, Batch(ds, json.loads(body[0]), body[0].encode("utf-8"))


def _version_sql(column: str) -> sql.Composable:
    return sql.SQL(VERSION_SQL).format(sql.Identifier("t", column))


class Encoded(dict):
    """A record's record_key, record_version and op, with the whole record already encoded as
    JSON (by PostgreSQL: see ``record_rows``) in ``encoded``."""
    __slots__ = ("encoded",)

    def __init__(self, meta: dict, encoded: bytes) -> None:
        super().__init__(meta)
        self.encoded = encoded


def _json_value(spec: FieldSpec) -> sql.Composable:
    """``spec``'s column as PostgreSQL renders it into JSON: the same value ``render_value`` gives."""
    col = sql.Identifier("t", spec.name)
    base = spec.type.base
    if base == "list":
        # distinct, in code point (= byte) order, as render_value's sorted(set(...))
        return sql.SQL("""case when {c} is null then null
                          else array_to_json(array(select distinct v::text collate "C" from unnest({c}) as u(v)
                                                   order by 1)) end""").format(c=col)
    if base == "datetime":
        return sql.SQL(VERSION_SQL).format(col)
    if base == "date":
        return sql.SQL("to_char({}::date, 'YYYY-MM-DD')").format(col)
    if base == "decimal":
        return sql.SQL("round({}::numeric, 2)::text").format(col)
    if base == "int":
        return sql.SQL("{}::bigint").format(col)
    if base == "bool":
        return sql.SQL("{}::boolean").format(col)
    return sql.SQL("{}::text").format(col)


def record_rows(conn: psycopg.Connection, ds: Dataset, where: sql.Composable, params: dict,
                cursor_name: str) -> Iterator[Encoded]:
    """Upserts of the standard table's rows matching ``where`` (aliases t: the table, p: push_state).

    PostgreSQL writes each record's JSON (json_build_object): rendering a million records field by
    field in Python cost more than the rest of the client together.

    A row whose key the hub holds as our tombstone (p.op = 'delete') gets a version newer than
    that tombstone if its own is not (see the module's notes); one the hub holds live in a version
    newer than the row's own (sent so earlier) keeps that version, which is what a repair resends.
    """
    version = _version_sql("record_version")
    data = sql.SQL("json_build_object({})").format(sql.SQL(", ").join(
        sql.SQL("{}, {}").format(sql.Literal(f.name), _json_value(f)) for f in ds.fields))
    query = sql.SQL("""
        select w.record_key, w._version,
               json_build_object('record_key', w.record_key, 'record_version', w._version, 'op', 'upsert',
                                 'data', w._data)::text
        from (select t.record_key, {data} as _data,
                     case when p.op = 'delete' and p.record_version >= {version} collate "C" then {bumped}
                          when p.op = 'upsert' and p.outcome <> 'rejected' and p.record_version > {version} collate "C"
                          then p.record_version
                          else {version} end as _version
                from standard.{table} t
                left join ops.push_state p on p.dataset = %(ds)s and p.record_key = t.record_key
               where {where}) w
        order by w.record_key
    """).format(data=data, table=sql.Identifier(table_of(ds)), version=version, where=where,
                bumped=sql.SQL(VERSION_SQL).format(sql.SQL("(p.record_version::timestamptz + interval '1 second')")))
    # WITH HOLD: batches are committed to ops.push_batch while this cursor is still being read.
    with conn.cursor(name=cursor_name, withhold=True) as cur:
        cur.itersize = 2000
        cur.execute(query, {"ds": ds.code, **params})
        for key, ver, text in cur:
            yield Encoded({"record_key": key, "record_version": ver, "op": "upsert"}, text.encode("utf-8"))


def not_held(ds: Dataset) -> sql.Composable:
    """Records neither held by an open blocking quality issue nor by a held parent."""
    return sql.SQL("""not exists (select 1 from quality.issue q where q.dataset = %(ds)s and q.record_key = t.record_key
                                  and q.status = 'open' and q.severity = 'blocking')""") + _parents_held(ds)


def _delta(conn: psycopg.Connection, ds: Dataset) -> Iterator[dict]:
    """Records whose version the hub has not accepted yet, then deletions of pushed records."""
    # Only a newer version is sent: one the hub holds already, or an older one, would be stale.
    where = sql.SQL("""(p.record_key is null or p.op = 'delete'
               or p.record_version < {version} collate "C"
               -- judged against what the hub held then: may pass now that parents arrived
               or (p.outcome = 'rejected' and p.reject_code in ('REFERENCE_MISSING', 'ORDER')))
          and """).format(version=_version_sql("record_version")) + not_held(ds)
    yield from record_rows(conn, ds, where, {}, f"delta_{ds.code}")
    now = format_datetime(dt.datetime.now(CST))
    gone = conn.execute(sql.SQL("""
        select p.record_key, p.record_version from ops.push_state p
        -- rejected ones too: an earlier version may be live at the hub, and the steward's issue
        -- closes with the deletion's receipt (a delete of a key the hub never held is accepted)
        where p.dataset = %s and p.op = 'upsert'
          and not exists (select 1 from standard.{table} t where t.record_key = p.record_key)
        order by p.record_key
    """).format(table=sql.Identifier(table_of(ds))), (ds.code,)).fetchall()
    for key, held_version in gone:
        # A deletion must carry a version newer than the one the hub holds, or it is stale.
        version = now if now > held_version else _plus_one_second(held_version)
        yield {"record_key": key, "record_version": version, "op": "delete"}


def _parents_held(ds: Dataset) -> sql.Composable:
    """A record whose referenced parent is held by a blocking issue is held too: sent now, the hub
    could only reject it for the missing parent."""
    conds = []
    for f in ds.fields:
        if not f.references:
            continue
        parent = f.references.split(".", 1)[0]
        match = (sql.SQL("q.record_key = any(t.{})") if f.type.base == "list" else sql.SQL("q.record_key = t.{}")
                 ).format(sql.Identifier(f.name))
        conds.append(sql.SQL(" and not exists (select 1 from quality.issue q where q.dataset = {} and {}"
                             " and q.status = 'open' and q.severity = 'blocking')").format(sql.Literal(parent), match))
    return sql.Composed(conds)


def _plus_one_second(version: str) -> str:
    return format_datetime(dt.datetime.fromisoformat(version) + dt.timedelta(seconds=1))


@dataclass
class Batch:
    dataset: str
    body: dict              # batch_id, region_code and records (an upsert's data may be only in payload)
    payload: bytes          # exactly what is sent, and stored in ops.push_batch


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def build_batches(dataset: str, records: Iterator[dict], region_code: str,
                  max_records: int = MAX_RECORDS) -> Iterator[Batch]:
    """At most ``max_records`` (hub: 500) records and MAX_BYTES bytes per batch, each record encoded once."""
    max_records = min(max_records, MAX_RECORDS)
    chunk: list[dict] = []
    parts: list[bytes] = []
    size = 0
    for rec in records:
        enc = rec.encoded if isinstance(rec, Encoded) else _dumps(rec)
        if chunk and (len(chunk) >= max_records or size + len(enc) + 1 > MAX_BYTES):
            yield _envelope(dataset, chunk, parts, region_code)
            chunk, parts, size = [], [], 0
        chunk.append(rec)
        parts.append(enc)
        size += len(enc) + 1
    if chunk:
        yield _envelope(dataset, chunk, parts, region_code)


def _envelope(dataset: str, records: list[dict], parts: list[bytes], region_code: str) -> Batch:
    batch_id = str(uuid.uuid4())
    head = b'{"batch_id":' + _dumps(batch_id) + b',"region_code":' + _dumps(region_code) + b',"records":['
    payload = head + b",".join(parts) + b"]}"
    if len(payload) > MAX_BYTES:
        # A single record over 5 MiB: the hub can only refuse it (413); sent so the refusal is recorded.
        log.error("a record of %s alone exceeds the hub's 5 MiB: %s", dataset, records[0]["record_key"])
    return Batch(dataset, {"batch_id": batch_id, "region_code": region_code, "records": records}, payload)


def _persist(conn: psycopg.Connection, *batches: Batch) -> None:
    """Batches committed (durably: this is what makes a resend after a crash the same batch)
    before any of them is first sent; several at once share one WAL flush."""
    with conn.cursor() as cur:
        cur.executemany("insert into ops.push_batch (batch_id, dataset, region_code, record_count, body)"
                        " values (%s, %s, %s, %s, %s)",
                        [(b.body["batch_id"], b.dataset, b.body["region_code"], len(b.body["records"]),
                          b.payload.decode("utf-8")) for b in batches])
    conn.commit()


def _steward_message(rej: dict) -> str:
    return mask_resident_ids_in_text(str(rej.get("message") or rej.get("code")))


def _record_receipt(conn: psycopg.Connection, dataset: str, body: dict, receipt: dict, report: PushReport) -> None:
    rejected = {r.get("record_key"): r for r in receipt.get("rejected") or []}
    keys, versions, ops, outcomes, codes, fields, messages = [], [], [], [], [], [], []
    issue_keys, issue_rules, issue_fields, issue_messages, closed_keys = [], [], [], [], []
    for rec in body["records"]:
        rej = rejected.get(rec["record_key"])
        keys.append(rec["record_key"])
        versions.append(rec["record_version"])
        ops.append(rec["op"])
        outcomes.append("rejected" if rej else "accepted")
        codes.append(rej and rej.get("code"))
        fields.append(rej and rej.get("field"))
        messages.append(rej and _steward_message(rej))
        if rej:
            issue_keys.append(rec["record_key"])
            issue_rules.append(f"HUB_{rej.get('code')}")
            issue_fields.append(rej.get("field"))
            issue_messages.append(f"省级数据中心拒收：{_steward_message(rej)}")
        else:
            closed_keys.append(rec["record_key"])
    # One round trip for the whole transaction (pipeline mode): on a busy server the waits between
    # statements, not the statements, were most of a receipt's cost.
    with conn.pipeline():
        # Not flushed at commit: should PostgreSQL itself crash and lose this transaction, the batch
        # is merely pending again and resent with its key, and the hub answers with this same receipt.
        conn.execute("set local synchronous_commit = off")
        conn.execute("update ops.push_batch set status = 'sent', sent_at = now(), attempts = attempts + 1"
                     " where batch_id = %s", (body["batch_id"],))
        conn.execute("insert into ops.push_receipt (batch_id, dataset, received, accepted, stale, rejected, receipt)"
                     " values (%s, %s, %s, %s, %s, %s, %s) on conflict (batch_id) do nothing",
                     (body["batch_id"], dataset, receipt.get("received", 0), receipt.get("accepted", 0),
                      receipt.get("stale", 0), len(rejected),
                      json.dumps(receipt | {"rejected": [r | {"message": _steward_message(r)} for r in rejected.values()]},
                                 ensure_ascii=False)))
        # One set-based statement per table, whatever the batch size (arrays in binary: no per-element quoting).
        conn.execute("""
            insert into ops.push_state (dataset, record_key, region_code, record_version, op, outcome,
                                        reject_code, reject_field, reject_message, batch_id, updated_at)
            select %(ds)s, k, %(region)s, v, o, r, c, f, m, %(batch)s, now()
              from unnest(%(k)b::text[], %(v)b::text[], %(o)b::text[], %(r)b::text[], %(c)b::text[], %(f)b::text[],
                          %(m)b::text[]) as w(k, v, o, r, c, f, m)
            on conflict (dataset, record_key) do update set
              region_code = excluded.region_code, record_version = excluded.record_version, op = excluded.op,
              outcome = excluded.outcome, reject_code = excluded.reject_code, reject_field = excluded.reject_field,
              reject_message = excluded.reject_message, batch_id = excluded.batch_id, updated_at = now()
        """, {"ds": dataset, "region": body["region_code"], "batch": body["batch_id"], "k": keys, "v": versions,
              "o": ops, "r": outcomes, "c": codes, "f": fields, "m": messages})
        if issue_keys:
            conn.execute("""
                insert into quality.issue (dataset, record_key, rule, severity, field, message, source_ref)
                select %(ds)s, k, r, 'warning', f, m, 'hub'
                  from unnest(%(k)s::text[], %(r)s::text[], %(f)s::text[], %(m)s::text[]) as w(k, r, f, m)
                on conflict (dataset, record_key, rule) do update set
                  status = 'open', last_seen = now(), field = excluded.field, message = excluded.message, closed_at = null
            """, {"ds": dataset, "k": issue_keys, "r": issue_rules, "f": issue_fields, "m": issue_messages})
        if closed_keys:
            conn.execute("""
                update quality.issue set status = 'closed', closed_at = now()
                where dataset = %s and record_key = any(%b::text[]) and rule like 'HUB\\_%%' and status = 'open'
            """, (dataset, closed_keys))
    conn.commit()
    report.batches_sent += 1
    report.records_sent += len(body["records"])
    report.accepted += receipt.get("accepted", 0)
    report.stale += receipt.get("stale", 0)
    report.rejected += len(rejected)
    report.per_dataset[dataset] = report.per_dataset.get(dataset, 0) + len(body["records"])


class _Pusher:
    """Sends batches and records their receipts; all database work stays on the caller's thread.

    New batches are pipelined: while the hub judges one batch, the next is built and persisted
    and the previous receipt recorded (one sender thread, so batches still reach the hub one after
    another and in order; a dataset's batches are all settled before the next dataset starts, so
    parents are at the hub before their children are sent).
    """

    def __init__(self, conn: psycopg.Connection, client: HubClient, circuit_failures: int,
                 persist_group: int = 4) -> None:
        self.conn, self.client = conn, client
        self.circuit_failures = circuit_failures
        self.consecutive_failures = 0
        # batches persisted per commit; up to twice as many are built ahead of the hub's answers
        self.persist_group = persist_group
        self.report = PushReport()

    def send(self, dataset: str, body: dict, payload: bytes | None = None) -> dict | None:
        """Send one persisted batch; its receipt once recorded, or None."""
        return self._settle(dataset, body, lambda: self.client.push_batch(dataset, body, payload))

    def _settle(self, dataset: str, body: dict, call) -> dict | None:
        try:
            receipt = call()
        except HubUnavailable as exc:
            self.conn.execute("update ops.push_batch set attempts = attempts + 1, last_error = %s where batch_id = %s",
                              (str(exc)[:2000], body["batch_id"]))
            self.conn.commit()
            self.consecutive_failures += 1
            if self.consecutive_failures >= self.circuit_failures:
                raise CircuitOpen(f"省级数据中心连续 {self.consecutive_failures} 个批次不可用，已停止本次推送：{exc}") from exc
            return None
        except HubAuthFailed as exc:
            self.conn.execute("update ops.push_batch set attempts = attempts + 1, last_error = %s where batch_id = %s",
                              (str(exc)[:2000], body["batch_id"]))
            self.conn.commit()
            raise CircuitOpen(f"省级数据中心拒绝本系统的访问凭证（401），已停止本次推送，请核对接入凭证：{exc}") from exc
        except HubRefused as exc:
            # A final refusal of the whole batch (413/422) is a fault of ours: keep the batch for
            # investigation, do not resend it blindly.
            self.conn.execute("update ops.push_batch set status = 'failed', attempts = attempts + 1, last_error = %s"
                              " where batch_id = %s", (str(exc)[:2000], body["batch_id"]))
            self.conn.commit()
            log.error("hub refused batch %s of %s: %s", body["batch_id"], dataset, exc)
            return None
        self.consecutive_failures = 0
        _record_receipt(self.conn, dataset, body, receipt, self.report)
        return receipt

    def send_pending(self, dataset: str | None = None) -> bool:
        """What a crashed or cut-short run left unsent, exactly as it was built; True when none is left."""
        for code, batch in _pending_batches(self.conn, dataset):
            self.send(code, batch.body, batch.payload)
        return next(_pending_batches(self.conn, dataset), None) is None

    def send_new(self, batches: Iterator[Batch]) -> list[tuple[Batch, dict | None]]:
        """Persist each batch before its first send (crash safety), then send it; returns each
        batch with its receipt (None when it stays pending or failed), in order."""
        out: list[tuple[Batch, dict | None]] = []
        inflight: deque[tuple[Batch, Future]] = deque()

        def settle_first() -> None:
            batch, fut = inflight.popleft()
            if not fut.done():
                t0 = time.monotonic()
                wait([fut])
                self.report.hub_wait_seconds += time.monotonic() - t0
            out.append((batch, self._settle(batch.dataset, batch.body, fut.result)))

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-send") as sender:
            try:
                for group in _groups(batches, self.persist_group):
                    _persist(self.conn, *group)
                    for batch in group:
                        inflight.append((batch, sender.submit(self.client.push_batch, batch.dataset, batch.body,
                                                              batch.payload)))
                    while inflight and (len(inflight) > self.persist_group or inflight[0][1].done()):
                        settle_first()
                while inflight:
                    settle_first()
            except BaseException:
                # Whatever stops the run, batches not yet started stay pending as persisted, and
                # the one on the wire is settled (a receipt received is recorded) before leaving.
                for _, fut in inflight:
                    fut.cancel()
                while inflight:
                    if inflight[0][1].cancelled():
                        inflight.popleft()
                        continue
                    try:
                        settle_first()
                    except CircuitOpen:
                        pass
                raise
        return out


def _groups(items: Iterator[Batch], size: int) -> Iterator[list[Batch]]:
    group: list[Batch] = []
    for item in items:
        group.append(item)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


@contextmanager
def push_lock(conn: psycopg.Connection) -> Iterator[None]:
    """One push or reconciliation at a time per warehouse (released with the session if it dies)."""
    conn.execute("select pg_advisory_lock(%s)", (PUSH_LOCK,))
    conn.commit()
    try:
        yield
    finally:
        conn.rollback()
        conn.execute("select pg_advisory_unlock(%s)", (PUSH_LOCK,))
        conn.commit()


def push_all(conn: psycopg.Connection, client: HubClient, region_code: str, *,
             datasets: list[str] | None = None, circuit_failures: int = 5) -> PushReport:
    """One push run: pending batches first, then each dataset's delta, parents before children."""
    std = load_standard()
    pusher = _Pusher(conn, client, circuit_failures)
    with push_lock(conn):
        try:
            pusher.send_pending()
            for code in datasets or PUSH_ORDER:
                if pusher.report.deferred or next(_pending_batches(conn, code), None) is not None:
                    # Unsent after its retries: a new delta now would overlap it, and children
                    # sent before their parents arrive could only be refused for them.
                    pusher.report.deferred.append(code)
                    continue
                pusher.send_new(build_batches(code, _delta(conn, std.datasets[code]), region_code))
                if next(_pending_batches(conn, code), None) is not None:
                    pusher.report.deferred.append(code)
            held = conn.execute("select count(*) from quality.issue where status = 'open' and severity = 'blocking'"
                                ).fetchone()[0]
            pusher.report.held = held
            conn.commit()
            if pusher.report.deferred:
                # Reported as a stop so the run fails and is retried with backoff, not logged as done.
                pusher.report.stopped = (f"省级数据中心暂不可用，有批次未送达（已保留，下次推送时原样重发）；"
                                         f"推迟到下次推送的数据集：{'、'.join(pusher.report.deferred)}")
        except CircuitOpen as exc:
            pusher.report.stopped = str(exc)
            log.error("%s", exc)
    return pusher.report
