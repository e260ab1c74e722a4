"""One EX file's rows turned into COPY text for raw.ex_file_row, ready before the warehouse is
involved, and read ahead in a thread while the warehouse still works on the file before it.

The text of each row leaves out the two ids only the warehouse gives (``_file_id``,
``_batch_id``): they lead every line and are put in front of a whole chunk at once when it is
written (``prefix_lines``). Rows that cannot be read come out beside the text, in order, as the
set-aside entries the batch writes.

Read-ahead: while one file's versions are compared and written inside PostgreSQL, Python has
nothing to do; the next file is opened and its first ``AHEAD_ROWS`` rows prepared meanwhile (the
waiting thread holds no GIL). The buffer is bounded, so memory does not grow with the files.
"""
from __future__ import annotations

import hashlib
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from jiandu.standard import normalise_credential

from connectors.ex_read import (
    COLUMNS, INDEX, ExFileReader, ExRow, FileFacts, Layout, RowProblem, inspect_file,
)
from connectors.raw_versions import copy_field, notes_json

CHUNK_ROWS = 1000
AHEAD_ROWS = 50000            # about 25 MB of prepared text at most
# Column order of the COPY: the warehouse's ids first, so that a chunk's lines take them as a prefix.
COPY_COLUMNS = ("_file_id", "_batch_id", "_row_no", "_source_key", "_content_hash", "_notes", *COLUMNS)

_CASE_NO, _SUBJECT_CODE = INDEX["case_no"], INDEX["subject_code"]
assert COLUMNS[0] == "seq_no"


def row_hash(body_without_seq: str) -> str:
    """An EX row's content hash: sha256 of its content columns (all but 序号, which changes when
    rows are re-ordered) in COPY text form, the line written anyway (escaped, NULL as \\N, so
    unambiguous)."""
    return hashlib.sha256(body_without_seq.encode("utf-8")).hexdigest()


def copy_text(joined: str) -> str:
    """Cells joined by U+001F, none with anything to escape, as COPY text fields (an empty cell is
    NULL): a few replacements over the row instead of work per value. Twice, since a replacement
    does not see a pair that overlaps the one before it."""
    s = ("\x1f" + joined + "\x1f").replace("\x1f\x1f", "\x1f\\N\x1f").replace("\x1f\x1f", "\x1f\\N\x1f")
    return s[1:-1].replace("\x1f", "\t")


def prefix_lines(text: str, prefix: str) -> str:
    """``prefix`` in front of every line of ``text`` (COPY text: a newline only ends a line)."""
    return prefix + text[:-1].replace("\n", "\n" + prefix) + "\n" if text else ""


def location(name: str, row_no: int | None = None) -> str:
    return f"文件 {name}" + (f" 第 {row_no} 行" if row_no else "")


@dataclass
class Chunk:
    text: str                                   # COPY lines without the two leading ids
    rows: int                                   # lines in text
    problems: list[tuple] = field(default_factory=list)   # (location, reason, key, field, raw)
    read: int = 0                               # rows read, set aside ones included


