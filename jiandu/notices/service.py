"""One notice run: find the warning events each recipient has not been told about, send each
recipient one digest, and record every step so that nothing is sent twice or silently lost.

Order of writes, and why:
1. the digest and one ops.notice_log row per event are committed with status 'sending' before
   any network I/O: from then on the unique key (subject, channel, address, history_key) keeps
   every later run from building a second notice of those events;
2. the digest is sent;
3. the outcome is committed: 'sent'; 'failed' (it certainly did not arrive: the next run sends
   the very same message again); or 'unconfirmed' (it may have arrived).
A run that dies between 1 and 3 leaves 'sending'. Runs hold an advisory lock, so the next run
knows no one else is sending and turns those into 'unconfirmed': it cannot know whether the
server got the message, and a bureau would rather check one notice than have a subject receive
it twice. An operator confirms it either way (confirm_digest): delivered -> 'sent', not
delivered -> 'failed', which the next run resends with the same Message-ID.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Jsonb

from jiandu.notices.digest import NoticeEvent, build_digest
from jiandu.notices.senders import Delivery, OutgoingNotice

log = logging.getLogger(__name__)

LOCK_KEY = "jiandu.notices"
CHINA = ZoneInfo("Asia/Shanghai")

NEW_EVENTS_SQL = """
with events as (
    select h.history_key, h.warning_key, h.case_id, h.rule_id, h.subject_code, h.event, h.level_to,
           h.effective_date, h.reason
      from marts.fct_warning_history h
     where h.level_to in ('yellow', 'red')
       and h.event in ('raised', 'turned_yellow', 'turned_red')
       and h.observed_at >= %(observed_since)s
       and h.effective_date >= %(effective_since)s
       and h.effective_date <= %(as_of)s
)
select e.history_key, e.warning_key, e.case_id, e.rule_id, e.subject_code, e.event, e.level_to, e.effective_date,
       e.reason, r.channel, r.address, ev.case_no, ev.rule_name, ev.level as current_level, ev.due_date, ev.detail,
       s.subject_name
  from events e
  join ops.notice_recipient r on r.subject_code = e.subject_code and r.active
  left join marts.fct_rule_evaluation ev on ev.evaluation_key = e.warning_key
  left join standard.zf01_subject s on s.subject_code = e.subject_code
 where not exists (select 1 from ops.notice_log l
                    where l.subject_code = e.subject_code and l.channel = r.channel and l.address = r.address
                      and l.history_key = e.history_key)
 order by e.subject_code, r.channel, r.address, e.effective_date, e.history_key
"""

UNREACHABLE_SQL = """
select h.subject_code, count(*) as events
  from marts.fct_warning_history h
 where h.level_to in ('yellow', 'red') and h.event in ('raised', 'turned_yellow', 'turned_red')
   and h.observed_at >= %(observed_since)s and h.effective_date >= %(effective_since)s
   and h.effective_date <= %(as_of)s
   and not exists (select 1 from ops.notice_recipient r where r.subject_code = h.subject_code and r.active)
 group by h.subject_code
 order by h.subject_code
"""


@dataclass
class NoticeRun:
    as_of_date: dt.date
    skipped: str | None = None
    sent: int = 0                         # digests accepted by their server in this run
    failed: int = 0                       # digests that certainly did not arrive (retried next run)
    unconfirmed: int = 0                  # digests whose delivery is unknown (an operator confirms)
    orphans_unconfirmed: int = 0          # 'sending' digests of a run that died, now unconfirmed
    retried: int = 0                      # failed digests of earlier runs sent again
    events_notified: int = 0
    subjects_without_recipient: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict:
        return {"as_of_date": self.as_of_date.isoformat(), "skipped": self.skipped, "sent": self.sent,
                "failed": self.failed, "unconfirmed": self.unconfirmed, "orphans_unconfirmed": self.orphans_unconfirmed,
                "retried": self.retried, "events_notified": self.events_notified,
                "subjects_without_recipient": self.subjects_without_recipient}


def _message_id(digest_id: str, sender_address: str) -> str:
    domain = sender_address.rsplit("@", 1)[-1] if "@" in sender_address else "jiandu.local"
    return f"<{digest_id}@{domain}>"


def run_notices(conn: psycopg.Connection, senders: dict, *, as_of_date: dt.date | None = None,
                lookback_days: int = 3, max_event_age_days: int = 30, sender_address: str = "jiandu@localhost",
                now: dt.datetime | None = None) -> NoticeRun:
    """One run over the warehouse at ``conn`` (not in autocommit). ``senders`` maps a channel
    ('email', 'webhook') to an object with ``send(OutgoingNotice) -> Delivery``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    as_of = as_of_date or now.astimezone(CHINA).date()
    result = NoticeRun(as_of)
    got = conn.execute("select pg_try_advisory_lock(hashtext(%s))", (LOCK_KEY,)).fetchone()[0]
    conn.commit()
    if not got:
        result.skipped = "另一个通知任务正在运行"
        return result
    try:
        result.orphans_unconfirmed = _orphans_to_unconfirmed(conn)
        _retry_failed(conn, senders, result)
        _send_new(conn, senders, result, as_of, now, lookback_days, max_event_age_days, sender_address)
    finally:
        conn.rollback()
        conn.execute("select pg_advisory_unlock(hashtext(%s))", (LOCK_KEY,))
        conn.commit()
    return result


