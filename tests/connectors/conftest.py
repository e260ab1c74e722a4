"""Fixtures of the connector tests: a fresh warehouse per test, and LG as a real MariaDB database
(``test_lgc_<random>``, dropped afterwards) or as the SQLite stand-in, each with the province's
schema and sample rows."""
from __future__ import annotations

import re
import secrets
import sqlite3
from pathlib import Path

import psycopg
import pymysql
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from jiandu.db import libpq_url
from jiandu.settings import get_settings
from jiandu.testing import temp_database

# The province's files, from the project's copy (tests/test_standard_copy.py proves it equals ../shared).
LEGACY = Path(__file__).resolve().parents[2] / "standard" / "legacy"
SCHEMA = (LEGACY / "lg-schema.sql").read_text(encoding="utf-8")
SAMPLE = (LEGACY / "lg-sample.sql").read_text(encoding="utf-8")
MARIADB = dict(host="127.0.0.1", port=3306, user="root", password="", charset="utf8mb4")


def sql_statements(text: str) -> list[str]:
    """The statements of a .sql file (each ends with ';' at the end of a line)."""
    return [s for s in re.split(r";[ \t]*\n", text + "\n")
            if any(line.strip() and not line.strip().startswith("--") for line in s.splitlines())]


class MariaLG:
    """A throw-away LG database on the real MariaDB server."""

    def __init__(self, name: str):
        self.name = name
        self.url = f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
        self.conn = pymysql.connect(database=name, autocommit=True, **MARIADB)

    def execute(self, statement: str, args=None) -> int:
        with self.conn.cursor() as cur:
            return cur.execute(statement, args)

    def executemany(self, statement: str, rows) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(statement, rows)


@pytest.fixture()
def maria_lg():
    name = f"test_lgc_{secrets.token_hex(4)}"
    admin = pymysql.connect(autocommit=True, **MARIADB)
    admin.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        lg = MariaLG(name)
        for statement in sql_statements(SCHEMA) + sql_statements(SAMPLE):
            lg.execute(statement)
        yield lg
        lg.conn.close()
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def sqlite_schema() -> str:
    """The stand-in's schema: lcid must be INTEGER PRIMARY KEY AUTOINCREMENT (pitfalls.md)."""
    return SCHEMA.replace("BIGINT PRIMARY KEY AUTO_INCREMENT", "INTEGER PRIMARY KEY AUTOINCREMENT")


@pytest.fixture()
def sqlite_lg(tmp_path):
    path = tmp_path / "lg.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(sqlite_schema())
        db.executescript(SAMPLE)
    return path


@pytest.fixture(scope="session")
def migrated_template():
    """One migrated warehouse, copied for each test (CREATE DATABASE ... TEMPLATE takes a fraction
    of running every migration again)."""
    from jiandu.warehouse import migrate
    with temp_database("test_lgc_tpl") as url:
        migrate.apply(url)
        yield make_url(url).database


@pytest.fixture()
def wconn(migrated_template):
    s = get_settings()
    name = f"test_lgc_wh_{secrets.token_hex(4)}"
    with psycopg.connect(libpq_url(s.admin_url), autocommit=True) as admin:
        admin.execute(sql.SQL("create database {} template {}").format(sql.Identifier(name),
                                                                     sql.Identifier(migrated_template)))
    try:
        with psycopg.connect(libpq_url(make_url(s.admin_url).set(database=name)
                                       .render_as_string(hide_password=False))) as conn:
            yield conn
    finally:
        with psycopg.connect(libpq_url(s.admin_url), autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
