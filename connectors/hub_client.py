"""HTTP client of the provincial data hub, built to ../shared/standard/hub-api.md.

Only what the document promises is relied on: 401 means "get a new token once and retry";
429 carries Retry-After; 503, 5xx, time-outs and lost connections mean "send the same batch
again later, with the same Idempotency-Key", since the hub may or may not have stored it.

Readings where the document is silent (the real hub is another implementation of it):
- A 200 whose body is not a receipt for this batch (cut short, not JSON, another batch_id, counts
  that do not add up) is treated as a lost answer: the batch is sent again with the same key,
  which the document says returns the first receipt unchanged.
- Retry-After is honoured as seconds and, should a hub send one, as an HTTP date; a little
  jitter is added on top so that several deployments refused at once do not return at once.
  A 429 has its own, larger budget of tries than 5xx: the hub is alive and says when to return.
- The token is renewed a minute before ``expires_in`` runs out instead of paying a 401 first.
- The body is serialised here, compactly and as UTF-8 (not \\u escapes), so that its size is
  known exactly before it is sent: the 5 MiB limit is on the bytes on the wire.
"""
from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from dataclasses import dataclass

import requests

log = logging.getLogger(__name__)

TOKEN_RENEW_MARGIN = 60.0


class HubError(Exception):
    """A call that failed for good (after the retries it deserved)."""


class HubUnavailable(HubError):
    """The hub did not answer usefully after every retry: 5xx, 429, time-out or lost connection."""


class HubRefused(HubError):
    """The hub answered with a final refusal (4xx other than 401/429): retrying cannot help."""

    def __init__(self, status: int, body: dict | str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


class HubAuthFailed(HubRefused):
    """401 even with a fresh token, or wrong credentials: no batch is at fault, every call would fail."""


@dataclass
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 60.0
    rate_limited_attempts: int = 30

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def encode_body(body: dict) -> bytes:
    """The exact bytes a batch is sent as (its size counts against the hub's 5 MiB)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _LostAnswer(Exception):
    pass


class HubClient:
    def __init__(self, base_url: str, client_id: str, client_secret: str, *, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, sleep=time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "jiandu-push/0.1"
        self._token: str | None = None
        self._token_expires = 0.0
        self._sleep = sleep
        self.calls = 0             # HTTP requests made, for benchmarks and tests

    # -- plumbing ----------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, auth: bool = True, check=None, **kwargs) -> requests.Response:
        """One logical call with the document's retry rules; returns the final 2xx/4xx answer.

        ``check`` validates a 200 answer and raises _LostAnswer when it is not one; the call is
        then repeated like after a lost connection.
        """
        refreshed = False
        last_error = "no attempt"
        failures = rate_limited = 0
        extra_headers = kwargs.pop("headers", None) or {}
        while failures < self.retry.attempts and rate_limited < self.retry.rate_limited_attempts:
            headers = dict(extra_headers)
            if auth:
                if self._token is None or time.monotonic() >= self._token_expires:
                    self._fetch_token()
                headers["Authorization"] = f"Bearer {self._token}"
            self.calls += 1
            try:
                resp = self.session.request(method, self.base_url + path, headers=headers,
                                            timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures += 1
                last_error = f"{type(exc).__name__}: {exc}"
                self._sleep(self.retry.delay(failures))
                continue
            if resp.status_code == 401 and auth and not refreshed:
                refreshed = True            # a new token once, then the same call again
                self._token = None
                continue
            if resp.status_code == 429:
                rate_limited += 1
                last_error = "429 RATE_LIMITED"
                wait = _retry_after(resp)
                self._sleep(wait * random.uniform(1.0, 1.1) if wait is not None else self.retry.delay(rate_limited))
                continue
            if resp.status_code >= 500:
                failures += 1
                last_error = f"{resp.status_code} {resp.text[:200]}"
                wait = _retry_after(resp)
                self._sleep(wait if wait is not None else self.retry.delay(failures))
                continue
            if resp.status_code == 200 and check is not None:
                try:
                    check(resp)
                except _LostAnswer as exc:
                    failures += 1
                    last_error = f"unusable answer: {exc}"
                    log.warning("hub %s %s: %s; sending again", method, path, exc)
                    self._sleep(self.retry.delay(failures))
                    continue
            return resp
        raise HubUnavailable(f"{method} {path}: no answer after {failures + rate_limited} attempts ({last_error})")

    def _fetch_token(self) -> None:
        def usable(resp: requests.Response) -> None:
            body = _json_or_lost(resp)
            if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
                raise _LostAnswer("token answer without access_token")

        resp = self._call("POST", "/api/v1/token", auth=False, check=usable,
                          json={"client_id": self.client_id, "client_secret": self.client_secret})
        if resp.status_code == 401:
            raise HubAuthFailed(resp.status_code, _body(resp))
        if resp.status_code != 200:
            raise HubRefused(resp.status_code, _body(resp))
        body = resp.json()
        self._token = body["access_token"]
        ttl = body.get("expires_in")
        ttl = float(ttl) if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) else 3600.0
        self._token_expires = time.monotonic() + max(ttl - TOKEN_RENEW_MARGIN, ttl / 2)

    # -- the interface -----------------------------------------------------------------------
    def push_batch(self, dataset: str, body: dict, payload: bytes | None = None) -> dict:
        """POST a batch with its own batch_id as Idempotency-Key; returns the receipt.

        ``payload`` is ``encode_body(body)`` when the caller already has it.
        """
        batch_id = body["batch_id"]
        sent = len(body["records"])

        def is_receipt(resp: requests.Response) -> None:
            r = _json_or_lost(resp)
            if not isinstance(r, dict) or r.get("batch_id") != batch_id:
                raise _LostAnswer("answer is not this batch's receipt")
            counts = [r.get(k) for k in ("received", "accepted", "stale")]
            if not all(isinstance(c, int) for c in counts) or not isinstance(r.get("rejected"), list):
                raise _LostAnswer("receipt without its counts")
            if counts[0] != sent or counts[1] + counts[2] + len(r["rejected"]) != sent:
                raise _LostAnswer(f"receipt counts do not add up to the {sent} records sent: {counts}")

        resp = self._call("POST", f"/api/v1/datasets/{dataset}/batches", check=is_receipt,
                          data=payload if payload is not None else encode_body(body),
                          headers={"Idempotency-Key": batch_id, "Content-Type": "application/json; charset=utf-8"})
        if resp.status_code == 401:
            raise HubAuthFailed(resp.status_code, _body(resp))
        if resp.status_code != 200:
            raise HubRefused(resp.status_code, _body(resp))
        return resp.json()

    def summary(self, dataset: str, region_code: str) -> dict:
        def is_summary(resp: requests.Response) -> None:
            r = _json_or_lost(resp)
            if (not isinstance(r, dict) or r.get("dataset") != dataset or r.get("region_code") != region_code
                    or not isinstance(r.get("records"), int) or not isinstance(r.get("checksum"), str)):
                raise _LostAnswer("answer is not this summary")

        resp = self._call("GET", f"/api/v1/datasets/{dataset}/summary", params={"region_code": region_code},
                          check=is_summary)
        if resp.status_code == 401:
            raise HubAuthFailed(resp.status_code, _body(resp))
        if resp.status_code != 200:
            raise HubRefused(resp.status_code, _body(resp))
        return resp.json()


def _json_or_lost(resp: requests.Response):
    try:
        return resp.json()
    except ValueError as exc:
        raise _LostAnswer(f"not JSON ({exc})") from None


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _body(resp: requests.Response) -> dict | str:
    try:
        return resp.json()
    except ValueError:
        return resp.text[:500]