def _orphans_to_unconfirmed(conn) -> int:
    note = "发送过程中断，无法确认是否已送达；请核实后确认（已送达或未送达）"
    ids = [r[0] for r in conn.execute(
        "update ops.notice_digest set status = 'unconfirmed', last_error = %s where status = 'sending'"
        " returning digest_id", (note,))]
    if ids:
        conn.execute("update ops.notice_log set status = 'unconfirmed' where digest_id = any(%s)", (ids,))
        log.warning("notices: %d digest(s) left 'sending' by an interrupted run are now unconfirmed: %s", len(ids), ids)
    conn.commit()
    return len(ids)


def _retry_failed(conn, senders, result: NoticeRun) -> None:
    rows = conn.execute(
        "select d.digest_id, d.channel, d.address, d.message_id, d.title, d.body, d.payload, d.created_at"
        "  from ops.notice_digest d"
        " where d.status = 'failed'"
        "   and exists (select 1 from ops.notice_recipient r where r.subject_code = d.subject_code"
        "                  and r.channel = d.channel and r.address = d.address and r.active)"
        " order by d.created_at").fetchall()
    conn.commit()
    for digest_id, channel, address, message_id, title, body, payload, created_at in rows:
        if channel not in senders:
            continue
        conn.execute("update ops.notice_digest set status = 'sending' where digest_id = %s", (digest_id,))
        conn.execute("update ops.notice_log set status = 'sending' where digest_id = %s", (digest_id,))
        conn.commit()
        notice = OutgoingNotice(str(digest_id), message_id, address, title, body, payload, created_at)
        _deliver(conn, senders[channel], notice, result)
        result.retried += 1


def _send_new(conn, senders, result: NoticeRun, as_of, now, lookback_days, max_event_age_days, sender_address) -> None:
    params = {"observed_since": now - dt.timedelta(days=lookback_days),
              "effective_since": as_of - dt.timedelta(days=max_event_age_days), "as_of": as_of}
    for subject, count in conn.execute(UNREACHABLE_SQL, params).fetchall():
        result.subjects_without_recipient[subject] = count
    if result.subjects_without_recipient:
        log.warning("notices: no active recipient for %d subject(s), their events wait: %s",
                    len(result.subjects_without_recipient), result.subjects_without_recipient)
    groups: dict[tuple, list] = defaultdict(list)
    names: dict[str, str | None] = {}
    for row in conn.execute(NEW_EVENTS_SQL, params).fetchall():
        (history_key, warning_key, case_id, rule_id, subject_code, event, level, effective_date, reason, channel,
         address, case_no, rule_name, current_level, due_date, detail, subject_name) = row
        names[subject_code] = subject_name
        groups[(subject_code, channel, address)].append(NoticeEvent(
            history_key=history_key, warning_key=warning_key, case_id=case_id, case_no=case_no, rule_id=rule_id,
            rule_name=rule_name, event=event, level=level, effective_date=effective_date, due_date=due_date,
            current_level=current_level, detail=detail, reason=reason if reason != "已完成" else None))
    conn.commit()
    for (subject_code, channel, address), events in groups.items():
        if channel not in senders:
            log.warning("notices: no sender configured for channel %s (%s)", channel, address)
            continue
        digest = build_digest(subject_code, names.get(subject_code), as_of, events)
        digest_id = str(uuid.uuid4())
        message_id = _message_id(digest_id, sender_address)
        created_at = conn.execute(
            "insert into ops.notice_digest (digest_id, subject_code, channel, address, status, message_id, title, body,"
            " payload, event_count, as_of_date) values (%s, %s, %s, %s, 'sending', %s, %s, %s, %s, %s, %s)"
            " returning created_at",
            (digest_id, subject_code, channel, address, message_id, digest.title, digest.body, Jsonb(digest.payload),
             len(digest.events), as_of)).fetchone()[0]
        with conn.cursor() as cur:
            cur.executemany(
                "insert into ops.notice_log (subject_code, channel, address, history_key, warning_key, case_id, case_no,"
                " rule_id, event, level, effective_date, digest_id, status)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'sending')",
                [(subject_code, channel, address, e.history_key, e.warning_key, e.case_id, e.case_no, e.rule_id,
                  e.event, e.level, e.effective_date, digest_id) for e in digest.events])
        conn.commit()
        notice = OutgoingNotice(digest_id, message_id, address, digest.title, digest.body, digest.payload, created_at)
        if _deliver(conn, senders[channel], notice, result) == "sent":
            result.events_notified += len(digest.events)


