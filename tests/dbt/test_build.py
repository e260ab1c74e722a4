"""`dbt build` on a throw-away warehouse holding a small hand-written raw data set with every
source and quirk (raw_fixture.py), then the key results of the standard layer; then a second
load, a routine incremental run, and a --full-refresh that must give the same tables."""
from __future__ import annotations

import datetime as dt
import hashlib

import psycopg

from jiandu.db import libpq_url

from raw_fixture import CITY, DISTRICT, EX_UNIT, NEW_SUBJECT, PERSON_PARTY

CST = dt.timezone(dt.timedelta(hours=8))
EX1, EX3, EX4, EX5 = (f"EX:{EX_UNIT}:ZF-2026-00{i}" for i in (1, 3, 4, 5))


def at(text: str) -> dt.datetime:
    """An instant written at +08:00, as to_jsonb renders a timestamptz (compared as instants)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST) if "+" not in text else dt.datetime.fromisoformat(text)


def instant(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_build_passes_and_names_what_it_could_not_map(built_warehouse):
    out = built_warehouse.build.stdout
    assert "ERROR=0" in out
    # an LG source text without mapping: the record loads, and a warning names the value
    assert "未映射的值（stg_lg__case.source_channel_text" in out and "网络舆情" in out
    # officers that cannot be resolved are named, masked (赵六 -> 赵*), never guessed
    assert "LG:CG2024-0200 第1人 赵*：ambiguous" in out and "第2人 钱*：unresolved" in out
    assert "赵六" not in out and "钱七" not in out
    # the EX row whose ID number Excel destroyed is named by file and row
    assert f"{EX_UNIT}_202602.csv#4" in out


def test_cases_from_every_source_after_precedence_and_deletions(built_warehouse):
    cases = built_warehouse.initial["zf10_case"]
    assert set(cases) == {"LP:1", "LP:3", "LG:CG2016-0044", "LG:CG2023-0001", "LG:SJ2024-0107", "LG:CG2024-0200",
                          EX1, EX3, EX4, EX5}
    # LP:2 deleted in LP; LG:CG2023-0099 deleted in LG; LG:CG2023-0002 is the same real case as LP:1
    # (same subject, case number differing in case and spaces): LP wins; ZF-2026-002 was only in a
    # superseded file
    assert cases["LP:1"]["source_system"] == "LP" and cases["LP:1"]["case_no"] == "cg2023-0002"
    assert cases["LP:1"]["officer_cert_nos"] == ["44010020150012", "44010020150013"]   # distinct
    assert cases["LP:3"]["status"] == "40"                                             # newest version


def test_lg_case_cleaned(built_warehouse):
    c = built_warehouse.initial["zf10_case"]["LG:CG2023-0001"]
    assert c["subject_code"] == CITY and c["case_type"] == "2" and c["procedure"] == "2"
    assert c["source_channel"] == "01" and c["status"] == "40" and c["region_code"] == "440106"
    assert instant(c["registered_at"]) == at("2023-05-06T00:00:00")        # '2023年5月6日'
    assert instant(c["closed_at"]) == at("2023-07-10T00:00:00")
    assert sorted(c["date_only_fields"]) == ["closed_at", "registered_at"]
    assert c["officer_cert_nos"] == ["44010020150012", "44010020150013"]
    assert c["time_limit_extended"] is False and "time_limit_extended" in c["presumed_fields"]
    assert c["party_id"] == sha("1091440106MA59ABCD1M")
    assert c["source_ref"] == "LG:t_ajxx:CG2023-0001"

    old = built_warehouse.initial["zf10_case"]["LG:CG2016-0044"]
    assert instant(old["registered_at"]) == at("2016-03-05T00:00:00")     # '2016/3/5'
    assert old["officer_cert_nos"] == ["44010020150012", "44010020150013"]  # names only, resolved in unit 1
    assert old["status"] == "50" and instant(old["archived_at"]) == at("2016-04-20T10:00:00")   # 归档 step
    # full-width ID with a wrong check character: loads as read, typed 99 (never corrected)
    assert old["party_id"] == sha("9944010619750615002X")

    inspection = built_warehouse.initial["zf10_case"]["LG:CG2024-0200"]
    assert inspection["source_channel"] is None                           # '网络舆情' unmapped, named above
    assert inspection["officer_cert_nos"] is None                         # ambiguous + unresolved
    assert inspection["region_code"] == "440100" and "region_code" in inspection["presumed_fields"]
    assert instant(inspection["registered_at"]) == at("2024-05-08T14:30:00") and inspection["date_only_fields"] == []


def test_lg_penalty_amounts_and_step_times(built_warehouse):
    p = built_warehouse.initial["zf12_penalty"]
    assert p["LG:CG2023-0001"]["fine_amount"] == 5000.00                  # '5,000.00'
    assert p["LG:CG2016-0044"]["fine_amount"] == 5000.00                  # '伍仟元'
    assert p["LG:CG2016-0044"]["served_at"] is None                       # '0000-00-00'
    assert p["LG:CG2023-0001"]["penalty_kinds"] == ["03"]
    assert instant(p["LG:CG2023-0001"]["served_at"]) == at("2023-06-25T00:00:00")       # '20230625'
    assert instant(p["LG:CG2023-0001"]["decision_at"]) == at("2023-06-20T00:00:00")     # '2023/6/20'
    assert instant(p["LG:CG2023-0001"]["legal_review_at"]) == at("2023-06-05T00:00:00") # 法制审核 step
    assert instant(p["LG:CG2023-0001"]["notified_at"]) == at("2023-06-06T00:00:00")     # 告知 step


def test_lg_coercion_measures_and_steps(built_warehouse):
    m = built_warehouse.initial["zf13_coercion"]
    first, second = m["LG:SJ2024-0107|1"], m["LG:SJ2024-0107|2"]
    assert (first["measure_code"], first["term_days"], first["coercion_kind"]) == ("02", 30, "1")        # '30日'
    assert (second["measure_code"], second["term_days"], second["extended_days"]) == ("03", 30, 30)      # '三十日'
    assert instant(second["lifted_at"]) == at("2024-04-28T00:00:00")
    assert first["emergency"] is False and "emergency" in first["presumed_fields"]
    steps = built_warehouse.initial["zf20_case_step"]
    assert [steps[f"LG:CG2023-0001|{i}"]["stage_code"] for i in range(1, 8)] == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]
    assert steps["LG:CG2023-0001|1"]["handler_cert_no"] == "44010020150012"    # 张三, unit 1
    assert steps["LG:CG2023-0001|3"]["handler_cert_no"] is None                # 赵六: two in unit 1
    assert not any(k.startswith("LG:CG2023-0002|") or k.startswith("LG:CG2023-0099|") for k in steps)


def test_ex_newest_month_excel_dates_and_lost_credentials(built_warehouse):
    cases = built_warehouse.initial["zf10_case"]
    one = cases[EX1]
    assert one["status"] == "40" and one["source_ref"] == f"EX:{EX_UNIT}_202603.xlsx#3"   # March wins over February
    assert instant(one["closed_at"]) == at("2026-03-28T00:00:00")                           # Excel serial 46109
    assert one["region_code"] == "440111" and "region_code" in one["presumed_fields"]
    assert one["party_id"] == sha("1091440111MA5C77771X")                                   # lower-case x normalised
    assert cases[EX3]["party_id"] is None                                                   # '4.40111E+17'
    assert instant(cases[EX3]["registered_at"]) == at("2026-02-03T00:00:00")                # Excel serial 46056
    penalties = built_warehouse.initial["zf12_penalty"]
    assert penalties[EX1]["fine_amount"] == 15000.00                                        # '1.5万元'
    assert penalties[EX3]["fine_amount"] == 3000.00 and penalties[EX3]["penalty_kinds"] == ["01", "03"]
    measure = built_warehouse.initial["zf13_coercion"][f"{EX4}|1"]
    assert measure["term_days"] == 30 and measure["measure_code"] == "03"                   # '三十日', 扣押
    assert sorted(measure["presumed_fields"]) == ["emergency", "started_at"]
    inspection = built_warehouse.initial["zf11_inspection"][EX5]
    assert inspection["result"] == "02" and sorted(inspection["presumed_fields"]) == ["inspected_at", "inspection_kind"]


def test_parties_from_all_sources(built_warehouse):
    parties = built_warehouse.initial["zf04_party"]
    assert parties[PERSON_PARTY]["source_system"] == "LP"
    for pid, row in parties.items():
        assert pid == sha(row["credential_type"] + row["credential_no"])
    company = parties[sha("1091440111MA5C77771X")]                       # named by two EX cases
    assert company["source_ref"] == f"EX:{EX_UNIT}_202603.xlsx#3"          # the most recent one
    assert sha("9944010619750615002X") in parties                         # LG, typed 99


def test_record_versions_and_keys(built_warehouse):
    for table, rows in built_warehouse.initial.items():
        for key, row in rows.items():
            assert row["record_key"] == key and row["record_version"], (table, key)
    # LG: the latest change among the rows the record is built from (here the first-seen time of
    # the unit and officer rows, later than the case's own gxsj)
    assert instant(built_warehouse.initial["zf10_case"]["LG:CG2023-0001"]["record_version"]) == at("2026-03-20T08:00:00")
    # EX: the file's arrival; LP: the payload's own
    assert instant(built_warehouse.initial["zf10_case"][EX1]["record_version"]) == at("2026-04-02T10:00:00")
    assert instant(built_warehouse.initial["zf10_case"]["LP:3"]["record_version"]) == at("2026-03-10T16:00:00")


def test_incremental_run_carries_the_second_load(built_warehouse):
    before, after = built_warehouse.initial, built_warehouse.incremental
    case = after["zf10_case"]["LG:CG2023-0001"]
    assert case["status"] == "50" and instant(case["archived_at"]) == at("2026-03-21T10:00:00")
    assert instant(case["record_version"]) == at("2026-03-21T10:05:00")   # moved on with its rows
    assert "LG:SJ2024-0107" not in after["zf10_case"]                      # deleted in LG
    assert not any(k.startswith("LG:SJ2024-0107") for k in after["zf13_coercion"])
    assert sha("1092440106MA5ABCDE2X") not in after["zf04_party"]          # its party is named by no case now
    assert after["zf10_case"][EX1]["status"] == "50"                       # April's report
    assert EX5 not in after["zf10_case"] and EX5 not in after["zf11_inspection"]   # deleted (key-only row)
    assert after["zf10_case"]["LG:CG2024-0200"]["officer_cert_nos"] == ["44010020150017"]   # 钱七 registered
    assert after["zf04_party"][PERSON_PARTY]["region_code"] == "440105"
    # untouched records keep their version: nothing to push again
    assert after["zf10_case"]["LP:1"] == before["zf10_case"]["LP:1"]
    assert after["zf12_penalty"][EX3] == before["zf12_penalty"][EX3]
    assert "MERGE" in built_warehouse.incremental_run.stdout


def test_incremental_run_follows_precedence_and_deletions(built_warehouse):
    after = built_warehouse.incremental
    # ZF-2026-004 was entered in LP: the EX record leaves every dataset, with its party
    assert "LP:4" in after["zf10_case"] and after["zf10_case"]["LP:4"]["source_system"] == "LP"
    assert EX4 in built_warehouse.initial["zf10_case"] and EX4 not in after["zf10_case"]
    assert f"{EX4}|1" not in after["zf13_coercion"]
    assert sha("01440111198001011231") not in after["zf04_party"]
    # step lcid 2 deleted in LG: CG2023-0001's steps are numbered again (seven, with the new 归档)
    steps = after["zf20_case_step"]
    assert [steps[f"LG:CG2023-0001|{i}"]["stage_code"] for i in range(1, 8)] == ["C1", "C3", "C4", "C5", "C6", "C7", "C8"]
    assert "LG:CG2023-0001|8" not in steps


def test_incremental_run_carries_registry_changes_and_corrections(built_warehouse):
    # ZF01/02/03/30 read only the LP keys that changed (and the corrected records) in a routine run
    before, after = built_warehouse.initial, built_warehouse.incremental
    assert NEW_SUBJECT not in before["zf01_subject"] and after["zf01_subject"][NEW_SUBJECT]["region_code"] == "440112"
    district = after["zf01_subject"][DISTRICT]
    assert district["subject_name"] == "某区市场监督管理局（更正）"                     # the steward's correction
    assert instant(district["record_version"]) == at("2026-03-21T12:00:00")             # moved to its entry
    assert after["zf01_subject"][CITY] == before["zf01_subject"][CITY]
    assert "44010620160001" in before["zf02_officer"] and "44010620160001" not in after["zf02_officer"]   # deleted in LP
    assert after["zf02_officer"]["44010020150012"] == before["zf02_officer"]["44010020150012"]
    assert after["zf03_item"]["440100-CG-0031"]["fine_max"] == 30000.00
    assert instant(after["zf30_publicity"]["LP:1"]["withdrawn_at"]) == at("2026-03-25T09:00:00")
    with psycopg.connect(libpq_url(built_warehouse.url)) as conn:
        states = conn.execute("select dataset, record_key, state from staging.int_correction__state").fetchall()
    assert ("ZF01", DISTRICT, "applied") in states


def test_incremental_run_rewrites_only_what_changed(built_warehouse):
    built, incremental = built_warehouse.case_writes_built, built_warehouse.case_writes_incremental
    rewritten = {key for key, run in incremental.items() if run != built.get(key)}
    # untouched cases keep the row the first build wrote: the run did not recompute them
    assert "LP:3" not in rewritten and EX3 not in rewritten
    # LP:1 is judged again although its own rows did not change: its LG twin's unit (t_ry) did
    assert {"LG:CG2023-0001", EX1, "LP:4", "LP:1"} <= rewritten


def test_stewards_see_unmapped_values(built_warehouse):
    with psycopg.connect(libpq_url(built_warehouse.url)) as conn:
        rows = conn.execute("select mapping_seed, source_value, records, example_source_ref"
                            " from staging.steward_unmapped_values").fetchall()
    assert ("map_lg_ajly", "网络舆情", 1, "LG:t_ajxx:CG2024-0200") in rows


def test_calendar_coverage_is_exposed(built_warehouse):
    with psycopg.connect(libpq_url(built_warehouse.url)) as conn:
        first, last = conn.execute("select first_covered_day, last_covered_day from staging.work_calendar_coverage").fetchone()
        workday = conn.execute("select is_workday from staging.work_calendar where date = '2024-02-04'").fetchone()[0]
    assert (first, last) == (dt.date(2016, 1, 1), dt.date(2026, 12, 31)) and workday is True


def test_full_refresh_gives_the_same_tables(built_warehouse):
    assert built_warehouse.full_refresh == built_warehouse.incremental
