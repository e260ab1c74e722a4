"""Real servers for the notice tests: an SMTP server (aiosmtpd) and an HTTP server for webhooks,
each on a free local port, recording what they received; and a warehouse with the warning marts'
agreed columns holding chosen events."""
from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
from aiosmtpd.controller import Controller

from jiandu.db import libpq_url
from jiandu.testing import create_standard_tables

S1 = "11440100MB0000001X"
S2 = "11440100MB0000002X"
S3 = "11440100MB0000003X"
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)      # 09:00 in China
AS_OF = dt.date(2026, 11, 23)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every accepted message; can refuse recipients or stall after DATA."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.stall_seconds = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.stall_seconds:
            # the message is in, but the answer never reaches the client in time
            await asyncio.sleep(self.stall_seconds)
        return "250 2.0.0 accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class WebhookServer:
    """A small HTTP server: records each POST (headers and JSON); answers with `status`."""

    def __init__(self):
        self.received: list[tuple[dict, dict]] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), json.loads(body)))
                self.send_response(outer.status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


WARNING_MARTS = """
create table marts.fct_warning_history (history_key text primary key, warning_key text, case_id varchar(64),
    rule_id text, item_ref text, subject_code varchar(18), region_code varchar(6), event text, level_from text,
    level_to text, effective_date date, observed_at timestamptz, as_of_date date, late boolean, event_seq integer,
    reason text);
create table marts.fct_rule_evaluation (evaluation_key text, case_id varchar(64), case_no varchar(100), rule_id text,
    rule_name text, item_ref text, case_type varchar(2), subject_code varchar(18), region_code varchar(6), level text,
    trigger_date date, due_date date, limit_value numeric, limit_unit text, days_left integer, done_date date,
    yellow_from date, red_from date, cleared_late boolean, missing_field text, detail text, as_of_date date);
"""


def prepare(url: str) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        create_standard_tables(conn)
        conn.execute(WARNING_MARTS)
        for code, name in ((S1, "天河区市场监督管理局"), (S2, "越秀区城市管理和综合执法局"), (S3, "海珠区交通运输局")):
            conn.execute("insert into standard.zf01_subject (subject_code, subject_name, region_code, subject_level,"
                         " subject_type, domain_code, is_active, record_key, record_version)"
                         " values (%s, %s, '440106', '3', '01', '01', true, %s, now())", (code, name, code))


def add_event(url: str, key: str, subject: str, case_id: str, rule_id: str, event: str, level_to: str,
              effective: dt.date, observed: dt.datetime = NOW - dt.timedelta(hours=2), level_from: str | None = None,
              case_no: str | None = None, rule_name: str | None = None, detail: str | None = None,
              due: dt.date | None = None, current_level: str | None = None) -> None:
    warning_key = f"{case_id}|{rule_id}|"
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("insert into marts.fct_warning_history (history_key, warning_key, case_id, rule_id, item_ref,"
                     " subject_code, region_code, event, level_from, level_to, effective_date, observed_at, as_of_date,"
                     " late, event_seq) values (%s, %s, %s, %s, '', %s, '440106', %s, %s, %s, %s, %s, %s, false, 1)",
                     (key, warning_key, case_id, rule_id, subject, event, level_from, level_to, effective, observed,
                      AS_OF))
        conn.execute("delete from marts.fct_rule_evaluation where evaluation_key = %s", (warning_key,))
        conn.execute("insert into marts.fct_rule_evaluation (evaluation_key, case_id, case_no, rule_id, rule_name,"
                     " item_ref, subject_code, level, due_date, detail, as_of_date)"
                     " values (%s, %s, %s, %s, %s, '', %s, %s, %s, %s, %s)",
                     (warning_key, case_id, case_no, rule_id, rule_name, subject, current_level or level_to, due,
                      detail, AS_OF))


def add_recipient(url: str, subject: str, channel: str, address: str, active: bool = True) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("insert into ops.notice_recipient (subject_code, channel, address, note, active)"
                     " values (%s, %s, %s, '法制科', %s)", (subject, channel, address, active))


def rows(url: str, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(sql, params).fetchall()
