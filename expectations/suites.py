"""Expectation suites of the standard layer, defined in code from the standard's YAML.

Every record-level rule is an UnexpectedRowsExpectation: SQL that runs inside PostgreSQL and
returns only the failing record's key, the rule and (for non-personal fields) the value, so a
suite never pulls a table into Python and never echoes personal data (pitfalls.md: GX results
carry raw failing values in other modes).
"""
from __future__ import annotations

from dataclasses import dataclass

import great_expectations as gx
from great_expectations.expectations import UnexpectedRowsExpectation

from jiandu.standard import Dataset, Standard, load_standard


@dataclass(frozen=True)
class Rule:
    """A record-level rule: its id, severity and the SQL naming the records that break it."""
    rule: str
    severity: str            # blocking (held from the hub push) or warning
    message: str             # Chinese, for the steward; {field} and {value} are filled in
    query: str               # selects record_key, field, value from {batch}


def _lit(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def rules_for(ds: Dataset, std: Standard) -> list[Rule]:
    rules: list[Rule] = []
    required = [f for f in ds.fields if f.required]
    if required:
        parts = []
        for f in required:
            empty = f"{f.name} is null"
            if f.type.base == "list":
                empty += f" or cardinality({f.name}) = 0"
            elif f.type.base in ("string", "code"):
                empty += f" or {f.name}::text = ''"
            parts.append(f"select record_key, '{f.name}' as field, null::text as value from {{batch}} where {empty}")
        rules.append(Rule("REQUIRED", "blocking", "必填字段“{field}”为空",
                          " union all ".join(parts)))
    coded = [f for f in ds.fields if f.type.base == "code" and f.type.code_set in std.code_sets]
    if coded:
        parts = [f"select record_key, '{f.name}' as field, {f.name}::text as value from {{batch}} "
                 f"where {f.name} is not null and {f.name}::text not in ({_lit(std.code_sets[f.type.code_set])})"
                 for f in coded]
        rules.append(Rule("CODE_SET", "blocking", "字段“{field}”的值“{value}”不在标准代码集中",
                          " union all ".join(parts)))
    region = [f for f in ds.fields if f.type.base == "code" and f.type.code_set == "region"]
    if region:
        parts = [f"select record_key, '{f.name}' as field, {f.name}::text as value from {{batch}} "
                 f"where {f.name} is not null and {f.name}::text !~ '^[0-9]{{{{6}}}}$'" for f in region]
        rules.append(Rule("REGION_CODE", "blocking", "字段“{field}”的行政区划代码“{value}”不是六位数字",
                          " union all ".join(parts)))
    if ds.code == "ZF10":
        rules.append(Rule("OFFICERS_MIN", "blocking",
                          "承办执法人员不足：须至少两名（简易程序处罚案件至少一名）",
                          "select record_key, 'officer_cert_nos' as field, null::text as value from {batch} "
                          "where coalesce(cardinality(officer_cert_nos), 0) < "
                          "case when case_type = '2' and procedure = '1' then 1 else 2 end"))
    return rules


def build_suite(ds: Dataset, std: Standard) -> tuple[gx.ExpectationSuite, dict[str, tuple[Rule, UnexpectedRowsExpectation]]]:
    """The suite, and its record-level rules keyed by their SQL (how a result names its expectation)."""
    suite = gx.ExpectationSuite(name=f"standard_{ds.code.lower()}_{ds.name}")
    by_query: dict[str, tuple[Rule, UnexpectedRowsExpectation]] = {}
    suite.add_expectation(gx.expectations.ExpectColumnValuesToBeUnique(column="record_key"))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="record_key"))
    for rule in rules_for(ds, std):
        exp = UnexpectedRowsExpectation(unexpected_rows_query=rule.query, description=f"{ds.code} {rule.rule}")
        suite.add_expectation(exp)
        by_query[rule.query] = (rule, exp)
    return suite, by_query


def standard_suites(std: Standard | None = None):
    std = std or load_standard()
    for ds in std.datasets.values():
        yield ds, *build_suite(ds, std)
