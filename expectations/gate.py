"""The quality gate: run the suites in PostgreSQL, record runs and failing records, build Data Docs.

Each suite run lands in quality.validation_run; each failing record and rule in quality.issue
(opened, or its last_seen moved on). An issue of a rule checked in this run whose record now
passes closes itself. Blocking issues hold their records back from the hub push.

Failing records go from the rule's query straight into quality.issue inside the database (the
same SQL GX ran), and GX reads results through a server-side cursor, so the gate's memory does
not grow with the table or with the number of failures (bench/quality_bench.py measures it).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import great_expectations as gx
import psycopg
from great_expectations.data_context.types.base import ProgressBarsConfig

from expectations.rules import RULES
from expectations.suites import Catalog, Target, all_targets, build_suite
from jiandu.db import libpq_url

log = logging.getLogger(__name__)

# COMPLETE: UnexpectedRowsExpectation then returns (at most 200 of) the rows our queries select,
# which are masked in SQL; Data Docs show them as samples. The only plain-column expectations are
# on record_key, which holds no personal data (ZF04's key is a hash; pitfalls.md warns that other
# columns would be echoed).
RESULT_FORMAT = {"result_format": "COMPLETE", "partial_unexpected_count": 0,
                 "return_unexpected_index_query": False}
DOCS_SITE = "jiandu_quality"


@dataclass
class GateReport:
    suites: int = 0
    failed_suites: int = 0
    open_issues: dict[str, int] = field(default_factory=dict)   # severity -> count
    new_issues: int = 0
    closed_issues: int = 0
    corrections: dict[str, int] = field(default_factory=dict)    # state -> count, from this run
    docs_index: str | None = None


def _sql_time(as_of: dt.datetime | None) -> str:
    return "now()" if as_of is None else f"timestamptz '{as_of.isoformat()}'"


def run_gate(warehouse_url: str, *, as_of: dt.datetime | None = None, docs_dir: Path | None = None) -> GateReport:
    """Validate everything present in the warehouse. ``as_of`` fixes "now" for the freshness,
    volume and future-time rules (tests); ``docs_dir`` builds the Data Docs site there."""
    from jiandu.steward.corrections import sync_correction_states  # noqa: PLC0415

    report = GateReport()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_postgres(name="warehouse", connection_string=warehouse_url)
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        _write_catalogue(conn)
        report.corrections = sync_correction_states(conn)
        conn.commit()
        cat = Catalog.read(conn)
        for target in all_targets(cat, _sql_time(as_of)):
            _run_target(context, source, conn, target, report)
            conn.commit()
        for severity, n in conn.execute("select severity, count(*) from quality.issue where status = 'open'"
                                        " group by severity"):
            report.open_issues[severity] = n
    if docs_dir is not None:
        from expectations.docs import build_docs  # noqa: PLC0415
        report.docs_index = str(build_docs(context, docs_dir))
    return report


def _write_catalogue(conn: psycopg.Connection) -> None:
    with conn.cursor() as cur:
        cur.executemany("""
            insert into quality.rule (rule, severity, title, description, applies_to) values (%s, %s, %s, %s, %s)
            on conflict (rule) do update set severity = excluded.severity, title = excluded.title,
              description = excluded.description, applies_to = excluded.applies_to
        """, [(k, v.severity, v.title, v.description, v.applies_to) for k, v in RULES.items()])


def _run_target(context, source, conn: psycopg.Connection, target: Target, report: GateReport) -> None:
    name = f"{target.suite_name}__{target.dataset}"
    asset = source.add_table_asset(name=name, table_name=target.table, schema_name=target.schema)
    batch_def = asset.add_batch_definition_whole_table("all")
    suite, rules = build_suite(target)
    suite = context.suites.add(suite)
    vd = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch_def, suite=suite))
    run_id = conn.execute("insert into quality.validation_run (suite, dataset) values (%s, %s) returning run_id",
                          (suite.name, target.dataset)).fetchone()[0]
    conn.commit()   # the run is visible while it runs
    result = vd.run(result_format=RESULT_FORMAT)
    conn.execute("create temporary table if not exists _gate_issue (dataset text, record_key text, rule text,"
                 " severity text, field text, value_masked text, message text, source_ref text) on commit drop")
    failed, unexpected = [], {}
    for res in result.results:
        if res.success:
            continue
        cfg = res.expectation_config
        error = _raised(res)
        if error:
            # a rule that could not run is a fault of the gate, not a finding about the data
            raise RuntimeError(f"{target.dataset}: {cfg.description or cfg.type}: {error}")
        failed.append(cfg.description or cfg.type)
        found = rules.get(cfg.kwargs.get("unexpected_rows_query"))
        if found:
            rule, _ = found
            query = rule.query.format(batch=f'"{target.schema}"."{target.table}"')
            cur = conn.execute(
                f"insert into _gate_issue select %s, q.record_key, %s || ':' || q.field, %s, q.field, q.value,"
                f" q.message, q.source_ref from ({query}) q",
                (target.dataset, rule.rule, rule.severity))
            unexpected[rule.rule] = cur.rowcount
    details = {"statistics": result.statistics, "failed": failed, "unexpected": unexpected}
    conn.execute("update quality.validation_run set finished_at = now(), success = %s, expectations = %s,"
                 " failed = %s, details = %s where run_id = %s",
                 (result.success, len(result.results), len(failed), json.dumps(details, default=str), run_id))
    report.suites += 1
    report.failed_suites += 0 if result.success else 1
    report.new_issues += _upsert_issues(conn, run_id)
    report.closed_issues += _close_passed(conn, target.dataset, run_id, sorted({r.rule for r, _ in rules.values()}))


def _raised(res) -> str | None:
    """The error message when GX could not evaluate an expectation (its metrics raised)."""
    info = res.exception_info or {}
    entries = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    for e in entries:
        if e.get("raised_exception"):
            return str(e.get("exception_message"))
    return None


def _upsert_issues(conn: psycopg.Connection, run_id: int) -> int:
    row = conn.execute("""
        with up as (
          insert into quality.issue (dataset, record_key, rule, severity, field, value_masked, message,
                                     source_ref, source_system, last_run_id)
          select distinct on (dataset, record_key, rule) dataset, record_key, rule, severity, field, value_masked,
                 message, source_ref,
                 case when split_part(source_ref, ':', 1) in ('LP', 'LG', 'EX') then split_part(source_ref, ':', 1) end,
                 %s
          from _gate_issue
          order by dataset, record_key, rule
          on conflict (dataset, record_key, rule) do update set
            last_seen = now(), last_run_id = excluded.last_run_id, message = excluded.message,
            value_masked = excluded.value_masked, severity = excluded.severity, source_ref = excluded.source_ref,
            source_system = excluded.source_system,
            status = case when quality.issue.status = 'waived' then 'waived' else 'open' end,
            closed_at = case when quality.issue.status = 'waived' then quality.issue.closed_at end
          returning (xmax = 0) as inserted
        ) select count(*) filter (where inserted) from up
    """, (run_id,)).fetchone()
    return row[0]


def _close_passed(conn: psycopg.Connection, dataset: str, run_id: int, rules: list[str]) -> int:
    """Issues of the rules this run checked that it did not see again: the record passes now."""
    cur = conn.execute("""
        update quality.issue set status = 'closed', closed_at = now()
        where dataset = %s and status = 'open' and split_part(rule, ':', 1) = any(%s)
          and coalesce(last_run_id, 0) <> %s
    """, (dataset, rules, run_id))
    return cur.rowcount
