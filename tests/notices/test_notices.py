"""Warning digests over a real SMTP server (aiosmtpd) and a real HTTP webhook receiver: the
digest's Chinese content, once per event and address across re-runs, retries of what certainly
failed, no resend of what may have arrived (server silent after DATA, process killed after
sending), an operator's confirmation, subjects without a contact, masking, and one run at a time."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from jiandu.db import libpq_url
from jiandu.notices import SmtpSender, WebhookSender, confirm_digest, run_notices

from noticeutil import AS_OF, NOW, S1, S2, S3, add_event, add_recipient, free_port, rows

HERE = Path(__file__).resolve().parent


def senders(smtp_port: int, timeout: float = 10.0) -> dict:
    return {"email": SmtpSender("127.0.0.1", smtp_port, "jiandu@sfj.gz.gov.cn", timeout=timeout),
            "webhook": WebhookSender(timeout=timeout)}


def run(url, smtp_port, now=NOW, as_of=AS_OF, timeout=10.0):
    with psycopg.connect(libpq_url(url)) as conn:
        return run_notices(conn, senders(smtp_port, timeout), as_of_date=as_of, now=now, lookback_days=3,
                           max_event_age_days=30, sender_address="jiandu@sfj.gz.gov.cn")


def statuses(url):
    return {r[0]: r[1] for r in rows(url, "select history_key, status from ops.notice_log")}


def standard_events(url):
    add_event(url, "h-red", S1, "LP:101", "T01", "turned_red", "red", AS_OF - dt.timedelta(days=1), level_from="yellow",
              case_no="穗天市监罚〔2026〕101号", rule_name="处罚决定期限", due=AS_OF - dt.timedelta(days=2))
    add_event(url, "h-yellow", S1, "LP:102", "T02", "turned_yellow", "yellow", AS_OF, level_from="green",
              case_no="穗天市监罚〔2026〕102号", rule_name="决定书送达期限", due=AS_OF + dt.timedelta(days=3))
    add_event(url, "h-green", S1, "LP:103", "T01", "raised", "green", AS_OF)                     # running timer
    add_event(url, "h-cleared", S1, "LP:104", "T02", "cleared", "cleared", AS_OF, level_from="yellow")
    add_event(url, "h-old", S1, "LP:105", "P02", "raised", "red", AS_OF - dt.timedelta(days=200))  # history of old cases
    add_event(url, "h-seen", S1, "LP:106", "P03", "raised", "red", AS_OF - dt.timedelta(days=10),
              observed=NOW - dt.timedelta(days=9))                                                 # out of look-back
    add_event(url, "h-s2", S2, "LG:2001", "T09", "turned_yellow", "yellow", AS_OF, level_from="green",
              case_no="越城管检〔2026〕1号", rule_name="整改复查期限")


def test_each_subject_gets_one_chinese_digest_of_its_new_yellow_and_red_warnings_once(notice_wh, smtp_server,
                                                                                        webhook_server):
    standard_events(notice_wh)
    add_recipient(notice_wh, S1, "email", "fzk@scjgj.th.gov.cn")
    add_recipient(notice_wh, S2, "webhook", webhook_server.url)
    result = run(notice_wh, smtp_server.port)
    assert (result.sent, result.failed, result.unconfirmed, result.events_notified) == (2, 0, 0, 3)

    [mail] = smtp_server.inbox.messages
    assert mail["To"] == "fzk@scjgj.th.gov.cn"
    assert mail["Subject"] == "【行政执法监督预警】天河区市场监督管理局：新增红牌1件、黄牌1件（2026年11月23日）"
    body = mail.get_content()
    assert body.index("一、红牌（1件）") < body.index("二、黄牌（1件）")
    assert "案件 穗天市监罚〔2026〕101号：T01 处罚决定期限，2026年11月22日转为红牌，期限 2026年11月21日。" in body
    assert "穗天市监罚〔2026〕102号" in body
    for absent in ("LP:103", "LP:104", "LP:105", "LP:106"):
        assert absent not in body
    digest_id, message_id = rows(notice_wh, "select digest_id::text, message_id from ops.notice_digest"
                                            " where channel = 'email'")[0]
    assert mail["Message-ID"] == message_id == f"<{digest_id}@sfj.gz.gov.cn>"

    [(headers, payload)] = webhook_server.received
    assert payload["subject_name"] == "越秀区城市管理和综合执法局" and headers["Idempotency-Key"] == payload["digest_id"]
    assert [(e["case_no"], e["level_label"], e["rule_id"]) for e in payload["events"]] == [("越城管检〔2026〕1号", "黄牌", "T09")]
    assert statuses(notice_wh) == {"h-red": "sent", "h-yellow": "sent", "h-s2": "sent"}

    # the same day again, and the next day: nothing is sent twice
    assert run(notice_wh, smtp_server.port).sent == 0
    assert run(notice_wh, smtp_server.port, now=NOW + dt.timedelta(days=1), as_of=AS_OF + dt.timedelta(days=1)).sent == 0
    assert len(smtp_server.inbox.messages) == 1 and len(webhook_server.received) == 1


def test_a_later_run_sends_only_the_events_that_are_new(notice_wh, smtp_server):
    standard_events(notice_wh)
    add_recipient(notice_wh, S1, "email", "fzk@scjgj.th.gov.cn")
    add_recipient(notice_wh, S1, "email", "jdk@scjgj.th.gov.cn")
    run(notice_wh, smtp_server.port)
    assert len(smtp_server.inbox.messages) == 2
    tomorrow = NOW + dt.timedelta(days=1)
    add_event(notice_wh, "h-red2", S1, "LP:102", "T02", "turned_red", "red", AS_OF + dt.timedelta(days=1),
              observed=tomorrow - dt.timedelta(hours=1), level_from="yellow", case_no="穗天市监罚〔2026〕102号",
              rule_name="决定书送达期限")
    result = run(notice_wh, smtp_server.port, now=tomorrow, as_of=AS_OF + dt.timedelta(days=1))
    assert (result.sent, result.events_notified) == (2, 2)
    later = smtp_server.inbox.to("fzk@scjgj.th.gov.cn")[1]
    assert "新增红牌1件（2026年11月24日）" in later["Subject"] and "黄牌" not in later["Subject"]


def test_a_refused_or_unreachable_notice_is_failed_and_resent_unchanged_by_the_next_run(notice_wh, smtp_server):
    standard_events(notice_wh)
    add_recipient(notice_wh, S1, "email", "fzk@scjgj.th.gov.cn")
    closed_port = free_port()
    result = run(notice_wh, closed_port)                 # no server listening
    assert (result.sent, result.failed) == (0, 1)
    assert set(statuses(notice_wh).values()) == {"failed"}
    [(status, error, body)] = rows(notice_wh, "select status, last_error, body from ops.notice_digest")
    assert status == "failed" and "无法连接邮件服务器" in error

    smtp_server.inbox.refuse.add("fzk@scjgj.th.gov.cn")  # the server is up but refuses the mailbox
    assert run(notice_wh, smtp_server.port).failed == 1 and smtp_server.inbox.messages == []

    smtp_server.inbox.refuse.clear()
    result = run(notice_wh, smtp_server.port)
    assert (result.retried, result.sent) == (1, 1)
    [mail] = smtp_server.inbox.messages
    [(message_id, attempts, status)] = rows(notice_wh, "select message_id, attempts, status from ops.notice_digest")
    assert mail["Message-ID"] == message_id and attempts == 3 and status == "sent"
    assert mail.get_content().strip() == body.strip()
    assert run(notice_wh, smtp_server.port).sent == 0 and len(smtp_server.inbox.messages) == 1


def test_a_server_silent_after_data_leaves_the_notice_unconfirmed_and_it_is_never_resent(notice_wh, smtp_server):
    standard_events(notice_wh)
    add_recipient(notice_wh, S1, "email", "fzk@scjgj.th.gov.cn")
    smtp_server.inbox.stall_seconds = 4
    result = run(notice_wh, smtp_server.port, timeout=1.5)
    assert (result.sent, result.failed, result.unconfirmed) == (0, 0, 1)
    assert len(smtp_server.inbox.messages) == 1          # it did arrive
    smtp_server.inbox.stall_seconds = 0
    assert run(notice_wh, smtp_server.port).sent == 0
    assert len(smtp_server.inbox.messages) == 1
    assert set(statuses(notice_wh).values()) == {"unconfirmed"}


CRASH_AFTER_SEND = r"""
import os, sys
import psycopg
from jiandu.db import libpq_url
from jiandu.notices import SmtpSender, run_notices
sys.path.insert(0, sys.argv[3])
from noticeutil import AS_OF, NOW

