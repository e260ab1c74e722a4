"""The stewards' queue: quality.issue with filters, one issue in full, waivers.

Everything shown is masked: issue values are masked when the gate writes them, corrections are
read through quality.correction_log, and a record's fields through the standard's masks.
"""
from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from expectations.sql_rules import table_of
from jiandu.standard import (load_standard, mask_credential, mask_person_name, mask_resident_id,
                             mask_resident_ids_in_text)
from jiandu.steward.corrections import dataset_of
from jiandu.steward.values import Refused


@dataclass
class Filters:
    status: str | None = "open"         # open, waived, closed, or None for all
    dataset: str | None = None
    rule: str | None = None             # rule id (CHECKSUM) or rule:field
    severity: str | None = None
    source_system: str | None = None
    record_key: str | None = None       # prefix
    limit: int = 50


def list_issues(conn: psycopg.Connection, f: Filters) -> tuple[list[dict], int]:
    """The matching issues (newest first, at most f.limit) and how many match in all."""
    where, args = [], []
    if f.status:
        where.append("status = %s"); args.append(f.status)
    if f.dataset:
        where.append("dataset = %s"); args.append(_dataset_label(f.dataset))
    if f.rule:
        where.append("(rule = %s or split_part(rule, ':', 1) = %s)"); args += [f.rule.upper(), f.rule.upper()]
    if f.severity:
        where.append("severity = %s"); args.append(f.severity)
    if f.source_system:
        where.append("source_system = %s"); args.append(f.source_system.upper())
    if f.record_key:
        where.append("record_key like %s"); args.append(f.record_key.replace("%", r"\%").replace("_", r"\_") + "%")
    cond = " where " + " and ".join(where) if where else ""
    with conn.cursor(row_factory=dict_row) as cur:
        total = cur.execute(f"select count(*) as n from quality.issue{cond}", args).fetchone()["n"]
        rows = cur.execute(
            f"select issue_id, dataset, record_key, rule, severity, field, value_masked, message, source_ref,"
            f" status, first_seen, last_seen from quality.issue{cond}"
            f" order by (severity = 'blocking') desc, last_seen desc, issue_id desc limit %s", [*args, f.limit]).fetchall()
    return rows, total


def _dataset_label(name: str) -> str:
    try:
        return dataset_of(name).code
    except Refused:
        return name      # staging views and source streams are labelled by their own name


def get_issue(conn: psycopg.Connection, issue_id: int) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        issue = cur.execute("select * from quality.issue where issue_id = %s", (issue_id,)).fetchone()
        if issue is None:
            raise Refused(f"没有问题 #{issue_id}")
        issue["corrections"] = cur.execute(
            "select correction_id, field, old_value_masked, new_value_masked, reason, entered_by, entered_at,"
            " status, status_text from quality.correction_log where dataset = %s and record_key = %s"
            " order by correction_id", (issue["dataset"], issue["record_key"])).fetchall()
        issue["others"] = cur.execute(
            "select issue_id, rule, severity, status from quality.issue where dataset = %s and record_key = %s"
            " and issue_id <> %s order by issue_id", (issue["dataset"], issue["record_key"], issue_id)).fetchall()
    issue["record"] = masked_record(conn, issue["dataset"], issue["record_key"])
    return issue


def masked_record(conn: psycopg.Connection, dataset: str, record_key: str) -> dict | None:
    """The record as the standard layer holds it now, personal fields masked."""
    std = load_standard()
    if dataset not in std.datasets:
        return None
    ds = std.datasets[dataset]
    if conn.execute("select to_regclass(%s)", (f"standard.{table_of(ds)}",)).fetchone()[0] is None:
        return None
    row = conn.execute(sql.SQL("select to_jsonb(t) from standard.{} t where record_key = %s").format(
        sql.Identifier(table_of(ds))), (record_key,)).fetchone()
    if row is None:
        return None
    rec = row[0]
    natural = rec.get("party_type") == "1"
    for f in ds.fields:
        v = rec.get(f.name)
        if v is None or not f.pii:
            continue
        if f.pii == "when_natural_person" and not natural and not (f.mask == "by_credential_type"
                                                                     and rec.get("credential_type") == "01"):
            continue
        if f.mask == "person_name":
            rec[f.name] = mask_person_name(v)
        elif f.mask == "resident_id":
            rec[f.name] = mask_resident_id(v)
        elif f.mask == "by_credential_type":
            rec[f.name] = mask_credential(rec.get("credential_type"), v)
    return {k: mask_resident_ids_in_text(v) if isinstance(v, str) else v for k, v in rec.items()}


def waive_issue(conn: psycopg.Connection, issue_id: int, by: str, reason: str) -> None:
    if not (reason or "").strip():
        raise Refused("须填写豁免原因")
    if not (by or "").strip():
        raise Refused("须填写豁免人")
    cur = conn.execute("update quality.issue set status = 'waived', waived_by = %s, waive_reason = %s,"
                       " waived_at = now(), closed_at = now() where issue_id = %s and status = 'open'",
                       (by.strip(), reason.strip(), issue_id))
    if cur.rowcount == 0:
        raise Refused(f"问题 #{issue_id} 不存在或不是未关闭状态")
    conn.commit()
