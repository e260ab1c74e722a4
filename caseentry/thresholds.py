"""Legal thresholds the service enforces, in one place so the bureau can later move them to
configuration (a settings table) without touching the rules that use them.

Amounts are yuan. Party types are the standard's code set ``party_type``:
1 自然人, 2 法人, 3 非法人组织, 4 个体工商户.
"""
from __future__ import annotations

from decimal import Decimal

# supervision-rules.md P02 (行政处罚法 art. 58): a fine over this needs legal review before the decision.
LEGAL_REVIEW_FINE_THRESHOLD: dict[str, Decimal] = {
    "1": Decimal("5000"), "4": Decimal("5000"),
    "2": Decimal("50000"), "3": Decimal("50000"),
}

# supervision-rules.md P06 (行政处罚法 art. 51): the summary procedure may fine at most this.
SUMMARY_PROCEDURE_FINE_CEILING: dict[str, Decimal] = {
    "1": Decimal("200"), "4": Decimal("200"),
    "2": Decimal("3000"), "3": Decimal("3000"),
}

# 行政处罚法 art. 51: on the spot only a warning, a notice of criticism or a small fine.
SUMMARY_PROCEDURE_PENALTY_KINDS: frozenset[str] = frozenset({"01", "02", "03"})

# 行政强制法 art. 25 and 32: sealing, seizure and freezing last at most 30 days, extended once
# by at most 30 more.
COERCION_MAX_TERM_DAYS = 30
COERCION_MAX_EXTENSION_DAYS = 30
COERCION_MEASURES_WITH_TERM: frozenset[str] = frozenset({"02", "03", "04"})
# Measures that must be lifted (or otherwise disposed of) before a case closes (rules P05).
COERCION_MEASURES_TO_LIFT: frozenset[str] = frozenset({"02", "03"})

# Which coercion measures belong to which kind (行政强制法 art. 9 and 12); 99 fits either.
COERCION_MEASURE_KIND: dict[str, str] = {
    "01": "1", "02": "1", "03": "1", "04": "1",
    "11": "2", "12": "2", "13": "2", "14": "2", "15": "2",
}

# A datetime this far ahead of the server clock is a typing error, not an act that happened.
FUTURE_TOLERANCE_SECONDS = 300

# Procedures of a penalty case under which a decision needs prior notification (行政处罚法 art. 44,
# 62); the summary procedure notifies on the spot and records no separate step.
PROCEDURES_NEEDING_NOTIFICATION: frozenset[str] = frozenset({"2", "3"})
SUMMARY_PROCEDURE = "1"
