"""Fixtures for the supervision marts (rules, warnings, publicity): a throw-away warehouse built
from the dbt tests' raw fixture, on which the marts are run for chosen dates D."""
from __future__ import annotations

import sys
from pathlib import Path

import psycopg
import pytest

import importlib.util

_DBT_TESTS = Path(__file__).resolve().parents[1] / "dbt"
sys.path.insert(0, str(_DBT_TESTS))   # raw_fixture
_spec = importlib.util.spec_from_file_location("dbt_test_helpers", _DBT_TESTS / "dbt_support.py")
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)
explain, run_dbt, DBT_BIN = _helpers.explain, _helpers.run_dbt, _helpers.DBT_BIN

MY_MARTS = ["path:models/marts/rules", "path:models/marts/warnings", "path:models/marts/publicity"]


class Warehouse:
    def __init__(self, url: str, work: Path):
        self.url = url
        self.work = work

    def connect(self) -> psycopg.Connection:
        from jiandu.db import libpq_url
        return psycopg.connect(libpq_url(self.url), autocommit=True)

    def dbt(self, *args: str) -> None:
        proc = run_dbt(list(args), self.work, self.url, timeout=900)
        assert proc.returncode == 0, explain(proc)

    def marts(self, as_of: str, command: str = "run") -> None:
        """Run (or build, with their tests) the supervision marts for D = as_of."""
        # cautious: tests of other marts that merely point at ours are theirs to run
        self.dbt(command, "--select", *MY_MARTS, "--indirect-selection", "cautious", "--vars", f"{{as_of: '{as_of}'}}")

    def rows(self, sql: str, *params) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(sql, params).fetchall()


def _build(prefix: str, tmp_path_factory):
    from jiandu.db import libpq_url
    from jiandu.testing import temp_database
    from jiandu.warehouse.migrate import apply
    from raw_fixture import load_initial

    work = tmp_path_factory.mktemp(prefix)
    with temp_database(prefix) as url:
        apply(url)
        with psycopg.connect(libpq_url(url)) as conn:
            load_initial(conn)
        wh = Warehouse(url, work)
        # the seeds, the standard layer and everything else the supervision marts read (their own
        # tests belong to tests/dbt)
        wh.dbt("seed")
        wh.dbt("run", "--select", *[f"+{s}" for s in MY_MARTS], "--exclude", *MY_MARTS)
        yield wh


@pytest.fixture(scope="session")
def dbt_available() -> Path:
    if not DBT_BIN.exists():
        pytest.fail(f"dbt is not installed at {DBT_BIN} (make setup creates .venvs/dbt)")
    return DBT_BIN


@pytest.fixture(scope="module")
def fixture_warehouse(dbt_available, tmp_path_factory):
    """The raw fixture's standard layer, marts not yet run: each test module drives its own runs."""
    yield from _build("marts_fx", tmp_path_factory)
