"""LG's schema, as the old system has it (MariaDB) or translated for the embedded SQLite stand-in.

The SQLite translation keeps what the pipeline relies on (shared/notes/pitfalls.md):
- lcid is `INTEGER PRIMARY KEY AUTOINCREMENT`: assigned on insert, never reused (merely
  dropping AUTO_INCREMENT would leave every lcid NULL);
- primary keys refuse NULL, as MariaDB's do;
- text compares case-insensitively (COLLATE NOCASE on every text column, like
  utf8mb4_general_ci), and case numbers ignore trailing spaces like MariaDB's PAD SPACE
  collation: SQLite has no collation doing both, so triggers strip trailing spaces from ajbh as
  rows arrive. A key that differs from a stored one only by case or trailing spaces is refused.
"""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "standard" / "legacy" / "lg-schema.sql"
TABLES = ("t_jg", "t_ry", "t_ajxx", "t_ajlc", "t_qzcs")
COLUMNS = {
    "t_jg": ("jgid", "jgmc", "tyshxydm", "xzqh", "jb"),
    "t_ry": ("ryid", "xm", "sfzh", "zfzh", "jgid", "zjyxq"),
    "t_ajxx": ("ajbh", "ajlx", "cxlx", "ay", "sxbm", "dsr", "dsrlx", "zjhm", "ajly", "fadd", "xzqh", "larq",
               "cfjdsh", "cfjdrq", "cfzl", "fkje", "msje", "sdrq", "jarq", "zt", "zfry", "jgid", "gxsj"),
    "t_ajlc": ("ajbh", "hjmc", "kssj", "jssj", "blr", "yj"),   # lcid is the database's to assign
    "t_qzcs": ("qzid", "ajbh", "csfs", "ksrq", "qx", "yqts", "jcrq"),
}


def mariadb_statements() -> list[str]:
    """The CREATE TABLE statements of lg-schema.sql, comments removed."""
    sql = "\n".join(line.split("--", 1)[0] for line in SCHEMA_FILE.read_text(encoding="utf-8").splitlines())
    return [s.strip() for s in sql.split(";") if s.strip()]


def _sqlite_column(line: str) -> str:
    line = re.sub(r"\bBIGINT PRIMARY KEY AUTO_INCREMENT\b", "INTEGER PRIMARY KEY AUTOINCREMENT", line)
    line = re.sub(r"\bINT PRIMARY KEY\b", "INT NOT NULL PRIMARY KEY", line)
    line = re.sub(r"\b(VARCHAR\(\d+\)|TEXT)( PRIMARY KEY)?", lambda m: m.group(1) + (
        " NOT NULL COLLATE NOCASE PRIMARY KEY" if m.group(2) else " COLLATE NOCASE"), line)
    return line


def sqlite_statements() -> list[str]:
    out = []
    for stmt in mariadb_statements():
        out.append("\n".join(_sqlite_column(line) for line in stmt.splitlines()))
    for table in ("t_ajxx", "t_ajlc", "t_qzcs"):
        for event in ("INSERT", "UPDATE OF ajbh"):
            out.append(
                f"CREATE TRIGGER {table}_ajbh_rtrim_{event.split()[0].lower()} AFTER {event} ON {table} "
                f"WHEN NEW.ajbh <> rtrim(NEW.ajbh) "
                f"BEGIN UPDATE {table} SET ajbh = rtrim(NEW.ajbh) WHERE rowid = NEW.rowid; END")
    return out


def create_schema(conn: Connection, dialect: str) -> None:
    """Drop and create LG's tables (a generated database starts empty)."""
    for table in reversed(TABLES):
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    statements = sqlite_statements() if dialect == "sqlite" else mariadb_statements()
    for stmt in statements:
        conn.exec_driver_sql(stmt)
