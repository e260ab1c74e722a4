"""EX report files: the template's columns, the declared encodings, and every quirk of the
exchange platform, read back the way a reader of the files would."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections import defaultdict

import openpyxl
import pytest

from demo_support import AS_OF, CASES, SEED
from jiandu.demo import Universe, corrections, write_ex
from jiandu.demo.ex_writer import HEADERS

NAME = re.compile(r"^(?P<code>[0-9A-Z]{18})_(?P<month>\d{6})\.(csv|xlsx)$")


def _csv_rows(path, encoding):
    text = path.read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(path):
    ws = openpyxl.load_workbook(path).active
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


def _read(drop, u, path):
    """(format, rows with the header first, title or None) of one file as the writer declared it."""
    meta = next(f for f in u.reports["EX"]["truth"]["files"]
                if f["file"] == path.name and f["folder"] == path.parent.name)
    if meta["format"] == "xlsx":
        ws, rows = _xlsx_rows(path)
        rows = [r for r in rows if any(v is not None for v in r)]
    else:
        rows = _csv_rows(path, meta["format"])
        rows = [r for r in rows if any(v for v in r)]
    title = None
    if rows and rows[0][0] != "序号":
        title = rows.pop(0)[0]
    return meta, rows, title


def _case_rows(rows):
    """The well-formed case rows (not the header, totals or malformed rows) as dicts."""
    for row in rows[1:]:
        extra = row[len(HEADERS):]
        if row[0] == "合计" or any(v not in (None, "") for v in extra) or len(row) < len(HEADERS):
            continue
        yield dict(zip(HEADERS, row))


def test_files_are_named_and_laid_out_as_the_template_says(ex_drop):
    drop, u, paths = ex_drop
    truth = u.reports["EX"]["truth"]
    unreadable = set(truth["unreadable"])
    misnamed = {m["file"] for m in truth["misnamed"]}
    assert paths and all(p.parent == drop / "inbox" for p in paths)
    assert sorted(p.name for p in (drop / "inbox").iterdir()) == sorted(p.name for p in paths)
    ex_codes = {s.code for s in u.subjects_of("EX")}
    for path in paths:
        if path.name in unreadable:
            continue
        meta, rows, title = _read(drop, u, path)
        assert tuple(rows[0][:len(HEADERS)]) == HEADERS, path.name
        if path.name in misnamed:
            assert not NAME.match(path.name) and title and re.search(r"\d{4}年\d{1,2}月", title)
            codes = {r["执法主体统一社会信用代码"] for r in _case_rows(rows)}
            assert codes == {meta["subject_code"]}
        else:
            m = NAME.match(path.name)
            assert m and m["code"] in ex_codes
        if title:
            year, month = re.search(r"(\d{4})年(\d{1,2})月", title).groups()
            assert f"{int(year):04d}{int(month):02d}" == meta["month"]
            assert title.endswith("行政执法数据报送表")


def test_encodings_are_as_declared(ex_drop):
    drop, u, paths = ex_drop
    formats = defaultdict(list)
    for f in u.reports["EX"]["truth"]["files"]:
        if f["folder"] == "inbox" and f["file"] not in u.reports["EX"]["truth"]["unreadable"]:
            formats[f["format"]].append(drop / "inbox" / f["file"])
    assert set(formats) == {"gb18030", "utf-8-sig", "utf-8", "xlsx"}
    assert len(formats["gb18030"]) > len(formats["utf-8"])   # most CSV come in GB18030
    for path in formats["gb18030"]:
        raw = path.read_bytes()
        raw.decode("gb18030")
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    for path in formats["utf-8-sig"]:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        path.read_bytes().decode("utf-8")
    for path in formats["utf-8"]:
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")
    for path in formats["xlsx"]:
        assert zipfile.is_zipfile(path)
        openpyxl.load_workbook(path)


def test_the_spreadsheet_quirks_are_present(ex_drop):
    drop, u, paths = ex_drop
    census = u.reports["EX"]["census"]
    seen = defaultdict(int)
    col = {h: i for i, h in enumerate(HEADERS)}
    for path in paths:
        if path.name in u.reports["EX"]["truth"]["unreadable"]:
            continue
        meta, rows, title = _read(drop, u, path)
        if meta["format"] == "xlsx":
            ws, _ = _xlsx_rows(path)
            merged = [str(r) for r in ws.merged_cells.ranges]
            if title:
                assert f"A1:{openpyxl.utils.get_column_letter(len(HEADERS))}1" in merged
                seen["merged title"] += 1
            if any(r.startswith("B") and not r.startswith("B1:") for r in merged):
                seen["merged name column"] += 1
        for row in rows[1:]:
            if row[0] == "合计":
                seen["totals row"] += 1
                continue
            if len(row) != len(HEADERS) and not (meta["format"] == "xlsx" and row[len(HEADERS):] == [None] * (len(row) - len(HEADERS))):
                seen["malformed"] += 1
                continue
            cells = dict(zip(HEADERS, row))
            for h in ("立案（登记）日期", "处罚决定日期", "结案日期"):
                v = cells[h]
                if isinstance(v, int) or (isinstance(v, str) and re.fullmatch(r"4\d{4}", v)):
                    seen["serial date"] += 1
                elif v is not None and not isinstance(v, str):
                    seen["date cell"] += 1
                elif v and re.fullmatch(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}", v) and not re.fullmatch(r"\d{4}-\d\d-\d\d", v):
                    seen["unpadded date"] += 1
                elif v and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日|\d{8}", v):
                    seen["other date form"] += 1
            cred = cells["证件号码"]
            if isinstance(cred, float) or (isinstance(cred, str) and re.fullmatch(r"\d\.\d{5}E\+17", cred)):
                seen["float id"] += 1
            if isinstance(cred, str) and cred.endswith("x"):
                seen["lower x"] += 1
            fine = cells["罚款金额（元）"]
            if isinstance(fine, str) and fine.endswith("元"):
                seen["yuan"] += 1
            if meta["format"] == "xlsx" and any(isinstance(cells[h], str) and cells[h].isdigit()
                                                for h in ("序号", "罚款金额（元）", "强制措施期限（日）")):
                seen["number as text"] += 1
            term = cells["强制措施期限（日）"]
            if isinstance(term, str) and re.fullmatch(r"[一二三四五六七八九十]+日", term):
                seen["chinese term"] += 1
            if cells["执法事项编码"] in (None, ""):
                seen["empty item"] += 1
            if cells["案件类型"] in ("检查", "处罚", "强制"):
                seen["short case type"] += 1
            for kind in ("护照", "其他"):
                if cells["证件类型"] == kind:
                    seen[kind] += 1
    expected = {"merged title", "merged name column", "totals row", "malformed", "serial date", "date cell",
                "unpadded date", "other date form", "float id", "lower x", "yuan", "number as text",
                "chinese term", "empty item", "short case type", "护照", "其他"}
    assert expected <= set(seen), expected - set(seen)
    assert census["ex.row.blank"] > 0 and census["ex.csv.bom"] > 0


def test_malformed_rows_are_where_the_writer_says(ex_drop):
    drop, u, _ = ex_drop
    truth = u.reports["EX"]["truth"]["malformed"]
    assert truth
    for bad in truth:
        path = drop / "inbox" / bad["file"]
        meta = next(f for f in u.reports["EX"]["truth"]["files"] if f["file"] == bad["file"] and f["folder"] == "inbox")
        if meta["format"] == "xlsx":
            ws = openpyxl.load_workbook(path).active
            cells = [c.value for c in ws[bad["row"]]]
            assert cells[len(HEADERS)] is not None and cells[4] == bad["case_no"]
        else:
            line = _csv_rows(path, meta["format"])[bad["row"] - 1]
            assert len(line) != len(HEADERS) and bad["case_no"] in line


def test_float_ids_have_lost_their_last_digits(ex_drop):
    drop, u, _ = ex_drop
    for file_name, case_no, real in u.reports["EX"]["truth"]["float_id"]:
        assert real.isdigit() and len(real) == 18
        assert int(float(real[:15] + "000")) != int(real) or real.endswith("000")


def test_a_case_comes_back_next_month_with_a_later_status(ex_drop):
    drop, u, paths = ex_drop
    statuses = defaultdict(dict)
    for path in paths:
        if path.name in u.reports["EX"]["truth"]["unreadable"]:
            continue
        meta, rows, _ = _read(drop, u, path)
        for row in _case_rows(rows):
            statuses[(meta["subject_code"], str(row["案件编号"]).strip())][meta["month"]] = row["案件状态"]
    order = {"办理中": 0, "已结案": 1, "已归档": 2, "已撤销": 3}
    moved = [k for k, by_month in statuses.items() if len(by_month) > 1
             and len({order[s] for s in by_month.values()}) > 1]
    assert moved
    for key in moved:
        months = sorted(statuses[key])
        assert order[statuses[key][months[-1]]] >= order[statuses[key][months[0]]]


def test_corrected_resend_and_unreadable_file(ex_drop):
    drop, u, paths = ex_drop
    truth = u.reports["EX"]["truth"]
    resent = corrections(drop)
    assert len(resent) == 1 and (drop / "inbox" / resent[0].name).exists()
    info = truth["corrections"][0]
    meta, rows, _ = _read(drop, u, resent[0])
    case_nos = {str(r["案件编号"]).strip() for r in _case_rows(rows)}
    assert info["removed"][0] not in case_nos and info["changed"][0] in case_nos
    # the removed case is in no other month's file of that unit: the re-send deletes it
    for path in paths:
        if path.name in truth["unreadable"] or path.name == resent[0].name:
            continue
        m, other, _ = _read(drop, u, path)
        if m["subject_code"] == info["subject_code"]:
            assert info["removed"][0] not in {str(r[4]).strip() for r in other[1:]}
    broken = drop / "inbox" / truth["unreadable"][0]
    with pytest.raises(Exception):
        openpyxl.load_workbook(broken)


def _digests(drop):
    return {p.relative_to(drop).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(drop.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(ex_drop, tmp_path):
    drop, _, _ = ex_drop
    write_ex(tmp_path / "again", Universe(SEED, CASES, AS_OF))
    assert _digests(tmp_path / "again") == _digests(drop)
    write_ex(tmp_path / "other", Universe(SEED + 1, CASES, AS_OF))
    assert _digests(tmp_path / "other") != _digests(drop)
