"""Daily digests of new yellow and red warnings to each enforcement subject's contacts.

`run_notices` reads the warning history (marts.fct_warning_history), builds one Chinese digest
per recipient (ops.notice_recipient) of the events it has not been sent yet, and sends it by
e-mail or webhook, recording every step in ops.notice_digest and ops.notice_log so that no event
is ever notified twice to the same address (see jiandu/warehouse/ddl/020_notices.sql).
"""
from jiandu.notices.digest import Digest, NoticeEvent, build_digest
from jiandu.notices.senders import Delivery, SmtpSender, WebhookSender
from jiandu.notices.service import NoticeRun, confirm_digest, run_notices

__all__ = ["Delivery", "Digest", "NoticeEvent", "NoticeRun", "SmtpSender", "WebhookSender", "build_digest",
           "confirm_digest", "run_notices"]
