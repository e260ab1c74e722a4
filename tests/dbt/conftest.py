"""Helpers for the dbt project's tests: run dbt (its own virtualenv) as a subprocess against a
throw-away warehouse, with target and log paths of the test's own."""
from __future__ import annotations

import os
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dbt_support import (  # noqa: F401  (re-exported for older imports)
    DBT_BIN, DBT_DIR, PROJECT_ROOT, STANDARD_TABLES, database_copy, dbt_env, explain, run_dbt, snapshot_standard,
)


@pytest.fixture(scope="session")
def dbt_available() -> Path:
    if not DBT_BIN.exists():
        pytest.fail(f"dbt is not installed at {DBT_BIN} (make setup creates .venvs/dbt)")
    return DBT_BIN


class BuiltWarehouse:
    """What the session's one build produced: the database (left in place until the session ends)
    and a copy of it as the first build left it (`initial_url`),
    dbt's output, and the standard layer after the first build, after an incremental run on a
    second load, and after a --full-refresh of that same data; and which run last wrote each row
    of int_zf10__case after the build and after the incremental run."""
    url: str
    initial_url: str
    build: subprocess.CompletedProcess
    initial: dict
    incremental: dict
    full_refresh: dict
    incremental_run: subprocess.CompletedProcess
    case_writes_built: dict
    case_writes_incremental: dict


@pytest.fixture(scope="session")
def built_warehouse(dbt_available, tmp_path_factory):
    import psycopg

    from jiandu.db import libpq_url
    from jiandu.testing import temp_database
    from jiandu.warehouse.migrate import apply

    from raw_fixture import (  # noqa: PLC0415
        load_changes, load_initial, load_precedence_changes, load_registry_changes,
    )

    work = tmp_path_factory.mktemp("dbt_build")
    with temp_database("jiandu_dbt_build") as url, ExitStack() as copies:
        apply(url)
        bw = BuiltWarehouse()
        bw.url = url
        with psycopg.connect(libpq_url(url)) as conn:
            load_initial(conn)
        bw.build = run_dbt(["build"], work, url)
        assert bw.build.returncode == 0, explain(bw.build)
        # the state after the first build, for tests that start from it in a copy of their own
        bw.initial_url = copies.enter_context(database_copy(url, "jiandu_dbt_initial"))
        with psycopg.connect(libpq_url(url)) as conn:
            bw.initial = snapshot_standard(conn)
            bw.case_writes_built = dict(conn.execute("select record_key, _run_id from staging.int_zf10__case").fetchall())
            load_changes(conn)
            load_precedence_changes(conn)
            load_registry_changes(conn)
        # a routine run after the second load: the intermediate tables and the standard merges
        selection = ["--select", "path:models/intermediate", "path:models/standard"]
        bw.incremental_run = run_dbt(["run", *selection], work, url)
        assert bw.incremental_run.returncode == 0, explain(bw.incremental_run)
        with psycopg.connect(libpq_url(url)) as conn:
            bw.incremental = snapshot_standard(conn)
            bw.case_writes_incremental = dict(conn.execute("select record_key, _run_id from staging.int_zf10__case").fetchall())
        proc = run_dbt(["run", "--full-refresh", *selection], work, url)
        assert proc.returncode == 0, explain(proc)
        with psycopg.connect(libpq_url(url)) as conn:
            bw.full_refresh = snapshot_standard(conn)
        yield bw
