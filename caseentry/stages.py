"""The stages (环节) of each case type: what each records and where it moves the case's status.

A step (ZF20) is recorded with ``POST /api/v1/cases/{id}/steps``; besides its own fields it
carries the acts of its stage, which land in the case's records:

- penalty (the eight links of the general procedure): C3 legal review, C4 notification and
  hearing, C5 decision, C6 service and execution, C7 closing, C8 archiving;
- inspection: J2 inspection, J3 result, J4 closing;
- coercion: Q2/Q3 measures decided or carried out, Q4 extension, Q5 demand notice, Q6 court
  application, Q7 lifting, Q8 closing.

The same acts may be corrected later (PATCH) only once their stage has been recorded
(``FIELD_OWNERS``): a decision time cannot appear on a case that never reached C5.
"""
from __future__ import annotations

CASE_TYPE_PREFIX = {"1": "J", "2": "C", "3": "Q"}
FIRST_STAGE = {"1": "J1", "2": "C1", "3": "Q1"}

# status codes (standard code set case_status)
OPEN, DECIDED, EXECUTING, CLOSED, ARCHIVED, REVOKED, NOT_FILED = "10", "20", "30", "40", "50", "90", "91"
DECIDED_STATUSES = (DECIDED, EXECUTING, CLOSED, ARCHIVED)
FINAL_STATUSES = (ARCHIVED, REVOKED, NOT_FILED)

# Fields a step of the stage may carry: (record, field). "case" is ZF10, "measure" is one ZF13
# measure named by the step's measure_seq, "measures" a list of ZF13 measures.
STAGE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "C1": (), "C2": (),
    "C3": (("penalty", "legal_review_at"), ("penalty", "collective_discussion_at")),
    "C4": (("penalty", "notified_at"), ("penalty", "hearing_requested"),
           ("penalty", "hearing_notice_at"), ("penalty", "hearing_at")),
    "C5": (("penalty", "decision_no"), ("penalty", "decision_at"), ("penalty", "penalty_kinds"),
           ("penalty", "fine_amount"), ("penalty", "confiscation_amount"),
           ("penalty", "discretion_reason"), ("penalty", "paid_at")),
    "C6": (("penalty", "served_at"), ("penalty", "paid_at"), ("penalty", "execution_status")),
    "C7": (("case", "closed_at"),),
    "C8": (("case", "archived_at"),),
    "J1": (), "J2": (("inspection", "inspected_at"),),
    "J3": (("inspection", "result"), ("inspection", "rectify_deadline"), ("inspection", "rectified_at")),
    "J4": (("inspection", "rectified_at"), ("case", "closed_at")),
    "Q1": (), "Q2": (("measures", "coercion"), ("measure", "approved_at")), "Q3": (("measures", "coercion"),),
    "Q4": (("measure", "extended_days"),),
    "Q5": (("measure", "demand_notice_at"),),
    "Q6": (("measure", "court_applied_at"),),
    "Q7": (("measure", "lifted_at"),),
    "Q8": (("case", "closed_at"),),
}

# Stages whose step may name one of the case's measures (measure_seq): the measure approved (Q2),
# carried out (Q3), extended, demanded, taken to court or lifted (Q4-Q7).
MEASURE_STAGES = frozenset({"Q2", "Q3", "Q4", "Q5", "Q6", "Q7"})

# What a step of the stage must carry. (J2 need not carry inspected_at: an inspection under way
# has no time yet; J4 requires it before the case closes.)
STAGE_REQUIRES: dict[str, tuple[str, ...]] = {
    "C5": ("decision_no", "decision_at", "penalty_kinds"),
    "C6": ("served_at",),
    "J3": ("result",),
    "Q4": ("measure_seq", "extended_days"),
    "Q5": ("measure_seq", "demand_notice_at"),
    "Q6": ("measure_seq", "court_applied_at"),
    "Q7": ("measure_seq", "lifted_at"),
}

# Closing and archiving happen when their step completes (or is entered): the time is taken from
# the step unless given.
STAGE_TIME_DEFAULTS = {"C7": "closed_at", "J4": "closed_at", "Q8": "closed_at", "C8": "archived_at"}

# Status after the stage (unchanged for stages not listed).
STAGE_STATUS = {"C5": DECIDED, "C6": EXECUTING, "C7": CLOSED, "C8": ARCHIVED,
                "J4": CLOSED, "Q8": CLOSED}

# Stages recorded at most once per case.
ONCE = {"C1", "C5", "C7", "C8", "J1", "J4", "Q1", "Q8"}

# A field may hold a value only once one of these stages has been recorded on the case.
FIELD_OWNERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("penalty", "legal_review_at"): ("C3",),
    ("penalty", "collective_discussion_at"): ("C3",),
    ("penalty", "notified_at"): ("C4",),
    ("penalty", "hearing_requested"): ("C4",),
    ("penalty", "hearing_notice_at"): ("C4",),
    ("penalty", "hearing_at"): ("C4",),
    ("penalty", "decision_no"): ("C5",),
    ("penalty", "decision_at"): ("C5",),
    ("penalty", "penalty_kinds"): ("C5",),
    ("penalty", "fine_amount"): ("C5",),
    ("penalty", "confiscation_amount"): ("C5",),
    ("penalty", "served_at"): ("C6",),
    ("penalty", "paid_at"): ("C5", "C6"),
    ("penalty", "execution_status"): ("C6",),
    ("case", "closed_at"): ("C7", "J4", "Q8"),
    ("case", "archived_at"): ("C8",),
    ("inspection", "result"): ("J3",),
    ("inspection", "rectify_deadline"): ("J3",),
    ("inspection", "rectified_at"): ("J3", "J4"),
    ("coercion", "extended_days"): ("Q4",),
    ("coercion", "demand_notice_at"): ("Q5",),
    ("coercion", "court_applied_at"): ("Q6",),
    ("coercion", "lifted_at"): ("Q7",),
}

# Every field any stage may carry, for refusing those that belong to another stage.
ALL_STAGE_FIELDS = {f for fields in STAGE_FIELDS.values() for _, f in fields} | {"measure_seq"}

# Revocation (撤销) and non-filing (不予立案) end a case outside the stages.
ENDING_STATUSES = {REVOKED: (OPEN, DECIDED, EXECUTING), NOT_FILED: (OPEN,)}


def stage_number(stage_code: str) -> int:
    return int(stage_code[1:])


def belongs_to(case_type: str, stage_code: str) -> bool:
    return stage_code[:1] == CASE_TYPE_PREFIX.get(case_type)
