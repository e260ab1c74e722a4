"""The dashboards' role (jiandu_superset) reads the marts, quality and ops schemas but no column
that holds a natural person's name or ID number unmasked (jiandu/warehouse/ddl/050_*.sql): the
records as pushed to the hub, unreadable source rows, notice recipients' contacts. Proven as that
role on the demo warehouse, whose push batches carry real parties."""
from __future__ import annotations

import re

import psycopg
import pytest
from psycopg import errors

from conftest import _libpq
from jiandu.settings import load_settings
from test_analyst_masking import personal_values

WITHHELD = [("ops.push_batch", "body"), ("quality.rejected_input", "raw_content"),
            ("ops.notice_recipient", "address"), ("ops.notice_digest", "address")]
ID_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]")


@pytest.fixture(scope="module")
def reader(demo_warehouse):
    s = load_settings(warehouse_db=demo_warehouse.name)
    url = s.pg_url(s.warehouse_db, s.superset_reader_user, s.superset_reader_password)
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        yield conn


def leaks(rows, names: set[str], ids: set[str]) -> list[tuple]:
    lengths = sorted({len(n) for n in names})
    out = []
    for (row,) in rows:
        row = row or ""
        found = {m for m in ID_SHAPE.findall(row) if m in ids or m.upper() in ids}
        found |= {row[i:i + n] for n in lengths for i in range(len(row) - n + 1) if row[i:i + n] in names}
        if found:
            out.append((sorted(found)[:3], row[:160]))
    return out


@pytest.mark.parametrize("relation, column", WITHHELD, ids=[f"{r}.{c}" for r, c in WITHHELD])
def test_a_withheld_column_is_refused(reader, relation, column):
    for query in (f"select {column} from {relation} limit 1", f"select * from {relation} limit 1",
                  f"select t::text from {relation} t limit 1"):
        with pytest.raises(errors.InsufficientPrivilege):
            reader.execute(query)


def test_the_dashboards_columns_stay_readable(reader):
    assert reader.execute("select count(*) from ops.push_batch where status is not null").fetchone()[0] > 0
    reader.execute("select rejected_id, source, location, reason, status from quality.rejected_input").fetchall()


def test_the_withheld_body_holds_personal_data(demo_warehouse):
    """What the grant keeps away is real: read as the admin, the pushed bodies name parties."""
    names, ids = personal_values(demo_warehouse)
    with psycopg.connect(_libpq(demo_warehouse.admin_url)) as conn:
        found = leaks(conn.execute("select body from ops.push_batch"), names, ids)
    assert found, "the demo's push batches should carry natural persons' names or ID numbers"


def test_no_column_the_role_reads_reveals_a_name_or_id(demo_warehouse, reader):
    names, ids = personal_values(demo_warehouse)
    assert names and ids
    columns: dict[str, list[str]] = {}
    for schema, table, column in reader.execute(
            "select n.nspname, c.relname, a.attname from pg_class c"
            " join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid"
            " where c.relkind in ('r', 'v', 'm', 'p') and a.attnum > 0 and not a.attisdropped"
            " and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%%'"
            " and has_schema_privilege(n.oid, 'USAGE') and has_column_privilege(c.oid, a.attnum, 'SELECT')"
            " order by 1, 2, a.attnum"):
        columns.setdefault(f'"{schema}"."{table}"', []).append(f'"{column}"')
    assert {'"ops"."push_batch"', '"quality"."rejected_input"', '"marts"."case_detail"'} <= set(columns)
    found, scanned = [], 0
    for relation, cols in columns.items():
        rows = reader.execute(f"select row({', '.join(cols)})::text from {relation}").fetchall()
        scanned += len(rows)
        found += [(relation, *leak) for leak in leaks(rows, names, ids)]
    assert scanned > 1000
    assert not found, f"{len(found)} rows the Superset role reads reveal personal data, e.g. {found[:5]}"
