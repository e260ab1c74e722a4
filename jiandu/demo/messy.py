"""Writing values the way the old systems and the spreadsheets really hold them.

Each renderer takes a `Dice` (so every variant shows up early and the rates hold later) and a
census (a Counter naming each quirk used), which the writers return for tests and reports.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from jiandu.demo.codes import break_check_char, chinese_small, fullwidth, yuan_upper
from jiandu.demo.dice import Dice
from jiandu.demo.rates import Rates

# --- double encoding (README: UTF-8 bytes read as cp1252, stored again as UTF-8) ----------------

# the five bytes cp1252 leaves undefined are kept as the C1 control characters of the same value
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_DECODE = [bytes([b]).decode("cp1252") if b not in _CP1252_UNDEFINED else chr(b) for b in range(256)]
_ENCODE = {ch: b for b, ch in enumerate(_DECODE)}


def mojibake(text: str) -> str:
    """'张三' -> 'å¼\\xa0ä¸‰', as MySQL's latin1 connection stored UTF-8 bytes."""
    return "".join(_DECODE[b] for b in text.encode("utf-8"))


def unmojibake(text: str) -> str:
    """The exact inverse of `mojibake`; raises ValueError where it cannot be undone."""
    try:
        raw = bytes(_ENCODE[ch] for ch in text)
    except KeyError as e:
        raise ValueError(f"not a double-encoded text: {e}") from None
    return raw.decode("utf-8")


# --- dates ------------------------------------------------------------------------------------

def date_form(d: dt.date, k: int) -> str:
    if k == 0:
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    if k == 1:
        return f"{d.year}/{d.month}/{d.day}"
    if k == 2:
        return f"{d.year}-{d.month}-{d.day}"
    if k == 3:
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


DATE_FORM_NAMES = ("iso", "slash", "dash_unpadded", "chinese", "compact")
_DATE_WEIGHTS = (40, 15, 15, 15, 15)


def lg_date(value: dt.datetime | dt.date | None, dice: Dice, rates: Rates, census: Counter,
            *, allow_null: bool = True) -> str | None:
    """A date as LG's VARCHAR holds it; an absent one as '', '0000-00-00' or NULL."""
    if value is None:
        forms = [(f, w) for f, w in (("0000-00-00", rates.lg_date_absent_zero),
                                     (None, rates.lg_date_absent_null if allow_null else 0.0),
                                     ("", 1 - rates.lg_date_absent_zero - rates.lg_date_absent_null)) if w > 0]
        form = dice.pick(f"lg_date_absent{len(forms)}", [f for f, _ in forms], [w for _, w in forms])
        census[{"0000-00-00": "lg.date.zero", None: "lg.date.null", "": "lg.date.empty"}[form]] += 1
        return form
    day = value.date() if isinstance(value, dt.datetime) else value
    if isinstance(value, dt.datetime) and dice.roll("lg_date_time", rates.lg_date_time):
        census["lg.date.with_time"] += 1
        return f"{value:%Y-%m-%d %H:%M}"
    k = dice.pick("lg_date_form", range(5), _DATE_WEIGHTS)
    census[f"lg.date.{DATE_FORM_NAMES[k]}"] += 1
    return date_form(day, k)


def ex_date(value: dt.datetime | dt.date | None, dice: Dice, rates: Rates, census: Counter) -> str:
    if value is None:
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    if dice.roll("ex_unpadded_date", rates.ex_unpadded_date):
        census["ex.date.unpadded"] += 1
        return dice.pick("ex_unpadded_form", (f"{day.year}-{day.month}-{day.day}", f"{day.year}/{day.month}/{day.day}"))
    k = dice.pick("ex_date_form", (0, 3, 4), (70, 15, 15))
    census[f"ex.date.{DATE_FORM_NAMES[k]}"] += 1
    return date_form(day, k)


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


# --- amounts and terms -----------------------------------------------------------------------

def _plain(amount: Decimal) -> str:
    return str(int(amount)) if amount == amount.to_integral_value() else f"{amount:.2f}"


def lg_amount(amount: Decimal | None, dice: Dice, rates: Rates, census: Counter) -> str:
    if amount is None:
        return ""
    if amount == amount.to_integral_value() and dice.roll("lg_amount_upper", rates.lg_amount_upper):
        census["lg.amount.upper"] += 1
        return yuan_upper(amount)
    k = dice.pick("lg_amount_form", ("plain", "thousands", "yuan"), (50, 30, 20))
    census[f"lg.amount.{k}"] += 1
    if k == "plain":
        return _plain(amount)
    if k == "thousands":
        return f"{amount:,.2f}"
    return _plain(amount) + "元"


def term(days: int | None, dice: Dice, census: Counter, prefix: str, *, chinese_rate: float | None = None) -> str:
    if days is None:
        return ""
    if chinese_rate is not None:   # EX: plain numbers, sometimes written out
        if dice.roll(f"{prefix}_term_chinese", chinese_rate):
            census[f"{prefix}.term.chinese"] += 1
            return chinese_small(days) + "日"
        return str(days)
    k = dice.pick(f"{prefix}_term_form", ("plain", "ri", "chinese"), (40, 40, 20))
    census[f"{prefix}.term.{k}"] += 1
    return str(days) if k == "plain" else f"{days}日" if k == "ri" else chinese_small(days) + "日"


# --- identifiers -----------------------------------------------------------------------------

def messy_id(value: str, dice: Dice, rates: Rates, census: Counter, prefix: str,
             truth: list | None = None) -> str:
    """An ID or credit-code number as typed into an old system."""
    if len(value) == 18 and dice.roll(f"{prefix}_bad_check", rates.bad_check_char):
        census[f"{prefix}.id.bad_check"] += 1
        if truth is not None:
            truth.append(value)
        value = break_check_char(value)
    lowered = False
    if value.endswith("X") and dice.roll(f"{prefix}_lower_x", rates.lg_id_lower_x, force_within=1):
        census[f"{prefix}.id.lower_x"] += 1
        value, lowered = value[:-1] + "x", True
    elif not value[:17].isdigit() and dice.roll(f"{prefix}_lower_uscc", rates.lg_id_lower_x / 5):
        census[f"{prefix}.id.lower_uscc"] += 1
        value, lowered = value.lower(), True
    if not lowered and dice.roll(f"{prefix}_fullwidth", rates.lg_id_fullwidth):
        census[f"{prefix}.id.fullwidth"] += 1
        value = fullwidth(value)
    if dice.roll(f"{prefix}_padded", rates.lg_id_padded):
        census[f"{prefix}.id.padded"] += 1
        value = dice.pick(f"{prefix}_pad_form", (f" {value} ", f"{value}  ", f" {value}"))
    return value


PENALTY_KIND_NAMES = {"01": "警告", "02": "通报批评", "03": "罚款", "04": "没收违法所得", "05": "没收非法财物",
                      "06": "暂扣许可证件", "07": "降低资质等级", "08": "吊销许可证件", "09": "限制开展生产经营活动",
                      "10": "责令停产停业", "11": "责令关闭", "12": "限制从业", "13": "行政拘留", "99": "其他"}
LIST_SEPARATORS = (",", "、", "，", ";", "；")


def join_list(items: list[str], dice: Dice, census: Counter, prefix: str) -> str:
    if len(items) < 2:
        return "".join(items)
    sep = dice.pick(f"{prefix}_sep", LIST_SEPARATORS)
    census[f"{prefix}.sep.{LIST_SEPARATORS.index(sep)}"] += 1
    return sep.join(items)
