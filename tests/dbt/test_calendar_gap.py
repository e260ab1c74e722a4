"""A deadline past the working-day calendar's last covered day is never computed as if weekends
were the only days off: the rule marts leave it not judgeable, and staging.work_calendar_gap's
quality warning names the year the bureau must add to seeds/work_calendar.csv (README.md, "The
working-day calendar").

In a copy of the session's first build, the calendar is first whole (no warning), then cut back
to end with 2023, as if 2024's arrangement had never been added: the fixture's 2024 coercive
measure (LG SJ2024-0107, T06) then has its deadlines past the calendar."""
from __future__ import annotations

import psycopg

from jiandu.db import libpq_url

from dbt_support import database_copy, explain, run_dbt

# the marts are judged as of a fixed day, so that the test does not depend on today's date
AS_OF = ["--vars", "{as_of: '2026-11-23'}"]
CHAIN = ["--select", "+work_calendar_gap"]


def judge(url: str, tmp_path) -> tuple[str, list[tuple]]:
    """Rebuild the rule marts and the gap, then run the gap's test: its output and the gap's rows."""
    proc = run_dbt(["run", *CHAIN, *AS_OF], tmp_path, url)
    assert proc.returncode == 0, explain(proc)
    test = run_dbt(["test", "--select", "work_calendar_gap", *AS_OF], tmp_path, url)
    assert test.returncode == 0, explain(test)        # a warning, never an error
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute("select missing_year, deadlines_not_judged, cases_affected, last_covered_day"
                            " from staging.work_calendar_gap order by 1").fetchall()
    return test.stdout, rows


def test_deadline_past_the_calendar_warns_naming_the_missing_year(built_warehouse, tmp_path):
    with database_copy(built_warehouse.initial_url, "jiandu_dbt_gap") as url:
        out, rows = judge(url, tmp_path)
        assert rows == [] and "工作日历缺少" not in out and "WARN=0" in out

        with psycopg.connect(libpq_url(url)) as conn:
            conn.execute("delete from staging.work_calendar where date >= '2024-01-01'")
            conn.commit()
        out, rows = judge(url, tmp_path)
        assert [r[0] for r in rows] == [2024]
        year, deadlines, cases, last_day = rows[0]
        assert deadlines > 0 and cases == 1 and str(last_day) == "2023-12-31"
        assert f"工作日历缺少 2024 年：{deadlines} 个期限、1 件案件不可判定（日历止于 2023-12-31）" in out
        assert "WARN=1" in out
        # the deadlines themselves are flagged, never computed as if weekends were the only days off
        with psycopg.connect(libpq_url(url)) as conn:
            flagged = conn.execute("select case_id, rule_id, level, due_date from marts.fct_rule_evaluation"
                                   " where missing_field = 'work_calendar'").fetchall()
        assert len(flagged) == deadlines
        assert {(c, r, level, due) for c, r, level, due in flagged} == {("LG:SJ2024-0107", "T06", "not_judgeable", None)}
