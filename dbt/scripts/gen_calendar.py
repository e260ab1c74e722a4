"""Write seeds/work_calendar.csv: one row per day, whether it is a working day (工作日), and why.

Working days follow the State Council's holiday arrangement of each year, make-up working days
(调休上班) included, as published in the `chinesecalendar` package (main environment):

    .venvs/main/bin/python dbt/scripts/gen_calendar.py               # 2016-2026
    .venvs/main/bin/python dbt/scripts/gen_calendar.py --to 2027     # once the package knows 2027

Rows already in the file are kept as they are: the bureau may correct a day, or add next year's
rows by hand before the package knows them (README.md, "The working-day calendar"); this script
only adds the days that are missing. `--check` exits 1 when a day of the range is missing or
differs from the package.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from pathlib import Path

import chinese_calendar
from chinese_calendar.constants import Holiday

SEED = Path(__file__).resolve().parent.parent / "seeds" / "work_calendar.csv"
FIRST_YEAR, LAST_YEAR = 2016, 2026

# the package names holidays in English; its enum carries the Chinese name
HOLIDAY_ZH = {h.value: h.chinese for h in Holiday}


def day_row(day: dt.date) -> tuple[str, str, str]:
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    workday = not on_holiday
    label = HOLIDAY_ZH.get(name, name) if name else None
    if workday:
        note = f"{label}调休上班" if day.weekday() >= 5 else ""
    else:
        note = label if label else "周末"
    return day.isoformat(), "true" if workday else "false", note


def expected_rows(first_year: int, last_year: int) -> dict[str, tuple[str, str, str]]:
    day, end = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    rows = {}
    while day <= end:
        rows[day.isoformat()] = day_row(day)
        day += dt.timedelta(days=1)
    return rows


def read_seed(path: Path = SEED) -> dict[str, tuple[str, str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {r["date"]: (r["date"], r["is_workday"], r["note"]) for r in csv.DictReader(f)}


def render(rows: dict[str, tuple[str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "is_workday", "note"])
    for key in sorted(rows):
        writer.writerow(rows[key])
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="first", type=int, default=FIRST_YEAR)
    parser.add_argument("--to", dest="last", type=int, default=LAST_YEAR)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when different")
    parser.add_argument("--seed", type=Path, default=SEED, help="the CSV to complete (default: the project's seed)")
    args = parser.parse_args()
    expected = expected_rows(args.first, args.last)
    current = read_seed(args.seed)
    if args.check:
        wrong = [d for d, row in expected.items() if current.get(d) != row]
        if wrong:
            print(f"{len(wrong)} days missing or different from chinesecalendar, first {wrong[0]}", file=sys.stderr)
            return 1
        return 0
    merged = {**expected, **current}     # the bureau's own rows win
    args.seed.write_text(render(merged), encoding="utf-8")
    print(f"wrote {args.seed}: {len(merged)} days, {len(merged) - len(current)} added")
    return 0


if __name__ == "__main__":
    sys.exit(main())
