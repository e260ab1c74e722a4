"""Nightly reconciliation (对账) with the provincial hub, then a repair push.

For each dataset and region, the hub's summary (hub-api.md "Reconciling": live record count,
newest live record_version, SHA-256 of the sorted live record_keys) is compared with the same
three figures computed from what ops.push_state says is live at the hub, and, for information,
from the warehouse's pushable records. Each comparison is a row of ops.reconciliation.

What hub-api.md lets a deployment learn, and so how differing keys are found
-----------------------------------------------------------------------------
The document offers no per-key listing, and the summary takes no filter but region_code, so key
ranges cannot be bisected. The only per-key signals are the summary's newest version and its
checksum over the exact key set, and a receipt's accepted/stale counts (a record sent again at
the version the hub holds is counted stale and changes nothing; one the hub lacks, or holds in an
older version, is accepted). So, in order:

1. newest version: every record we believe live with a version newer than the hub's
   ``latest_version`` is certainly missing there or older (the hub holds no live record newer);
2. one key short or one key over: the checksum is a hash of the sorted key list, so the one
   missing key is the key whose removal from our list gives the hub's checksum, and the one extra
   key is the tombstone of ours whose insertion does (tried within a hashing budget);
3. otherwise, re-sending: every record we believe live is sent again (and every deletion of
   ours, when the hub holds more keys than we expect) in small batches; the version rules make
   this harmless, and a batch's accepted count says how many of its records differed. A batch
   accepted whole names its keys exactly; a partly accepted one only narrows them to the batch
   (``differing_keys_exact`` false, finding ``in_repaired_batch``).

The repair push uses the push's own machinery (batch persisted before it is sent, same
Idempotency-Key on every resend, receipts into ops.push_state), so an interrupted
reconciliation loses nothing and the next push or reconciliation sends what it left pending.
A second summary then confirms the repair.

Where the document is silent: a key the hub holds live that this deployment never pushed cannot
be named (no listing); the row says so. A difference in versions below the hub's newest, with the
same keys, is invisible to the summary: ``resend_all`` re-sends everything to cover that too.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import psycopg
from psycopg import sql

from connectors.hub_client import HubClient
from connectors.hub_push import (
    CircuitOpen, _Pusher, build_batches, not_held, push_lock, record_rows, table_of,
)
from jiandu.standard import PUSH_ORDER, load_standard

log = logging.getLogger(__name__)

MAX_KEYS_LISTED = 10_000
DEFAULT_PROBE_BATCH = 100
DEFAULT_HASH_BUDGET = 1_000_000_000     # bytes hashed by a checksum search (about a second)


@dataclass(frozen=True)
class Summary:
    records: int
    latest_version: str | None
    checksum: str

    def differences(self, other: "Summary") -> list[str]:
        return [name for name in ("records", "latest_version", "checksum")
                if getattr(self, name) != getattr(other, name)]


def _key_bytes(keys_sorted: Iterable[str]) -> Iterator[bytes]:
    for k in keys_sorted:
        yield k.encode("utf-8") + b"\n"


def checksum_of(keys: Iterable[str]) -> str:
    """hub-api.md: SHA-256 of the keys sorted by their UTF-8 bytes, each followed by a newline.

    Python orders str by code point, which is UTF-8 byte order (PostgreSQL's COLLATE "C").
    """
    h = hashlib.sha256()
    for b in _key_bytes(sorted(keys)):
        h.update(b)
    return h.hexdigest()


def summary_of(live: dict[str, str]) -> Summary:
    """The summary the hub would give for these live records (record_key -> record_version)."""
    return Summary(len(live), max(live.values()) if live else None, checksum_of(live))


def find_one_missing(keys_sorted: list[str], target: str, budget: int = DEFAULT_HASH_BUDGET) -> str | None:
    """The key whose removal from ``keys_sorted`` gives checksum ``target`` (None if none or over budget)."""
    parts = list(_key_bytes(keys_sorted))
    blob = memoryview(b"".join(parts))
    if len(parts) * len(blob) > budget:
        return None
    prefix = hashlib.sha256()
    pos = 0
    for key, part in zip(keys_sorted, parts):
        h = prefix.copy()
        h.update(blob[pos + len(part):])
        if h.hexdigest() == target:
            return key
        prefix.update(part)
        pos += len(part)
    return None


def find_one_extra(keys_sorted: list[str], candidates: Iterable[str], target: str,
                   budget: int = DEFAULT_HASH_BUDGET) -> str | None:
    """The candidate whose insertion into ``keys_sorted`` gives checksum ``target``."""
    parts = list(_key_bytes(keys_sorted))
    offsets = [0]
    for p in parts:
        offsets.append(offsets[-1] + len(p))
    blob = memoryview(b"".join(parts))
    present = set(keys_sorted)
    cands = [c for c in candidates if c not in present]
    if len(cands) * (len(blob) + 64) > budget:
        return None
    for c in cands:
        at = offsets[bisect.bisect_left(keys_sorted, c)]
        h = hashlib.sha256(blob[:at])
        h.update(c.encode("utf-8") + b"\n")
        h.update(blob[at:])
        if h.hexdigest() == target:
            return c
    return None


# --- what the warehouse believes ------------------------------------------------------------

def expected_live(conn: psycopg.Connection, dataset: str, region: str) -> dict[str, str]:
    """What ops.push_state says is live at the hub: upserts a receipt accepted or counted stale."""
    rows = conn.execute("select record_key, record_version from ops.push_state where dataset = %s and region_code = %s"
                        " and op = 'upsert' and outcome in ('accepted', 'stale')", (dataset, region)).fetchall()
    conn.commit()
    return dict(rows)


def our_tombstones(conn: psycopg.Connection, dataset: str, region: str) -> dict[str, str]:
    rows = conn.execute("select record_key, record_version from ops.push_state where dataset = %s and region_code = %s"
                        " and op = 'delete' and outcome in ('accepted', 'stale')", (dataset, region)).fetchall()
    conn.commit()
    return dict(rows)


def pushable_summary(conn: psycopg.Connection, dataset: str) -> Summary:
    """The warehouse's records of ``dataset`` that a push would send (not held), as the hub would sum them."""
    ds = load_standard().datasets[dataset]
    # COLLATE "C" orders by UTF-8 bytes, as the checksum asks: the keys stream into the hash.
    query = sql.SQL("""select t.record_key,
                              to_char(t.record_version at time zone 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"')
                         from standard.{table} t where """).format(table=sql.Identifier(table_of(ds))) + not_held(ds) \
        + sql.SQL(' order by t.record_key collate "C"')
    h = hashlib.sha256()
    count, latest = 0, None
    with conn.cursor(name=f"pushable_{dataset}") as cur:
        cur.itersize = 10_000
        cur.execute(query, {"ds": dataset})
        for key, version in cur:
            h.update(key.encode("utf-8") + b"\n")
            count += 1
            if latest is None or version > latest:
                latest = version
    conn.commit()
    return Summary(count, latest, h.hexdigest())


def hub_summary(client: HubClient, dataset: str, region: str) -> Summary:
    s = client.summary(dataset, region)
    return Summary(int(s["records"]), s.get("latest_version"), s["checksum"])


# --- one comparison ---------------------------------------------------------------------------

@dataclass
class Comparison:
    dataset: str
    region_code: str
    hub: Summary
    expected: Summary
    pushable: Summary | None
    differences: list[str]
    findings: dict[str, tuple[str, str]] = field(default_factory=dict)   # key -> (finding, how)
    exact: bool = True
    repair_batches: int = 0
    repair_records: int = 0
    repair_accepted: int = 0
    repair_stale: int = 0
    repair_rejected: int = 0
    after: Summary | None = None
    after_differences: list[str] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "different" if self.differences else "ok"

    @property
    def status_after(self) -> str | None:
        if self.after_differences is None:
            return None
        return "different" if self.after_differences else "ok"


@dataclass
class ReconcileReport:
    run_id: int | None = None
    compared: int = 0
    different: int = 0
    repaired: int = 0
    still_different: int = 0
    repair_records: int = 0
    rows: list[Comparison] = field(default_factory=list)
    stopped: str | None = None


class _Reconciler:
    def __init__(self, conn: psycopg.Connection, client: HubClient, region_code: str, *,
                 probe_batch: int, hash_budget: int, resend_all: bool, circuit_failures: int) -> None:
        self.conn, self.client, self.own_region = conn, client, region_code
        self.probe_batch, self.hash_budget, self.resend_all = probe_batch, hash_budget, resend_all
        self.pusher = _Pusher(conn, client, circuit_failures)
        self.std = load_standard()

    # repair sends ---------------------------------------------------------------------------
    def _send_upserts(self, cmp: Comparison, keys: list[str], batch_size: int) -> list[tuple[list[str], dict | None]]:
        """Send the warehouse's current records of ``keys``; returns (keys, receipt) per batch."""
        if not keys:
            return []
        ds = self.std.datasets[cmp.dataset]
        where = sql.SQL("t.record_key = any(%(keys)b::text[]) and ") + not_held(ds)
        records = record_rows(self.conn, ds, where, {"keys": keys}, f"repair_{cmp.dataset}")
        sent = self._send(cmp, records, batch_size)
        missing = set(keys) - {k for ks, _ in sent for k in ks}
        if missing:
            cmp.notes.append(f"{len(missing)} 条记录在本地已删除或被质量问题挂起，未补推（由常规推送处理）")
        return sent

    def _send_deletes(self, cmp: Comparison, tombstones: dict[str, str], batch_size: int
                      ) -> list[tuple[list[str], dict | None]]:
        records = ({"record_key": k, "record_version": v, "op": "delete"} for k, v in sorted(tombstones.items()))
        return self._send(cmp, records, batch_size)

    def _send(self, cmp: Comparison, records: Iterator[dict], batch_size: int) -> list[tuple[list[str], dict | None]]:
        out = []
        batches = build_batches(cmp.dataset, records, cmp.region_code, max_records=batch_size)
        for batch, receipt in self.pusher.send_new(batches):
            keys = [r["record_key"] for r in batch.body["records"]]
            cmp.repair_batches += 1
            cmp.repair_records += len(keys)
            if receipt is not None:
                cmp.repair_accepted += receipt["accepted"]
                cmp.repair_stale += receipt["stale"]
                cmp.repair_rejected += len(receipt["rejected"])
            out.append((keys, receipt))
        return out

    # the comparison -----------------------------------------------------------------------------
    def compare(self, dataset: str, region: str) -> Comparison:
        hub = hub_summary(self.client, dataset, region)
        live = expected_live(self.conn, dataset, region)
        expected = summary_of(live)
        pushable = pushable_summary(self.conn, dataset) if region == self.own_region else None
        cmp = Comparison(dataset, region, hub, expected, pushable, expected.differences(hub))
        if not cmp.differences and not self.resend_all:
            return cmp
        self._find_and_repair(cmp, live)
        after_live = expected_live(self.conn, dataset, region)
        cmp.after = hub_summary(self.client, dataset, region)
        cmp.after_differences = summary_of(after_live).differences(cmp.after)
        return cmp

    def _find_and_repair(self, cmp: Comparison, live: dict[str, str]) -> None:
        hub, expected = cmp.hub, cmp.expected
        tombstones = our_tombstones(self.conn, cmp.dataset, cmp.region_code)
        exact_missing: list[str] = []
        exact_extra: dict[str, str] = {}
        # 1. newer than anything the hub holds live
        if expected.latest_version is not None and (hub.latest_version is None
                                                    or hub.latest_version < expected.latest_version):
            exact_missing = sorted(k for k, v in live.items() if hub.latest_version is None or v > hub.latest_version)
            for k in exact_missing:
                cmp.findings[k] = ("missing_or_older", "latest_version")
        # 2. one key short or over: the checksum names it
        if not exact_missing and "checksum" in cmp.differences:
            keys_sorted = sorted(live)
            if hub.records == expected.records - 1:
                k = find_one_missing(keys_sorted, hub.checksum, self.hash_budget)
                if k is not None:
                    exact_missing = [k]
                    cmp.findings[k] = ("missing_or_older", "checksum")
            elif hub.records == expected.records + 1 and tombstones:
                k = find_one_extra(keys_sorted, tombstones, hub.checksum, self.hash_budget)
                if k is not None:
                    exact_extra = {k: tombstones[k]}
                    cmp.findings[k] = ("extra_live", "checksum")

        if exact_missing or exact_extra:
            self._send_upserts(cmp, exact_missing, 500)
            self._send_deletes(cmp, exact_extra, 500)
            if not self.resend_all and not self._still_different(cmp):
                return
        # 3. re-send everything we believe live (and our deletions when the hub holds more keys)
        for keys, receipt in self._send_upserts(cmp, sorted(live), self.probe_batch):
            self._note_batch(cmp, keys, receipt, "missing_or_older")
        if hub.records > expected.records or (self.resend_all and tombstones):
            for keys, receipt in self._send_deletes(cmp, tombstones, self.probe_batch):
                self._note_batch(cmp, keys, receipt, "extra_live")
        if hub.records > expected.records:
            cmp.notes.append("数据中心持有的有效记录多于本系统推送的记录；非本系统推送的记录无法通过接口列出")

    def _still_different(self, cmp: Comparison) -> bool:
        now = hub_summary(self.client, cmp.dataset, cmp.region_code)
        return bool(summary_of(expected_live(self.conn, cmp.dataset, cmp.region_code)).differences(now))

    @staticmethod
    def _note_batch(cmp: Comparison, keys: list[str], receipt: dict | None, finding: str) -> None:
        if receipt is None or receipt["accepted"] == 0:
            return
        if receipt["accepted"] == len(keys) - len(receipt["rejected"]) and not receipt["stale"]:
            rejected = {r.get("record_key") for r in receipt["rejected"]}
            for k in keys:
                if k not in rejected:
                    cmp.findings.setdefault(k, (finding, "resend"))
            return
        cmp.exact = False
        for k in keys:
            cmp.findings.setdefault(k, ("in_repaired_batch", "resend"))


def _message(cmp: Comparison) -> str:
    if not cmp.differences and cmp.status_after in (None, "ok"):
        text = "一致"
        if cmp.repair_accepted:
            text += f"；全量补推 {cmp.repair_records} 条，其中 {cmp.repair_accepted} 条为数据中心所缺或较旧"
        return text
    names = {"records": "记录数", "latest_version": "最新版本", "checksum": "校验和"}
    diff = "、".join(names[d] for d in cmp.differences) or "无"
    text = (f"省级数据中心 {cmp.dataset}（区划 {cmp.region_code}）与本系统已推送记录不一致（{diff}）："
            f"数据中心 {cmp.hub.records} 条，本系统 {cmp.expected.records} 条；"
            f"查明差异记录 {len(cmp.findings)} 条{'' if cmp.exact else '（部分仅能定位到补推批次）'}；"
            f"补推 {cmp.repair_records} 条（接收 {cmp.repair_accepted}，已有 {cmp.repair_stale}，拒收 {cmp.repair_rejected}）")
    if cmp.status_after == "ok":
        text += "；补推后一致"
    elif cmp.status_after == "different":
        text += ("；补推后仍不一致：数据中心可能持有更新的版本或删除标记，或持有非本系统推送的记录，"
                 "请与省级数据中心核对")
    if cmp.notes:
        text += "。" + "；".join(cmp.notes)
    return text


def _save(conn: psycopg.Connection, run_id: int, cmp: Comparison) -> None:
    listed = [{"record_key": k, "finding": f, "how": how} for k, (f, how) in sorted(cmp.findings.items())]
    p = cmp.pushable
    conn.execute("""
        insert into ops.reconciliation (run_id, dataset, region_code, hub_records, hub_latest_version, hub_checksum,
            expected_records, expected_latest_version, expected_checksum, pushable_records, pushable_latest_version,
            pushable_checksum, status, differences, differing_keys, differing_keys_total, differing_keys_exact,
            repair_batches, repair_records, repair_accepted, repair_stale, repair_rejected,
            after_records, after_latest_version, after_checksum, status_after, message)
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s, %s,
                %s, %s, %s, %s, %s)
    """, (run_id, cmp.dataset, cmp.region_code, cmp.hub.records, cmp.hub.latest_version, cmp.hub.checksum,
          cmp.expected.records, cmp.expected.latest_version, cmp.expected.checksum,
          p and p.records, p and p.latest_version, p and p.checksum,
          cmp.status, cmp.differences, json.dumps(listed[:MAX_KEYS_LISTED], ensure_ascii=False), len(listed),
          cmp.exact, cmp.repair_batches, cmp.repair_records, cmp.repair_accepted, cmp.repair_stale,
          cmp.repair_rejected, cmp.after and cmp.after.records, cmp.after and cmp.after.latest_version,
          cmp.after and cmp.after.checksum, cmp.status_after, _message(cmp)))
    conn.commit()


def regions(conn: psycopg.Connection, own_region: str) -> list[str]:
    found = {r[0] for r in conn.execute("select distinct region_code from ops.push_state")}
    conn.commit()
    return sorted(found | {own_region})


def reconcile(conn: psycopg.Connection, client: HubClient, region_code: str, *,
              datasets: list[str] | None = None, probe_batch: int = DEFAULT_PROBE_BATCH,
              hash_budget: int = DEFAULT_HASH_BUDGET, resend_all: bool = False,
              circuit_failures: int = 5) -> ReconcileReport:
    """Compare every dataset and region with the hub, repair what differs, confirm with a second summary."""
    report = ReconcileReport()
    rec = _Reconciler(conn, client, region_code, probe_batch=probe_batch, hash_budget=hash_budget,
                      resend_all=resend_all, circuit_failures=circuit_failures)
    with push_lock(conn):
        run_id = conn.execute("insert into ops.reconciliation_run default values returning run_id").fetchone()[0]
        conn.commit()
        report.run_id = run_id
        try:
            # What a cut-short push left unsent goes first: until then, push_state is not the whole truth.
            if not rec.pusher.send_pending():
                raise CircuitOpen("仍有未送达的推送批次，已停止对账（数据中心可能不可用）")
            for region in regions(conn, region_code):
                for dataset in datasets or PUSH_ORDER:
                    cmp = rec.compare(dataset, region)
                    _save(conn, run_id, cmp)
                    report.rows.append(cmp)
                    report.compared += 1
                    report.repair_records += cmp.repair_records
                    if cmp.status == "different":
                        report.different += 1
                    if cmp.status_after == "ok" and cmp.status == "different":
                        report.repaired += 1
                    if cmp.status_after == "different":
                        report.still_different += 1
            conn.execute("update ops.reconciliation_run set status = 'done', finished_at = now() where run_id = %s",
                         (run_id,))
            conn.commit()
        except Exception as exc:
            conn.rollback()
            report.stopped = str(exc)
            conn.execute("update ops.reconciliation_run set status = 'failed', finished_at = now(), error = %s"
                         " where run_id = %s", (str(exc)[:2000], run_id))
            conn.commit()
            if not isinstance(exc, CircuitOpen):
                raise
            log.error("%s", exc)
    return report
