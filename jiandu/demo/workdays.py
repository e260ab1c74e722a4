"""Working days for the generator (the State Council's arrangement where chinesecalendar knows
the year; Monday to Friday beyond it). Only used to place dates realistically: the supervision
rules count with their own calendar.

The generator asks millions of times, so the working days of 2010-2035 are listed once and
found by bisection."""
from __future__ import annotations

import bisect
import datetime as dt
from functools import lru_cache

import chinese_calendar

_FIRST, _LAST = dt.date(2010, 1, 1), dt.date(2035, 12, 31)


@lru_cache(maxsize=None)
def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


@lru_cache(maxsize=1)
def _table() -> list[int]:
    """The ordinals of every working day from _FIRST to _LAST."""
    out, day = [], _FIRST
    while day <= _LAST:
        if is_workday(day):
            out.append(day.toordinal())
        day += dt.timedelta(days=1)
    return out


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (n >= 1), or `day` itself for n = 0."""
    if n <= 0:
        return day
    table = _table()
    k = bisect.bisect_right(table, day.toordinal()) + n - 1
    if _FIRST <= day and k < len(table):
        return dt.date.fromordinal(table[k])
    while n > 0:   # outside the table: walk
        day += dt.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def next_workday(day: dt.date) -> dt.date:
    """`day` if it is a working day, else the next one."""
    table = _table()
    k = bisect.bisect_left(table, day.toordinal())
    if _FIRST <= day and k < len(table):
        return dt.date.fromordinal(table[k])
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day
