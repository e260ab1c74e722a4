"""Fixtures for the demo-data generator: one 100-case universe (the demo's size) written once
per session into SQLite, into a throw-away MariaDB database, and into an EX drop folder."""
from __future__ import annotations

import secrets

import pymysql
import pytest

from demo_support import AS_OF, CASES, SEED
from jiandu.demo import Universe, write_ex, write_lg

MARIADB = dict(host="127.0.0.1", port=3306, user="root", password="")


@pytest.fixture(scope="session")
def universe() -> Universe:
    return Universe(SEED, CASES, AS_OF)


@pytest.fixture(scope="session")
def lg_sqlite(tmp_path_factory):
    """(url, universe, row counts) of LG written into SQLite."""
    u = Universe(SEED, CASES, AS_OF)
    url = f"sqlite:///{tmp_path_factory.mktemp('lg') / 'lg.db'}"
    return url, u, write_lg(url, u)


@pytest.fixture()
def mariadb_url():
    """A throw-away MariaDB database name's URL (created by the writer, dropped afterwards)."""
    name = f"test_lgw_{secrets.token_hex(4)}"
    try:
        yield f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
    finally:
        conn = pymysql.connect(**MARIADB)
        try:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()


@pytest.fixture(scope="session")
def ex_drop(tmp_path_factory):
    """(drop_dir, universe, inbox paths) of EX written once."""
    u = Universe(SEED, CASES, AS_OF)
    drop = tmp_path_factory.mktemp("exchange")
    return drop, u, write_ex(drop, u)