def prepare(path: Path, reader: ExFileReader, name_unit: str | None, codes: dict[str, int]) -> Iterator[Chunk]:
    """The file's rows as COPY text, CHUNK_ROWS at a time; ``codes`` collects the subject codes
    seen (normalised -> first row)."""
    key_prefix = f"EX:{name_unit}:" if name_unit else "EX:?:"   # fixed by the loader once the unit is known
    normalised: dict[str, str] = {}             # as written -> normalised (the same few values on every row)
    lines: list[str] = []
    chunk = Chunk("", 0)
    for item in reader.rows():
        chunk.read += 1
        if item.__class__ is RowProblem:
            chunk.problems.append((location(path.name, item.row_no), f"文件 {path.name} {item.reason}", None,
                                   item.field_name, item.raw))
        else:
            row: ExRow = item
            values = row.values
            case_no = values[_CASE_NO]
            if not case_no:
                chunk.problems.append((location(path.name, row.row_no),
                                       f"文件 {path.name} 第 {row.row_no} 行“案件编号”为空，无法识别是哪个案件，整行暂不入库",
                                       None, "case_no", row.raw))
            else:
                written = values[_SUBJECT_CODE]
                if written:
                    code = normalised.get(written)
                    if code is None:
                        code = normalised[written] = normalise_credential(written)
                        codes.setdefault(code, row.row_no)
                    if name_unit and code != name_unit:
                        row.notes.append({
                            "field": "subject_code", "kind": "subject_differs_from_file_name", "original": code,
                            "message": f"本行执法主体统一社会信用代码（{code}）与文件名中的报送单位（{name_unit}）"
                                       "不一致；案件按文件名中的单位入库，请核对"})
                # Values are never empty texts, so "or" stands for "is None"; the row's joined
                # text (when the reader has it) tells in one scan that nothing needs escaping.
                joined = row.text
                if joined is None:
                    joined = "\x1f".join([v for v in values if v is not None])
                if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
                    fields = [copy_field(v) for v in values]
                    seq, content = fields[0], "\t".join(fields[1:])
                    key = copy_field(key_prefix + case_no)
                else:
                    if row.verbatim:
                        seq, _, content = copy_text(joined).partition("\t")
                    else:
                        fields = [v or "\\N" for v in values]
                        seq, content = fields[0], "\t".join(fields[1:])
                    key = key_prefix + case_no
                notes = "\\N" if not row.notes else copy_field(notes_json(row.notes))
                lines.append(f"{row.row_no}\t{key}\t{row_hash(content)}\t{notes}\t{seq}\t{content}\n")
        if len(lines) >= CHUNK_ROWS or len(chunk.problems) >= CHUNK_ROWS:
            chunk.text, chunk.rows = "".join(lines), len(lines)
            yield chunk
            lines = []
            chunk = Chunk("", 0)
    chunk.text, chunk.rows = "".join(lines), len(lines)
    yield chunk


class FileRead:
    """One file being read: its facts, the reader (header found), and its prepared chunks.

    ``start()`` begins in a thread and stops after AHEAD_ROWS rows (or when asked); whatever
    the thread met (an unreadable file, an error halfway) is raised to the caller at the same
    point as without it. Without ``start()`` everything happens on demand, in the caller's thread.
    """

    def __init__(self, path: Path, name_unit: str | None):
        self.path = path
        self.name_unit = name_unit
        self.codes: dict[str, int] = {}
        self._facts: FileFacts | None = None
        self._facts_error: OSError | None = None
        self._reader: ExFileReader | None = None
        self._open_error: BaseException | None = None
        self._opened = False
        self._chunks: Iterator[Chunk] | None = None
        self._buffer: deque[Chunk] = deque()
        self._read_error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # in either thread ---------------------------------------------------------------------
    def _inspect(self) -> None:
        if self._facts is None and self._facts_error is None:
            try:
                self._facts = inspect_file(self.path)
            except OSError as exc:
                self._facts_error = exc

    def _open(self) -> None:
        if self._opened:
            return
        self._opened = True
        try:
            self._reader = ExFileReader(self.path, self._facts).__enter__()
        except BaseException as exc:         # FileUnreadable above all; raised where the caller opens
            self._open_error = exc
            return
        self._chunks = prepare(self.path, self._reader, self.name_unit, self.codes)

    def _ahead(self) -> None:
        self._inspect()
        if self._facts is None:
            return
        self._open()
        rows = 0
        try:
            while self._chunks is not None and rows < AHEAD_ROWS and not self._stop.is_set():
                chunk = next(self._chunks, None)
                if chunk is None:
                    self._chunks = None
                    break
                self._buffer.append(chunk)
                rows += chunk.read
        except BaseException as exc:         # raised to the caller after the chunks before it
            self._read_error = exc
            self._chunks = None

    def start(self) -> "FileRead":
        self._thread = threading.Thread(target=self._ahead, name=f"ex-ahead-{self.path.name}", daemon=True)
        self._thread.start()
        return self

    def _join(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    # in the caller's thread ----------------------------------------------------------------
    def facts(self) -> FileFacts:
        """The file's facts; OSError if it could not be read."""
        self._join()
        self._inspect()
        if self._facts_error is not None:
            raise self._facts_error
        return self._facts

    def layout(self) -> Layout:
        """Opens the file (FileUnreadable: it cannot be read) and returns what its header said."""
        self._join()
        self._open()
        if self._open_error is not None:
            raise self._open_error
        return self._reader.layout

    def chunks(self) -> Iterator[Chunk]:
        self.layout()
        while self._buffer:
            yield self._buffer.popleft()
        if self._read_error is not None:
            raise self._read_error
        if self._chunks is not None:
            yield from self._chunks

    def close(self) -> None:
        self._join()
        self._buffer.clear()
        if self._reader is not None:
            reader, self._reader = self._reader, None
            reader.__exit__(None, None, None)

