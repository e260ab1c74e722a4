"""A small, fully valid standard layer (every dataset, references consistent), and helpers to add
copies with one field broken. Used by the expectation and Data Docs tests."""
from __future__ import annotations

import datetime as dt

import psycopg

from jiandu import standard
from jiandu.testing import create_standard_tables

CST = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2026, 3, 10, 12, 0, tzinfo=CST)


def uscc(body: str) -> str:
    return body + standard.uscc_check_char(body)


def rid(first17: str) -> str:
    return first17 + standard.resident_id_check_char(first17)


S1 = uscc("91440106MA5AB1230")
OFFICER_ID = "440106198503120015"
OLD_DISTRICT_ID = "440106198001010019"     # genuine; stdnum's ric.validate rejects it (region at birth)
PARTY_ID_NO = rid("44010619900101123")


def t(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CST)


def base_rows() -> dict[str, list[dict]]:
    v = t("2026-01-01")
    subject = dict(subject_code=S1, subject_name="某区市场监督管理局", region_code="440106", subject_level="3",
                   subject_type="01", domain_code="01", parent_subject_code=None, is_active=True)
    officers = [dict(cert_no=c, officer_name=n, id_no=i, subject_code=S1, cert_valid_from=dt.date(2020, 1, 1),
                     cert_valid_to=dt.date(2030, 1, 1), cert_status="01")
                for c, n, i in (("C1", "张三丰", OFFICER_ID), ("C2", "李四", OLD_DISTRICT_ID), ("C3", "王五", rid("11010519491231002")))]
    item = dict(item_code="I1", item_name="无照经营", item_category="2", domain_code="01", legal_basis="《无证无照经营查处办法》第十三条",
                fine_min=0, fine_max=5000, legal_review_required=False, limitation_years=None,
                valid_from=dt.date(2020, 1, 1), valid_to=None)
    party = dict(party_id=standard.party_id("01", PARTY_ID_NO), party_type="1", party_name="赵六",
                 credential_type="01", credential_no=PARTY_ID_NO, region_code="440106")

    def case(cid, **kw):
        row = dict(case_id=cid, case_no=f"穗市监罚〔2026〕{cid[3:]}号", case_type="2", subject_code=S1, item_code="I1",
                   party_id=party["party_id"], source_channel="01", region_code="440106", procedure="2",
                   officer_cert_nos=["C1", "C2"], violation_at=None, found_at=None, registered_at=t("2026-01-05"),
                   closed_at=None, archived_at=None, status="10", time_limit_extended=False, source_system="LP")
        row.update(kw)
        return row

    cases = [case("LP:1", closed_at=t("2026-02-01"), status="40"),
             case("LP:2", case_type="1", procedure=None, officer_cert_nos=["C1", "C3"]),
             case("LP:3", case_type="3", procedure=None),
             case("LP:4", procedure="1", officer_cert_nos=["C1"])]         # summary penalty: one officer is enough
    penalty = dict(case_id="LP:1", decision_no="穗市监罚决〔2026〕1号", decision_at=t("2026-01-20"), penalty_kinds=["03"],
                   fine_amount=1000, confiscation_amount=None, legal_review_at=t("2026-01-18"),
                   collective_discussion_at=None, notified_at=t("2026-01-10"), hearing_requested=False,
                   hearing_notice_at=None, hearing_at=None, served_at=t("2026-01-22"), paid_at=t("2026-01-30"),
                   execution_status="3")
    inspection = dict(case_id="LP:2", inspection_kind="01", inspected_at=t("2026-01-06"), result="02",
                      rectify_deadline=dt.date(2026, 2, 6), rectified_at=t("2026-02-01"))
    coercion = dict(case_id="LP:3", measure_seq=1, coercion_kind="1", measure_code="02", started_at=t("2026-01-07"),
                    term_days=30, extended_days=None, lifted_at=t("2026-02-01"), demand_notice_at=None,
                    court_applied_at=None, emergency=False, approved_at=t("2026-01-06"))
    step = dict(case_id="LP:1", seq=1, stage_code="C1", entered_at=t("2026-01-05"), completed_at=t("2026-01-06"),
                handler_cert_no="C1", approver_name="钱七", opinion=f"同意立案。当事人身份证号 {PARTY_ID_NO}")
    publicity = dict(case_id="LP:1", published_at=t("2026-01-25"), withdrawn_at=None, public_text="行政处罚决定书（已脱敏）")
    rows = {"zf01_subject": [subject], "zf02_officer": officers, "zf03_item": [item], "zf04_party": [party],
            "zf10_case": cases, "zf11_inspection": [inspection], "zf12_penalty": [penalty],
            "zf13_coercion": [coercion], "zf20_case_step": [step], "zf30_publicity": [publicity]}
    for table, items in rows.items():
        ds = standard.load_standard().dataset_by_name(table.split("_", 1)[1])
        for r in items:
            r["record_key"] = "|".join(str(r[k]) for k in ds.key)
            r["record_version"] = v
    return rows


def insert(conn: psycopg.Connection, table: str, row: dict) -> None:
    cols = list(row)
    conn.execute(f"insert into standard.{table} ({', '.join(cols)}) values ({', '.join(['%s'] * len(cols))})",
                 [row[c] for c in cols])


def build(conn: psycopg.Connection, rows: dict[str, list[dict]] | None = None) -> dict[str, list[dict]]:
    create_standard_tables(conn)
    rows = rows or base_rows()
    for table, items in rows.items():
        for r in items:
            insert(conn, table, r)
    return rows
