"""Writing the EX units' monthly report files (ex-template.md) into the exchange drop folder.

A case is reported in every month something happened to it (registered, decided, closed,
archived, revoked), with its state at that month's end, so a case comes back in a later file
with a later status. Rows are spooled to disk per unit-month as cases stream by, then each file
is rendered on its own: memory stays bounded whatever the number of cases.

Besides drop_dir/inbox, the writer leaves a corrected re-send of one unit-month in
drop_dir/corrections (to be dropped into the inbox later by a test or a demo).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from jiandu.demo.codes import chinese_small
from jiandu.demo.dice import Dice, mix
from jiandu.demo.messy import (PENALTY_KIND_NAMES, excel_serial, ex_date, join_list)
from jiandu.demo.model import Case
from jiandu.demo.universe import Universe

HEADERS = ("序号", "执法主体名称", "执法主体统一社会信用代码", "案件类型", "案件编号", "执法事项编码", "当事人名称",
           "当事人类型", "证件类型", "证件号码", "案件来源", "立案（登记）日期", "处罚决定书文号", "处罚决定日期",
           "处罚种类", "罚款金额（元）", "强制措施种类", "强制措施期限（日）", "检查结果", "结案日期", "案件状态",
           "承办人执法证号")
INBOX, CORRECTIONS = "inbox", "corrections"
SPOOL_ROWS = 20000
MAX_EXAMPLES = 200

CASE_TYPE = {"1": ("行政检查", "检查"), "2": ("行政处罚", "处罚"), "3": ("行政强制", "强制")}
PARTY_TYPE = {"1": "自然人", "2": "法人", "3": "非法人组织", "4": "个体工商户"}
CREDENTIAL_TYPE = {"01": "居民身份证", "10": "统一社会信用代码", "02": "护照"}
CHANNEL = {"01": ("巡查发现", "检查发现"), "02": ("群众举报", "投诉", "12345转办"), "03": ("上级交办",),
           "04": ("移送",), "05": ("媒体",)}
CHANNEL_UNLISTED = ("网格员上报", "日常巡查")   # free text no mapping lists
MEASURE = {"01": "限制人身自由", "02": "查封", "03": "扣押", "04": "冻结", "11": "加处罚款", "13": "拍卖", "15": "代履行"}
RESULT = {"01": "未发现问题", "02": "责令整改", "03": "移送立案", "04": "移送其他部门", "05": "当场处罚"}
STATUS = {"10": "办理中", "20": "办理中", "30": "办理中", "40": "已结案", "50": "已归档", "90": "已撤销"}
FORMATS = ("gb18030", "utf-8-sig", "utf-8", "xlsx")


def _month_end(month: dt.date) -> dt.datetime:
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return dt.datetime.combine(nxt, dt.time()) - dt.timedelta(seconds=1)


def _d(v: dt.datetime | None) -> str | None:
    return v.date().isoformat() if v else None


def snapshot(c: Case, moment: dt.datetime) -> dict:
    """What the unit knew of the case at `moment` (a month's end), as plain JSON values."""
    p = c.penalty
    decided = p is not None and p.decision_at is not None and p.decision_at <= moment
    result = None
    for s in c.steps:
        if s.stage == "J3" and s.entered_at <= moment:
            result = s.fields.get("result")
    closed = c.closed_at if c.closed_at and c.closed_at <= moment else None
    return {
        "i": c.index, "no": c.ref, "type": c.case_type, "item": c.item.code, "party": c.party.name,
        "ptype": c.party.type, "ctype": c.party.credential_type, "cno": c.party.credential_no,
        "channel": c.source_channel, "reg": _d(c.registered_at),
        "dno": p.decision_no if decided else None, "ddate": _d(p.decision_at) if decided else None,
        "kinds": p.kinds if decided else [], "fine": str(p.fine_amount) if decided and p.fine_amount else None,
        "measures": [m.code for m in c.measures], "term": c.measures[0].term_days if c.measures else None,
        "result": result, "closed": _d(closed), "status": c.status_at(moment),
        "officers": [o.cert_no for o in c.officers],
    }


class ExWriter:
    def __init__(self, drop_dir: Path, universe: Universe):
        self.u = universe
        self.r = universe.rates
        self.drop_dir = Path(drop_dir)
        self.inbox = self.drop_dir / INBOX
        self.corrections = self.drop_dir / CORRECTIONS
        for folder in (self.inbox, self.corrections):
            if folder.exists():   # a generated drop folder starts empty: same seed, same files
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
        self.spool_dir = Path(tempfile.mkdtemp(prefix="jiandu-ex-spool-"))
        self.buffer: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.buffered = 0
        self.keys: set[tuple[str, str]] = set()
        self.row_counts: Counter[tuple[str, str]] = Counter()
        self.first_month = universe.ex_first_month
        self.last_day = universe.ex_last_day
        self.dice = Dice(mix(universe.seed, "ex-render"))
        self.census: Counter[str] = Counter()
        self.truth: dict[str, list] = {"float_id": [], "malformed": [], "files": [], "corrections": [],
                                       "unreadable": [], "misnamed": [], "repeated": []}

    # --- spooling ---------------------------------------------------------------------------

    def add_case(self, c: Case) -> None:
        months = set()
        for t in (c.registered_at, c.penalty.decision_at if c.penalty else None, c.closed_at, c.archived_at,
                  c.revoked_at):
            if t is not None and t <= self.u.cutoff and self.first_month <= t.date() <= self.last_day:
                months.add(dt.date(t.year, t.month, 1))
        for month in sorted(months):
            key = (c.subject.code, f"{month:%Y%m}")
            self.buffer[key].append(json.dumps(snapshot(c, _month_end(month)), ensure_ascii=False))
            self.row_counts[key] += 1
            self.buffered += 1
        if len(months) > 1 and len(self.truth["repeated"]) < MAX_EXAMPLES:
            self.truth["repeated"].append((c.subject.code, c.ref, [f"{m:%Y%m}" for m in sorted(months)]))
        if self.buffered >= SPOOL_ROWS:
            self._spill()

    def discard_spool(self) -> None:
        shutil.rmtree(self.spool_dir, ignore_errors=True)

    def _spill(self) -> None:
        for key, lines in self.buffer.items():
            with open(self.spool_dir / f"{key[0]}_{key[1]}.jsonl", "a", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            self.keys.add(key)
        self.buffer.clear()
        self.buffered = 0

    # --- rendering --------------------------------------------------------------------------

    def close(self) -> list[Path]:
        self._spill()
        paths: list[Path] = []
        keys = sorted(self.keys)
        specials = self.dice.roll("ex_special_files", self.r.ex_special_files, force_within=1)
        correction_key, removed = self._pick_correction(keys) if specials else (None, None)
        misnamed_key = next((k for k in keys[1:] if k != correction_key and self.row_counts[k] >= 2),
                            next((k for k in keys[1:] if k != correction_key), None)) if specials else None
        unit_format = self._unit_formats()
        formats = [f for f, share in zip(FORMATS, self._format_shares()) if share > 0]
        merged_key = None
        if "xlsx" in formats and self.r.ex_merged_cells > 0:
            merged_key = next((k for k in keys if k not in (correction_key, misnamed_key) and self.row_counts[k] >= 2),
                              None)
        for key in keys:
            rows = [json.loads(line) for line in
                    (self.spool_dir / f"{key[0]}_{key[1]}.jsonl").read_text(encoding="utf-8").splitlines()]
            # a sheet with several rows shows its merged name column
            if key == merged_key:
                fmt = "xlsx"
            elif not self.dice.done("ex_format"):   # the first files show every format
                fmt = self.dice.pick("ex_format", formats)
            else:   # then each unit sends what its tools make
                fmt = unit_format[key[0]]
            title = fmt == "xlsx" and self.dice.roll("ex_title_row_xlsx", self.r.ex_title_row_xlsx, force_within=1) or \
                fmt != "xlsx" and self.dice.roll("ex_title_row_csv", self.r.ex_title_row_csv)
            name = f"{key[0]}_{key[1]}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
            if key == misnamed_key:   # the unit is read from the rows, the month from the title
                title = True
                subject = self.u.subject_by_code[key[0]]
                name = f"{subject.name}执法数据报送表（最终版）.{'xlsx' if fmt == 'xlsx' else 'csv'}"
                self.truth["misnamed"].append({"file": name, "subject_code": key[0], "month": key[1]})
                self.census["ex.file.misnamed"] += 1
            path = self.inbox / name
            self._render(path, key, rows, fmt, title, quirks=True, whole_rows=key == misnamed_key)
            paths.append(path)
            if key == correction_key:
                self._render_correction(key, rows, fmt, title, removed)
        if specials:
            paths.append(self._unreadable(keys))
        self.discard_spool()
        self.u.reports["EX"] = {"census": dict(self.census), "truth": self.truth}
        return paths

    def _format_shares(self) -> tuple[float, ...]:
        x, u8 = self.r.ex_xlsx_share, self.r.ex_utf8_share
        return max(0.0, 1 - x - u8), u8 / 2, u8 / 2, x

    def _unit_formats(self) -> dict[str, str]:
        """Each unit's usual format, in the shares of the rates (GB18030 CSV for most)."""
        units = [s.code for s in self.u.subjects_of("EX")]
        self.dice.rng.shuffle(units)
        n = len(units)
        n_xlsx = round(n * self.r.ex_xlsx_share)
        n_utf8 = min(n - n_xlsx, round(n * self.r.ex_utf8_share))
        kinds = ["xlsx"] * n_xlsx + ["utf-8-sig", "utf-8"] * (n_utf8 // 2) + ["utf-8-sig"] * (n_utf8 % 2)
        kinds += ["gb18030"] * (n - len(kinds))
        return dict(zip(units, kinds))

    def _pick_correction(self, keys: list[tuple[str, str]]) -> tuple[tuple[str, str] | None, str | None]:
        """A unit-month with several rows, one of them a case reported in no other month
        (so that the corrected file, which leaves it out, deletes it)."""
        for key in keys:
            path = self.spool_dir / f"{key[0]}_{key[1]}.jsonl"
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            if len(rows) < 2:
                continue
            elsewhere = set()
            for other in keys:
                if other[0] == key[0] and other != key:
                    p = self.spool_dir / f"{other[0]}_{other[1]}.jsonl"
                    elsewhere.update(json.loads(line)["no"] for line in p.read_text(encoding="utf-8").splitlines())
            solo = [r["no"] for r in rows if r["no"] not in elsewhere]
            if solo:
                return key, solo[-1]
        return None, None

    def _render_correction(self, key, rows: list[dict], fmt: str, title: bool, removed: str) -> None:
        """The unit sends the month again: one case taken out, one amount or status corrected."""
        kept = [dict(r) for r in rows if r["no"] != removed]
        changed = None
        for r in kept:
            if r["fine"]:
                r["fine"] = str(Decimal(r["fine"]) + 500)
                changed = r["no"]
                break
        if changed is None:
            kept[0]["status"] = "90"
            changed = kept[0]["no"]
        path = self.corrections / f"{key[0]}_{key[1]}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
        self._render(path, key, kept, fmt, title, quirks=False)
        self.truth["corrections"].append({"file": str(path), "replaces": path.name, "subject_code": key[0],
                                          "month": key[1], "removed": [removed], "changed": [changed]})
        self.census["ex.file.correction"] += 1

    def _unreadable(self, keys: list[tuple[str, str]]) -> Path:
        """A file that cannot be opened: an xlsx cut short in transfer (for a month with no cases)."""
        code = keys[-1][0] if keys else self.u.subjects_of("EX")[0].code
        before = self.first_month - dt.timedelta(days=1)
        path = self.inbox / f"{code}_{before:%Y%m}.xlsx"
        self._render(path, (code, f"{before:%Y%m}"), [], "xlsx", True, quirks=False)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        self.truth["unreadable"].append(path.name)
        self.census["ex.file.unreadable"] += 1
        return path

    def _title(self, key) -> str:
        subject = self.u.subject_by_code[key[0]]
        year, month = int(key[1][:4]), int(key[1][4:])
        return f"{subject.name}{year}年{month}月行政执法数据报送表"

    def _cells(self, key, rows: list[dict], fmt: str, quirks: bool, file_name: str, whole_rows: bool):
        """The data rows as (row, cell values, malformed): strings, or numbers and dates for
        XLSX. A row that will be malformed gets no other quirk: it is set aside whole anyway."""
        d, r, census = self.dice, self.r, self.census
        xlsx = fmt == "xlsx"
        subject = self.u.subject_by_code[key[0]]
        all_quirks = quirks
        for n, row in enumerate(rows, start=1):
            # (rows of the rare credential types stay readable: a small demo must still show them)
            malformed = all_quirks and not whole_rows and row["ctype"] in ("01", "10") and \
                d.roll("ex_malformed_row", r.ex_malformed_row, force_within=3)
            quirks = all_quirks and not malformed
            seq = n
            if not xlsx:
                seq = str(n)
            elif quirks and d.roll("ex_number_as_text", r.ex_number_as_text, force_within=1):
                seq = str(n)   # a number stored as text
                census["ex.xlsx.number_as_text"] += 1
            cells: list = [seq, subject.name, subject.code]
            short = d.roll("ex_short_case_type", r.ex_short_case_type)
            cells.append(CASE_TYPE[row["type"]][1 if short else 0])
            case_no = row["no"]
            if quirks and d.roll("ex_case_no_padded", r.ex_case_no_padded):
                case_no = f" {case_no} "
                census["ex.case_no.padded"] += 1
            cells.append(case_no)
            item = row["item"]
            if quirks and d.roll("ex_item_empty", r.ex_item_empty):
                item = ""
                census["ex.item.empty"] += 1
            cells += [item, row["party"], PARTY_TYPE[row["ptype"]], CREDENTIAL_TYPE.get(row["ctype"], "其他")]
            cells.append(self._credential(row, xlsx, quirks, file_name))
            channel = d.pick(f"ex_channel{row['channel']}", CHANNEL.get(row["channel"], ("巡查发现",)))
            if quirks and d.roll("ex_unlisted_text", r.ex_unlisted_text):
                channel = d.choice(CHANNEL_UNLISTED)
                census["ex.channel.unlisted"] += 1
            cells.append(channel)
            cells.append(self._date(row["reg"], xlsx, quirks))
            cells.append(row["dno"] or "")
            cells.append(self._date(row["ddate"], xlsx, quirks))
            kinds = [PENALTY_KIND_NAMES[k] for k in row["kinds"]]
            cells.append(join_list(kinds, d, census, "ex.kinds") if kinds else "")
            cells.append(self._amount(row["fine"], xlsx, quirks))
            measures = [MEASURE.get(m, "其他") for m in row["measures"]]
            cells.append(join_list(list(dict.fromkeys(measures)), d, census, "ex.measures") if measures else "")
            cells.append(self._term(row["term"], xlsx, quirks))
            cells.append(RESULT.get(row["result"], "") if row["type"] == "1" and row["result"] else "")
            cells.append(self._date(row["closed"], xlsx, quirks))
            cells.append(STATUS[row["status"]])
            cells.append(join_list(row["officers"], d, census, "ex.officers"))
            yield row, cells, malformed

    def _credential(self, row: dict, xlsx: bool, quirks: bool, file_name: str):
        d, census = self.dice, self.census
        no = row["cno"]
        if not quirks:
            return no
        if row["ctype"] == "01" and no[-1].isdigit() and d.roll("ex_float_id", self.r.ex_float_id, force_within=1):
            census["ex.id.float"] += 1
            if len(self.truth["float_id"]) < MAX_EXAMPLES:
                self.truth["float_id"].append((file_name, row["no"], no))
            excel = float(no[:15] + "000")   # Excel keeps 15 significant digits
            return excel if xlsx else f"{excel:.5E}"   # what Excel's General format shows
        if no.endswith("X") and d.roll("ex_lower_x", self.r.ex_lower_x, force_within=1):
            census["ex.id.lower_x"] += 1
            return no[:-1] + "x"
        return no

    def _date(self, iso: str | None, xlsx: bool, quirks: bool):
        if not iso:
            return ""
        day = dt.date.fromisoformat(iso)
        if not quirks:
            return f"{day:%Y-%m-%d}"
        if self.dice.roll("ex_serial_date", self.r.ex_serial_date * (2 if xlsx else 0.5)):
            self.census["ex.date.serial"] += 1
            return excel_serial(day) if xlsx else str(excel_serial(day))
        if xlsx and self.dice.roll("ex_date_cell", self.r.ex_date_cell, force_within=1):
            self.census["ex.date.cell"] += 1
            return dt.datetime.combine(day, dt.time())
        return ex_date(day, self.dice, self.r, self.census)

    def _amount(self, fine: str | None, xlsx: bool, quirks: bool):
        if not fine:
            return ""
        amount = Decimal(fine)
        plain = str(int(amount)) if amount == amount.to_integral_value() else f"{amount:.2f}"
        if not quirks:
            return plain
        if self.dice.roll("ex_amount_yuan", self.r.ex_amount_yuan):
            self.census["ex.amount.yuan"] += 1
            return plain + "元"
        if xlsx:
            if self.dice.roll("ex_number_as_text", self.r.ex_number_as_text, force_within=1):
                self.census["ex.amount.text_in_xlsx"] += 1
                return plain
            return float(amount) if amount != amount.to_integral_value() else int(amount)
        return plain

    def _term(self, days: int | None, xlsx: bool, quirks: bool):
        if days is None:
            return ""
        if quirks and self.dice.roll("ex_term_chinese", self.r.ex_term_chinese):
            self.census["ex.term.chinese"] += 1
            return chinese_small(days) + "日"
        return days if xlsx else str(days)

    def _render(self, path: Path, key, rows: list[dict], fmt: str, title: bool, *, quirks: bool,
                whole_rows: bool = False) -> None:
        """whole_rows: no malformed row (a misnamed file needs its rows to name the unit)."""
        self.truth["files"].append({"file": path.name, "folder": path.parent.name, "format": fmt,
                                    "title": title, "rows": len(rows), "subject_code": key[0], "month": key[1]})
        self.census[f"ex.format.{fmt}"] += 1
        if title:
            self.census["ex.file.title_row"] += 1
        if fmt == "xlsx":
            self._xlsx(path, key, rows, title, quirks, whole_rows)
        else:
            self._csv(path, key, rows, fmt, title, quirks, whole_rows)

    def _csv(self, path: Path, key, rows, encoding: str, title: bool, quirks: bool, whole_rows: bool) -> None:
        d = self.dice
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        line = 0
        if title:
            w.writerow([self._title(key)])
            line += 1
        w.writerow(HEADERS)
        line += 1
        for row, cells, malformed in self._cells(key, rows, encoding, quirks, path.name, whole_rows):
            if quirks and d.roll("ex_blank_row", self.r.ex_blank_row):
                w.writerow([""] * len(HEADERS))
                line += 1
                self.census["ex.row.blank"] += 1
            line += 1
            if malformed:
                # a name with an unquoted comma, or a row cut short: the field count is wrong
                if d.random() < 0.5:
                    cells = cells[:6] + [cells[6] + "（原", "分店）"] + cells[7:]
                    out.write(",".join(str(c) for c in cells) + "\r\n")
                else:
                    w.writerow(cells[:-3])
                self.census["ex.row.malformed"] += 1
                self._malformed(path.name, line, row["no"])
                continue
            w.writerow(cells)
        data = out.getvalue()
        path.write_bytes(data.encode(encoding))
        if encoding == "utf-8-sig":
            self.census["ex.csv.bom"] += 1

    def _malformed(self, file_name: str, line: int, case_no: str) -> None:
        if len(self.truth["malformed"]) < MAX_EXAMPLES:
            self.truth["malformed"].append({"file": file_name, "row": line, "case_no": case_no})

    def _xlsx(self, path: Path, key, rows, title: bool, quirks: bool, whole_rows: bool = False) -> None:
        d = self.dice
        wb = Workbook()
        ws = wb.active
        ws.title = "报送表"
        width = len(HEADERS)
        n = 0   # the sheet's last row (openpyxl's max_row is a scan of every cell)
        if title:
            ws.append([self._title(key)])
            n += 1
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.append(list(HEADERS))
        n += 1
        first_data = n + 1
        total, count = Decimal(0), 0
        for row, cells, malformed in self._cells(key, rows, "xlsx", quirks, path.name, whole_rows):
            if quirks and d.roll("ex_blank_row", self.r.ex_blank_row):
                ws.append([None] * width)
                n += 1
                self.census["ex.row.blank"] += 1
            if malformed:
                cells = cells + ["备注：此行补录"]   # a cell beyond the header's last column
                self.census["ex.row.malformed"] += 1
                self._malformed(path.name, n + 1, row["no"])
            ws.append([c if c != "" else None for c in cells])
            n += 1
            for col, value in enumerate(cells, start=1):
                if isinstance(value, dt.datetime):
                    ws.cell(row=n, column=col).number_format = "yyyy/m/d"
            count += 1
            if row["fine"]:
                total += Decimal(row["fine"])
        if quirks and n > first_data and d.roll("ex_merged_cells", self.r.ex_merged_cells, force_within=1):
            # WPS users merge the unit's name down the column: only the top cell keeps it
            ws.merge_cells(start_row=first_data, start_column=2, end_row=n, end_column=2)
            self.census["ex.xlsx.merged_name"] += 1
        if quirks and rows and d.roll("ex_totals_row", self.r.ex_totals_row):
            ws.append(["合计", None, None, None, f"{count}件"] + [None] * 10 + [float(total)] + [None] * 6)
            n += 1
            ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=4)
            self.census["ex.xlsx.totals_row"] += 1
        for i in range(1, width + 1):
            ws.column_dimensions[get_column_letter(i)].width = 16
        _save_xlsx(wb, path, _made_at(key[1]))


def _made_at(month: str) -> dt.datetime:
    """When the unit made its report: early in the following month."""
    y, m = int(month[:4]), int(month[4:])
    return dt.datetime(y + (m == 12), m % 12 + 1, 5, 10, 0, 0)


def _save_xlsx(wb: Workbook, path: Path, when: dt.datetime) -> None:
    """Save with the workbook's and the archive's timestamps set to `when` (openpyxl stamps
    the current time), so the same seed gives the same bytes."""
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + stamp.encode(),
                              data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6]), data,
                         compress_type=zipfile.ZIP_DEFLATED)


def write_ex(drop_dir: Path, universe: Universe) -> list[Path]:
    """Write every EX unit's monthly files into drop_dir/inbox (and one corrected re-send into
    drop_dir/corrections). Returns the inbox files written, in name order of their keys."""
    w = ExWriter(drop_dir, universe)
    try:
        for case in universe.iter_cases(("EX",)):
            w.add_case(case)
        return w.close()
    finally:
        w.discard_spool()


def corrections(drop_dir: Path) -> list[Path]:
    """The corrected re-sends waiting to be dropped into the inbox."""
    return sorted((Path(drop_dir) / CORRECTIONS).glob("*"))
