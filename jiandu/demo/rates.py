"""How often each quirk and each irregularity appears in the generated data.

Every rate is a probability per eligible slot (a case, a date value, a row, a file), judged by
a seeded die. A die whose rate is above zero is also forced to fire once within its first few
slots (`Dice`), so the 100-case demo shows every quirk at least once while large runs keep the
rates as written. A rate of 0 switches a quirk off entirely.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any, Mapping


@dataclass(frozen=True)
class Rates:
    # --- who holds the cases (shares of all cases; LP gets the rest)
    lg_share: float = 0.25
    ex_share: float = 0.18
    # --- case mix
    inspection_share: float = 0.35
    coercion_share: float = 0.20          # penalties get the rest
    lg_old_share: float = 0.25            # LG cases registered 2014-2018 (no sxbm, archived)

    # --- irregular timelines (supervision warnings), per eligible case
    late_decision: float = 0.12           # T01: decision after 90 days (120 if extended)
    limit_extended: float = 0.06          # time_limit_extended, decided between day 91 and 120
    late_service: float = 0.10            # T02: served after 7 working days
    late_payment: float = 0.10            # T04: fine paid after 15 days
    unpaid: float = 0.05                  # T04: fine never paid
    late_publication: float = 0.10        # T05: published after 7 working days
    unpublished: float = 0.05             # T05: never published
    measure_overdue: float = 0.15         # T06: sealing/seizure lifted late or not at all
    measure_extended: float = 0.20        # extended_days on a measure
    late_approval: float = 0.25           # T07: emergency measure approved after 24 hours
    emergency: float = 0.15               # on-the-spot measures
    late_rectification: float = 0.25      # T09: re-inspection after the rectification deadline
    stale: float = 0.06                   # A01: an open case with no step for 31..100 days
    revoked: float = 0.03                 # status 90 (some after a decision: A02)
    hearing: float = 0.12                 # penalty with a requested hearing
    fine_out_of_range: float = 0.05       # B01 (LP carries a discretion_reason)
    repeat_fine: float = 0.04             # B02: same party, item and subject fined twice in 30 days
    # rule breaches the case-entry service refuses, so they come only from LG and EX
    missing_legal_review: float = 0.15    # P02 where review was required
    summary_over_ceiling: float = 0.05    # P06
    invalid_officer: float = 0.06         # P03/P04: an expired or suspended certificate on the case
    unregistered_reference: float = 0.02  # an LG/EX case naming the item or officer LP never registered
    closed_without_date: float = 0.04     # P05: LG status 结案 with an empty jarq

    # --- LG rendering
    lg_date_time: float = 0.08            # '2023-05-06 14:30'
    lg_date_absent_zero: float = 0.35     # an absent date as '0000-00-00' (else '' or NULL)
    lg_date_absent_null: float = 0.15
    lg_unlisted_spelling: float = 0.02    # a code text the mapping tables do not list
    lg_amount_upper: float = 0.04         # '伍仟元'
    lg_zfry_names_only: float = 0.15
    lg_zfry_fullwidth: float = 0.20
    lg_id_lower_x: float = 0.5            # of IDs ending in X
    lg_id_padded: float = 0.06
    lg_id_fullwidth: float = 0.04
    bad_check_char: float = 0.03          # an ID or credit code typed wrong years ago
    lg_gxsj_null: float = 0.06
    lg_gxsj_stale: float = 0.08           # gxsj not moved by the last change
    mojibake: float = 0.15                # of old (pre-2019) LG cases
    mojibake_irreversible: float = 0.2    # of mojibake rows: truncated, cannot be repaired
    lg_sxbm_missing: float = 0.05         # empty sxbm on a case since 2019
    lg_child_key_variant: float = 0.03    # t_ajlc/t_qzcs ajbh in another case or with a trailing space
    lg_blr_unknown: float = 0.10          # step handler named by a person not in t_ry
    lg_xzqh_12: float = 0.3               # xzqh with 12 digits
    lg_unit_code_messy: float = 0.5       # t_jg credit code padded or lower case
    lg_cert_messy: float = 0.1            # t_ry certificate number padded or in full-width digits
    lg_unit_code_blank: float = 1.0       # the smallest LG unit's credit code was never typed in

    # --- EX rendering
    ex_xlsx_share: float = 0.25           # of EX units
    ex_utf8_share: float = 0.15           # of EX units (half with BOM); GB18030 gets the rest
    ex_title_row_csv: float = 0.2         # CSV files with a title row
    ex_title_row_xlsx: float = 0.8        # XLSX files with a title row (merged across the columns)
    ex_merged_cells: float = 0.8          # XLSX files with the unit's name merged down its column
    ex_special_files: float = 1.0         # an unreadable file, a misnamed file and a corrected re-send
    ex_totals_row: float = 0.4            # of XLSX files
    ex_serial_date: float = 0.15          # Excel serial date (XLSX mostly)
    ex_float_id: float = 0.15             # resident ID turned into a float
    ex_amount_yuan: float = 0.15          # '3000元'
    ex_term_chinese: float = 0.2          # '三十日'
    ex_unpadded_date: float = 0.3         # '2026-3-6'
    ex_item_empty: float = 0.05
    ex_case_no_padded: float = 0.02       # ' 2026-CF-0012 '
    ex_unlisted_text: float = 0.02        # a 案件来源 no mapping lists
    ex_lower_x: float = 0.6               # of IDs ending in X
    ex_date_cell: float = 0.25            # XLSX: a real date cell beside text dates
    ex_number_as_text: float = 0.3        # XLSX: numbers stored as text
    ex_malformed_row: float = 0.02        # wrong number of fields
    ex_blank_row: float = 0.03
    ex_short_case_type: float = 0.3       # 检查 / 处罚 / 强制

    @classmethod
    def of(cls, value: "Rates | Mapping[str, Any] | None" = None, **overrides: Any) -> "Rates":
        """Defaults, a Rates, or a mapping of overrides (unknown names are an error)."""
        base = value if isinstance(value, Rates) else cls()
        merged = dict(value) if isinstance(value, Mapping) else {}
        merged.update(overrides)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(merged) - known)
        if unknown:
            raise ValueError(f"unknown rate(s): {', '.join(unknown)}")
        for name, v in merged.items():
            if not isinstance(v, (int, float)) or not 0 <= float(v) <= 1:
                raise ValueError(f"rate {name} must be a number between 0 and 1, got {v!r}")
        return dataclasses.replace(base, **{k: float(v) for k, v in merged.items()})

    def as_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


#: Every quirk off: clean data, for tests that want the plain path.
CLEAN = Rates.of({f.name: 0.0 for f in fields(Rates)
                  if f.name not in ("lg_share", "ex_share", "inspection_share", "coercion_share",
                                    "lg_old_share", "ex_xlsx_share", "ex_utf8_share")})
