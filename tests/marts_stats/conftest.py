"""Fixtures of the marts' tests: an empty warehouse with the standard layer's tables and the
seeds the marts read (one `dbt seed` per module)."""
from __future__ import annotations

import psycopg
import pytest

from jiandu.db import libpq_url
from jiandu.testing import create_standard_tables, temp_database
from jiandu.warehouse.migrate import apply

from martutil import DBT_BIN, SEEDS, explain, run_dbt  # noqa: E402


@pytest.fixture(scope="module")
def mart_warehouse(tmp_path_factory):
    """(url, work_dir): a warehouse with the standard tables (empty) and the marts' seeds."""
    if not DBT_BIN.exists():
        pytest.fail(f"dbt is not installed at {DBT_BIN} (make setup creates .venvs/dbt)")
    work = tmp_path_factory.mktemp("marts")
    with temp_database("test_marts") as url:
        apply(url)
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            create_standard_tables(conn)
        proc = run_dbt(["seed", "--select", *SEEDS], work, url)
        assert proc.returncode == 0, explain(proc)
        yield url, work
