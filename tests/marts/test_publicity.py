"""The publicity mart on the fixture warehouse plus crafted LP decisions: due dates in working
days, the four statuses, LG/EX not judgeable, and the public text masked as jiandu.standard masks."""
from __future__ import annotations

import datetime as dt

from jiandu.standard import mask_person_name, mask_resident_id

PERSON_ID = "440103199012310020"          # raw_fixture's natural person 陈某 (party LP-registered)
OTHER_ID = "440106198503120015"           # someone else's resident ID, written into a notice


def _craft(conn, party_id: str) -> None:
    cases = [("LP:900", "2026-03-02"), ("LP:901", "2026-04-08"), ("LP:902", "2026-03-02"), ("LP:903", "2026-03-02"),
             ("LP:904", "2026-03-02")]
    for case_id, decided in cases:
        conn.execute(
            "insert into standard.zf10_case (case_id, case_no, case_type, subject_code, item_code, party_id, source_channel,"
            " region_code, procedure, officer_cert_nos, registered_at, status, time_limit_extended, source_system,"
            " record_key, record_version, date_only_fields, presumed_fields)"
            " values (%s, %s, '2', '11440100MB2C92145A', '440100-CG-0031', %s, '01', '440106', %s,"
            " '{44010020150012,44010020150013}', %s::date - 20, '20', false, 'LP', %s, now(), '{}', '{}')",
            (case_id, case_id.replace("LP:", "CASE-"), party_id, "1" if case_id == "LP:904" else "2", decided, case_id))
        conn.execute(
            "insert into standard.zf12_penalty (case_id, decision_no, decision_at, penalty_kinds, fine_amount, record_key,"
            " record_version, source_system, date_only_fields, presumed_fields)"
            " values (%s, %s, %s::date + time '10:00' at time zone 'Asia/Shanghai', %s, %s, %s, now(), 'LP', '{}', '{}')",
            (case_id, "穗城管罚字〔2026〕" + case_id[3:] + "号", decided,
             ["01"] if case_id == "LP:904" else ["03"], None if case_id == "LP:904" else 1000, case_id))
    for case_id, published, text in [
            ("LP:900", "2026-03-20", "陈某占道经营，罚款1000元。"),                # late, and the full name shows
            ("LP:902", "2026-03-05", f"当事人占道经营，证人（身份证{OTHER_ID}），罚款1000元。")]:  # on time, an ID
        conn.execute(
            "insert into standard.zf30_publicity (case_id, published_at, public_text, record_key, record_version,"
            " source_system, date_only_fields, presumed_fields)"
            " values (%s, %s::date + time '09:00' at time zone 'Asia/Shanghai', %s, %s, now(), 'LP', '{}', '{}')",
            (case_id, published, text, case_id))


def test_publicity(fixture_warehouse):
    wh = fixture_warehouse
    party = wh.rows("select party_id from standard.zf04_party where party_type = '1' and credential_no = %s", PERSON_ID)
    assert party, "the raw fixture's natural person is missing"
    with wh.connect() as conn:
        _craft(conn, party[0][0])
    wh.marts("2026-04-10", command="build")
    rows = {r[0]: r[1:] for r in wh.rows(
        "select case_id, publish_due_date, published_on_time, days_late, status, public_text, text_origin"
        " from marts.fct_publicity")}

    # 7 working days after Mon 03-02: 03-03..03-06, 03-09..03-11
    due = dt.date(2026, 3, 11)
    assert rows["LP:900"][:4] == (due, False, 9, "逾期公示")
    assert rows["LP:901"][:4] == (dt.date(2026, 4, 17), None, 0, "未公示未到期")
    assert rows["LP:902"][:4] == (due, True, 0, "已按时公示")
    assert rows["LP:903"][:4] == (due, None, 30, "逾期未公示")
    assert "LP:904" not in rows, "a warning alone under the summary procedure need not be published"
    # LG keeps no publication record: not judgeable, never overdue
    assert rows["LG:CG2016-0044"][3] == "不可判定" and rows["LG:CG2016-0044"][2] is None

    # the unmasked source text is replaced by a generated one, masked as jiandu.standard masks
    text, origin = rows["LP:900"][4:]
    assert origin == "系统生成" and "陈某" not in text and mask_person_name("陈某") in text
    assert mask_resident_id(PERSON_ID) in text and PERSON_ID not in text
    # a safe source text is kept, with any resident ID masked in it
    text, origin = rows["LP:902"][4:]
    assert origin == "来源公示内容" and text == f"当事人占道经营，证人（身份证{mask_resident_id(OTHER_ID)}），罚款1000元。"
    # no natural person's name or ID anywhere in the mart
    for case_id, (*_, text, _origin) in rows.items():
        assert PERSON_ID not in text and OTHER_ID not in text and "陈某" not in text and "张某某" not in text, case_id

    # the crafted decisions' T05 evaluations agree with the mart
    t05 = dict(wh.rows("select case_id, level from marts.fct_rule_evaluation where rule_id = 'T05'"))
    assert t05["LP:900"] == "cleared" and t05["LP:902"] == "cleared"
    assert t05["LP:901"] == "green" and t05["LP:903"] == "red"
    assert t05["LG:CG2016-0044"] == "not_judgeable"
    late = dict(wh.rows("select case_id, cleared_late from marts.fct_rule_evaluation where rule_id = 'T05'"
                        " and level = 'cleared'"))
    assert late == {"LP:900": True, "LP:902": False}
