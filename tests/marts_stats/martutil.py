"""Helpers for the statistics, performance and sampling marts' tests: a throw-away warehouse whose
standard layer is made straight from the standard's YAML and filled with rows a test chooses, the
rule marts as tables of the agreed interface (when a test needs them with chosen rows), and dbt
run as a process on just the models under test."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import psycopg

from jiandu.db import libpq_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
# dbt as a process from its own environment, as every dbt test runs it (re-exported for the tests here)
from dbt_support import DBT_BIN, PROJECT_ROOT, explain, run_dbt  # noqa: E402,F401

# The seeds the marts under test read.
SEEDS = ["code_set", "region", "performance_config", "sampling_config"]

# The rule marts' interface (issue 6), as the rule models promise it. Tests that need chosen
# warning rows create these tables themselves and run only the models under test on them.
RULE_MART_COLUMNS = {
    "fct_rule_evaluation": """evaluation_key text, case_id varchar(64), case_no varchar(100), rule_id text,
        rule_name text, item_ref text, case_type varchar(2), subject_code varchar(18), region_code varchar(6),
        level text, trigger_date date, due_date date, limit_value numeric, limit_unit text, days_left integer,
        done_date date, yellow_from date, red_from date, cleared_late boolean, missing_field text, detail text,
        as_of_date date""",
    "fct_warning": """warning_key text, case_id varchar(64), case_no varchar(100), rule_id text, rule_name text,
        item_ref text, level text, level_label text, due_date date, days_left integer, days_overdue integer,
        subject_code varchar(18), subject_name text, region_code varchar(6), case_type varchar(2), level_since date,
        first_raised_on date, detail text, as_of_date date""",
    "fct_warning_history": """history_key text, warning_key text, case_id varchar(64), rule_id text, item_ref text,
        subject_code varchar(18), region_code varchar(6), event text, level_from text, level_to text,
        effective_date date, observed_at timestamptz, as_of_date date, late boolean, event_seq integer,
        reason text""",
    "fct_publicity": """case_id varchar(64), case_no varchar(100), decision_no varchar(100), subject_code varchar(18),
        subject_name text, region_code varchar(6), decision_date date, must_publish boolean, publish_due_date date,
        published_at timestamptz, published_on_time boolean, days_late integer, status text, public_text text,
        publicity_judgeable boolean, as_of_date date""",
    "dim_rule": "rule_id text, rule_name text, category text, limit_unit text, basis text",
}


def create_rule_mart_tables(conn, names=None) -> None:
    for name in names or RULE_MART_COLUMNS:
        conn.execute(f"drop table if exists marts.{name} cascade")
        conn.execute(f"create table marts.{name} ({RULE_MART_COLUMNS[name]})")


def insert_rows(conn, table: str, rows: list[dict]) -> None:
    for row in rows:
        cols = ", ".join(row)
        marks = ", ".join(["%s"] * len(row))
        conn.execute(f"insert into {table} ({cols}) values ({marks})", list(row.values()))


def build(selection: list[str], work_dir: Path, database_url: str, as_of: str, extra: list[str] = ()) -> subprocess.CompletedProcess:
    proc = run_dbt(["build", "--select", *selection, "--vars", f"{{as_of: '{as_of}'}}", *extra], work_dir, database_url)
    assert proc.returncode == 0, explain(proc)
    # a test that warns has found data the models flag; these fixtures are built to pass
    assert re.search(r"\bWARN=0\b", _summary_line(proc.stdout)), explain(proc)
    return proc


def _summary_line(stdout: str) -> str:
    lines = [l for l in stdout.splitlines() if "Done. PASS=" in l]
    return lines[-1] if lines else ""


def query(url: str, sql: str, params=()) -> list[dict]:
    with psycopg.connect(libpq_url(url)) as conn:
        cur = conn.execute(sql, params)
        names = [d.name for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def execute(url: str, sql: str, params=()) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(sql, params)
