"""Corrections: entered by a steward, laid over the source by dbt (macros/quality/corrections.sql),
judged on every run.

A correction records the value it replaces (old_value): the source's value when it was entered.
The overlay applies it only while the source still holds that value; when the source has changed
the field since, the run reports it 'stale' and the gate marks it 'needs_review' (and opens a
CORRECTION_REVIEW warning) instead of overwriting newer data. History is never deleted: a new
correction of the same field supersedes the live one, and a withdrawn one stays as 'withdrawn'.
"""
from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from expectations.sql_rules import table_of
from jiandu.standard import Dataset, Standard, load_standard
from jiandu.steward.values import Refused, canonical, correctable

CONTEXT_FIELDS = ("credential_type", "party_type", "case_type", "procedure")


@dataclass
class Entered:
    correction_id: int
    old_value: str | None
    new_value: str | None
    superseded: int | None


def dataset_of(name: str, std: Standard | None = None) -> Dataset:
    std = std or load_standard()
    key = name.strip()
    if key.upper() in std.datasets:
        return std.datasets[key.upper()]
    for ds in std.datasets.values():
        if key.lower() in (ds.name, table_of(ds)):
            return ds
    raise Refused(f"没有数据集“{name}”（可用：{'、'.join(std.datasets)}）")


def _record(conn: psycopg.Connection, ds: Dataset, record_key: str, field: str) -> dict | None:
    cols = [c for c in CONTEXT_FIELDS if c in ds.field_map]
    query = sql.SQL("select quality.field_text(t.{field}) as current, {ctx} from standard.{table} t"
                    " where t.record_key = %s").format(
        field=sql.Identifier(field), table=sql.Identifier(table_of(ds)),
        ctx=sql.SQL(", ").join([sql.Identifier("t", c) for c in cols] or [sql.SQL("null as _none")]))
    row = conn.execute(query, (record_key,)).fetchone()
    if row is None:
        return None
    return dict(zip(["current", *cols], row)) if cols else {"current": row[0]}


def _references_missing(conn: psycopg.Connection, ds: Dataset, field: str, value: str | None,
                        std: Standard) -> list[str]:
    spec = ds.field_map[field]
    if not spec.references or value is None:
        return []
    parent_code, parent_field = spec.references.split(".")
    parent = std.datasets[parent_code]
    items = value.split(",") if spec.type.base == "list" else [value]
    found = {r[0] for r in conn.execute(
        sql.SQL("select {f} from standard.{t} where {f} = any(%s)").format(
            f=sql.Identifier(parent_field), t=sql.Identifier(table_of(parent))), (items,))}
    return [i for i in items if i not in found]


def enter_correction(conn: psycopg.Connection, dataset: str, record_key: str, field: str, new_value: str | None,
                     reason: str, entered_by: str, issue_id: int | None = None) -> Entered:
    """Validate and record a correction (committed); Refused with the reason otherwise."""
    std = load_standard()
    ds = dataset_of(dataset, std)
    spec = correctable(ds, field)
    if not (reason or "").strip():
        raise Refused("须填写更正原因")
    if not (entered_by or "").strip():
        raise Refused("须填写更正人")
    record = _record(conn, ds, record_key, field)
    if record is None:
        raise Refused(f"{ds.code}（{ds.title}）中没有记录“{record_key}”")
    merged = dict(record)
    if field in CONTEXT_FIELDS:
        merged[field] = new_value
    value = canonical(ds, spec, new_value, std, merged)
    missing = _references_missing(conn, ds, field, value, std)
    if missing:
        parent = std.datasets[spec.references.split(".")[0]]
        raise Refused(f"“{spec.title.split('（')[0]}”中的“{'、'.join(missing)}”在{parent.title}（{parent.code}）中不存在")
    live = conn.execute("select correction_id, status, old_value from steward.correction where dataset = %s"
                        " and record_key = %s and field = %s and status in ('active', 'needs_review') for update",
                        (ds.code, record_key, field)).fetchone()
    # The source's value is what the overlay compares with: while an active correction is laid
    # over it, the standard layer shows the corrected value, and the source's is that one's old.
    old = live[2] if live and live[1] == "active" else record["current"]
    if value == record["current"]:
        raise Refused("新值与当前值相同，无需更正")
    if value == old:
        raise Refused("新值与来源值相同：请撤回现有更正（jiandu steward withdraw），而不是再登记一条")
    if live:
        conn.execute("update steward.correction set status = 'superseded', closed_at = now(), closed_by = %s,"
                     " closed_reason = %s where correction_id = %s", (entered_by, "被新的更正取代", live[0]))
    cid = conn.execute("""
        insert into steward.correction (dataset, record_key, field, old_value, new_value, reason, entered_by, issue_id)
        values (%s, %s, %s, %s, %s, %s, %s, %s) returning correction_id
    """, (ds.code, record_key, field, old, value, reason.strip(), entered_by.strip(), issue_id)).fetchone()[0]
    conn.commit()
    return Entered(cid, old, value, live[0] if live else None)


