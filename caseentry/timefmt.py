"""Datetimes as the standard writes them: China Standard Time, to the second.

The API and the change feed speak ``YYYY-MM-DDTHH:MM:SS+08:00``; the database keeps timestamptz.
Input is cut to whole seconds on the way in, so that what is compared (date order) is exactly
what is later published.
"""
from __future__ import annotations

import datetime as dt
import re

CST = dt.timezone(dt.timedelta(hours=8), "CST")

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(value: object) -> dt.datetime:
    """An ISO 8601 date and time; without an offset it is taken as +08:00.

    A bare date is refused: the service records when an act happened, and a silent midnight
    would later break rules counted in hours.
    """
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and not _DATE_ONLY.match(value.strip()):
        text = value.strip()
        if " " in text and "T" not in text:
            text = text.replace(" ", "T", 1)
        parsed = dt.datetime.fromisoformat(text)
    else:
        raise ValueError("not a datetime")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=CST)
    return parsed.astimezone(CST).replace(microsecond=0)


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError("not a date")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_ONLY.match(value.strip()):
        return dt.date.fromisoformat(value.strip())
    raise ValueError("not a date")


def format_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(CST).replace(microsecond=0).isoformat()


def format_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def cst_date(value: dt.datetime) -> dt.date:
    """The calendar day of an instant in China, which is what validity periods are counted in."""
    return value.astimezone(CST).date()


def now() -> dt.datetime:
    return dt.datetime.now(CST).replace(microsecond=0)
