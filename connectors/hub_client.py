"""HTTP client of the provincial data hub, built to ../shared/standard/hub-api.md.

Only what the document promises is relied on: 401 means "get a new token once and retry";
429 carries Retry-After; 503, 5xx, time-outs and lost connections mean "send the same batch
again later, with the same Idempotency-Key", since the hub may or may not have stored it.
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass

import requests

log = logging.getLogger(__name__)


class HubError(Exception):
    """A call that failed for good (after the retries it deserved)."""


class HubUnavailable(HubError):
    """The hub did not answer usefully after every retry: 5xx, 429, time-out or lost connection."""


class HubRefused(HubError):
    """The hub answered with a final refusal (4xx other than 401/429): retrying cannot help."""

    def __init__(self, status: int, body: dict | str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


@dataclass
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 60.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


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
        self._sleep = sleep

    # -- plumbing ----------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, auth: bool = True, **kwargs) -> requests.Response:
        """One logical call with the document's retry rules; returns the final 2xx/4xx answer."""
        refreshed = False
        last_error = "no attempt"
        attempt = 0
        while attempt < self.retry.attempts:
            attempt += 1
            headers = dict(kwargs.pop("headers", {}) or {})
            if auth:
                if self._token is None:
                    self._fetch_token()
                headers["Authorization"] = f"Bearer {self._token}"
            try:
                resp = self.session.request(method, self.base_url + path, headers=headers,
                                            timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                kwargs["headers"] = headers
                self._sleep(self.retry.delay(attempt))
                continue
            kwargs["headers"] = headers
            if resp.status_code == 401 and auth and not refreshed:
                refreshed = True            # a new token once, then the same call again
                self._token = None
                attempt -= 1
                continue
            if resp.status_code == 429:
                last_error = "429 RATE_LIMITED"
                self._sleep(_retry_after(resp) or self.retry.delay(attempt))
                continue
            if resp.status_code >= 500:
                last_error = f"{resp.status_code} {resp.text[:200]}"
                self._sleep(_retry_after(resp) or self.retry.delay(attempt))
                continue
            return resp
        raise HubUnavailable(f"{method} {path}: no answer after {self.retry.attempts} attempts ({last_error})")

    def _fetch_token(self) -> None:
        resp = self._call("POST", "/api/v1/token", auth=False,
                          json={"client_id": self.client_id, "client_secret": self.client_secret})
        if resp.status_code != 200:
            raise HubRefused(resp.status_code, _body(resp))
        self._token = resp.json()["access_token"]

    # -- the interface -----------------------------------------------------------------------
    def push_batch(self, dataset: str, body: dict) -> dict:
        """POST a batch with its own batch_id as Idempotency-Key; returns the receipt."""
        resp = self._call("POST", f"/api/v1/datasets/{dataset}/batches",
                          json=body, headers={"Idempotency-Key": body["batch_id"]})
        if resp.status_code != 200:
            raise HubRefused(resp.status_code, _body(resp))
        return resp.json()

    def summary(self, dataset: str, region_code: str) -> dict:
        resp = self._call("GET", f"/api/v1/datasets/{dataset}/summary", params={"region_code": region_code})
        if resp.status_code != 200:
            raise HubRefused(resp.status_code, _body(resp))
        return resp.json()


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _body(resp: requests.Response) -> dict | str:
    try:
        return resp.json()
    except ValueError:
        return resp.text[:500]