def _deliver(conn, sender, notice: OutgoingNotice, result: NoticeRun) -> str:
    try:
        delivery = sender.send(notice)
    except Exception as exc:  # noqa: BLE001 - a sender's own bug must not stop the other recipients
        log.exception("notices: sender raised for digest %s", notice.digest_id)
        delivery = Delivery.unknown(f"发送程序异常：{exc!r}")
    status = {"sent": "sent", "failed": "failed", "unknown": "unconfirmed"}[delivery.outcome]
    conn.execute(
        "update ops.notice_digest set status = %s, attempts = attempts + 1, last_attempt_at = now(),"
        " sent_at = case when %s::text = 'sent' then now() end, last_error = case when %s::text = 'sent' then null else %s end"
        " where digest_id = %s", (status, status, status, delivery.detail, notice.digest_id))
    conn.execute("update ops.notice_log set status = %s, sent_at = case when %s::text = 'sent' then now() end"
                 " where digest_id = %s", (status, status, notice.digest_id))
    conn.commit()
    setattr(result, {"sent": "sent", "failed": "failed", "unconfirmed": "unconfirmed"}[status],
            getattr(result, status) + 1)
    if status != "sent":
        log.warning("notices: digest %s to %s %s: %s", notice.digest_id, notice.address, status, delivery.detail)
    return status


def confirm_digest(conn: psycopg.Connection, digest_id: str, delivered: bool, by: str) -> str:
    """An operator's answer for an 'unconfirmed' digest: delivered -> 'sent'; not delivered ->
    'failed', which the next run sends again (same content and Message-ID). Returns the status."""
    status = "sent" if delivered else "failed"
    row = conn.execute(
        "update ops.notice_digest set status = %s, resolved_by = %s,"
        " sent_at = case when %s::text = 'sent' then coalesce(last_attempt_at, now()) end"
        " where digest_id = %s and status = 'unconfirmed' returning digest_id",
        (status, by, status, digest_id)).fetchone()
    if row is None:
        conn.rollback()
        raise ValueError(f"通知 {digest_id} 不存在或不是待确认状态")
    conn.execute("update ops.notice_log set status = %s where digest_id = %s", (status, digest_id))
    conn.commit()
    return status


def notices_step(settings=None) -> dict:
    """What the daily DAG runs: every recipient's digest through the configured channels. Raises
    when a digest could not be delivered, so the task retries (the retry resends only those)."""
    from jiandu.db import connect_warehouse  # noqa: PLC0415
    from jiandu.notices.senders import SmtpSender, WebhookSender  # noqa: PLC0415
    from jiandu.settings import get_settings  # noqa: PLC0415
    s = settings or get_settings()
    senders = {"email": SmtpSender.from_settings(s), "webhook": WebhookSender.from_settings(s)}
    with connect_warehouse(s) as conn:
        run = run_notices(conn, senders, lookback_days=s.notice_lookback_days,
                          max_event_age_days=s.notice_max_event_age_days, sender_address=s.notice_from)
    summary = run.summary()
    if run.failed:
        raise RuntimeError(f"{run.failed} 份预警通知未能送达，将重试：{summary}")
    return summary
