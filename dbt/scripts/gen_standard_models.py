"""Write models/standard/_standard__models.yml from the standard (supervision-standard.yaml).

Each standard model gets exactly the dataset's fields, in the standard's order, with the dbt
contract type and the Chinese title, then the local columns every standard table carries. Tests
follow from the standard: keys unique and not null (error), references (relationships, warn:
LG/EX records may name subjects, items or officers not registered in LP), code sets (warn).

    .venvs/main/bin/python dbt/scripts/gen_standard_models.py [--check]

tests/dbt/test_standard_contract.py checks the file against the standard, both ways.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

DBT_DIR = Path(__file__).resolve().parent.parent
OUT = DBT_DIR / "models" / "standard" / "_standard__models.yml"
STANDARD = DBT_DIR.parent / "standard" / "supervision-standard.yaml"

# dataset code -> dbt model name (what the hub push and the quality gate read: zfNN_<name>)
def model_name(code: str, ds: dict) -> str:
    return f"zf{code[2:]}_{ds['name']}"


def contract_type(type_text: str) -> str:
    """The standard's type -> the column type of the standard layer."""
    t = type_text.strip()
    if t.startswith("string("):
        return f"varchar({int(t[7:-1])})"
    if t.startswith("code("):
        return "varchar"
    if t.startswith("list("):
        return "varchar[]"
    if t.startswith("decimal("):
        return "numeric(" + t[8:-1].replace(" ", "") + ")"
    return {"date": "date", "datetime": "timestamptz", "int": "integer", "bool": "boolean"}[t]


LOCAL_COLUMNS = [
    ("record_key", "varchar", "记录键：数据集主键字段按标准顺序以“|”连接（本地列，推送时用作 record_key）"),
    ("record_version", "timestamptz", "记录版本：记录在来源处最后变更的时间（来源无可靠变更时间时为管道首次见到当前内容的时间；本地列）"),
    ("source_system", "varchar", "来源系统（LP / LG / EX；本地列）"),
    ("date_only_fields", "text[]", "来源只有日期、无时刻的时间字段名（按 T00:00:00+08:00 存储；按小时计的规则不评判；本地列）"),
    ("presumed_fields", "text[]", "来源无此值而按规则推定的字段名（供数据管理员查看；本地列）"),
    ("source_ref", "text", "记录出处：LP 实体与主键、LG 表与主键、EX 文件与行号（本地列）"),
]

# references whose target is a registry kept in LP: LG/EX records may name one not registered yet
REGISTRY_TARGETS = {"ZF01", "ZF02", "ZF03"}


def column_tests(code: str, ds: dict, fname: str, spec: dict, models: dict[str, str]) -> list:
    tests: list = []
    t = spec["type"].strip()
    if fname in ds["key"]:
        tests.append({"not_null": {"config": {"severity": "error"}}})
    if t.startswith("code("):
        code_set = t[5:-1]
        if code_set == "region":
            tests.append("in_region")
        else:
            tests.append({"in_code_set": {"arguments": {"code_set": code_set}}})
    if t.startswith("list(code("):
        tests.append({"in_code_set": {"arguments": {"code_set": t[10:-2], "is_list": True}}})
    ref = spec.get("references")
    if ref:
        target_code, target_field = ref.split(".")
        target = f"ref('{models[target_code]}')"
        if t.startswith("list("):
            tests.append({"list_items_in": {"arguments": {"to": target, "field": target_field}}})
        else:
            tests.append({"relationships": {"arguments": {"to": target, "field": target_field}}})
    return tests


def build(standard_file: Path = STANDARD) -> dict:
    doc = yaml.safe_load(standard_file.read_text(encoding="utf-8"))
    datasets = doc["datasets"]
    models = {code: model_name(code, ds) for code, ds in datasets.items()}
    out_models = []
    for code, ds in datasets.items():
        columns = []
        for fname, spec in ds["fields"].items():
            col = {"name": fname, "data_type": contract_type(spec["type"]),
                   "description": spec.get("title", "")}
            tests = column_tests(code, ds, fname, spec, models)
            if tests:
                col["data_tests"] = tests
            columns.append(col)
        for name, dtype, desc in LOCAL_COLUMNS:
            if name in ds["fields"]:
                continue
            col = {"name": name, "data_type": dtype, "description": desc}
            if name == "record_key":
                col["data_tests"] = [{"unique": {"config": {"severity": "error"}}},
                                     {"not_null": {"config": {"severity": "error"}}}]
            if name == "record_version":
                col["data_tests"] = [{"not_null": {"config": {"severity": "error"}}}]
            columns.append(col)
        model_tests = [{"standard_record_rules": {
            "arguments": {"key": list(ds["key"]),
                          "datetime_fields": [f for f, sp in ds["fields"].items() if sp["type"].strip() == "datetime"],
                          "fields": list(ds["fields"])},
            "config": {"severity": "error"}}}]
        if code == "ZF04":   # LP computes its own party ids: a mismatch is a data problem, not a broken build
            model_tests.append({"expression_holds": {"arguments": {
                "expression": "party_id = encode(sha256(convert_to(credential_type || credential_no, 'UTF8')), 'hex')",
                "describe": "party_id 不是 sha256(证件类型代码 || 规范化证件号码)（rules.party_id）"}}})
        out_models.append({
            "name": models[code],
            "description": f"{ds['title']}（{code} {ds['name']}）：省行政执法监督数据标准数据集，字段与类型与标准完全一致，另加本地列。",
            "config": {"contract": {"enforced": True}},
            "constraints": [{"type": "primary_key", "columns": list(ds["key"])}],
            "data_tests": model_tests,
            "columns": columns,
        })
    return {"version": 2, "models": out_models}


HEADER = ("# GENERATED by scripts/gen_standard_models.py from standard/supervision-standard.yaml: do not edit.\n"
          "# Change the generator (or the standard), run it, and commit both.\n")


def render(doc: dict) -> str:
    return HEADER + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when different")
    args = parser.parse_args()
    text = render(build())
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
