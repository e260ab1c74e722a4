"""Sending one digest by e-mail (SMTP) or webhook, and saying what is known about its delivery.

The outcome is one of three, because a notice must never go out twice:
* ``sent``: the server accepted it;
* ``failed``: it certainly did not arrive (refused, or never handed over): safe to send again;
* ``unknown``: it was handed over but no answer came (time-out, dropped connection): it may
  have arrived, so it is not resent automatically.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr

import requests


@dataclass(frozen=True)
class Delivery:
    outcome: str          # sent | failed | unknown
    detail: str = ""

    @classmethod
    def sent(cls, detail: str = "") -> "Delivery":
        return cls("sent", detail)

    @classmethod
    def failed(cls, detail: str) -> "Delivery":
        return cls("failed", detail)

    @classmethod
    def unknown(cls, detail: str) -> "Delivery":
        return cls("unknown", detail)


@dataclass(frozen=True)
class OutgoingNotice:
    digest_id: str
    message_id: str
    address: str
    title: str
    body: str
    payload: dict
    created_at: object    # datetime: the Date header stays the same on a retry


class SmtpSender:
    channel = "email"

    def __init__(self, host: str, port: int, sender: str, *, security: str = "none", user: str = "",
                 password: str = "", timeout: float = 30.0):
        self.host, self.port, self.sender = host, port, sender
        self.security, self.user, self.password, self.timeout = security, user, password, timeout

    @classmethod
    def from_settings(cls, s) -> "SmtpSender":
        return cls(s.notice_smtp_host, s.notice_smtp_port, s.notice_from, security=s.notice_smtp_security,
                   user=s.notice_smtp_user, password=s.notice_smtp_password, timeout=s.notice_timeout_seconds)

    def message(self, n: OutgoingNotice) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = formataddr(("行政执法监督平台", self.sender))
        msg["To"] = n.address
        msg["Subject"] = n.title
        msg["Date"] = format_datetime(n.created_at)
        # the same Message-ID on every attempt: a mail system that got it once can tell
        msg["Message-ID"] = n.message_id
        msg["X-Jiandu-Digest"] = n.digest_id
        msg.set_content(n.body)
        return msg

    def send(self, n: OutgoingNotice) -> Delivery:
        data = self.message(n).as_bytes(policy=SMTP_POLICY)
        try:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            return Delivery.failed(f"无法连接邮件服务器 {self.host}:{self.port}：{exc}")
        try:
            # Everything up to the DATA command can fail without the message having left.
            try:
                smtp.ehlo()
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if self.user:
                    smtp.login(self.user, self.password)
                code, resp = smtp.mail(self.sender)
                if code != 250:
                    return Delivery.failed(f"发件人被拒绝：{code} {resp!r}")
                code, resp = smtp.rcpt(n.address)
                if code not in (250, 251):
                    return Delivery.failed(f"收件人被拒绝：{code} {resp!r}")
            except (OSError, smtplib.SMTPException) as exc:
                return Delivery.failed(f"邮件服务器会话失败：{exc}")
            try:
                code, resp = smtp.data(data)
            except smtplib.SMTPDataError as exc:
                # the server answered, and its answer is no
                return Delivery.failed(f"邮件服务器拒收：{exc.smtp_code} {exc.smtp_error!r}")
            except (OSError, smtplib.SMTPException) as exc:
                return Delivery.unknown(f"邮件已交付但未收到服务器确认：{exc}")
            return Delivery.sent(f"{code} {resp.decode(errors='replace') if isinstance(resp, bytes) else resp}")
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


class WebhookSender:
    """POSTs the digest as JSON to the recipient's URL. The Idempotency-Key header (the digest's
    id, the same on every attempt) lets a receiver drop a repeat."""
    channel = "webhook"

    def __init__(self, timeout: float = 30.0, session: requests.Session | None = None):
        self.timeout = timeout
        self.session = session or requests.Session()

    @classmethod
    def from_settings(cls, s) -> "WebhookSender":
        return cls(timeout=s.notice_timeout_seconds)

    def send(self, n: OutgoingNotice) -> Delivery:
        body = dict(n.payload, digest_id=n.digest_id, message_id=n.message_id)
        try:
            resp = self.session.post(n.address, json=body, timeout=self.timeout,
                                     headers={"Idempotency-Key": n.digest_id, "User-Agent": "jiandu-notices"})
        except (requests.exceptions.ConnectTimeout, requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema) as exc:
            return Delivery.failed(f"无法连接：{exc}")
        except requests.exceptions.ConnectionError as exc:
            # refused before anything was sent, or dropped after the request went out
            if _never_connected(exc):
                return Delivery.failed(f"无法连接：{exc}")
            return Delivery.unknown(f"请求已发出但连接中断：{exc}")
        except requests.exceptions.Timeout as exc:
            return Delivery.unknown(f"请求已发出但等待回复超时：{exc}")
        if 200 <= resp.status_code < 300:
            return Delivery.sent(f"HTTP {resp.status_code}")
        return Delivery.failed(f"接收方返回 HTTP {resp.status_code}：{resp.text[:200]}")


def _never_connected(exc: Exception) -> bool:
    from urllib3.exceptions import NameResolutionError, NewConnectionError  # noqa: PLC0415
    seen, cur = set(), exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, (NewConnectionError, NameResolutionError, ConnectionRefusedError)):
            return True
        reason = getattr(cur, "reason", None)
        cur = reason if isinstance(reason, BaseException) else (cur.args[0] if cur.args and isinstance(cur.args[0], BaseException) else cur.__cause__ or cur.__context__)
    return False