def withdraw_correction(conn: psycopg.Connection, correction_id: int, by: str, reason: str) -> None:
    if not (reason or "").strip():
        raise Refused("须填写撤回原因")
    cur = conn.execute("update steward.correction set status = 'withdrawn', closed_at = now(), closed_by = %s,"
                       " closed_reason = %s where correction_id = %s and status in ('active', 'needs_review')",
                       (by, reason.strip(), correction_id))
    if cur.rowcount == 0:
        raise Refused(f"更正 #{correction_id} 不存在，或已不是有效状态")
    conn.commit()


def sync_correction_states(conn: psycopg.Connection) -> dict[str, int]:
    """After dbt: each active correction's state in this run becomes its status; corrections that
    met a changed source open a CORRECTION_REVIEW warning, which closes once no live correction of
    that field needs review. Does nothing before dbt has built int_correction__state."""
    exists = conn.execute("select to_regclass('staging.int_correction__state') is not null"
                          " and to_regclass('steward.correction') is not null").fetchone()[0]
    if not exists:
        return {}
    counts = dict(conn.execute("""
        with st as (
          select s.correction_id, s.state from staging.int_correction__state s
        ), up as (
          update steward.correction c set
            status = case st.state when 'stale' then 'needs_review' when 'at_source' then 'resolved_at_source'
                                   else c.status end,
            applied_at = case when st.state = 'applied' then coalesce(c.applied_at, now()) else c.applied_at end,
            checked_at = now(),
            review_note = case when st.state = 'stale' then '来源系统在更正登记后修改了该字段，更正未应用' else c.review_note end
          from st where st.correction_id = c.correction_id and c.status = 'active'
          returning st.state
        ) select state, count(*) from up group by state
    """).fetchall())
    conn.execute("""
        insert into quality.issue (dataset, record_key, rule, severity, field, value_masked, message, source_ref)
        select c.dataset, c.record_key, 'CORRECTION_REVIEW:' || c.field, 'warning', c.field,
               quality.mask_field(c.dataset, c.field, c.new_value),
               '更正 #' || c.correction_id || '（字段“' || c.field || '”，由 ' || c.entered_by || ' 登记）未应用：'
               || '来源系统已修改该字段，原值不再是“' || coalesce(quality.mask_field(c.dataset, c.field, c.old_value), '空')
               || '”。请核对后重新登记更正或撤回。', 'steward:correction:' || c.correction_id
        from steward.correction c where c.status = 'needs_review'
        on conflict (dataset, record_key, rule) do update set
          status = case when quality.issue.status = 'waived' then 'waived' else 'open' end,
          last_seen = now(), message = excluded.message, value_masked = excluded.value_masked,
          source_ref = excluded.source_ref, closed_at = null
    """)
    conn.execute("""
        update quality.issue i set status = 'closed', closed_at = now()
        where i.status = 'open' and i.rule like 'CORRECTION\\_REVIEW:%'
          and not exists (select 1 from steward.correction c where c.dataset = i.dataset
                          and c.record_key = i.record_key and 'CORRECTION_REVIEW:' || c.field = i.rule
                          and c.status = 'needs_review')
    """)
    return counts

