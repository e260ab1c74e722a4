"""Warnings and their history across runs on the fixture warehouse: stable results for the same D,
only changes for a later D, and past events kept when the source changes."""
from __future__ import annotations

import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))

EVAL = ("select evaluation_key, level, trigger_date, due_date, days_left, done_date, yellow_from, red_from,"
        " cleared_late, missing_field, detail from marts.fct_rule_evaluation order by evaluation_key")
HISTORY = ("select history_key, warning_key, event, level_from, level_to, effective_date, as_of_date, late, reason"
           " from marts.fct_warning_history order by warning_key, observed_at, event_seq")
# the dashboard's trend reads the daily counts: they must equal a recount of the history
DAILY = ("select effective_date, region_code, event, event_count, late_count from marts.agg_warning_event_daily"
         " order by 1, 2, 3")
RECOUNT = ("select effective_date, region_code, event, count(*), count(*) filter (where late)"
           " from marts.fct_warning_history group by 1, 2, 3 order by 1, 2, 3")


def assert_daily_counts_equal_the_history(wh) -> None:
    daily = wh.rows(DAILY)
    assert daily and daily == wh.rows(RECOUNT)


def test_history_across_runs(fixture_warehouse):
    wh = fixture_warehouse
    wh.marts("2026-04-10", command="build")          # with the marts' data tests and unit tests
    first_eval = wh.rows(EVAL)
    first_history = wh.rows(HISTORY)
    assert first_eval, "no rule evaluated on the fixture"
    assert_daily_counts_equal_the_history(wh)

    # the same D again: identical evaluation, nothing added to the history
    wh.marts("2026-04-10")
    assert wh.rows(EVAL) == first_eval
    assert wh.rows(HISTORY) == first_history

    # LP:1 (open since 03-01, no step since) is yellow for A01 on 04-10 (day 40), raised on 03-31
    events = {(w, e): (lf, lt, d) for _, w, e, lf, lt, d, *_ in first_history}
    assert events[("LP:1|A01|", "raised")] == (None, "yellow", __import__("datetime").date(2026, 3, 31))
    # a warning that history starts with is written with its past, dated by the rule
    t06 = [r for r in first_history if r[1] == "LG:SJ2024-0107|T06|1"]
    assert [r[2] for r in t06] == ["raised", "turned_yellow", "turned_red"]
    assert [str(r[5]) for r in t06] == ["2024-03-02", "2024-03-17", "2024-04-02"]
    # a timer done on time and never yellow writes nothing; one done after turning yellow writes its path
    assert not [r for r in first_history if r[1] == "LG:CG2023-0001|T02|"]
    t06_2 = [r[2] for r in first_history if r[1] == "LG:SJ2024-0107|T06|2"]
    assert t06_2 == ["raised", "turned_yellow", "cleared"]

    # a later D: A01 of LP:1 turns red on 04-30 (day 60); only that change is added
    wh.marts("2026-05-20")
    later = wh.rows(HISTORY)
    added = [r for r in later if r not in first_history]
    assert set(first_history) <= set(later)
    assert [(r[1], r[2], r[3], r[4], str(r[5])) for r in added] == [("LP:1|A01|", "turned_red", "yellow", "red", "2026-04-30")]
    assert_daily_counts_equal_the_history(wh)     # recounted for 04-30 only
    warning = wh.rows("select level, level_label, level_since, first_raised_on, days_overdue from marts.fct_warning"
                      " where warning_key = 'LP:1|A01|'")
    assert [tuple(map(str, w)) for w in warning] == [("red", "红牌", "2026-04-30", "2026-03-31", "0")]

    # the source changes: the second raw load, the standard layer merged, the marts run again
    from raw_fixture import load_changes
    from jiandu.db import libpq_url
    with psycopg.connect(libpq_url(wh.url)) as conn:
        load_changes(conn)
    wh.dbt("run", "--select", "path:models/intermediate", "path:models/standard")
    wh.marts("2026-05-20")
    after_change = wh.rows(HISTORY)
    assert set(later) <= set(after_change), "a source change removed past warning events"
    assert_daily_counts_equal_the_history(wh)
    current = {r[0] for r in wh.rows("select warning_key from marts.fct_warning")}
    open_in_history = {w for w, lvl in wh.rows(
        "select distinct on (warning_key) warning_key, level_to from marts.fct_warning_history"
        " order by warning_key, observed_at desc, event_seq desc") if lvl != "cleared"}
    # every warning still open in the history is a current warning and vice versa
    assert open_in_history == current
    # and a full refresh of the marts keeps the history
    before = wh.rows(HISTORY)
    wh.dbt("run", "--full-refresh", "--select", "path:models/marts/rules", "path:models/marts/warnings",
           "--vars", "{as_of: '2026-05-20'}")
    assert wh.rows(HISTORY) == before
    assert_daily_counts_equal_the_history(wh)     # recounted from scratch
