"""Reading one EX report file (the province's template, ex-template.md): CSV or XLSX, streamed.

What comes out is one ``ExRow`` per case row (template column -> text, with notes for a steward),
or a ``RowProblem`` for a row that cannot be read (with its row number and the reason in
Chinese). A file that cannot be read at all raises ``FileUnreadable``.

Decisions (ex-template.md leaves them to us):
- Values are kept as text as read, trimmed; an empty cell is NULL. XLSX numbers become their
  plain decimal text (5000.0 -> '5000'), XLSX dates 'YYYY-MM-DD' (with ' HH:MM:SS' if not midnight).
- Excel serial dates (a number, or its text such as '45352', in a date column) are converted here
  to 'YYYY-MM-DD', because only here is the workbook's date system known (1900 or 1904); other
  date spellings ('2026-3-6', '2026年3月6日', '20260305') are left for staging to parse.
- An ID number Excel turned into a float (a numeric cell of 16 or more digits, or text like
  '4.40103E+17') has lost digits: credential_no stays empty and the row gets a note.
- Row numbers count the file's lines (CSV, the first line of a record) or the sheet's rows
  (XLSX), from 1, as the template says.
- Merged XLSX cells: the value belongs to the range's top-left cell; anything a writer left in the
  range's other cells is not read (Excel does not show it either).
- XLSX is read in openpyxl's read-only (streaming) mode, the first sheet that has the header.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

# Template columns: raw.ex_case_row column -> header as the template spells it, in order.
TEMPLATE: tuple[tuple[str, str], ...] = (
    ("seq_no", "序号"),
    ("subject_name", "执法主体名称"),
    ("subject_code", "执法主体统一社会信用代码"),
    ("case_type", "案件类型"),
    ("case_no", "案件编号"),
    ("item_code", "执法事项编码"),
    ("party_name", "当事人名称"),
    ("party_type", "当事人类型"),
    ("credential_type", "证件类型"),
    ("credential_no", "证件号码"),
    ("source_channel", "案件来源"),
    ("registered_date", "立案（登记）日期"),
    ("decision_no", "处罚决定书文号"),
    ("decision_date", "处罚决定日期"),
    ("penalty_kinds", "处罚种类"),
    ("fine_amount", "罚款金额（元）"),
    ("coercion_measure", "强制措施种类"),
    ("coercion_term", "强制措施期限（日）"),
    ("inspection_result", "检查结果"),
    ("closed_date", "结案日期"),
    ("case_status", "案件状态"),
    ("officer_cert_nos", "承办人执法证号"),
)
COLUMNS: tuple[str, ...] = tuple(c for c, _ in TEMPLATE)
INDEX = {c: i for i, c in enumerate(COLUMNS)}
_CREDENTIAL = INDEX["credential_no"]
HEADER_OF = dict(TEMPLATE)
DATE_COLUMNS = frozenset({"registered_date", "decision_date", "closed_date"})

# Spellings seen besides the template's (compared after ``_norm_header``).
_ALIASES = {
    "立案日期": "registered_date", "登记日期": "registered_date", "立案(登记)时间": "registered_date",
    "罚款金额": "fine_amount", "罚没金额(元)": "fine_amount",
    "强制措施期限": "coercion_term", "强制措施期限(天)": "coercion_term",
    "统一社会信用代码": "subject_code", "执法主体代码": "subject_code",
    "承办人执法证件号": "officer_cert_nos", "执法人员证号": "officer_cert_nos",
    "证件号": "credential_no", "行政相对人名称": "party_name",
}
HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 6


def _norm_header(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))) if text is not None else ""


_HEADER_MAP = {_norm_header(h): c for c, h in TEMPLATE} | {_norm_header(k): v for k, v in _ALIASES.items()}

_TITLE_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_FLOAT_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_SERIAL_TEXT = re.compile(r"^\d{5}(\.\d+)?$")
_TOTALS = ("合计", "总计")
_MERGE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*[\"']([A-Za-z]+[0-9]+:[A-Za-z]+[0-9]+)[\"']")
_BLANK = " \t\r\n\u00a0\u3000"


def _plain_row(text: str) -> bool:
    """Whether a CSV row, its cells joined by U+001F, is an ordinary one: no cell with blanks to
    trim, not blank, and its first filled cell cannot say 合计/总计. Cheaper than the same checks
    per cell (a regex over the row cost more than them); any doubt answers False, and the row
    then takes the careful way."""
    lead = text.lstrip("\x1f")
    if not lead or lead[0] in "合总":
        return False
    for b in _BLANK:
        if b in text and (text[0] == b or text[-1] == b or "\x1f" + b in text or b + "\x1f" in text):
            return False
    return True


def _encodable(text: str) -> bool:
    """No bytes kept by surrogateescape (cheaper than searching for them with a regex)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class FileUnreadable(Exception):
    """The whole file cannot be read; ``reason`` is for the steward, in Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class HeaderNotFound(FileUnreadable):
    """No header row where one was looked for (an XLSX then tries its next sheet)."""


@dataclass(slots=True)
class ExRow:
    row_no: int
    values: list[str | None]             # in COLUMNS order; a text is never empty
    notes: list[dict[str, str]] = field(default_factory=list)
    cells: list[Any] = field(default_factory=list)
    # The cells joined by U+001F when the reader has it at hand (CSV): every value is a substring,
    # so a character absent from it is absent from all values (one scan instead of one per value).
    text: str | None = None
    # The values are the cells themselves, in template order (empty cells as None): ``text``
    # then holds the whole row, and whole-row operations on it stand for work per value.
    verbatim: bool = False

    def get(self, column: str) -> str | None:
        return self.values[INDEX[column]]

    @property
    def raw(self) -> str:
        """The row as read, for a steward (only built for a row set aside)."""
        return _raw_text(self.cells)


@dataclass
class RowProblem:
    row_no: int
    reason: str
    raw: str
    field_name: str | None = None


@dataclass
class Layout:
    file_format: str                     # csv | xlsx
    encoding: str | None = None
    sheet_name: str | None = None
    header_row: int = 0
    header_width: int = 0
    positions: dict[int, str] = field(default_factory=dict)   # cell index -> template column
    title_month: str | None = None       # YYYYMM from a title row's 年月
    missing: tuple[str, ...] = ()        # template headers absent from the file
    skipped_rows: int = 0                # blank and totals rows


@dataclass
class FileFacts:
    sha256: str
    size: int
    kind: str                            # csv | xlsx | xls | unknown
    encoding: str | None


def month_from_text(text: str) -> str | None:
    m = _TITLE_MONTH.search(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}{int(m.group(2)):02d}"
    return None


# --- the file's bytes ---------------------------------------------------------------------

def inspect_file(path: Path) -> FileFacts:
    """sha256, size, what the bytes are, and a CSV's encoding: one streamed pass."""
    digest = hashlib.sha256()
    size = 0
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok = True
    has_nul = False
    head = b""
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            if not head:
                head = block[:8]
            digest.update(block)
            size += len(block)
            has_nul = has_nul or b"\x00" in block
            if utf8_ok:
                try:
                    utf8.decode(block)
                except UnicodeDecodeError:
                    utf8_ok = False
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if head.startswith(b"PK\x03\x04"):
        kind, encoding = "xlsx", None
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        kind, encoding = "xls", None
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        kind, encoding = "csv", "utf-16"
    elif head.startswith(b"\xef\xbb\xbf"):
        kind, encoding = "csv", "utf-8-sig"
    elif has_nul:
        kind, encoding = "unknown", None
    else:
        # Chinese GBK text is practically never valid UTF-8, so strict UTF-8 over the whole file
        # decides; GB18030 is the superset of GBK and GB2312.
        kind, encoding = "csv", "utf-8" if utf8_ok else "gb18030"
    return FileFacts(digest.hexdigest(), size, kind, encoding)


