"""The generated reality: what the units, officers, items, parties and cases really are.

Writers render these truthfully or messily into each source; tests compare what the pipeline
recovers against them. Datetimes are naive and mean Beijing time (+08:00).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from jiandu import standard

SOURCES = ("LP", "LG", "EX")
PENALTY_THRESHOLD = {"1": Decimal(5000), "4": Decimal(5000), "2": Decimal(50000), "3": Decimal(50000)}
SUMMARY_CEILING = {"1": Decimal(200), "4": Decimal(200), "2": Decimal(3000), "3": Decimal(3000)}


@dataclass(slots=True)
class Subject:
    index: int
    code: str
    name: str
    region_code: str
    level: str
    type: str
    domain: str
    dept: str                 # catalog department key
    prefix: str               # 穗天城管: the start of its document numbers
    parent_code: str | None
    is_active: bool
    source: str               # the one system the unit records its cases in
    weight: float
    leaders: tuple[str, str]  # 负责人, 法制审核人员: approvers, not enforcement officers
    lg_jgid: int | None = None


@dataclass(slots=True)
class Officer:
    cert_no: str
    name: str
    id_no: str
    subject_code: str
    valid_from: dt.date
    valid_to: dt.date
    status: str               # cert_status
    registered: bool = True   # registered in LP (the only source of ZF02)
    lg_ryid: int | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to and self.status not in ("02", "03")


@dataclass(slots=True)
class Item:
    code: str
    name: str
    category: str
    domain: str
    dept: str
    basis: str
    fine_min: Decimal | None
    fine_max: Decimal | None
    review: bool
    limitation: int | None
    valid_from: dt.date
    valid_to: dt.date | None
    causes: tuple[str, ...]
    measures: tuple[str, ...]
    registered: bool = True


@dataclass(slots=True)
class Party:
    index: int
    type: str                 # party_type
    name: str
    credential_type: str
    credential_no: str        # normalised
    region_code: str
    address: str

    @property
    def party_id(self) -> str:
        return standard.party_id(self.credential_type, self.credential_no)


@dataclass(slots=True)
class Step:
    stage: str
    entered_at: dt.datetime
    completed_at: dt.datetime | None
    handler: Officer | None
    approver: str | None
    opinion: str
    fields: dict = field(default_factory=dict)   # what the stage fills, by the service's names


@dataclass(slots=True)
class Inspection:
    kind: str
    inspected_at: dt.datetime | None = None
    result: str | None = None
    rectify_deadline: dt.date | None = None
    rectified_at: dt.datetime | None = None


@dataclass(slots=True)
class Penalty:
    decision_no: str | None = None
    decision_at: dt.datetime | None = None
    kinds: list[str] = field(default_factory=list)
    fine_amount: Decimal | None = None
    confiscation_amount: Decimal | None = None
    legal_review_at: dt.datetime | None = None
    collective_discussion_at: dt.datetime | None = None
    notified_at: dt.datetime | None = None
    hearing_requested: bool | None = None
    hearing_notice_at: dt.datetime | None = None
    hearing_at: dt.datetime | None = None
    served_at: dt.datetime | None = None
    paid_at: dt.datetime | None = None
    execution_status: str | None = None
    discretion_reason: str | None = None
    published_at: dt.datetime | None = None
    must_publish: bool = True


@dataclass(slots=True)
class Measure:
    seq: int
    kind: str                 # coercion_kind
    code: str                 # coercion_measure
    started_at: dt.datetime
    term_days: int | None
    emergency: bool
    extended_days: int | None = None
    lifted_at: dt.datetime | None = None
    demand_notice_at: dt.datetime | None = None
    court_applied_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None


@dataclass(slots=True)
class Case:
    index: int
    source: str
    ref: str                  # LP: local reference; LG: ajbh; EX: 案件编号
    case_no: str
    case_type: str
    subject: Subject
    item: Item
    party: Party
    source_channel: str
    region_code: str
    procedure: str | None
    officers: list[Officer]
    violation_at: dt.datetime | None
    found_at: dt.datetime | None
    registered_at: dt.datetime
    time_limit_extended: bool
    cause: str                # 案由
    address: str              # 发案地点
    status: str = "10"
    closed_at: dt.datetime | None = None
    archived_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    revoke_reason: str | None = None
    inspection: Inspection | None = None
    penalty: Penalty | None = None
    measures: list[Measure] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    traits: set[str] = field(default_factory=set)   # the irregularities built in, for tests

    @property
    def last_activity(self) -> dt.datetime:
        times = [self.registered_at]
        for s in self.steps:
            times.append(s.entered_at)
            if s.completed_at:
                times.append(s.completed_at)
        return max(times)

    def status_at(self, moment: dt.datetime) -> str:
        """The status the case had at `moment` (for monthly reports)."""
        if self.revoked_at and self.revoked_at <= moment:
            return "90"
        if self.archived_at and self.archived_at <= moment:
            return "50"
        if self.closed_at and self.closed_at <= moment:
            return "40"
        p = self.penalty
        if p and p.served_at and p.served_at <= moment:
            return "30"
        if p and p.decision_at and p.decision_at <= moment:
            return "20"
        return "10"
