"""Each standard model holds exactly the standard's columns with the standard's types, plus the
local columns, and nothing else: checked both ways, in the model YAML (the dbt contract) and in
the tables a build created."""
from __future__ import annotations

import psycopg
import yaml

from dbt_support import DBT_DIR
from jiandu.db import libpq_url
from jiandu.standard import FieldType, load_standard

MODELS_YAML = DBT_DIR / "models" / "standard" / "_standard__models.yml"

# local columns every standard table carries (source_system only where the dataset lacks it)
LOCAL = {"record_key": "varchar", "record_version": "timestamptz", "source_system": "varchar",
         "date_only_fields": "text[]", "presumed_fields": "text[]", "source_ref": "text"}


def table_name(ds) -> str:
    return f"zf{ds.code[2:]}_{ds.name}"


def contract_type(t: FieldType) -> str:
    """The brief's mapping: string(N) varchar(N), code varchar, date, datetime timestamptz,
    decimal(18,2) numeric(18,2), int integer, bool boolean, lists varchar[]."""
    if t.base == "string":
        return f"varchar({t.length})"
    if t.base == "decimal":
        return f"numeric({t.precision[0]},{t.precision[1]})"
    return {"code": "varchar", "date": "date", "datetime": "timestamptz", "int": "integer", "bool": "boolean",
            "list": "varchar[]"}[t.base]


def expected_columns(ds) -> dict[str, str]:
    cols = {f.name: contract_type(f.type) for f in ds.fields}
    for name, dtype in LOCAL.items():
        cols.setdefault(name, dtype)
    return cols


def pg_type(row: dict) -> str:
    """information_schema's description of a column, in the contract's spelling."""
    udt, length, prec, scale = row["udt_name"], row["character_maximum_length"], row["numeric_precision"], row["numeric_scale"]
    if udt == "varchar":
        return f"varchar({length})" if length else "varchar"
    if udt == "numeric":
        return f"numeric({prec},{scale})" if prec is not None else "numeric"
    return {"timestamptz": "timestamptz", "date": "date", "int4": "integer", "bool": "boolean", "text": "text",
            "_varchar": "varchar[]", "_text": "text[]"}.get(udt, udt)


def test_model_yaml_matches_the_standard_both_ways():
    std = load_standard()
    doc = yaml.safe_load(MODELS_YAML.read_text(encoding="utf-8"))
    models = {m["name"]: m for m in doc["models"]}
    assert set(models) == {table_name(ds) for ds in std.datasets.values()}, "models and datasets differ"
    for ds in std.datasets.values():
        model = models[table_name(ds)]
        assert model["config"]["contract"]["enforced"] is True
        declared = {c["name"]: c["data_type"] for c in model["columns"]}
        expected = expected_columns(ds)
        assert list(declared) == list(expected), f"{ds.code}: columns or their order differ from the standard"
        assert declared == expected, f"{ds.code}: types differ: " + str(
            {k: (declared.get(k), v) for k, v in expected.items() if declared.get(k) != v})
        titles = {c["name"]: c.get("description") for c in model["columns"]}
        for f in ds.fields:
            assert titles[f.name] == f.title, f"{ds.code}.{f.name}: description is not the standard's title"
        assert all(titles[c] for c in expected), f"{ds.code}: a column has no description"
        pk = [c for c in model.get("constraints", []) if c["type"] == "primary_key"]
        assert pk and pk[0]["columns"] == list(ds.key), f"{ds.code}: primary key is not the dataset key"


def test_built_tables_match_the_standard_both_ways(built_warehouse):
    std = load_standard()
    with psycopg.connect(libpq_url(built_warehouse.url)) as conn:
        conn.row_factory = psycopg.rows.dict_row
        rows = conn.execute(
            "select table_name, column_name, udt_name, character_maximum_length, numeric_precision, numeric_scale,"
            " ordinal_position, col_description(format('%I.%I', table_schema, table_name)::regclass, ordinal_position)"
            " as comment from information_schema.columns where table_schema = 'standard'"
            " order by table_name, ordinal_position").fetchall()
    tables: dict[str, dict[str, dict]] = {}
    for r in rows:
        tables.setdefault(r["table_name"], {})[r["column_name"]] = r
    assert set(tables) == {table_name(ds) for ds in std.datasets.values()}, "tables and datasets differ"
    for ds in std.datasets.values():
        built = {name: pg_type(r) for name, r in tables[table_name(ds)].items()}
        expected = expected_columns(ds)
        assert set(built) == set(expected), f"{ds.code}: extra {set(built) - set(expected)}, missing {set(expected) - set(built)}"
        assert built == expected, f"{ds.code}: " + str({k: (built[k], v) for k, v in expected.items() if built[k] != v})
        for f in ds.fields:   # persist_docs: the Chinese titles are the columns' comments
            assert tables[table_name(ds)][f.name]["comment"] == f.title, f"{ds.code}.{f.name} comment"
