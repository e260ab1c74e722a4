"""A requests session with time-outs and retries (exponential backoff with jitter).

Retries cover connection errors and 5xx answers, and honour Retry-After on 429 and 503. Only
idempotent calls are retried here; the hub push retries its POSTs itself, because it must keep
the same Idempotency-Key and count failures for its circuit.
"""
from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


class TimeoutSession(requests.Session):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def request(self, method, url, **kwargs):  # noqa: D102
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, **kwargs)


def make_session(*, timeout: float = 30.0, retries: int = 5, backoff: float = 0.5,
                 retry_methods: frozenset[str] = frozenset({"GET", "HEAD"})) -> requests.Session:
    session = TimeoutSession(timeout)
    retry = Retry(
        total=retries, connect=retries, read=retries, status=retries,
        backoff_factor=backoff, backoff_jitter=backoff, backoff_max=60,
        status_forcelist=(429, 500, 502, 503, 504), allowed_methods=retry_methods,
        respect_retry_after_header=True, raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry, pool_maxsize=4)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "jiandu/0.1"
    return session
