"""Fixtures of the notice tests: a fresh warehouse per test with the warning marts' columns, a
real SMTP server and a real HTTP server for webhooks."""
from __future__ import annotations

import pytest

from noticeutil import SmtpServer, WebhookServer, prepare  # noqa: E402


@pytest.fixture()
def notice_wh(fresh_warehouse_url):
    prepare(fresh_warehouse_url)
    return fresh_warehouse_url


@pytest.fixture()
def smtp_server():
    with SmtpServer() as server:
        yield server


@pytest.fixture()
def webhook_server():
    with WebhookServer() as server:
        yield server
