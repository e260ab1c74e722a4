"""The whole dbt project built for real on the dbt tests' raw data set (three sources), with the
rule models of the other engineers: the statistics, performance and sampling marts compile
against the real rule marts, hold rows, pass their tests, and the notices run on the real warning
history through a real SMTP server."""
from __future__ import annotations

import datetime as dt
import sys

import psycopg
import pytest

from jiandu.db import libpq_url
from jiandu.testing import temp_database
from jiandu.warehouse.migrate import apply

from martutil import PROJECT_ROOT, explain, query, run_dbt

AS_OF = "2026-04-15"


@pytest.mark.slow
def test_full_build_then_notices_on_the_real_warning_history(tmp_path):
    sys.path.insert(0, str(PROJECT_ROOT / "tests" / "dbt"))
    from raw_fixture import load_initial  # noqa: PLC0415
    from aiosmtpd.controller import Controller  # noqa: PLC0415

    from jiandu.notices import SmtpSender, run_notices  # noqa: PLC0415

    with temp_database("test_marts_full") as url:
        apply(url)
        with psycopg.connect(libpq_url(url)) as conn:
            load_initial(conn)
        proc = run_dbt(["build", "--vars", f"{{as_of: '{AS_OF}'}}"], tmp_path, url)
        assert proc.returncode == 0, explain(proc)
        for model in ("stat_case_monthly", "stat_penalty_monthly", "stat_on_time_monthly", "stat_publicity_monthly",
                      "rpt_subject_performance"):
            assert query(url, f"select count(*) as n from marts.{model}")[0]["n"] > 0, model
        # every score is 100 minus its traced deductions
        bad = query(url, "select p.subject_code, p.stat_month from marts.rpt_subject_performance p"
                         " left join marts.rpt_subject_performance_deduction d"
                         "   on d.subject_code = p.subject_code and d.stat_month = p.stat_month"
                         " group by p.subject_code, p.stat_month, p.score, p.base_score"
                         " having p.score <> greatest(p.base_score - coalesce(sum(d.points), 0), 0)")
        assert bad == []
        drawn = query(url, "select count(*) as n from review.sample_case where sample_month = '2026-04-01'")[0]["n"]
        closed = query(url, "select count(distinct subject_code) as n from standard.zf10_case"
                            " where status in ('40', '50') and closed_at < '2026-04-01T00:00:00+08:00'")[0]["n"]
        assert drawn >= closed

        # the notices on the real history: every subject with a yellow or red event gets one digest
        class Inbox:
            def __init__(self):
                self.count = 0

            async def handle_DATA(self, server, session, envelope):
                self.count += 1
                return "250 OK"

        subjects = [r["subject_code"] for r in query(
            url, "select distinct subject_code from marts.fct_warning_history where level_to in ('yellow', 'red')"
                 " and event in ('raised', 'turned_yellow', 'turned_red')"
                 " and effective_date between %s::date - 400 and %s::date", (AS_OF, AS_OF))]
        assert subjects, "the raw data set should raise some warnings"
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            for i, s in enumerate(subjects):
                conn.execute("insert into ops.notice_recipient (subject_code, channel, address)"
                             " values (%s, 'email', %s)", (s, f"unit{i}@example.gov.cn"))
        inbox = Inbox()
        from noticeutil_free_port import free_port  # noqa: PLC0415
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            with psycopg.connect(libpq_url(url)) as conn:
                sender = {"email": SmtpSender("127.0.0.1", port, "jiandu@example.gov.cn")}
                first = run_notices(conn, sender, as_of_date=dt.date.fromisoformat(AS_OF), max_event_age_days=400)
                again = run_notices(conn, sender, as_of_date=dt.date.fromisoformat(AS_OF), max_event_age_days=400)
        finally:
            controller.stop()
        assert first.sent == len(subjects) == inbox.count and first.failed == first.unconfirmed == 0
        assert again.sent == 0 and inbox.count == len(subjects)
