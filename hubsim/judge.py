"""Judging the records of a batch, in the order of hub-api.md "How a record is judged".

Steps 1-5 look at the record alone (:func:`read_record`). Steps 6-8 need what the hub holds: the
caller loads every held record the batch can touch in one query (:func:`wanted_keys`), and
:func:`settle` judges the records in order against that snapshot, updating it as records are
accepted, so a record sees the ones accepted before it in the same batch.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from hubsim.fieldchecks import (
    FIELD_REQUIRED, FIELD_TYPE, MIN_ITEMS, ORDER, REFERENCE_MISSING, DATETIME_FORM, is_absent,
    valid_datetime,
)
from hubsim.rules import SUMMARY_PROCEDURE_CASE, DatasetRules, HubRules

MAX_RECORD_KEY_CHARS = 1000

Pair = tuple[str, str]            # (dataset, record_key)


@dataclass(frozen=True)
class Rejection:
    record_key: Any               # as sent
    code: str
    field: str
    message: str

    def as_json(self) -> dict:
        return {"record_key": self.record_key, "code": self.code, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Candidate:
    """A record that passed steps 1-5."""
    record_key: str
    version: str
    op: str                       # upsert | delete
    data: dict | None             # None for a delete


@dataclass
class Held:
    version: str
    live: bool
    data: dict | None = None      # loaded only for the datasets the ORDER rule reads


@dataclass
class Outcome:
    received: int = 0
    accepted: int = 0
    stale: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    writes: dict[str, Held] = field(default_factory=dict)   # record_key -> final state

    def receipt(self, batch_id: str) -> dict:
        return {"batch_id": batch_id, "received": self.received, "accepted": self.accepted,
                "stale": self.stale, "rejected": [r.as_json() for r in self.rejected]}


def key_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


# --- steps 1-5 --------------------------------------------------------------------------------

def read_record(rules: DatasetRules, rec: dict) -> Candidate | Rejection:
    sent_key = rec.get("record_key")
    op = rec.get("op")
    if not isinstance(op, str) or op not in ("upsert", "delete"):
        return Rejection(sent_key, FIELD_TYPE, "op", "op 须为 upsert 或 delete")
    if not isinstance(sent_key, str) or not sent_key or len(sent_key) > MAX_RECORD_KEY_CHARS:
        return Rejection(sent_key, FIELD_TYPE, "record_key",
                         f"record_key 须为非空字符串（至多 {MAX_RECORD_KEY_CHARS} 个字符）")
    version = rec.get("record_version")
    if not valid_datetime(version):
        return Rejection(sent_key, FIELD_TYPE, "record_version",
                         f"record_version 须严格为 {DATETIME_FORM} 格式的有效时间")
    if op == "delete":
        return Candidate(sent_key, version, op, None)

    data = rec.get("data")
    if not isinstance(data, dict):
        return Rejection(sent_key, FIELD_TYPE, "data", "upsert 的 data 须为 JSON 对象")
    for name in data:
        if name not in rules.names:
            return Rejection(sent_key, FIELD_TYPE, name, f"字段 {name} 不是标准 {rules.code} 的字段")

    for f in rules.fields:
        value = data.get(f.name)
        if value is None or value == "" or value == []:      # is_absent, inlined: the hot loop
            if f.required:
                return Rejection(sent_key, FIELD_REQUIRED, f.name, f"必填字段 {f.label} 缺失或为空")
            continue
        problem = f.check(value, data)
        if problem:
            return Rejection(sent_key, problem[0], f.name, problem[1])

    for m in rules.min_items:
        value = data.get(m.field)
        if is_absent(value):
            continue
        minimum = m.minimum
        summary = m.summary_minimum is not None and all(
            data.get(k) == v for k, v in SUMMARY_PROCEDURE_CASE.items())
        if summary:
            minimum = m.summary_minimum
        distinct = len(set(value))
        if distinct < minimum:
            why = "简易程序处罚案件" if summary else "本案件"
            return Rejection(sent_key, MIN_ITEMS, m.field,
                             f"字段 {m.label}须至少含 {minimum} 个不同的值（{why}），实有 {distinct} 个")

    read_key = "|".join(key_text(data.get(k)) for k in rules.key)
    if read_key != sent_key:
        return Rejection(sent_key, FIELD_TYPE, "record_key",
                         f"record_key“{sent_key}”与 data 中主键（{'|'.join(rules.key)}）读出的“{read_key}”不一致")
    return Candidate(sent_key, version, op, data)


# --- what to load for steps 6-8 -----------------------------------------------------------------

def wanted_keys(hub: HubRules, dataset: str, items: list[Candidate | Rejection]) -> tuple[set[Pair], set[str]]:
    """Every held record the batch can touch, and the datasets whose data the ORDER rule reads."""
    rules = hub.datasets[dataset]
    pairs: set[Pair] = set()
    with_data: set[str] = set()
    for c in items:
        if not isinstance(c, Candidate):
            continue
        pairs.add((dataset, c.record_key))
        if c.data is None:
            continue
        for ref in rules.references:
            value = c.data.get(ref.field)
            if is_absent(value):
                continue
            for v in (value if ref.many else (value,)):
                pairs.add((ref.target, key_text(v)))
        other = hub.order.counterpart(dataset, c.record_key, c.data)
        if other is not None:
            pairs.add(other)
            with_data.add(other[0])
    return pairs, with_data


# --- steps 6-8 --------------------------------------------------------------------------------

def settle(hub: HubRules, dataset: str, region: str, items: list[Candidate | Rejection],
           held: dict[Pair, Held]) -> Outcome:
    """Steps 6-8 for each record in order; ``held`` is updated as records are accepted."""
    out = Outcome(received=len(items))
    for c in items:
        if isinstance(c, Rejection):
            out.rejected.append(c)
            continue
        if c.data is not None:
            problem = _references(hub, dataset, region, c, held) or _order(hub, dataset, c, held)
            if problem:
                out.rejected.append(problem)
                continue
        mine = held.get((dataset, c.record_key))
        # Text order is time order: every version is the same fixed +08:00 form.
        if mine is not None and c.version <= mine.version:
            out.stale += 1
            continue
        state = Held(c.version, c.op == "upsert", c.data)
        held[(dataset, c.record_key)] = state
        out.writes[c.record_key] = state
        out.accepted += 1
    return out


def _references(hub: HubRules, dataset: str, region: str, c: Candidate, held: dict[Pair, Held]) -> Rejection | None:
    for ref in hub.datasets[dataset].references:
        value = c.data.get(ref.field)
        if is_absent(value):
            continue
        for i, v in enumerate(value if ref.many else (value,), 1):
            target = held.get((ref.target, key_text(v)))
            if target is None or not target.live:
                item = f"第 {i} 项" if ref.many else ""
                quoted = "" if ref.pii else f"“{v}”"
                return Rejection(c.record_key, REFERENCE_MISSING, ref.field,
                                 f"字段 {ref.label}{item}引用的 {ref.target} 记录{quoted}"
                                 f"在区划 {region} 下不存在或已删除")
    return None


def _order(hub: HubRules, dataset: str, c: Candidate, held: dict[Pair, Held]) -> Rejection | None:
    order = hub.order
    other_pair = order.counterpart(dataset, c.record_key, c.data)
    if other_pair is None:
        return None
    other = held.get(other_pair)
    other_data = other.data if other is not None and other.live else None
    present = []      # (field, value, from the pushed record)
    for name in order.chain:
        if order.owner[name] == dataset:
            value, pushed = c.data.get(name), True
        else:
            value, pushed = (other_data or {}).get(name), False
        if isinstance(value, str) and value:
            present.append((name, value, pushed))
    for (a, va, a_pushed), (b, vb, b_pushed) in pairwise(present):
        if va > vb:
            named = b if b_pushed or not a_pushed else a
            la = hub.datasets[order.owner[a]].labels[a]
            lb = hub.datasets[order.owner[b]].labels[b]
            held_from = order.owner[b] if a_pushed and not b_pushed else order.owner[a]
            source = "" if a_pushed and b_pushed else f"（对照枢纽已有的 {held_from} 记录）"
            return Rejection(c.record_key, ORDER, named,
                             f"时间先后不符：{la} {va} 晚于 {lb} {vb}{source}；"
                             f"须 {' ≤ '.join(order.chain)}")
    return None
