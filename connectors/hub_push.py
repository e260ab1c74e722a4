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
  and says so instead of hammering it.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from connectors.hub_client import HubClient, HubRefused, HubUnavailable
from jiandu.standard import PUSH_ORDER, Dataset, FieldSpec, load_standard

log = logging.getLogger(__name__)

MAX_RECORDS = 500
MAX_BYTES = 5 * 1024 * 1024 - 64 * 1024   # headroom under the hub's 5 MiB for the envelope
CST = dt.timezone(dt.timedelta(hours=8))


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


def _pending_batches(conn: psycopg.Connection, dataset: str | None = None) -> Iterator[tuple[str, dict]]:
    """Unsent batches, oldest first, one body in memory at a time."""
    ids = conn.execute("select batch_id, dataset from ops.push_batch where status = 'pending'"
                       " and (%s::text is null or dataset = %s) order by created_at, batch_id",
                       (dataset, dataset)).fetchall()
    conn.commit()
    for batch_id, ds in ids:
        body = conn.execute("select body from ops.push_batch where batch_id = %s and status = 'pending'",
                            (batch_id,)).fetchone()
        conn.commit()
        if body:
            yield ds, body[0]


def _delta(conn: psycopg.Connection, ds: Dataset) -> Iterator[dict]:
    """Records whose version the hub has not accepted yet, then deletions of pushed records."""
    cols = [f.name for f in ds.fields]
    query = sql.SQL("""
        select {cols}, t.record_key,
               to_char(t.record_version at time zone 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"') as _version
        from standard.{table} t
        left join ops.push_state p on p.dataset = %(ds)s and p.record_key = t.record_key
        where (p.record_key is null or p.op = 'delete'
               or p.record_version <> to_char(t.record_version at time zone 'Asia/Shanghai',
                                              'YYYY-MM-DD"T"HH24:MI:SS"+08:00"')
               -- judged against what the hub held then: may pass now that parents arrived
               or (p.outcome = 'rejected' and p.reject_code in ('REFERENCE_MISSING', 'ORDER')))
          and not exists (select 1 from quality.issue q where q.dataset = %(ds)s and q.record_key = t.record_key
                          and q.status = 'open' and q.severity = 'blocking')
          {parents_held}
        order by t.record_key
    """).format(cols=sql.SQL(", ").join(sql.Identifier("t", c) for c in cols), table=sql.Identifier(table_of(ds)),
                parents_held=_parents_held(ds))
    specs = ds.field_map
    # WITH HOLD: batches are committed to ops.push_batch while this cursor is still being read.
    with conn.cursor(name=f"delta_{ds.code}", row_factory=dict_row, withhold=True) as cur:
        cur.itersize = 2000
        cur.execute(query, {"ds": ds.code})
        for row in cur:
            data = {c: render_value(specs[c], row[c]) for c in cols}
            yield {"record_key": row["record_key"], "record_version": row["_version"], "op": "upsert", "data": data}
    now = format_datetime(dt.datetime.now(CST))
    gone = conn.execute(sql.SQL("""
        select p.record_key, p.record_version from ops.push_state p
        where p.dataset = %s and p.op = 'upsert' and p.outcome in ('accepted', 'stale')
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


def _batches(records: Iterator[dict], region_code: str) -> Iterator[dict]:
    chunk: list[dict] = []
    size = 0
    for rec in records:
        rec_size = len(json.dumps(rec, ensure_ascii=False).encode("utf-8")) + 1
        if chunk and (len(chunk) >= MAX_RECORDS or size + rec_size > MAX_BYTES):
            yield _envelope(chunk, region_code)
            chunk, size = [], 0
        chunk.append(rec)
        size += rec_size
    if chunk:
        yield _envelope(chunk, region_code)


def _envelope(records: list[dict], region_code: str) -> dict:
    return {"batch_id": str(uuid.uuid4()), "region_code": region_code, "records": records}


def _persist(conn: psycopg.Connection, dataset: str, body: dict) -> None:
    conn.execute("insert into ops.push_batch (batch_id, dataset, region_code, record_count, body)"
                 " values (%s, %s, %s, %s, %s)",
                 (body["batch_id"], dataset, body["region_code"], len(body["records"]),
                  json.dumps(body, ensure_ascii=False)))
    conn.commit()


def _record_receipt(conn: psycopg.Connection, dataset: str, body: dict, receipt: dict, report: PushReport) -> None:
    rejected = {r.get("record_key"): r for r in receipt.get("rejected") or []}
    conn.execute("update ops.push_batch set status = 'sent', sent_at = now(), attempts = attempts + 1"
                 " where batch_id = %s", (body["batch_id"],))
    conn.execute("insert into ops.push_receipt (batch_id, dataset, received, accepted, stale, rejected, receipt)"
                 " values (%s, %s, %s, %s, %s, %s, %s) on conflict (batch_id) do nothing",
                 (body["batch_id"], dataset, receipt.get("received", 0), receipt.get("accepted", 0),
                  receipt.get("stale", 0), len(rejected), json.dumps(receipt, ensure_ascii=False)))
    state_rows, issue_rows, closed_keys = [], [], []
    for rec in body["records"]:
        rej = rejected.get(rec["record_key"])
        outcome = "rejected" if rej else "accepted"
        state_rows.append((dataset, rec["record_key"], body["region_code"], rec["record_version"], rec["op"], outcome,
                           rej and rej.get("code"), rej and rej.get("field"), rej and rej.get("message"),
                           body["batch_id"]))
        if rej:
            issue_rows.append((dataset, rec["record_key"], f"HUB_{rej.get('code')}", rej.get("field"),
                               f"省级数据中心拒收：{rej.get('message') or rej.get('code')}"))
        else:
            closed_keys.append(rec["record_key"])
    with conn.cursor() as cur:
        cur.executemany("""
            insert into ops.push_state (dataset, record_key, region_code, record_version, op, outcome,
                                        reject_code, reject_field, reject_message, batch_id, updated_at)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())
            on conflict (dataset, record_key) do update set
              region_code = excluded.region_code, record_version = excluded.record_version, op = excluded.op,
              outcome = excluded.outcome, reject_code = excluded.reject_code, reject_field = excluded.reject_field,
              reject_message = excluded.reject_message, batch_id = excluded.batch_id, updated_at = now()
        """, state_rows)
        cur.executemany("""
            insert into quality.issue (dataset, record_key, rule, severity, field, message, source_ref)
            values (%s, %s, %s, 'warning', %s, %s, 'hub')
            on conflict (dataset, record_key, rule) do update set
              status = 'open', last_seen = now(), field = excluded.field, message = excluded.message, closed_at = null
        """, issue_rows)
        if closed_keys:
            cur.execute("""
                update quality.issue set status = 'closed', closed_at = now()
                where dataset = %s and record_key = any(%s) and rule like 'HUB\\_%%' and status = 'open'
            """, (dataset, closed_keys))
    conn.commit()
    report.batches_sent += 1
    report.records_sent += len(body["records"])
    report.accepted += receipt.get("accepted", 0)
    report.stale += receipt.get("stale", 0)
    report.rejected += len(rejected)
    report.per_dataset[dataset] = report.per_dataset.get(dataset, 0) + len(body["records"])


class _Pusher:
    def __init__(self, conn: psycopg.Connection, client: HubClient, circuit_failures: int) -> None:
        self.conn, self.client = conn, client
        self.circuit_failures = circuit_failures
        self.consecutive_failures = 0
        self.report = PushReport()

    def send(self, dataset: str, body: dict) -> bool:
        try:
            receipt = self.client.push_batch(dataset, body)
        except HubUnavailable as exc:
            self.conn.execute("update ops.push_batch set attempts = attempts + 1, last_error = %s where batch_id = %s",
                              (str(exc)[:2000], body["batch_id"]))
            self.conn.commit()
            self.consecutive_failures += 1
            if self.consecutive_failures >= self.circuit_failures:
                raise CircuitOpen(f"省级数据中心连续 {self.consecutive_failures} 个批次不可用，已停止本次推送：{exc}") from exc
            return False
        except HubRefused as exc:
            # A final refusal of the whole batch (413/422) is a fault of ours: keep the batch for
            # investigation, do not resend it blindly.
            self.conn.execute("update ops.push_batch set status = 'failed', attempts = attempts + 1, last_error = %s"
                              " where batch_id = %s", (str(exc)[:2000], body["batch_id"]))
            self.conn.commit()
            log.error("hub refused batch %s of %s: %s", body["batch_id"], dataset, exc)
            return False
        self.consecutive_failures = 0
        _record_receipt(self.conn, dataset, body, receipt, self.report)
        return True


def push_all(conn: psycopg.Connection, client: HubClient, region_code: str, *,
             datasets: list[str] | None = None, circuit_failures: int = 5) -> PushReport:
    """One push run: pending batches first, then each dataset's delta, parents before children."""
    std = load_standard()
    pusher = _Pusher(conn, client, circuit_failures)
    try:
        # What a crashed run left unsent goes first, exactly as it was built.
        for code, body in _pending_batches(conn):
            pusher.send(code, body)
        for code in datasets or PUSH_ORDER:
            if next(_pending_batches(conn, code), None) is not None:
                continue   # still unsent after retries: a new delta now would overlap it
            for body in _batches(_delta(conn, std.datasets[code]), region_code):
                _persist(conn, code, body)
            for _, body in _pending_batches(conn, code):
                pusher.send(code, body)
        held = conn.execute("select count(*) from quality.issue where status = 'open' and severity = 'blocking'"
                            ).fetchone()[0]
        pusher.report.held = held
        conn.commit()
    except CircuitOpen as exc:
        pusher.report.stopped = str(exc)
        log.error("%s", exc)
    return pusher.report
