"""A routine run that stops half-way, then runs again, must end with the same tables as a run
that never stopped: nothing lost (the changed keys stay pending until a run completes), nothing
duplicated or left behind in the incremental intermediate tables (macros/incremental/scoped.sql).

Starts from a copy of the session's first build, loads the same second load as the session's
uninterrupted run, then stops twice: once after the intermediate layer (as if the process were
killed before the standard models: the on-run-end hook never completes the run), once at a model
that fails half-way through the DAG (a trigger refuses its writes)."""
from __future__ import annotations

import json

import psycopg

from jiandu.db import libpq_url

from dbt_support import database_copy, explain, run_dbt, snapshot_standard
from raw_fixture import load_changes, load_precedence_changes, load_registry_changes

SELECTION = ["--select", "path:models/intermediate", "path:models/standard"]
# bookkeeping of the runs themselves, not data: the scope's watermarks and the change log
BOOKKEEPING = ("int_run__scope", "int_change_log")


def snapshot_intermediate(conn) -> dict[str, list[str]]:
    """Every intermediate table as the sorted list of its rows (so a duplicate shows), without the
    columns that say which run wrote a row or when."""
    tables = [t for (t,) in conn.execute(
        "select table_name from information_schema.tables where table_schema = 'staging'"
        " and table_type = 'BASE TABLE' and table_name like 'int\\_%' order by 1").fetchall() if t not in BOOKKEEPING]
    assert "int_zf10__case" in tables and "int_lg__case_step" in tables
    return {t: sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for (r,) in conn.execute(
        f"select to_jsonb(t) - '_run_id' - 'judged_at' from staging.{t} t").fetchall()) for t in tables}


def pending_scopes(conn) -> int:
    return conn.execute("select count(*) from staging.int_run__scope where kind = 'S'").fetchone()[0]


def test_a_run_stopped_midway_and_run_again_ends_as_an_uninterrupted_run(built_warehouse, tmp_path):
    with database_copy(built_warehouse.initial_url, "jiandu_dbt_stop") as url:
        with psycopg.connect(libpq_url(url)) as conn:
            load_changes(conn)
            load_precedence_changes(conn)
            load_registry_changes(conn)

        # 1. stopped after the intermediate layer: the run is not complete, its keys stay pending
        proc = run_dbt(["run", "--select", "path:models/intermediate"], tmp_path, url)
        assert proc.returncode == 0, explain(proc)
        with psycopg.connect(libpq_url(url)) as conn:
            assert pending_scopes(conn) > 0
            conn.execute("""
                create function staging.refuse_write() returns trigger language plpgsql as $$
                begin raise exception '测试：模拟运行中途失败'; end $$;
                create trigger refuse_write before insert or update or delete on staging.int_zf12__penalty
                    for each statement execute function staging.refuse_write();""")
            conn.commit()

        # 2. stopped by a model failing half-way: what ran before it stays written, the rest is skipped
        proc = run_dbt(["run", *SELECTION], tmp_path, url)
        assert proc.returncode != 0 and "模拟运行中途失败" in proc.stdout, explain(proc)
        statuses = [r["status"] for r in json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]]
        assert statuses.count("error") == 1 and "success" in statuses and "skipped" in statuses
        with psycopg.connect(libpq_url(url)) as conn:
            assert pending_scopes(conn) > 0
            conn.execute("drop trigger refuse_write on staging.int_zf12__penalty")
            conn.commit()

        # 3. run again: complete
        proc = run_dbt(["run", *SELECTION], tmp_path, url)
        assert proc.returncode == 0, explain(proc)
        with psycopg.connect(libpq_url(url)) as conn:
            assert pending_scopes(conn) == 0
            standard = snapshot_standard(conn)
            intermediate = snapshot_intermediate(conn)

        # the same standard layer as the session's uninterrupted run of the same loads
        assert standard == built_warehouse.incremental
        # and the same intermediate tables as a full refresh of the same data
        proc = run_dbt(["run", "--full-refresh", *SELECTION], tmp_path, url)
        assert proc.returncode == 0, explain(proc)
        with psycopg.connect(libpq_url(url)) as conn:
            assert snapshot_intermediate(conn) == intermediate
            assert snapshot_standard(conn) == standard