# --- values -------------------------------------------------------------------------------

def _from_serial(number: float, epoch: dt.datetime) -> str | None:
    if not 10000 <= number < 100000:      # 1927 .. 2173: beyond that it is not a date
        return None
    # From 1900-03-01 on, the 1900 system's serial counts days from 1899-12-30 (its fictitious
    # 1900-02-29 lies before the range taken here).
    moment = (epoch + dt.timedelta(days=number)).replace(microsecond=0)
    return moment.strftime("%Y-%m-%d") if moment.time() == dt.time(0) else moment.strftime("%Y-%m-%d %H:%M:%S")


def _number_text(v: int | float) -> str:
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return format(v, ".15g")
    return str(v)


def plain_text(v: Any) -> str | None:
    """A cell as text, trimmed; empty -> None."""
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip(_BLANK)
        return v or None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return _number_text(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == dt.time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    return str(v).strip(_BLANK) or None


def column_value(column: str, v: Any, epoch: dt.datetime, notes: list[dict[str, str]]) -> str | None:
    """A cell of a template column as text, with the column's own rules (see the module doc)."""
    numeric = isinstance(v, (int, float)) and not isinstance(v, bool)
    if column == "credential_no":
        lost = None
        if numeric and (isinstance(v, float) and not v.is_integer() or abs(v) >= 1e15):
            lost = f"{float(v):.5E}"
        elif isinstance(v, str) and _FLOAT_TEXT.match(v.strip(_BLANK)):
            lost = v.strip(_BLANK)
        if lost is not None:
            notes.append({"field": "credential_no", "kind": "credential_lost_to_float", "original": lost,
                          "message": f"证件号码被 Excel 转成了数字（{lost}），末几位已丢失、无法恢复，"
                                     "未入库（留空）；请报送单位将该列设为文本后重报"})
            return None
        return plain_text(v)
    if column in DATE_COLUMNS:
        if numeric:
            converted = _from_serial(float(v), epoch)
            if converted:
                return converted
        elif isinstance(v, str) and _SERIAL_TEXT.match(v.strip(_BLANK)):
            converted = _from_serial(float(v.strip(_BLANK)), epoch)
            if converted:
                return converted
    return plain_text(v)


# --- rows ---------------------------------------------------------------------------------

_EXCEL_1900 = dt.datetime(1899, 12, 30)


def _is_totals(cells: list[Any]) -> bool:
    for c in cells:
        t = plain_text(c)
        if t is not None:
            return t[0] in "合总" and _norm_header(t).startswith(_TOTALS)
    return False


def _raw_text(cells: list[Any]) -> str:
    return ",".join("" if c is None else str(c) for c in cells)


def _header_positions(cells: list[Any]) -> dict[int, str] | None:
    positions: dict[int, str] = {}
    for i, c in enumerate(cells):
        col = _HEADER_MAP.get(_norm_header(c))
        if col and col not in positions.values():
            positions[i] = col
    if "case_no" in positions.values() and len(positions) >= MIN_HEADER_MATCHES:
        return positions
    return None


class ExFileReader:
    """Opens a file, finds its header; ``rows()`` then yields ExRow or RowProblem."""

    def __init__(self, path: Path, facts: FileFacts):
        self.path = path
        self.facts = facts
        self.layout: Layout
        self._epoch = _EXCEL_1900
        self._rows: Iterator[tuple[int, list[Any], str | None]]   # (row number, cells, problem)
        self._close = lambda: None

    def __enter__(self) -> "ExFileReader":
        kind = self.facts.kind
        if kind == "xls":
            raise FileUnreadable("文件是旧版 Excel（.xls）格式或已加密，无法读取；请另存为未加密的 .xlsx 或 CSV 后重报")
        if kind == "unknown":
            raise FileUnreadable("文件不是文本格式的 CSV，也不是 XLSX，无法打开")
        try:
            if kind == "xlsx":
                self._open_xlsx()
            else:
                self._open_csv()
        except BaseException:
            self._close()                # __exit__ is not called when __enter__ raises
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    # CSV ------------------------------------------------------------------------------
    def _open_csv(self) -> None:
        encoding = self.facts.encoding or "utf-8"
        try:
            f = open(self.path, encoding=encoding, errors="surrogateescape" if encoding == "gb18030" else "strict",
                     newline="")
            sample = f.read(65536)
            f.seek(0)
        except (OSError, UnicodeError) as exc:
            raise FileUnreadable(f"无法按 {encoding} 读取 CSV 文件：{exc}") from None
        self._close = f.close
        lines = [ln for ln in sample.splitlines()[:HEADER_SCAN_ROWS] if ln.strip()]
        tabs = sum(ln.count("\t") for ln in lines)
        commas = sum(ln.count(",") for ln in lines)
        delimiter = "\t" if tabs > commas else ","
        self.layout = Layout("csv", encoding=encoding)
        self._rows = self._csv_rows(f, delimiter)
        self._find_header()

    def _csv_rows(self, f: io.TextIOBase, delimiter: str) -> Iterator[tuple[int, list[Any], str | None]]:
        reader = csv.reader(f, delimiter=delimiter)
        surrogates = self.layout.encoding == "gb18030"     # read with surrogateescape
        line_no = 0
        while True:
            start = line_no + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                line_no = reader.line_num
                yield start, [], f"CSV 格式错误（{exc}），无法拆分字段"
                continue
            except UnicodeError as exc:
                raise FileUnreadable(f"第 {start} 行起无法按 {self.layout.encoding} 解码：{exc}") from None
            line_no = reader.line_num
            if surrogates and not _encodable("\x1f".join(cells)):
                yield start, [c.encode(self.layout.encoding, "surrogateescape").decode(self.layout.encoding, "replace")
                              for c in cells], f"含无法按 {self.layout.encoding} 解码的字节"
                continue
            yield start, cells, None

    # XLSX -----------------------------------------------------------------------------
    def _open_xlsx(self) -> None:
        import openpyxl   # imported here: only XLSX files need it
        try:
            wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
            raise FileUnreadable(f"无法打开 XLSX 文件（文件损坏或不是 Excel 工作簿）：{type(exc).__name__}") from None
        except Exception as exc:
            raise FileUnreadable(f"无法打开 XLSX 文件：{type(exc).__name__}: {exc}") from None
        self._close = wb.close
        self._epoch = getattr(wb, "epoch", _EXCEL_1900)
        for ws in wb.worksheets:
            # WPS and some exporters write a wrong <dimension>: read what is there instead.
            ws.reset_dimensions()
            self.layout = Layout("xlsx", sheet_name=ws.title)
            self._rows = self._xlsx_rows(ws)
            try:
                self._find_header()
                return
            except HeaderNotFound:
                continue
        raise FileUnreadable("工作簿中没有找到表头行（应含“案件编号”等模板列名）")

    def _merged_ranges(self, ws) -> list[tuple[int, int, int, int]]:
        """The sheet's merged ranges (min_col, min_row, max_col, max_row), 0-based columns.

        Read-only mode streams cells and does not expose them; they sit after the cells in the
        sheet's XML. Parsing that XML once more cost a quarter of reading the file, so its bytes
        are searched instead (in C, a block at a time, keeping nothing but the ranges)."""
        from openpyxl.utils.cell import range_boundaries
        path = getattr(ws, "_worksheet_path", None)
        if path is None:
            return []
        ranges = []
        tail = b""
        with zipfile.ZipFile(self.path) as archive, archive.open(path) as xml:
            while block := xml.read(1 << 20):
                data = tail + block
                end = 0
                for m in _MERGE_CELL.finditer(data):
                    min_col, min_row, max_col, max_row = range_boundaries(m.group(1).decode("ascii"))
                    ranges.append((min_col - 1, min_row, max_col - 1, max_row))
                    end = m.end()
                # A tag cut by the block's end is searched again with the next block.
                tail = data[max(end, len(data) - 512):]
        return ranges

    def _xlsx_rows(self, ws) -> Iterator[tuple[int, list[Any], str | None]]:
        try:
            # The value of a merged range belongs to its top-left cell only: whatever a writer
            # left in the range's other cells is not shown by Excel and is not read here either.
            merged = self._merged_ranges(ws)
            for row_no, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = list(cells)
                for min_col, min_row, max_col, max_row in merged:
                    if min_row <= row_no <= max_row:
                        for col in range(min_col, min(max_col + 1, len(cells))):
                            if (row_no, col) != (min_row, min_col):
                                cells[col] = None
                yield row_no, cells, None
        except FileUnreadable:
            raise
        except Exception as exc:           # whatever openpyxl or the XML parser raise on a damaged sheet
            raise FileUnreadable(f"读取工作表“{ws.title}”时出错（文件可能损坏）：{type(exc).__name__}: {exc}") from None

    # both -----------------------------------------------------------------------------
    def _find_header(self) -> None:
        titles = []
        for row_no, cells, problem in self._rows:
            if problem is None:
                positions = _header_positions(cells)
                if positions:
                    width = max(i for i, c in enumerate(cells) if plain_text(c) is not None) + 1
                    if self.layout.file_format == "csv":
                        width = len(cells)
                    self.layout.header_row = row_no
                    self.layout.header_width = width
                    self.layout.positions = positions
                    self.layout.missing = tuple(HEADER_OF[c] for c in COLUMNS if c not in positions.values())
                    for t in titles:
                        month = month_from_text(t)
                        if month:
                            self.layout.title_month = month
                            break
                    return
                titles.append(" ".join(plain_text(c) or "" for c in cells))
            if row_no >= HEADER_SCAN_ROWS:
                break
        raise HeaderNotFound(f"前 {HEADER_SCAN_ROWS} 行中没有找到表头行（应含“案件编号”等模板列名）")

    def rows(self) -> Iterator[ExRow | RowProblem]:
        layout = self.layout
        width = layout.header_width
        where = {c: i for i, c in layout.positions.items()}          # template column -> cell index
        # Cell index per template column (-1: not in the file); those with rules of their own.
        cell_of = [where.get(c, -1) for c in COLUMNS]
        # The template's own layout, nothing else: the cells are the values in order.
        in_order = cell_of == list(range(len(COLUMNS))) and width == len(COLUMNS)
        special = [(INDEX[c], where[c], c) for c in COLUMNS if c in where and (c == "credential_no" or c in DATE_COLUMNS)]
        is_csv = layout.file_format == "csv"
        epoch = self._epoch
        for row_no, cells, problem in self._rows:
            if problem is not None:
                yield RowProblem(row_no, f"第 {row_no} 行{problem}，整行暂不入库", _raw_text(cells))
                continue
            text = None
            if is_csv:
                text = "\x1f".join(cells)
                count = len(cells)
                if count == width and _plain_row(text):
                    # Nothing to trim, not blank, not a totals row: the cells are the values.
                    values = [c or None for c in cells] if in_order else \
                        [(cells[i] or None) if i >= 0 else None for i in cell_of]
                    notes = []
                    changed = self._special_text(values, special, epoch, notes)
                    yield ExRow(row_no, values, notes, cells, text, in_order and not changed)
                    continue
                # CSV cells are all text: whole-row string operations instead of work per cell.
                if not "".join(cells).strip(_BLANK):
                    layout.skipped_rows += 1
                    continue
                wrong = count != width
            else:
                filled = [i for i, c in enumerate(cells) if plain_text(c) is not None]
                if not filled:
                    layout.skipped_rows += 1
                    continue
                count = filled[-1] + 1
                wrong = count > width          # missing trailing cells are empty cells
            if wrong:
                yield RowProblem(row_no, f"第 {row_no} 行有 {count} 个字段，与表头的 {width} 个不一致，"
                                         "无法确定各值所属的列，整行暂不入库", _raw_text(cells))
                continue
            if _is_totals(cells):
                layout.skipped_rows += 1
                continue
            notes = []
            n = len(cells)
            if is_csv:
                values = [(cells[i].strip(_BLANK) or None) if i >= 0 else None for i in cell_of]
                self._special_text(values, special, epoch, notes)
            else:
                values = [plain_text(cells[i]) if 0 <= i < n else None for i in cell_of]
                for k, i, column in special:
                    if i < n and cells[i] is not None:
                        values[k] = column_value(column, cells[i], epoch, notes)
            yield ExRow(row_no, values, notes, cells, text)

    @staticmethod
    def _special_text(values: list[str | None], special, epoch: dt.datetime, notes: list) -> bool:
        """The columns with rules of their own, for text cells: only text that may be a
        float-mangled ID or a serial date needs a closer look. Returns whether a value changed."""
        changed = False
        for k, _, column in special:
            t = values[k]
            if t is not None and (("e" in t or "E" in t) if k == _CREDENTIAL
                                  else (len(t) >= 5 and t[:5].isdigit() and (len(t) == 5 or t[5] == "."))):
                values[k] = column_value(column, t, epoch, notes)
                changed = changed or values[k] != t
        return changed
