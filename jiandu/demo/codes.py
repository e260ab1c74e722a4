"""Identifiers with real check characters, and numbers written the Chinese way."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

# GB 32100: digits and upper-case letters without I, O, Z, S, V
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: k for k, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# The check characters are computed here rather than with python-stdnum, millions of times
# faster to call; tests prove them equal to jiandu.standard's.
def uscc_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters of a credit code."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def resident_id_check_char(first17: str) -> str:
    """GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits of a resident ID."""
    total = sum(int(c) * w for c, w in zip(first17, _RIC_WEIGHTS))
    return "10X98765432"[total % 11]


def org_code(rng: random.Random, *, agency: bool = False) -> str:
    """A 9-character organisation code with its GB 11714 check character."""
    if agency:  # codes assigned to government agencies since 2015 begin with MB
        body = "MB" + "".join(rng.choice(USCC_ALPHABET) for _ in range(6))
    else:
        body = "".join(rng.choice(_ORG_ALPHABET if i else "0123456789MNPQ") for i in range(8))
    total = sum(_value(c) * w for c, w in zip(body, _ORG_WEIGHTS))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def _value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - 55


def make_uscc(rng: random.Random, region: str, *, authority: str = "9", org_type: str = "1",
              agency: bool = False) -> str:
    """authority 1 = 机构编制 (agencies, org_type 1), 9 = 市场监管 (1 企业, 2 个体工商户, 3 合作社)."""
    first17 = authority + org_type + region + org_code(rng, agency=agency)
    return first17 + uscc_check_char(first17)


def make_resident_id(rng: random.Random, region: str, birth: dt.date, *, male: bool | None = None) -> str:
    seq = rng.randrange(1, 999)
    if male is not None and (seq % 2 == 1) != male:
        seq = seq + 1 if seq < 998 else seq - 1
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def break_check_char(value: str) -> str:
    """The same number with a wrong last character, as typed wrong years ago."""
    alphabet = "0123456789X" if value[:17].isdigit() else USCC_ALPHABET
    i = alphabet.index(value[-1]) if value[-1] in alphabet else 0
    return value[:-1] + alphabet[(i + 1 + (len(value) % 3)) % len(alphabet)]


_FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def fullwidth(text: str) -> str:
    return text.translate(_FULLWIDTH)


# --- Chinese numerals ---------------------------------------------------------------------

_LOWER = "零一二三四五六七八九"
_UPPER = "零壹贰叁肆伍陆柒捌玖"


def chinese_small(n: int) -> str:
    """1..99 in ordinary numerals, as in '三十日', '十五日'."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else _LOWER[tens]) + "十" if tens else ""
    return text + (_LOWER[ones] if ones else "")


def _section(n: int) -> str:
    """0..9999 in financial numerals with 零 for gaps."""
    out, zero = [], False
    for value, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero and out:
                out.append("零")
            out.append(_UPPER[d] + unit)
            zero = False
        else:
            zero = True
    return "".join(out)


def yuan_upper(amount: Decimal | int) -> str:
    """Whole yuan in financial numerals: 5000 -> '伍仟元', 12500 -> '壹万贰仟伍佰元'."""
    n = int(amount)
    if n <= 0:
        return "零元"
    parts, unit_names, i = [], ["", "万", "亿"], 0
    while n:
        n, section = divmod(n, 10000)
        parts.append((section, unit_names[i]))
        i += 1
    out, need_zero = [], False
    for section, unit in reversed(parts):
        if section == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or section < 1000):
            out.append("零")
        out.append(_section(section) + unit)
        need_zero = False
    return "".join(out) + "元"