class KilledAfterSending(SmtpSender):
    def send(self, notice):
        delivery = super().send(notice)
        os._exit(9)          # the process dies before it can record that the server took it

with psycopg.connect(libpq_url(sys.argv[1])) as conn:
    run_notices(conn, {"email": KilledAfterSending("127.0.0.1", int(sys.argv[2]), "jiandu@sfj.gz.gov.cn")},
                as_of_date=AS_OF, now=NOW)
"""


def test_a_process_killed_after_sending_never_sends_twice_and_an_operator_settles_it(notice_wh, smtp_server):
    standard_events(notice_wh)
    add_recipient(notice_wh, S1, "email", "fzk@scjgj.th.gov.cn")
    proc = subprocess.run([sys.executable, "-c", CRASH_AFTER_SEND, notice_wh, str(smtp_server.port), str(HERE)],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert proc.returncode == 9, proc.stderr
    assert len(smtp_server.inbox.messages) == 1
    assert rows(notice_wh, "select status from ops.notice_digest") == [("sending",)]

    result = run(notice_wh, smtp_server.port)
    assert (result.orphans_unconfirmed, result.sent, result.retried) == (1, 0, 0)
    assert len(smtp_server.inbox.messages) == 1
    assert set(statuses(notice_wh).values()) == {"unconfirmed"}

    # the operator finds it was delivered: it is closed as sent, and still never resent
    [(digest_id,)] = rows(notice_wh, "select digest_id::text from ops.notice_digest")
    with psycopg.connect(libpq_url(notice_wh)) as conn:
        assert confirm_digest(conn, digest_id, delivered=True, by="值班员") == "sent"
        with pytest.raises(ValueError):
            confirm_digest(conn, digest_id, delivered=False, by="值班员")
    assert run(notice_wh, smtp_server.port).sent == 0 and len(smtp_server.inbox.messages) == 1
    assert set(statuses(notice_wh).values()) == {"sent"}


def test_an_unconfirmed_notice_the_operator_says_was_lost_is_sent_again_once(notice_wh, smtp_server):
    standard_events(notice_wh)
    add_recipient(notice_wh, S1, "email", "fzk@scjgj.th.gov.cn")
    smtp_server.inbox.stall_seconds = 4
    run(notice_wh, smtp_server.port, timeout=1.5)
    smtp_server.inbox.stall_seconds = 0
    smtp_server.inbox.messages.clear()                    # say the mail system really lost it
    [(digest_id, message_id)] = rows(notice_wh, "select digest_id::text, message_id from ops.notice_digest")
    with psycopg.connect(libpq_url(notice_wh)) as conn:
        assert confirm_digest(conn, digest_id, delivered=False, by="值班员") == "failed"
    result = run(notice_wh, smtp_server.port)
    assert (result.retried, result.sent) == (1, 1)
    [mail] = smtp_server.inbox.messages
    assert mail["Message-ID"] == message_id
    assert run(notice_wh, smtp_server.port).sent == 0 and len(smtp_server.inbox.messages) == 1


def test_events_of_a_subject_without_a_contact_wait_until_one_is_entered(notice_wh, smtp_server):
    standard_events(notice_wh)
    add_event(notice_wh, "h-s3", S3, "EX:S3:1", "T09", "turned_yellow", "yellow", AS_OF, level_from="green")
    add_recipient(notice_wh, S3, "email", "old@jtj.hz.gov.cn", active=False)
    result = run(notice_wh, smtp_server.port)
    assert result.subjects_without_recipient == {S1: 2, S2: 1, S3: 1}
    assert result.sent == 0 and rows(notice_wh, "select count(*) from ops.notice_log") == [(0,)]
    add_recipient(notice_wh, S3, "email", "fzk@jtj.hz.gov.cn")
    result = run(notice_wh, smtp_server.port)
    assert result.sent == 1 and S3 not in result.subjects_without_recipient
    [mail] = smtp_server.inbox.messages
    assert mail["To"] == "fzk@jtj.hz.gov.cn" and "EX:S3:1" in mail.get_content()   # no case number: its id


def test_webhook_error_is_failed_and_retried_with_the_same_idempotency_key(notice_wh, smtp_server, webhook_server):
    standard_events(notice_wh)
    add_recipient(notice_wh, S2, "webhook", webhook_server.url)
    webhook_server.status = 503
    assert run(notice_wh, smtp_server.port).failed == 1
    webhook_server.status = 200
    assert run(notice_wh, smtp_server.port).sent == 1
    assert run(notice_wh, smtp_server.port).sent == 0
    keys = [h["Idempotency-Key"] for h, _ in webhook_server.received]
    assert len(keys) == 2 and keys[0] == keys[1]


def test_resident_id_numbers_in_a_rules_detail_are_masked(notice_wh, smtp_server, webhook_server):
    add_event(notice_wh, "h-pii", S1, "LG:9", "P05", "raised", "red", AS_OF, case_no="穗天市监罚〔2026〕9号",
              rule_name="状态与字段不符", detail="当事人证件号440106198503120015，缺少 served_at")
    add_recipient(notice_wh, S1, "email", "fzk@scjgj.th.gov.cn")
    add_recipient(notice_wh, S1, "webhook", webhook_server.url)
    run(notice_wh, smtp_server.port)
    body = smtp_server.inbox.messages[0].get_content()
    assert "440106********0015" in body and "440106198503120015" not in body
    assert "440106198503120015" not in str(webhook_server.received)
    assert "440106198503120015" not in str(rows(notice_wh, "select body, payload::text from ops.notice_digest"))


def test_one_run_at_a_time(notice_wh, smtp_server):
    standard_events(notice_wh)
    add_recipient(notice_wh, S1, "email", "fzk@scjgj.th.gov.cn")
    with psycopg.connect(libpq_url(notice_wh), autocommit=True) as other:
        other.execute("select pg_advisory_lock(hashtext('jiandu.notices'))")
        result = run(notice_wh, smtp_server.port)
        assert result.skipped and result.sent == 0
    assert run(notice_wh, smtp_server.port).sent == 1
