"""The EX connector: report files in the drop folder, each quirk of ex-template.md fed in."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from connectors import ex as ex_module
from connectors.ex import ExSyncError, sync_ex
from connectors.ex_read import TEMPLATE

UNIT = "11440106MB2C921376"
OTHER_UNIT = "11440100MB2C92145A"
HEADER = [h for _, h in TEMPLATE]
TITLE = "某区市场监督管理局2026年3月行政执法数据报送表"
CST = dt.timezone(dt.timedelta(hours=8))


def case(no, *, seq="1", unit=UNIT, status="办理中", credential="91440106MA59ABCD1M", registered="2026-3-5",
         kind="行政处罚", fine="3000元", party="某建材有限公司"):
    values = dict.fromkeys(HEADER, "")
    values.update({"序号": seq, "执法主体名称": "某区市场监督管理局", "执法主体统一社会信用代码": unit, "案件类型": kind,
                   "案件编号": no, "当事人名称": party, "当事人类型": "法人", "证件类型": "统一社会信用代码",
                   "证件号码": credential, "案件来源": "巡查发现", "立案（登记）日期": registered,
                   "罚款金额（元）": fine, "案件状态": status, "承办人执法证号": "44010620160001、44010620160002"})
    return [values[h] for h in HEADER]


def csv_text(rows, title=TITLE, totals=True):
    lines = ([title] if title else []) + [",".join(HEADER)] + [",".join(r) for r in rows]
    if totals:
        lines.append(",".join(["合计", f"{len(rows)}件"] + [""] * (len(HEADER) - 2)))
    return "\n".join(lines) + "\n"


def drop(drop_dir: Path, name: str, data: bytes, arrived: dt.datetime | None = None) -> Path:
    path = drop_dir / "inbox" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if arrived:
        os.utime(path, (arrived.timestamp(), arrived.timestamp()))
    return path


def at(day, hour=9):
    return dt.datetime(2026, 4, day, hour, 0, 0, tzinfo=CST)


def cases(wconn, columns="_source_key, _op, _record_version"):
    return wconn.execute(f"select {columns} from raw.ex_case_row order by _raw_id").fetchall()


def latest(wconn, key, columns):
    return wconn.execute(f"select {columns} from raw.ex_case_row where _source_key = %s order by _raw_id desc limit 1",
                         (key,)).fetchone()


def rejected(wconn):
    return wconn.execute("select location, field, reason, raw_content from quality.rejected_input"
                         " order by rejected_id").fetchall()


@pytest.fixture()
def drop_dir(tmp_path):
    (tmp_path / "inbox").mkdir()
    return tmp_path


def test_gbk_csv_with_title_totals_and_blank_rows(drop_dir, wconn):
    text = csv_text([case("SJ2026-001"), [""] * len(HEADER), case("SJ2026-002", seq="2", status="已结案")])
    drop(drop_dir, f"{UNIT}_202603.csv", text.encode("gbk"), arrived=at(2))
    result = sync_ex(drop_dir, wconn)
    assert (result["loaded"], result["rows_read"], result["rows_accepted"], result["versions"]) == (1, 2, 2, 2)
    assert cases(wconn) == [(f"EX:{UNIT}:SJ2026-001", "upsert", "2026-04-02T09:00:00+08:00"),
                            (f"EX:{UNIT}:SJ2026-002", "upsert", "2026-04-02T09:00:00+08:00")]
    assert latest(wconn, f"EX:{UNIT}:SJ2026-002", "party_name, case_status, fine_amount, registered_date, _row_no,"
                  " _report_month") == ("某建材有限公司", "已结案", "3000元", "2026-3-5", 5, "202603")
    assert wconn.execute("select status, encoding, header_row, unit_from, month_from, rows_read, rows_loaded"
                         " from raw.ex_file").fetchone() == ("loaded", "gb18030", 2, "file_name", "file_name", 2, 2)
    assert rejected(wconn) == []
    assert [p.name for p in (drop_dir / "processed").iterdir()] == [f"{UNIT}_202603.csv"]
    assert list((drop_dir / "inbox").iterdir()) == []
    assert sync_ex(drop_dir, wconn)["files"] == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_or_without_bom(drop_dir, wconn, encoding):
    drop(drop_dir, f"{UNIT}_202603.csv", csv_text([case("SJ2026-001")]).encode(encoding))
    assert sync_ex(drop_dir, wconn)["loaded"] == 1
    assert latest(wconn, f"EX:{UNIT}:SJ2026-001", "party_name, seq_no") == ("某建材有限公司", "1")
    assert wconn.execute("select encoding from raw.ex_file").fetchone()[0] == encoding


def test_row_whose_field_count_differs_is_set_aside_with_its_row_number(drop_dir, wconn):
    short = case("SJ2026-002", credential="440106199201011234")[:-1]
    long = case("SJ2026-003") + ["多出来的一列"]
    drop(drop_dir, f"{UNIT}_202603.csv", csv_text([case("SJ2026-001"), short, long]).encode("gb18030"))
    result = sync_ex(drop_dir, wconn)
    assert (result["rows_read"], result["rows_accepted"], result["rows_rejected"]) == (3, 1, 2)
    found = rejected(wconn)
    assert [r[0] for r in found] == [f"文件 {UNIT}_202603.csv 第 4 行", f"文件 {UNIT}_202603.csv 第 5 行"]
    assert "21 个字段，与表头的 22 个不一致" in found[0][2]
    assert "440106********1234" in found[0][3] and "440106199201011234" not in found[0][3]
    assert wconn.execute("select rows_read, rows_loaded, rows_rejected from raw.ex_file").fetchone() == (3, 1, 2)


def test_extra_and_reordered_columns_and_cells_to_trim_land_in_their_columns(drop_dir, wconn):
    # Ordinary rows take a shortcut past the work per cell; it must not apply when the file's
    # columns are not exactly the template's, nor to cells with blanks around them.
    header = ["备注"] + HEADER[::-1]
    rows = [["无"] + case("SJ2026-001")[::-1],
            ["无"] + case("SJ2026-002", seq="2", party="\u3000某商行 ", fine=" 500元")[::-1]]
    drop(drop_dir, f"{UNIT}_202603.csv", ("\n".join([",".join(header)] + [",".join(r) for r in rows]) + "\n")
         .encode("utf-8"), arrived=at(2))
    extra = [case("SJ2026-001") + ["多余", "列"], case("SJ2026-004", seq="2", party="某 店")]
    drop(drop_dir, f"{OTHER_UNIT}_202603.csv",
         ("\n".join([",".join(HEADER + ["备注", "附件"])] + [",".join(r + [""] * (24 - len(r))) for r in extra]) + "\n")
         .encode("utf-8"), arrived=at(3))
    result = sync_ex(drop_dir, wconn)
    assert (result["loaded"], result["rows_accepted"], result["rows_rejected"]) == (2, 4, 0)
    columns = "seq_no, party_name, fine_amount, officer_cert_nos, coercion_measure"
    assert latest(wconn, f"EX:{UNIT}:SJ2026-001", columns) == \
        ("1", "某建材有限公司", "3000元", "44010620160001、44010620160002", None)
    assert latest(wconn, f"EX:{UNIT}:SJ2026-002", columns) == \
        ("2", "某商行", "500元", "44010620160001、44010620160002", None)
    assert latest(wconn, f"EX:{OTHER_UNIT}:SJ2026-001", columns) == \
        ("1", "某建材有限公司", "3000元", "44010620160001、44010620160002", None)
    assert latest(wconn, f"EX:{OTHER_UNIT}:SJ2026-004", "party_name") == ("某 店",)
    # The content hash covers the template's columns only: the same case, laid out otherwise, is equal.
    hashes = dict(wconn.execute("select _source_key, _content_hash from raw.ex_case_row").fetchall())
    assert hashes[f"EX:{UNIT}:SJ2026-001"] == hashes[f"EX:{OTHER_UNIT}:SJ2026-001"]


def write_xlsx(path: Path, build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb.active)
    wb.save(path)
    return path.read_bytes()


def test_xlsx_quirks(drop_dir, wconn, tmp_path):
    def build(ws):
        ws.append([TITLE])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))   # a title, not a header
        ws.append(HEADER)
        first = case("SJ2026-001", credential=None, registered=None, fine=None)
        first[HEADER.index("证件号码")] = 4.40103198503120E+17          # Excel made the ID a float
        first[HEADER.index("立案（登记）日期")] = 45352                  # serial date, general format
        first[HEADER.index("罚款金额（元）")] = 3000.0                   # a number
        first[HEADER.index("处罚决定日期")] = dt.datetime(2026, 3, 20)   # a date cell
        ws.append(first)
        second = case("SJ2026-002", seq="2", credential="44010619920101123x")
        second[HEADER.index("执法主体名称")] = None                      # merged with the row above
        second[HEADER.index("序号")] = 2
        ws.append(second)
        ws.merge_cells("B3:B4")
        ws.append([])                                                  # blank row
        ws.append(case("SJ2026-003", seq="3") + ["表头外的值"])          # wider than the header
        ws.append(["合计", None, None, None, "3件"])
    drop(drop_dir, f"{UNIT}_202603.xlsx", write_xlsx(tmp_path / "t.xlsx", build), arrived=at(3))
    result = sync_ex(drop_dir, wconn)
    assert (result["loaded"], result["rows_read"], result["rows_accepted"], result["rows_rejected"]) == (1, 3, 2, 1)
    first = latest(wconn, f"EX:{UNIT}:SJ2026-001", "credential_no, registered_date, fine_amount, decision_date,"
                   " subject_name, seq_no, _notes")
    assert first[:6] == (None, "2024-03-01", "3000", "2026-03-20", "某区市场监督管理局", "1")
    assert first[6][0]["kind"] == "credential_lost_to_float" and first[6][0]["original"] == "4.40103E+17"
    second = latest(wconn, f"EX:{UNIT}:SJ2026-002", "subject_name, credential_no, seq_no, _row_no")
    assert second == (None, "44010619920101123x", "2", 4)
    note = wconn.execute("select record_key, field, message from quality.connector_note").fetchone()
    assert note[:2] == (f"EX:{UNIT}:SJ2026-001", "credential_no") and "无法恢复" in note[2]
    location, _, reason, _ = rejected(wconn)[0]
    assert location == f"文件 {UNIT}_202603.xlsx 第 6 行" and "23 个字段" in reason
    assert wconn.execute("select file_format, sheet_name, header_row from raw.ex_file").fetchone() == \
        ("xlsx", "Sheet", 2)


def test_files_that_cannot_be_opened_are_set_aside_whole(drop_dir, wconn):
    drop(drop_dir, f"{UNIT}_202601.xlsx", b"PK\x03\x04 not really a workbook", arrived=at(1))
    drop(drop_dir, f"{UNIT}_202602.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", arrived=at(2))
    drop(drop_dir, f"{UNIT}_202604.csv", "只有一行说明，没有表头\n".encode("gbk"), arrived=at(3))
    drop(drop_dir, f"{UNIT}_202603.csv", csv_text([case("SJ2026-001")]).encode("gbk"), arrived=at(4))
    result = sync_ex(drop_dir, wconn)
    assert (result["rejected"], result["loaded"]) == (3, 1)
    files = wconn.execute("select file_name, status, reason from raw.ex_file order by file_id").fetchall()
    assert [(f, s) for f, s, _ in files] == [(f"{UNIT}_202601.xlsx", "rejected"), (f"{UNIT}_202602.csv", "rejected"),
                                              (f"{UNIT}_202604.csv", "rejected"), (f"{UNIT}_202603.csv", "loaded")]
    assert "无法打开 XLSX" in files[0][2] and ".xls" in files[1][2] and "表头" in files[2][2]
    assert [r[0] for r in rejected(wconn)] == [f"文件 {UNIT}_202601.xlsx", f"文件 {UNIT}_202602.csv",
                                              f"文件 {UNIT}_202604.csv"]
    assert sorted(p.name for p in (drop_dir / "rejected").iterdir()) == \
        [f"{UNIT}_202601.xlsx", f"{UNIT}_202602.csv", f"{UNIT}_202604.csv"]
    assert len(cases(wconn)) == 1


def test_file_names_that_break_the_pattern(drop_dir, wconn, tmp_path):
    # Unit from the column, month from the title row.
    drop(drop_dir, "市监局报送.csv", csv_text([case("A-1"), case("A-2", seq="2")],
                                            title="某局2026年4月行政执法数据报送表").encode("gbk"), arrived=at(5))
    # Unit from the column (a merged cell leaves the others empty), month '4月' with the year of arrival.
    def build(ws):
        ws.append(HEADER)
        ws.append(case("B-1", unit=OTHER_UNIT))
        ws.append(case("B-2", unit=""))
    drop(drop_dir, "城管局4月数据.xlsx", write_xlsx(tmp_path / "b.xlsx", build), arrived=at(6))
    # A December report sent in January belongs to the year before.
    drop(drop_dir, "某所12月.csv", csv_text([case("C-1", unit="12440100MB0000000X")], title=None).encode("gbk"),
         arrived=dt.datetime(2027, 1, 8, tzinfo=CST))
    # No month anywhere, and a file whose rows name different units: set aside.
    drop(drop_dir, "报送表.csv", csv_text([case("D-1")], title="行政执法数据报送表").encode("gbk"), arrived=at(7))
    drop(drop_dir, "混合.csv", csv_text([case("E-1"), case("E-2", unit=OTHER_UNIT)]).encode("gbk"), arrived=at(8))
    result = sync_ex(drop_dir, wconn)
    assert (result["loaded"], result["rejected"]) == (3, 2)
    files = {r[0]: r[1:] for r in wconn.execute("select file_name, status, subject_code, report_month, unit_from,"
                                                " month_from from raw.ex_file")}
    assert files == {"市监局报送.csv": ("loaded", UNIT, "202604", "column", "title"),
                     "城管局4月数据.xlsx": ("loaded", OTHER_UNIT, "202604", "column", "file_name_month"),
                     "某所12月.csv": ("loaded", "12440100MB0000000X", "202612", "column", "file_name_month"),
                     "报送表.csv": ("rejected", None, None, None, None),
                     "混合.csv": ("rejected", None, None, None, None)}
    reasons = {r[0]: r[2] for r in rejected(wconn)}
    assert "无法确定报送年月" in reasons["文件 报送表.csv"]
    mixed = reasons["文件 混合.csv"]
    assert "各行不一致" in mixed and UNIT in mixed and OTHER_UNIT in mixed
    assert latest(wconn, f"EX:{OTHER_UNIT}:B-2", "subject_code")[0] is None


def test_corrected_file_replaces_the_earlier_one(drop_dir, wconn):
    key = f"EX:{UNIT}:".__add__
    drop(drop_dir, f"{UNIT}_202602.csv", csv_text([case("F-1"), case("F-2"), case("F-3"), case("F-5")]).encode("gbk"),
         arrived=at(1))
    drop(drop_dir, f"{UNIT}_202603.csv", csv_text([case("F-3", status="已结案"), case("F-4")]).encode("gbk"),
         arrived=at(2))
    sync_ex(drop_dir, wconn)
    # The corrected February file: F-1 changed, F-2 unchanged, F-3 and F-5 no longer there; it also
    # still carries F-4 in an older state, which must not override March.
    drop(drop_dir, f"{UNIT}_202602.csv",
         csv_text([case("F-1", fine="5000元"), case("F-2"), case("F-4", status="办理中", fine="1元")]).encode("gbk"),
         arrived=at(10))
    result = sync_ex(drop_dir, wconn)["details"][0]
    assert (result["outcome"], result["superseded"], result["versions"], result["deleted"]) == ("loaded", [1], 1, 1)
    files = wconn.execute("select file_id, report_month, status, superseded_by from raw.ex_file order by file_id").fetchall()
    assert files == [(1, "202602", "superseded", 3), (2, "202603", "loaded", None), (3, "202602", "loaded", None)]
    assert latest(wconn, key("F-1"), "fine_amount, _record_version, _file_id") == ("5000元", "2026-04-10T09:00:00+08:00", 3)
    assert [r[1] for r in cases(wconn) if r[0] == key("F-2")] == ["upsert"]                  # unchanged
    assert latest(wconn, key("F-3"), "_op, case_status, _file_id") == ("upsert", "已结案", 2)  # March still holds it
    assert latest(wconn, key("F-4"), "_op, fine_amount, _file_id") == ("upsert", "3000元", 2)  # March is newer
    assert latest(wconn, key("F-5"), "_op, _record_version, _file_id, case_no") == \
        ("delete", "2026-04-10T09:00:00+08:00", 3, "F-5")
    # Correcting March without F-3: no loaded file holds it any more.
    drop(drop_dir, f"{UNIT}_202603.csv", csv_text([case("F-4")]).encode("gbk"), arrived=at(11))
    result = sync_ex(drop_dir, wconn)["details"][0]
    assert (result["versions"], result["deleted"]) == (0, 1)
    assert latest(wconn, key("F-3"), "_op")[0] == "delete"
    # The February rows of F-4 now win? No: March (corrected) still holds it, unchanged.
    assert latest(wconn, key("F-4"), "_op, fine_amount")[0:2] == ("upsert", "3000元")
    assert sorted(p.name for p in (drop_dir / "processed").iterdir()) == \
        [f"{UNIT}_202602.1.csv", f"{UNIT}_202602.csv", f"{UNIT}_202603.1.csv", f"{UNIT}_202603.csv"]


def test_a_case_dropped_from_the_newest_month_falls_back_to_the_month_that_still_holds_it(drop_dir, wconn):
    drop(drop_dir, f"{UNIT}_202602.csv", csv_text([case("G-1", status="办理中")]).encode("gbk"), arrived=at(1))
    drop(drop_dir, f"{UNIT}_202603.csv", csv_text([case("G-1", status="已结案")]).encode("gbk"), arrived=at(2))
    sync_ex(drop_dir, wconn)
    drop(drop_dir, f"{UNIT}_202603.csv", csv_text([case("G-9")]).encode("gbk"), arrived=at(3))
    sync_ex(drop_dir, wconn)
    assert [r[1:] for r in cases(wconn, "_source_key, _op, case_status, _record_version") if r[0].endswith("G-1")] == [
        ("upsert", "办理中", "2026-04-01T09:00:00+08:00"), ("upsert", "已结案", "2026-04-02T09:00:00+08:00"),
        ("upsert", "办理中", "2026-04-03T09:00:00+08:00")]


def test_the_same_file_dropped_twice_loads_nothing_twice(drop_dir, wconn):
    data = csv_text([case("H-1")]).encode("gbk")
    drop(drop_dir, f"{UNIT}_202603.csv", data, arrived=at(1))
    sync_ex(drop_dir, wconn)
    drop(drop_dir, f"{UNIT}_202603.csv", data, arrived=at(2))
    result = sync_ex(drop_dir, wconn)
    assert (result["duplicate"], result["versions"]) == (1, 0)
    assert wconn.execute("select count(*) from raw.ex_file").fetchone()[0] == 1
    assert len(cases(wconn)) == 1
    assert sorted(p.name for p in (drop_dir / "processed").iterdir()) == [f"{UNIT}_202603.1.csv", f"{UNIT}_202603.csv"]


def test_duplicate_and_empty_case_numbers(drop_dir, wconn):
    rows = [case("K-1"), case(" K-1 ", seq="2", status="已结案"), case("", seq="3")]
    drop(drop_dir, f"{UNIT}_202603.csv", csv_text(rows).encode("gbk"))
    result = sync_ex(drop_dir, wconn)
    assert (result["rows_read"], result["rows_accepted"], result["rows_rejected"]) == (3, 1, 2)
    assert latest(wconn, f"EX:{UNIT}:K-1", "case_status")[0] == "办理中"
    reasons = [r[2] for r in rejected(wconn)]
    assert "“案件编号”为空" in reasons[0] and "第 5 行" in reasons[0]
    assert "与第 3 行重复" in reasons[1] and "第 4 行" in reasons[1]


def test_interrupted_load_leaves_the_file_in_the_inbox_and_the_rerun_loads_it_once(drop_dir, wconn, monkeypatch):
    drop(drop_dir, f"{UNIT}_202603.csv", csv_text([case("L-1"), case("L-2")]).encode("gbk"))

    def fail(*args, **kwargs):
        raise RuntimeError("killed midway")
    monkeypatch.setattr(ex_module, "_write_versions", fail)
    with pytest.raises(ExSyncError) as err:
        sync_ex(drop_dir, wconn)
    assert err.value.result["failed"] == 1
    assert [p.name for p in (drop_dir / "inbox").iterdir()] == [f"{UNIT}_202603.csv"]
    assert wconn.execute("select count(*) from raw.ex_file").fetchone()[0] == 0
    assert wconn.execute("select status, error from ops.load_batch").fetchone() == ("failed", "RuntimeError: killed midway")
    monkeypatch.undo()
    assert sync_ex(drop_dir, wconn)["versions"] == 2
    assert sync_ex(drop_dir, wconn)["files"] == 0
    assert len(cases(wconn)) == 2


def test_committed_but_not_moved_is_moved_by_the_next_run(drop_dir, wconn, monkeypatch):
    drop(drop_dir, f"{UNIT}_202603.csv", csv_text([case("M-1")]).encode("gbk"))

    def cannot_move(path, folder):
        raise PermissionError("read-only inbox")
    monkeypatch.setattr(ex_module, "_move", cannot_move)
    assert sync_ex(drop_dir, wconn)["loaded"] == 1
    monkeypatch.undo()
    assert sync_ex(drop_dir, wconn)["duplicate"] == 1
    assert list((drop_dir / "inbox").iterdir()) == []
    assert len(cases(wconn)) == 1


def test_a_value_hidden_under_a_merged_range_is_not_read(drop_dir, wconn, tmp_path):
    import re
    import zipfile

    def build(ws):
        ws.append(HEADER)
        ws.append(case("N-1"))
        ws.append(case("N-2", seq="2"))       # 执法主体名称 written in B3 as well
    plain = tmp_path / "plain.xlsx"
    write_xlsx(plain, build)
    # Merge B2:B3 afterwards in the XML, as some writers do, leaving B3's value in place.
    merged = tmp_path / "merged.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(merged, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="B2:B3"/></mergeCells>',
                              data)
            dst.writestr(item, data)
    drop(drop_dir, f"{UNIT}_202603.xlsx", merged.read_bytes())
    assert sync_ex(drop_dir, wconn)["versions"] == 2
    assert latest(wconn, f"EX:{UNIT}:N-1", "subject_name")[0] == "某区市场监督管理局"
    assert latest(wconn, f"EX:{UNIT}:N-2", "subject_name")[0] is None


@pytest.mark.parametrize("damage", ["truncated", "bad_shared_string"])
def test_a_workbook_broken_midway_is_set_aside_whole(drop_dir, wconn, tmp_path, damage):
    import re
    import zipfile

    def build(ws):
        ws.append(HEADER)
        for i in range(3000):                 # past the first COPY chunk: the break comes mid-COPY
            ws.append(case(f"P-{i}", seq=str(i + 1)))
    plain = tmp_path / "plain.xlsx"
    write_xlsx(plain, build)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                if damage == "truncated":       # the sheet ends in the middle of a row
                    data = data[: int(len(data) * 0.8)]
                else:                           # row 2900 points past the shared strings
                    data, n = re.subn(rb'<c r="E2900" t="inlineStr"><is><t>[^<]*</t></is></c>',
                                      b'<c r="E2900" t="s"><v>99999999</v></c>', data)
                    assert n == 1
            dst.writestr(item, data)
    drop(drop_dir, f"{UNIT}_202603.xlsx", broken.read_bytes())
    drop(drop_dir, f"{UNIT}_202604.csv", csv_text([case("Q-1")]).encode("gbk"), arrived=at(20))
    result = sync_ex(drop_dir, wconn)
    assert (result["rejected"], result["loaded"]) == (1, 1)
    assert "读取工作表" in {d["file"]: d for d in result["details"]}[f"{UNIT}_202603.xlsx"]["reason"]
    assert wconn.execute("select count(*) from raw.ex_file_row r join raw.ex_file f on f.file_id = r._file_id"
                         " where f.file_name like '%%.xlsx'").fetchone()[0] == 0
    assert [r[0] for r in rejected(wconn)] == [f"文件 {UNIT}_202603.xlsx"]
    assert len(cases(wconn)) == 1
