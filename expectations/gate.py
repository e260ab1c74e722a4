"""The quality gate: run the suites in PostgreSQL, record runs and failing records.

Each suite run lands in quality.validation_run; each failing record and rule in quality.issue
(opened, or its last_seen moved on). An issue of a rule checked in this run whose record now
passes closes itself. Blocking issues hold their records back from the hub push.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig
import psycopg

from expectations.suites import standard_suites
from jiandu.db import libpq_url

log = logging.getLogger(__name__)

RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}


@dataclass
class GateReport:
    suites: int = 0
    failed_suites: int = 0
    open_issues: dict[str, int] = field(default_factory=dict)   # severity -> count
    new_issues: int = 0
    closed_issues: int = 0


def _existing_tables(conn: psycopg.Connection) -> set[str]:
    return {r[0] for r in conn.execute(
        "select table_name from information_schema.tables where table_schema = 'standard'")}


def run_gate(warehouse_url: str) -> GateReport:
    report = GateReport()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_postgres(name="warehouse", connection_string=warehouse_url)
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        tables = _existing_tables(conn)
        for ds, suite, rules in standard_suites():
            table = f"zf{ds.code[2:]}_{ds.name}"
            if table not in tables:
                continue
            asset = source.add_table_asset(name=table, table_name=table, schema_name="standard")
            batch_def = asset.add_batch_definition_whole_table("all")
            suite = context.suites.add(suite)
            vd = context.validation_definitions.add(gx.ValidationDefinition(name=table, data=batch_def, suite=suite))
            run_id = conn.execute("insert into quality.validation_run (suite, dataset) values (%s, %s) returning run_id",
                                  (suite.name, ds.code)).fetchone()[0]
            result = vd.run(result_format=RESULT_FORMAT)
            failing: list[tuple] = []
            failed = 0
            for res in result.results:
                if res.success:
                    continue
                failed += 1
                found = rules.get(res.expectation_config.kwargs.get("unexpected_rows_query"))
                if found:
                    rule, exp = found
                    for row in vd.get_unexpected_rows(exp):
                        fld, value = row.get("field"), row.get("value")
                        failing.append((ds.code, row["record_key"], f"{rule.rule}:{fld}", rule.severity, fld,
                                        value, rule.message.format(field=fld, value=value)))
            details = {"statistics": result.statistics,
                       "failed": [r.expectation_config.description or r.expectation_config.type
                                  for r in result.results if not r.success]}
            conn.execute("update quality.validation_run set finished_at = now(), success = %s, expectations = %s,"
                         " failed = %s, details = %s where run_id = %s",
                         (result.success, len(result.results), failed, json.dumps(details, default=str), run_id))
            report.suites += 1
            report.failed_suites += 0 if result.success else 1
            report.new_issues += _upsert_issues(conn, run_id, failing)
            report.closed_issues += _close_passed(conn, ds.code, run_id, [r.rule for r, _ in rules.values()])
            conn.commit()
        for severity, n in conn.execute("select severity, count(*) from quality.issue where status = 'open'"
                                        " group by severity"):
            report.open_issues[severity] = n
    return report


def _upsert_issues(conn: psycopg.Connection, run_id: int, rows: list[tuple]) -> int:
    if not rows:
        return 0
    with conn.cursor() as cur:
        cur.execute("create temporary table if not exists _gate_issue (dataset text, record_key text, rule text,"
                    " severity text, field text, value_masked text, message text) on commit drop")
        with cur.copy("copy _gate_issue from stdin") as copy:
            for r in rows:
                copy.write_row(r)
        cur.execute("""
            with up as (
              insert into quality.issue (dataset, record_key, rule, severity, field, value_masked, message,
                                         source_ref, last_run_id)
              select distinct on (dataset, record_key, rule) dataset, record_key, rule, severity, field, value_masked,
                     message, 'gx', %s from _gate_issue
              on conflict (dataset, record_key, rule) do update set
                last_seen = now(), last_run_id = excluded.last_run_id, message = excluded.message,
                value_masked = excluded.value_masked,
                status = case when quality.issue.status = 'waived' then 'waived' else 'open' end,
                closed_at = case when quality.issue.status = 'waived' then quality.issue.closed_at end
              returning (xmax = 0) as inserted
            ) select count(*) filter (where inserted) from up
        """, (run_id,))
        return cur.fetchone()[0]


def _close_passed(conn: psycopg.Connection, dataset: str, run_id: int, rules: list[str]) -> int:
    """Issues of the rules this run checked that it did not see again: the record passes now."""
    cur = conn.execute("""
        update quality.issue set status = 'closed', closed_at = now()
        where dataset = %s and status = 'open' and split_part(rule, ':', 1) = any(%s)
          and coalesce(last_run_id, 0) <> %s
    """, (dataset, rules, run_id))
    return cur.rowcount
