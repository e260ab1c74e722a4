"""Analysts' protection is in the database (Superset's row-level security does not cover SQL Lab):
the role jiandu_analyst reads the marts schema only, and no marts relation holds a natural
person's name or ID number unmasked. Proven as the analyst role on the demo warehouse."""
from __future__ import annotations

import re

import psycopg
import pytest
from psycopg import errors

from conftest import _libpq
from jiandu.settings import load_settings

ANALYST_MODELS = {"case_detail", "dim_party", "dim_officer", "case_step"}


def personal_values(warehouse) -> tuple[set[str], set[str]]:
    """Every natural person's name and every resident ID number the standard layer holds."""
    with psycopg.connect(_libpq(warehouse.admin_url)) as conn:
        names = {r[0] for r in conn.execute(
            "select party_name from standard.zf04_party where party_type = '1'"
            " union select officer_name from standard.zf02_officer"
            " union select approver_name from standard.zf20_case_step where approver_name is not null")}
        ids = {r[0] for r in conn.execute(
            "select credential_no from standard.zf04_party where party_type = '1' or credential_type = '01'"
            " union select id_no from standard.zf02_officer")}
    return names, ids


@pytest.fixture(scope="module")
def analyst(demo_warehouse, settings):
    s = load_settings(warehouse_db=demo_warehouse.name)
    with psycopg.connect(_libpq(s.analyst_url), autocommit=True) as conn:
        yield conn


def test_analyst_reads_marts_only(analyst):
    readable = analyst.execute(
        "select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind in ('r', 'v', 'm', 'p', 'f') and n.nspname not in ('marts', 'pg_catalog', 'information_schema')"
        " and has_table_privilege(c.oid, 'select')").fetchall()
    assert readable == []
    for relation in ("standard.zf04_party", "standard.zf02_officer", "raw.lp_case", "ops.push_batch",
                     "quality.rejected_input", "staging.region"):
        with pytest.raises((errors.InsufficientPrivilege, errors.UndefinedTable)):
            analyst.execute(f"select * from {relation} limit 1")


def test_no_marts_relation_reveals_a_name_or_id(demo_warehouse, analyst):
    names, ids = personal_values(demo_warehouse)
    assert len(names) > 20 and len(ids) > 20, "the demo warehouse should hold personal data"
    relations = [r[0] for r in analyst.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'marts' and c.relkind in ('r', 'v', 'm', 'p') order by 1")]
    assert ANALYST_MODELS <= set(relations), f"analyst models missing; marts has {relations}"
    name_lengths = sorted({len(n) for n in names})
    id_shape = re.compile(r"[0-9]{17}[0-9Xx]")
    leaks, scanned = [], 0
    for rel in relations:
        # the whole row as text covers every column of every type (arrays, json, numbers)
        for (row,) in analyst.execute(f'select t::text from marts."{rel}" t'):
            scanned += 1
            found = {m for m in id_shape.findall(row) if m.upper() in ids or m in ids}
            found |= {row[i:i + n] for n in name_lengths for i in range(len(row) - n + 1) if row[i:i + n] in names}
            if found:
                leaks.append((rel, sorted(found)[:3], row[:200]))
    with psycopg.connect(_libpq(demo_warehouse.admin_url)) as conn:
        in_marts = sum(conn.execute(f'select count(*) from marts."{rel}"').fetchone()[0] for rel in relations)
    assert scanned == in_marts > 0, (scanned, in_marts)
    assert not leaks, f"{len(leaks)} rows reveal personal data, e.g. {leaks[:5]}"


def test_masked_values_are_there(analyst):
    """The masked columns hold masked values (a mart that dropped them would pass the scan)."""
    rows = analyst.execute("select party_name, credential_type, credential_no from marts.dim_party"
                           " where party_type = '1' limit 200").fetchall()
    assert rows and all(re.fullmatch(r".\*+", n) for n, _, _ in rows)
    assert any(t == "01" for _, t, _ in rows), "the natural persons should include resident ID holders"
    for _, ctype, cred in rows:
        # the standard's masking: resident_id for credential type 01, other_credential otherwise
        shape = r"[0-9]{6}\*{8}[0-9]{3}[0-9X]" if ctype == "01" else r"\*+[^*]{1,4}"
        assert re.fullmatch(shape, cred), (ctype, cred)
    officer = analyst.execute("select officer_name, id_no from marts.dim_officer limit 1").fetchone()
    assert re.fullmatch(r".\*+", officer[0]) and "********" in officer[1]
