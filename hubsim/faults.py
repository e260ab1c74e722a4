"""Switchable faults and the request rate limit: what the hub does when it is busy or failing.

Fault modes are a test and benchmark aid, no part of hub-api.md. Each mode takes a ``count``
(the next N calls it can touch) and a ``probability`` (each later call, drawn from a random
stream of its own seeded from ``seed``, so a run is repeatable). A mode named with neither hits
every call: ``{"unavailable": {}}`` is a hub in maintenance.

    {"seed": 7,
     "slow": {"delay_ms": 300, "probability": 0.5},         # answer late (after the work)
     "unavailable": {"count": 2},                           # 503 MAINTENANCE
     "rate_limited": {"count": 3, "retry_after": 2},        # a 429 burst with Retry-After
     "drop_after_commit": {"probability": 0.1}}             # store the batch, then drop the connection

Posting a configuration replaces the whole previous one (a mode left out is off) and restarts
the counts and random streams. The rate limit itself (429 once more than N calls fall in the
last 60 seconds, refused calls counted) is set when the app is created.
"""
from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from typing import Callable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hubsim.answers import json_answer

MODES = ("slow", "unavailable", "rate_limited", "drop_after_commit")


class FaultMode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(0, ge=0, description="the next N calls this mode can touch are hit")
    probability: float = Field(0.0, ge=0.0, le=1.0, description="then each call is hit with this probability")

    @model_validator(mode="after")
    def _unqualified_means_always(self):
        if not {"count", "probability"} & self.model_fields_set:
            self.probability = 1.0
        return self


class SlowMode(FaultMode):
    delay_ms: int = Field(0, ge=0, le=600_000)


class RateLimitedMode(FaultMode):
    retry_after: int = Field(1, ge=0, description="seconds sent in Retry-After")


class FaultConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: int = 0
    slow: SlowMode | None = None
    unavailable: FaultMode | None = None
    rate_limited: RateLimitedMode | None = None
    drop_after_commit: FaultMode | None = None


class Faults:
    """The current fault configuration and its counters. Used from the event loop only."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self.remaining = {m: (getattr(config, m).count if getattr(config, m) else 0) for m in MODES}
        self.random = {m: random.Random(f"{config.seed}:{m}") for m in MODES}
        self.hits = dict.fromkeys(MODES, 0)

    def hit(self, mode: str) -> bool:
        spec: FaultMode | None = getattr(self.config, mode)
        if spec is None:
            return False
        if self.remaining[mode] > 0:
            self.remaining[mode] -= 1
            hit = True
        elif spec.probability >= 1.0:
            hit = True
        elif spec.probability <= 0.0:
            hit = False
        else:
            hit = self.random[mode].random() < spec.probability
        self.hits[mode] += hit
        return hit

    def slow_delay(self) -> float:
        return self.config.slow.delay_ms / 1000 if self.hit("slow") else 0.0

    def describe(self) -> dict:
        return {"config": self.config.model_dump(exclude_none=True), "remaining": self.remaining,
                "hits": self.hits}


class RateLimiter:
    """At most ``per_minute`` calls in any 60 s; every call counts, refused ones too."""

    WINDOW = 60.0

    def __init__(self, per_minute: int | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.calls: deque[float] = deque()

    def reset(self) -> None:
        self.calls.clear()

    def hit(self) -> int | None:
        """Count a call; return the Retry-After seconds if it is refused."""
        if not self.per_minute:
            return None
        now = self.clock()
        while self.calls and self.calls[0] <= now - self.WINDOW:
            self.calls.popleft()
        self.calls.append(now)
        excess = len(self.calls) - self.per_minute
        if excess <= 0:
            return None
        # A call passes again once `excess` of the calls now in the window have left it.
        return max(1, math.ceil(self.calls[excess - 1] + self.WINDOW - now))


async def drain(receive) -> None:
    """Read and drop the request body, so a refused client is not cut off while sending."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


class HubGate:
    """ASGI middleware in front of every ``/api/`` call: rate limit, 429 bursts, 503s, slowness.

    hub-api.md puts 429/503 before every other check, so this runs before authentication.
    """

    def __init__(self, app, faults: Faults, limiter: RateLimiter) -> None:
        self.app, self.faults, self.limiter = app, faults, limiter

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        delay = self.faults.slow_delay()
        refusal = None
        retry_after = self.limiter.hit()
        if retry_after is not None:
            refusal = json_answer(429, {"code": "RATE_LIMITED"}, {"Retry-After": str(retry_after)})
        elif self.faults.hit("rate_limited"):
            refusal = json_answer(429, {"code": "RATE_LIMITED"},
                                  {"Retry-After": str(self.faults.config.rate_limited.retry_after)})
        elif self.faults.hit("unavailable"):
            refusal = json_answer(503, {"code": "MAINTENANCE"})
        if refusal is not None:
            await drain(receive)
            if delay:
                await asyncio.sleep(delay)
            await refusal(scope, receive, send)
            return
        if not delay:
            await self.app(scope, receive, send)
            return

        async def late_send(message) -> None:
            if message["type"] == "http.response.start":
                await asyncio.sleep(delay)
            await send(message)
        await self.app(scope, receive, late_send)
