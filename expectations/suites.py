"""Expectation suites, defined in code: one per standard dataset (from the standard's YAML), one
per staging view a source feeds, and one over the load log for the source streams.

Every record-level rule is an UnexpectedRowsExpectation: SQL that runs inside PostgreSQL and
returns only the failing record's key, the field, the value already masked, and where the record
came from (source_ref). A suite never pulls a table into Python and never echoes personal data
(pitfalls.md: GX results and Data Docs carry the values a query returns).

The SQL for each rule lives in expectations/sql_rules.py; severities in expectations/rules.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import great_expectations as gx
from great_expectations.expectations import UnexpectedRowsExpectation

from expectations import sql_rules
from expectations.rules import RULES
from jiandu.standard import Standard, load_standard

# At most this many failing rows per rule reach GX (and its count); see Rule.gx_query.
GX_ROW_CAP = 50_000


@dataclass(frozen=True)
class Rule:
    """A record-level rule: its id and the SQL naming the records that break it."""
    rule: str
    query: str        # selects record_key, field, value (masked), source_ref, message from {batch} t

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

    @property
    def gx_query(self) -> str:
        """What GX runs: the same rows, at most GX_ROW_CAP of them. GX buffers every row a query
        returns in the client (it counts them all, then keeps a sample), so without a cap a rule
        failing on every row of a big table would hold them all in memory. The exact number is
        counted in the database when the gate files the issues (validation_run.details)."""
        return f"select * from ({self.query}) capped limit {GX_ROW_CAP}"


@dataclass(frozen=True)
class Target:
    """What one suite validates: a table or view, and the label its issues carry."""
    dataset: str      # issue dataset: ZF10, stg_lg__case, LP
    schema: str
    table: str
    rules: tuple[Rule, ...]
    key_checks: bool = False        # record_key unique and not null (standard datasets)

    @property
    def suite_name(self) -> str:
        return f"{self.schema}_{self.table}"


@dataclass
class Catalog:
    """Which relations exist and with which columns: a rule that needs a missing one is skipped."""
    columns: dict[str, set[str]] = field(default_factory=dict)   # "schema.table" -> columns

    @classmethod
    def read(cls, conn) -> "Catalog":
        cat = cls()
        for schema, table, column in conn.execute(
                "select table_schema, table_name, column_name from information_schema.columns"
                " where table_schema in ('standard', 'staging', 'ops')"):
            cat.columns.setdefault(f"{schema}.{table}", set()).add(column)
        return cat

    def has(self, relation: str, *cols: str) -> bool:
        have = self.columns.get(relation)
        return have is not None and all(c in have for c in cols)


def standard_targets(cat: Catalog, std: Standard | None = None, as_of: str = "now()") -> list[Target]:
    std = std or load_standard()
    out = []
    for ds in std.datasets.values():
        table = sql_rules.table_of(ds)
        if not cat.has(f"standard.{table}", "record_key"):
            continue
        rules = tuple(Rule(r, q) for r, q in sql_rules.standard_rules(ds, std, cat, as_of))
        out.append(Target(ds.code, "standard", table, rules, key_checks=True))
    return out


def staging_targets(cat: Catalog) -> list[Target]:
    out = []
    for view, checks in sql_rules.PARSE_CHECKS.items():
        cols = {c for pair in checks for c in pair[:2]}
        if not cat.has(f"staging.{view}", "source_ref", *cols):
            continue
        out.append(Target(view, "staging", view,
                          tuple(Rule(r, q) for r, q in sql_rules.parse_rules(checks))))
    return out


def source_targets(cat: Catalog, as_of: str = "now()") -> list[Target]:
    if not cat.has("ops.load_batch", "source", "stream"):
        return []
    return [Target(source, "ops", "load_batch", tuple(Rule(r, q) for r, q in sql_rules.stream_rules(source, as_of)))
            for source in ("LP", "LG", "EX")]


def all_targets(cat: Catalog, as_of: str = "now()") -> list[Target]:
    return standard_targets(cat, as_of=as_of) + staging_targets(cat) + source_targets(cat, as_of)


def build_suite(target: Target) -> tuple[gx.ExpectationSuite, dict[str, tuple[Rule, UnexpectedRowsExpectation]]]:
    """The suite, and its record-level rules keyed by their SQL (how a result names its expectation)."""
    suite = gx.ExpectationSuite(name=f"{target.suite_name}__{target.dataset}")
    by_query: dict[str, tuple[Rule, UnexpectedRowsExpectation]] = {}
    if target.key_checks:
        suite.add_expectation(gx.expectations.ExpectColumnValuesToBeUnique(column="record_key",
                                                                           description=f"{target.dataset} RECORD_KEY 唯一"))
        suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="record_key",
                                                                            description=f"{target.dataset} RECORD_KEY 非空"))
    for rule in target.rules:
        exp = UnexpectedRowsExpectation(unexpected_rows_query=rule.gx_query,
                                        description=f"{target.dataset} {rule.rule}（{RULES[rule.rule].title}）")
        suite.add_expectation(exp)
        by_query[rule.gx_query] = (rule, exp)
    return suite, by_query
