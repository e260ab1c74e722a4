"""A small hand-written raw data set covering every source and quirk the dbt project handles.

Rows are inserted into raw.* as the connectors write them (one ops.load_batch per load). The
LG rows follow shared/legacy/lg-sample.sql (mojibake already repaired, as the connector does),
plus a few rows for the quirks the sample does not show. `load_changes` is a second load: new
versions, deletions, a corrected EX month and a new officer, for the incremental run.

Subjects: 11440100MB2C92145A 城管局 (LG unit 1), 11440106MB2C921376 区市场监管局 (LG unit 2),
11440111MB2C930019 a unit reporting by EX files.
"""
from __future__ import annotations

import hashlib
import json

import psycopg

CITY, DISTRICT, EX_UNIT = "11440100MB2C92145A", "11440106MB2C921376", "11440111MB2C930019"


def _hash(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()


def new_batch(conn: psycopg.Connection, source: str, stream: str) -> int:
    return conn.execute("insert into ops.load_batch (source, stream, status) values (%s, %s, 'committed')"
                        " returning batch_id", (source, stream)).fetchone()[0]


def lp(conn, batch: int, entity: str, key: str, payload: dict | None, op: str = "upsert") -> None:
    version = (payload or {}).get("record_version", "2026-03-20T09:00:00+08:00")
    conn.execute(
        f"insert into raw.lp_{entity} (_batch_id, _source_key, _op, _content_hash, _extracted_at, _record_version, payload)"
        " values (%s, %s, %s, %s, now(), %s, %s)",
        (batch, key, op, _hash(op, payload), version, json.dumps(payload, ensure_ascii=False) if payload else None))


def lg(conn, batch: int, table: str, key: str, row: dict, version: str, op: str = "upsert") -> None:
    cols = list(row)
    conn.execute(
        f"insert into raw.lg_{table} (_batch_id, _source_key, _op, _content_hash, _extracted_at, _record_version, "
        + ", ".join(cols) + ") values (%s, %s, %s, %s, now(), %s" + ", %s" * len(cols) + ")",
        (batch, key, op, _hash(op, row), version, *row.values()))


def ex_file(conn, batch: int, name: str, unit: str, month: str, arrived: str, status: str = "loaded") -> int:
    return conn.execute(
        "insert into raw.ex_file (batch_id, file_name, file_sha256, subject_code, report_month, arrived_at, status)"
        " values (%s, %s, %s, %s, %s, %s, %s) returning file_id",
        (batch, name, _hash(name, arrived), unit, month, arrived, status)).fetchone()[0]


EX_COLUMNS = ["seq_no", "subject_name", "subject_code", "case_type", "case_no", "item_code", "party_name",
              "party_type", "credential_type", "credential_no", "source_channel", "registered_date",
              "decision_no", "decision_date", "penalty_kinds", "fine_amount", "coercion_measure",
              "coercion_term", "inspection_result", "closed_date", "case_status", "officer_cert_nos"]


def ex_row(conn, batch: int, file_id: int, row_no: int, month: str, arrived: str, op: str = "upsert", **values) -> None:
    row = {c: values.get(c, "") for c in EX_COLUMNS}
    row["subject_code"] = row["subject_code"] or EX_UNIT
    row["subject_name"] = row["subject_name"] or "某区某执法局"
    key = f"EX:{row['subject_code']}:{row['case_no']}"
    conn.execute(
        "insert into raw.ex_case_row (_batch_id, _source_key, _op, _content_hash, _extracted_at, _record_version,"
        " _file_id, _row_no, _report_month, " + ", ".join(EX_COLUMNS) + ") values (%s, %s, %s, %s, now(), %s, %s, %s, %s"
        + ", %s" * len(EX_COLUMNS) + ")",
        (batch, key, op, _hash(op, row), arrived, file_id, row_no, month, *row.values()))


def _lp_case(case_id: str, **over) -> dict:
    case = {"case_id": case_id, "case_no": None, "case_type": "2", "subject_code": CITY, "item_code": "440100-CG-0031",
            "party_id": None, "source_channel": "02", "region_code": "440106", "procedure": "1",
            "officer_cert_nos": ["44010020150012"], "violation_at": None, "found_at": None,
            "registered_at": "2026-03-01T10:00:00+08:00", "closed_at": None, "archived_at": None, "status": "10",
            "time_limit_extended": False, "source_system": "LP", "record_version": "2026-03-01T10:00:00+08:00",
            "extra": {}}
    case.update(over)
    return case


PERSON_ID = "440103199012310020"
PERSON_PARTY = hashlib.sha256(("01" + PERSON_ID).encode()).hexdigest()


def load_initial(conn: psycopg.Connection) -> None:
    # --- LP: the registries, a party, cases (one moved from LG, one deleted, one changed twice)
    b = new_batch(conn, "LP", "changes")
    for code, name, region in [(CITY, "某市城市管理和综合执法局", "440100"), (DISTRICT, "某区市场监督管理局", "440106"),
                               (EX_UNIT, "某区某执法局", "440111")]:
        lp(conn, b, "subject", code, {"subject_code": code, "subject_name": name, "region_code": region,
                                      "subject_level": "2" if region == "440100" else "3", "subject_type": "01",
                                      "domain_code": "04", "parent_subject_code": None, "is_active": True,
                                      "record_version": "2026-01-01T08:00:00+08:00", "extra": {}})
    for cert, name, unit in [("44010020150012", "张三", CITY), ("44010020150013", "李四", CITY),
                             ("44010620160001", "王五", DISTRICT)]:
        lp(conn, b, "officer", cert, {"cert_no": cert, "officer_name": name, "id_no": "440106198503120015",
                                      "subject_code": unit, "cert_valid_from": "2019-01-01",
                                      "cert_valid_to": "2027-12-31", "cert_status": "01",
                                      "record_version": "2026-01-01T08:00:00+08:00", "extra": {}})
    lp(conn, b, "item", "440100-CG-0031", {
        "item_code": "440100-CG-0031", "item_name": "擅自占用城市道路", "item_category": "2", "domain_code": "04",
        "legal_basis": "《城市道路管理条例》第二十七条", "fine_min": "500.00", "fine_max": "20000.00",
        "legal_review_required": False, "limitation_years": None, "valid_from": "2019-01-01", "valid_to": None,
        "record_version": "2026-01-01T08:00:00+08:00", "extra": {}})
    lp(conn, b, "party", PERSON_PARTY, {"party_id": PERSON_PARTY, "party_type": "1", "party_name": "陈某",
                                        "credential_type": "01", "credential_no": PERSON_ID, "region_code": "440106",
                                        "record_version": "2026-03-01T10:00:00+08:00", "extra": {}})
    # LP:1 is LG's CG2023-0002 re-entered in LP after the unit moved: LP wins, one case remains
    lp(conn, b, "case", "LP:1", _lp_case("LP:1", case_no="cg2023-0002 ", party_id=PERSON_PARTY,
                                         officer_cert_nos=["44010020150012", "44010020150013", "44010020150012"]))
    lp(conn, b, "penalty", "LP:1", {
        "case_id": "LP:1", "decision_no": None, "decision_at": None, "penalty_kinds": ["01"], "fine_amount": None,
        "confiscation_amount": None, "legal_review_at": None, "collective_discussion_at": None, "notified_at": None,
        "hearing_requested": None, "hearing_notice_at": None, "hearing_at": None, "served_at": None, "paid_at": None,
        "execution_status": None, "record_version": "2026-03-01T10:00:00+08:00", "extra": {}})
    lp(conn, b, "case_step", "LP:1|1", {"case_id": "LP:1", "seq": 1, "stage_code": "C1",
                                        "entered_at": "2026-03-01T10:00:00+08:00", "completed_at": None,
                                        "handler_cert_no": "44010020150012", "approver_name": None, "opinion": None,
                                        "record_version": "2026-03-01T10:00:00+08:00", "extra": {}})
    lp(conn, b, "publicity", "LP:1", {"case_id": "LP:1", "published_at": "2026-03-02T09:00:00+08:00",
                                      "withdrawn_at": None, "public_text": "陈某乱张贴案，予以警告。",
                                      "record_version": "2026-03-02T09:00:00+08:00", "extra": {}})
    lp(conn, b, "case", "LP:2", _lp_case("LP:2", case_no="LP-2026-0002", party_id=PERSON_PARTY))
    lp(conn, b, "case", "LP:3", _lp_case("LP:3", case_no="LP-2026-0003", party_id=PERSON_PARTY,
                                         case_type="1", procedure=None))
    b = new_batch(conn, "LP", "changes")
    lp(conn, b, "case", "LP:2", None, op="delete")
    lp(conn, b, "case", "LP:3", _lp_case("LP:3", case_no="LP-2026-0003", party_id=PERSON_PARTY, case_type="1",
                                         procedure=None, status="40", closed_at="2026-03-10T16:00:00+08:00",
                                         record_version="2026-03-10T16:00:00+08:00"))

    # --- LG (lg-sample.sql, plus: an ambiguous name, a same-name officer of another unit, a case
    #     deleted in LG, an unmapped source text, a case superseded by LP:1)
    b = new_batch(conn, "LG", "tables")
    first_seen = "2026-03-20 08:00:00"
    lg(conn, b, "t_jg", "1", dict(jgid="1", jgmc="某市城市管理和综合执法局", tyshxydm="11440100MB2C92145A",
                                   xzqh="440100", jb="市级"), first_seen)
    lg(conn, b, "t_jg", "2", dict(jgid="2", jgmc="某区市场监督管理局", tyshxydm=" 11440106mb2c921376 ",
                                   xzqh="440106000000", jb="区级"), first_seen)
    for ryid, xm, sfzh, zfzh, jgid, zjyxq in [
            ("11", "张三", "440106198503120015", "44010020150012", "1", "2019.01.01-2027.12.31"),
            ("12", "李四", "44010619920101123x", "44010020150013", "1", "2019-01-01至2027-12-31"),
            ("13", "王五", "４４０１０６１９８８０７０７００１０", "44010620160001", "2", "2016.05.01-2021.04.30"),
            ("14", "李四", "440106199001011234", "44010620160002", "2", "2016.05.01-2026.04.30"),
            ("15", "赵六", "440106197001011234", "44010020150015", "1", "2015.01.01-2025.12.31"),
            ("16", "赵六", "440106197101011234", "44010020150016", "1", "2015.01.01-2025.12.31")]:
        lg(conn, b, "t_ry", ryid, dict(ryid=ryid, xm=xm, sfzh=sfzh, zfzh=zfzh, jgid=jgid, zjyxq=zjyxq), first_seen)
    ajxx = ["ajbh", "ajlx", "cxlx", "ay", "sxbm", "dsr", "dsrlx", "zjhm", "ajly", "fadd", "xzqh", "larq", "cfjdsh",
            "cfjdrq", "cfzl", "fkje", "msje", "sdrq", "jarq", "zt", "zfry", "jgid", "gxsj"]
    for values, version in [
        (("CG2016-0044", "处罚", "一般", "占道经营", "", "张某某", "个人", "４４０１０６１９７５０６１５００２Ｘ",
          "巡查发现", "", "440106", "2016/3/5", "穗城管罚字〔2016〕44号", "2016年4月1日", "罚款", "伍仟元", "",
          "0000-00-00", "", "归档", "张三,李四", "1", "2016-04-20 10:00:00"), "2016-04-20 10:00:00"),
        (("CG2023-0001", "处罚", "一般程序", "擅自占用城市道路堆放物料", "440100-CG-0031", "某建材有限公司", "企业",
          "91440106MA59ABCD1M", "巡查发现", "某路12号", "440106", "2023年5月6日", "穗城管罚字〔2023〕12号",
          "2023/6/20", "罚款", "5,000.00", "", "20230625", "2023-07-10", "结案",
          "张三(44010020150012),李四(44010020150013)", "1", "2023-07-10 16:02:11"), "2023-07-10 16:02:11"),
        (("CG2023-0002", "行政处罚", "简易", "乱张贴", "", "陈某", "个人", "440106199201011234", "群众举报", "",
          "440106", "2023-08-01", "", "", "警告", "", "", "", "", "在办", "张三（44010020150012），李四", "1", None),
         first_seen),
        (("SJ2024-0107", "查封", "", "无照经营", "440106-SJ-0102", "林记餐饮店", "个体户", "92440106MA5ABCDE2X",
          "12345转办", "某街5号", "440106", "2024-03-02", "", "", "", "", "", "", "", "在办", "王五(44010620160001)",
          "2", "2024-03-02 09:15:00"), "2024-03-02 09:15:00"),
        (("CG2024-0200", "日常检查", "", "门前三包检查", "", "某便利店", "公司", "91440103MA5BXQ001Y", "网络舆情", "",
          "", "2024-5-8 14:30", "", "", "", "", "", "", "", "在办", "赵六,钱七", "1", "2024-05-08 15:00:00"),
         "2024-05-08 15:00:00"),
        (("CG2023-0099", "处罚", "一般", "误录", "", "某人", "个人", "440106198503120015", "巡查发现", "", "440106",
          "2023-09-01", "", "", "", "", "", "", "", "在办", "张三", "1", "2023-09-01 09:00:00"), "2023-09-01 09:00:00"),
    ]:
        lg(conn, b, "t_ajxx", values[0], dict(zip(ajxx, values)), version)
    steps = [("1", "CG2023-0001", "立案", "2023-05-06", "2023-05-06", "张三", "同意立案"),
             ("2", "CG2023-0001", "调查取证", "2023-05-07", "2023-05-30", "张三", ""),
             ("3", "CG2023-0001", "法制审核", "2023-06-01", "2023-06-05", "赵六", "事实清楚，证据充分"),
             ("4", "CG2023-0001", "告知", "2023-06-06", "2023-06-06", "李四", "已告知陈述申辩权"),
             ("5", "CG2023-0001", "决定", "2023-06-20", "2023-06-20", "赵六", "罚款伍仟元"),
             ("6", "CG2023-0001", "送达", "2023-06-25", "2023-06-25", "李四", ""),
             ("7", "CG2023-0001", "结案", "2023-07-10", "2023-07-10", "赵六", ""),
             ("8", "CG2016-0044", "归档", "2016-04-20 10:00", "2016-04-20 10:00", "张三", ""),
             ("9", "CG2024-0200", "检查", "2024-05-08 15:10", "2024-05-08 15:40", "张三", "未发现问题"),
             ("10", "CG2023-0099", "立案", "2023-09-01", "", "张三", "")]
    for lcid, ajbh, hjmc, kssj, jssj, blr, yj in steps:
        lg(conn, b, "t_ajlc", lcid, dict(lcid=lcid, ajbh=ajbh, hjmc=hjmc, kssj=kssj, jssj=jssj, blr=blr, yj=yj), first_seen)
    lg(conn, b, "t_qzcs", "1", dict(qzid="1", ajbh="SJ2024-0107", csfs="查封", ksrq="2024-03-02", qx="30日",
                                     yqts="", jcrq=""), first_seen)
    lg(conn, b, "t_qzcs", "2", dict(qzid="2", ajbh="SJ2024-0107", csfs="扣押", ksrq="2024-3-2", qx="三十日",
                                     yqts="30", jcrq="2024-04-28"), first_seen)
    b = new_batch(conn, "LG", "tables")
    lg(conn, b, "t_ajxx", "CG2023-0099", {"ajbh": "CG2023-0099"}, "2026-03-20 09:00:00", op="delete")

    # --- EX: February, a first March file (superseded by its correction), the corrected March file
    b = new_batch(conn, "EX", "files")
    feb = ex_file(conn, b, f"{EX_UNIT}_202602.csv", EX_UNIT, "202602", "2026-03-02 09:00:00+08")
    mar_first = ex_file(conn, b, f"{EX_UNIT}_202603.csv", EX_UNIT, "202603", "2026-04-01 09:00:00+08", status="superseded")
    mar = ex_file(conn, b, f"{EX_UNIT}_202603.xlsx", EX_UNIT, "202603", "2026-04-02 10:00:00+08")
    conn.execute("update raw.ex_file set superseded_by = %s where file_id = %s", (mar, mar_first))
    feb_at, first_at, mar_at = "2026-03-02 09:00:00+08", "2026-04-01 09:00:00+08", "2026-04-02 10:00:00+08"
    ex_row(conn, b, feb, 3, "202602", feb_at, case_type="行政处罚", case_no="ZF-2026-001", item_code="",
           party_name="某餐饮有限公司", party_type="法人", credential_type="统一社会信用代码",
           credential_no="91440111ma5c77771x", source_channel="投诉", registered_date="2026-2-3",
           case_status="办理中", officer_cert_nos="44010020150012、44010020150013")
    ex_row(conn, b, feb, 4, "202602", feb_at, case_type="处罚", case_no="ZF-2026-003", party_name="吴某",
           party_type="自然人", credential_type="居民身份证", credential_no="4.40111E+17", source_channel="群众举报",
           registered_date="46056", decision_no="某执罚〔2026〕3号", decision_date="2026/2/10",
           penalty_kinds="警告、罚款", fine_amount="3000元", case_status="已结案", closed_date="2026年2月20日",
           officer_cert_nos="44010020150012,44010020150013")
    ex_row(conn, b, feb, 5, "202602", feb_at, case_type="检查", case_no="ZF-2026-005", party_name="某餐饮有限公司",
           party_type="法人", credential_type="统一社会信用代码", credential_no="91440111MA5C77771X",
           source_channel="检查发现", registered_date="20260203", inspection_result="责令整改", case_status="办理中",
           officer_cert_nos="44010020150012,44010020150013")
    ex_row(conn, b, mar_first, 3, "202603", first_at, case_type="行政处罚", case_no="ZF-2026-002",
           party_name="某人", party_type="自然人", credential_type="居民身份证", credential_no="440111198001011231",
           registered_date="2026-03-03", case_status="办理中")
    ex_row(conn, b, mar, 3, "202603", mar_at, case_type="行政处罚", case_no="ZF-2026-001", item_code="",
           party_name="某餐饮有限公司", party_type="法人", credential_type="统一社会信用代码",
           credential_no="91440111MA5C77771X", source_channel="投诉", registered_date="2026-2-3",
           decision_no="某执罚〔2026〕1号", decision_date="46086", penalty_kinds="罚款", fine_amount="1.5万元",
           closed_date="46109", case_status="已结案", officer_cert_nos="44010020150012、44010020150013")
    ex_row(conn, b, mar, 4, "202603", mar_at, case_type="强制", case_no="ZF-2026-004", party_name="王某",
           party_type="个体工商户", credential_type="居民身份证", credential_no="440111198001011231",
           source_channel="上级交办", registered_date="46086", coercion_measure="扣押", coercion_term="三十日",
           case_status="办理中", officer_cert_nos="44010020150012;44010020150013")
    conn.commit()


def load_changes(conn: psycopg.Connection) -> None:
    """A second load: what a routine incremental run must carry into the standard layer."""
    b = new_batch(conn, "LG", "tables")
    # archived in LG: gxsj moved
    lg(conn, b, "t_ajxx", "CG2023-0001", dict(
        ajbh="CG2023-0001", ajlx="处罚", cxlx="一般程序", ay="擅自占用城市道路堆放物料", sxbm="440100-CG-0031",
        dsr="某建材有限公司", dsrlx="企业", zjhm="91440106MA59ABCD1M", ajly="巡查发现", fadd="某路12号",
        xzqh="440106", larq="2023年5月6日", cfjdsh="穗城管罚字〔2023〕12号", cfjdrq="2023/6/20", cfzl="罚款",
        fkje="5,000.00", msje="", sdrq="20230625", jarq="2023-07-10", zt="归档",
        zfry="张三(44010020150012),李四(44010020150013)", jgid="1", gxsj="2026-03-21 10:00:00"),
        "2026-03-21 10:00:00")
    lg(conn, b, "t_ajlc", "11", dict(lcid="11", ajbh="CG2023-0001", hjmc="归档", kssj="2026-03-21 10:00",
                                      jssj="2026-03-21 10:00", blr="张三", yj=""), "2026-03-21 10:05:00")
    # a case physically deleted in LG
    lg(conn, b, "t_ajxx", "SJ2024-0107", {"ajbh": "SJ2024-0107"}, "2026-03-21 10:05:00", op="delete")
    # 钱七 joins unit 1: the inspection case's second officer now resolves
    lg(conn, b, "t_ry", "17", dict(ryid="17", xm="钱七", sfzh="440106198001011234", zfzh="44010020150017",
                                    jgid="1", zjyxq="2020.01.01-2028.12.31"), "2026-03-21 10:05:00")
    # EX: April reports ZF-2026-001 again, archived now
    b = new_batch(conn, "EX", "files")
    apr_at = "2026-05-02 09:00:00+08"
    apr = ex_file(conn, b, f"{EX_UNIT}_202604.csv", EX_UNIT, "202604", apr_at)
    ex_row(conn, b, apr, 3, "202604", apr_at, case_type="行政处罚", case_no="ZF-2026-001",
           party_name="某餐饮有限公司", party_type="法人", credential_type="统一社会信用代码",
           credential_no="91440111MA5C77771X", source_channel="投诉", registered_date="2026-2-3",
           decision_no="某执罚〔2026〕1号", decision_date="46086", penalty_kinds="罚款", fine_amount="15000",
           closed_date="46109", case_status="已归档", officer_cert_nos="44010020150012、44010020150013")
    # the April file no longer holds ZF-2026-005 and no other month does: the connector records a
    # deletion carrying only the key
    conn.execute(
        "insert into raw.ex_case_row (_batch_id, _source_key, _op, _content_hash, _extracted_at, _record_version,"
        " _file_id, _row_no, _report_month) values (%s, %s, 'delete', 'x', now(), %s, %s, 0, '202604')",
        (b, f"EX:{EX_UNIT}:ZF-2026-005", apr_at, apr))
    # LP: the party moved district
    b = new_batch(conn, "LP", "changes")
    lp(conn, b, "party", PERSON_PARTY, {"party_id": PERSON_PARTY, "party_type": "1", "party_name": "陈某",
                                        "credential_type": "01", "credential_no": PERSON_ID, "region_code": "440105",
                                        "record_version": "2026-03-21T11:00:00+08:00", "extra": {}})
    conn.commit()


def load_precedence_changes(conn: psycopg.Connection) -> None:
    """More of the second load, for the incremental run only (tests/dbt): a real case moving from
    EX to LP, and a step deleted in LG. The incremental path must recompute the EX loser (gone
    from every dataset, with its party) and renumber the LG case's steps, as a full refresh does."""
    b = new_batch(conn, "LP", "changes")
    # the unit of ZF-2026-004 now enters it in LP (case number written differently): LP wins
    lp(conn, b, "case", "LP:4", _lp_case("LP:4", case_no=" zf-2026-004", subject_code=EX_UNIT, case_type="3",
                                         procedure=None, region_code="440111",
                                         record_version="2026-03-22T09:00:00+08:00"))
    b = new_batch(conn, "LG", "tables")
    # a step physically deleted in LG: the deletion carries only its key
    lg(conn, b, "t_ajlc", "2", {"lcid": "2"}, "2026-03-22 10:00:00", op="delete")
    conn.commit()


NEW_SUBJECT = "11440112MB2C930027"


def load_registry_changes(conn: psycopg.Connection) -> None:
    """More of the second load: LP's registries and publicity, which the standard models read
    straight from raw (no intermediate table), and a steward's correction of a subject. The
    incremental run reads only these keys; a full refresh must give the same."""
    b = new_batch(conn, "LP", "changes")
    lp(conn, b, "subject", NEW_SUBJECT, {"subject_code": NEW_SUBJECT, "subject_name": "某区综合行政执法局",
                                         "region_code": "440112", "subject_level": "3", "subject_type": "01",
                                         "domain_code": "04", "parent_subject_code": None, "is_active": True,
                                         "record_version": "2026-03-21T09:00:00+08:00", "extra": {}})
    lp(conn, b, "officer", "44010620160001", None, op="delete")
    lp(conn, b, "item", "440100-CG-0031", {
        "item_code": "440100-CG-0031", "item_name": "擅自占用城市道路", "item_category": "2", "domain_code": "04",
        "legal_basis": "《城市道路管理条例》第二十七条", "fine_min": "500.00", "fine_max": "30000.00",
        "legal_review_required": False, "limitation_years": None, "valid_from": "2019-01-01", "valid_to": None,
        "record_version": "2026-03-21T09:00:00+08:00", "extra": {}})
    lp(conn, b, "publicity", "LP:1", {"case_id": "LP:1", "published_at": "2026-03-02T09:00:00+08:00",
                                      "withdrawn_at": "2026-03-25T09:00:00+08:00", "public_text": "陈某乱张贴案，予以警告。",
                                      "record_version": "2026-03-25T09:00:00+08:00", "extra": {}})
    # entered at a fixed time: the record's version moves to it, in every warehouse built from this
    conn.execute("insert into steward.correction (dataset, record_key, field, old_value, new_value, reason, entered_by,"
                 " entered_at) values ('ZF01', %s, 'subject_name', '某区市场监督管理局', '某区市场监督管理局（更正）',"
                 " '名称以登记为准', 'steward1', '2026-03-21 12:00:00+08')", (DISTRICT,))
    conn.commit()
