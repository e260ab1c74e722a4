"""Double-encoded text of the old LG system: UTF-8 bytes read as MySQL's latin1 and stored again.

MySQL's latin1 is cp1252 with the five bytes cp1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D)
kept as the control characters U+0081 ... U+009D. So every such string maps back to its bytes one
character per byte, and the repair is: encode through that table, decode as strict UTF-8. It is
only applied when it is provably reversible: every character maps to a byte, the bytes are valid
UTF-8, the result re-encodes to exactly the stored text, and the result is plausible Chinese text.
Anything that looks double-encoded but fails one of these is not guessed at: the caller sets the
row aside.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_UNDEFINED_IN_CP1252 = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


def _byte_to_char() -> list[str]:
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            assert b in _UNDEFINED_IN_CP1252
            table.append(chr(b))
    return table


_BYTE_TO_CHAR = _byte_to_char()
# str.translate to code points 0..255, then latin-1 gives the bytes; characters not in the table
# stay as they are and make the latin-1 step fail (CJK, or C1 controls cp1252 cannot produce).
_CHAR_TO_BYTE = {ord(ch): b for b, ch in enumerate(_BYTE_TO_CHAR)}
_NOT_FROM_MYSQL_LATIN1 = "".join(chr(c) for c in range(0x80, 0xA0) if c not in _UNDEFINED_IN_CP1252)
_STRAY_C1 = re.compile(f"[{re.escape(_NOT_FROM_MYSQL_LATIN1)}]")

# A UTF-8 lead byte (C2..F4) shown through the table, followed by a continuation byte (80..BF):
# the signature of double-encoded multi-byte characters. Plain Chinese text never has it.
_LEADS = "".join(_BYTE_TO_CHAR[b] for b in range(0xC2, 0xF5))
_CONTINUATIONS = "".join(_BYTE_TO_CHAR[b] for b in range(0x80, 0xC0))
SUSPECT = re.compile(f"[{re.escape(_LEADS)}][{re.escape(_CONTINUATIONS)}]")
# Cheap pre-filter for a whole row: a character of a lead byte (one contiguous range, which the
# regex engine tests fast even on long CJK text).
MAYBE = re.compile("[\u00c2-\u00f4]")

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass(frozen=True)
class Verdict:
    kind: str            # clean | repaired | unrepairable
    text: str | None     # the repaired text (repaired), the input (clean), None (unrepairable)
    why: str = ""        # for unrepairable: why, in Chinese, for the steward


CLEAN = "clean"
REPAIRED = "repaired"
UNREPAIRABLE = "unrepairable"


def as_stored_bytes(text: str) -> bytes:
    """The bytes MySQL's latin1 would have shown as ``text``; raises UnicodeEncodeError if none."""
    if _STRAY_C1.search(text):
        raise UnicodeEncodeError("mysql-latin1", text, 0, len(text), "C1 control not produced by cp1252")
    return text.translate(_CHAR_TO_BYTE).encode("latin-1")


def as_latin1_shown(data: bytes) -> str:
    """How MySQL's latin1 shows ``data`` (the inverse of ``as_stored_bytes``)."""
    return "".join(_BYTE_TO_CHAR[b] for b in data)


def _plausible(text: str) -> bool:
    if not _CJK.search(text) or SUSPECT.search(text):
        return False
    for ch in text:
        if ch in "\t\n\r":
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn") or ch == "\ufffd":
            return False
    return True


def check(text: str | None) -> Verdict:
    """Classify one value; repair it when the repair is provably reversible."""
    if text is None or not SUSPECT.search(text):
        return Verdict(CLEAN, text)
    try:
        data = as_stored_bytes(text)
    except UnicodeEncodeError:
        return Verdict(UNREPAIRABLE, None, "含疑似双重编码的字符，但与正常字符混杂，不能逐字节还原")
    try:
        repaired = data.decode("utf-8")
    except UnicodeDecodeError:
        return Verdict(UNREPAIRABLE, None, "含疑似双重编码的字符，但按 UTF-8 还原失败（字节不完整或被改动）")
    if as_latin1_shown(repaired.encode("utf-8")) != text:
        return Verdict(UNREPAIRABLE, None, "双重编码还原后不能逐字节复原原值")
    if not _plausible(repaired):
        return Verdict(UNREPAIRABLE, None, "双重编码还原结果不是可信的中文文本")
    return Verdict(REPAIRED, repaired)
